import type { BoardEntry, RunSummaryView } from '../../../common/schema/api.ts';
import { isStageName } from '../../../common/stages/index.ts';
import type { RunResult, RunState } from '../../../common/schema/run.ts';
import { resultPresentation } from './result.ts';

// Board order and the words, icons and tones for a run's state (a finished
// run's with its result, logic/result.ts).

export type NeedsPerson = NonNullable<BoardEntry['needsPerson']>;

/** Most urgent first: data on a disk blocks a supervisor, a failed stage blocks the bench, a lost agent may recover. */
const URGENCY: Record<NeedsPerson, number> = { UnexpectedData: 0, FailedHolding: 1, AgentLost: 2 };

function activity(entry: BoardEntry): number {
  if (entry.needsPerson) return URGENCY[entry.needsPerson];
  const state = entry.run?.state;
  if (!state) return 6; // idle host, no run
  if (state === 'WaitingForAgent') return 4;
  if (state === 'Completed') return 5; // waiting to be released
  if (state === 'Released' || state === 'Abandoned') return 7;
  return 3; // a stage is running
}

/** What needs a person on top, then running runs, then the rest; by host name within a group. */
export function sortBoard(entries: readonly BoardEntry[]): BoardEntry[] {
  return [...entries].sort((a, b) => activity(a) - activity(b) || a.host.name.localeCompare(b.host.name));
}

/** `partial`: an INCOMPLETE result, which must never read as a pass. */
export type Tone = 'ok' | 'bad' | 'warn' | 'partial' | 'busy' | 'idle';

export interface StatePresentation {
  text: string;
  icon: string;
  tone: Tone;
  /** One line for a person: what to do, when something is needed. */
  hint: string | null;
}

export function needsPersonText(n: NeedsPerson): StatePresentation {
  switch (n) {
    case 'UnexpectedData':
      return { text: 'Data on disk — supervisor needed', icon: '⊘', tone: 'bad', hint: 'A disk still holds data. A supervisor must approve the wipe or abandon.' };
    case 'FailedHolding':
      return { text: 'Failed — holding', icon: '✗', tone: 'bad', hint: 'Fix and retry the stage, override it, or abandon the run.' };
    case 'AgentLost':
      return { text: 'Agent lost', icon: '⚠', tone: 'warn', hint: 'No heartbeat from the host. Check power and cabling.' };
  }
}

export function runStatePresentation(run: Pick<RunSummaryView, 'state' | 'holdReason' | 'result' | 'agentLost'> | null): StatePresentation {
  if (!run) return { text: 'Idle', icon: '○', tone: 'idle', hint: null };
  if (run.state === 'FailedHolding') return needsPersonText(run.holdReason === 'UnexpectedData' ? 'UnexpectedData' : 'FailedHolding');
  if (run.agentLost && !['Completed', 'Released', 'Abandoned'].includes(run.state)) return needsPersonText('AgentLost');
  return statePresentation(run.state, run.result);
}

/** What a completed run asks of a person next, by its result. */
const COMPLETED_HINT: Record<RunResult, string | null> = {
  pass: 'Print the report, then release the host.',
  'pass-with-overrides': 'Print the report (it names the overrides), then release the host.',
  incomplete: 'Not everything was tested: read Coverage before you release the host.',
  fail: null,
};

/** A finished state with its result: "Completed — INCOMPLETE", in the result's icon and tone. */
function finished(state: string, result: RunResult | null, hint: string | null, fallback: Omit<StatePresentation, 'text' | 'hint'>): StatePresentation {
  if (!result) return { text: state, hint, ...fallback };
  const r = resultPresentation(result);
  return { text: `${state} — ${r.text}`, icon: r.icon, tone: r.tone, hint };
}

export function statePresentation(state: RunState, result: RunSummaryView['result'] = null): StatePresentation {
  switch (state) {
    case 'WaitingForAgent':
      return { text: 'Waiting for agent', icon: '…', tone: 'idle', hint: 'Power on the host so it PXE-boots on the bench.' };
    case 'Completed':
      return finished('Completed', result, result ? COMPLETED_HINT[result] : 'Print the report, then release the host.', { icon: '■', tone: 'idle' });
    case 'Released':
      return finished('Released', result, null, { icon: '⏏', tone: 'idle' });
    case 'Abandoned':
      return finished('Abandoned', result, null, { icon: '■', tone: 'idle' });
    case 'FailedHolding':
      return needsPersonText('FailedHolding');
    default:
      if (isStageName(state)) return { text: `Running ${state}`, icon: '▶', tone: 'busy', hint: null };
      return { text: state, icon: '?', tone: 'idle', hint: null };
  }
}

/** A host's identity line: boot MAC and the DMI serial the agent reported. */
export function identityLine(entry: Pick<BoardEntry, 'host' | 'run'>): string {
  const mac = entry.run?.bootMac ?? entry.host.macs[0] ?? 'no MAC';
  const serial = entry.run?.dmiSerial;
  return serial ? `${mac} · S/N ${serial}` : mac;
}
