import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { AgentMessage } from '../../common/schema/protocol.ts';
import type { OutboxState } from './outbox.ts';

// Persists the outbox (session id, next seq, unacknowledged messages) so that an
// agent process that dies and is started again continues the same session:
// nothing it already said is lost and nothing is numbered twice. The file is
// bound to one orchestrator URL + token; a state file from another run is
// ignored rather than replayed into the wrong run.

const StateFile = z.object({
  version: z.literal(1),
  binding: z.string(),
  session: z.string().min(8).max(64),
  nextSeq: z.number().int().positive(),
  pending: z.array(z.unknown()),
});

export const STATE_FILE_NAME = 'agent-state.json';

export function stateBinding(orchestrator: string, token: string): string {
  return createHash('sha256').update(`${orchestrator}\n${token}`).digest('hex').slice(0, 32);
}

export interface LoadedState {
  state: OutboxState | null;
  /** Why an existing file was not used (corrupt, other run); null when fine or absent. */
  problem: string | null;
}

export function loadState(dir: string, binding: string): LoadedState {
  let text: string;
  try {
    text = readFileSync(join(dir, STATE_FILE_NAME), 'utf8');
  } catch {
    return { state: null, problem: null };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { state: null, problem: 'state file is not valid JSON; starting a new session' };
  }
  const parsed = StateFile.safeParse(raw);
  if (!parsed.success) return { state: null, problem: 'state file has an unknown shape; starting a new session' };
  if (parsed.data.binding !== binding) return { state: null, problem: null };
  const pending: OutboxState['pending'] = [];
  for (const m of parsed.data.pending) {
    const msg = AgentMessage.safeParse(m);
    if (msg.success && msg.data.type !== 'hello') pending.push(msg.data);
  }
  return { state: { session: parsed.data.session, nextSeq: parsed.data.nextSeq, pending }, problem: null };
}

/** Writes atomically (temp file + rename) so a crash never leaves half a file. */
export function saveState(dir: string, binding: string, state: OutboxState): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, STATE_FILE_NAME);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ version: 1, binding, ...state }), { mode: 0o600 });
  renameSync(tmp, file);
}
