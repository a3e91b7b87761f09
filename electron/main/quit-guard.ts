// Whether quitting needs the operator's confirmation, and what the dialog says.
// Quitting stops the orchestrator, but not the hosts: their agents keep running
// the current stage, retry their connection, and the runs resume from the
// database when the app starts again. The dialog says exactly that, so a quit
// during a long burn-in is a decision, not an accident.

import { isTerminal, type RunState } from '../../common/schema/run.ts';

export interface ActiveRun {
  id: number;
  host: string;
  state: RunState;
}

export type QuitDecision =
  | { kind: 'quit' }
  | {
      kind: 'confirm';
      title: string;
      message: string;
      detail: string;
      buttons: [string, string];
      /** Index of the button that quits; the other cancels and is the default. */
      quitButton: 0;
      cancelButton: 1;
    };

/**
 * Whether a run is waiting for a person: only a held run is (FailedHolding, for
 * any hold reason; UnexpectedData is one of those reasons, not a state). A lost
 * agent is a flag on a run that is still in its stage: nobody is asked for
 * anything there, and the agent reconnects by itself when Vetting is back.
 */
function waitsForPerson(run: ActiveRun): boolean {
  return run.state === 'FailedHolding';
}
const MAX_NAMED = 8;

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function decideQuit(runs: readonly ActiveRun[]): QuitDecision {
  const midRun = runs.filter((r) => !isTerminal(r.state));
  if (midRun.length === 0) return { kind: 'quit' };

  const names = midRun.slice(0, MAX_NAMED).map((r) => `${r.host} (${r.state})`);
  if (midRun.length > MAX_NAMED) names.push(`and ${midRun.length - MAX_NAMED} more`);
  const holding = midRun.filter(waitsForPerson).length;

  const detail = [
    `Mid-run: ${names.join(', ')}.`,
    '',
    'If you quit, their agents keep running the current stage and keep trying to reconnect. ' +
      'When Vetting starts again they reconnect and the runs resume where they are; nothing recorded is lost.',
    'While Vetting is closed, no results are recorded live, and hosts cannot PXE-boot from this workstation.',
  ];
  if (holding > 0) detail.push(`${plural(holding, 'host is', 'hosts are')} waiting for a person and will keep waiting.`);

  return {
    kind: 'confirm',
    title: 'Quit Vetting?',
    message: `${plural(midRun.length, 'host is', 'hosts are')} mid-run. Quit anyway?`,
    detail: detail.join('\n'),
    buttons: ['Quit', 'Keep running'],
    quitButton: 0,
    cancelButton: 1,
  };
}
