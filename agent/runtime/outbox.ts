import { randomUUID } from 'node:crypto';
import type { SequencedAgentMessage } from '../../common/schema/protocol.ts';

// The agent's memory of what it has said but the orchestrator has not yet
// confirmed. Every message after hello gets the next sequence number of this
// agent session; it stays here until an ack covers it, and after a reconnect
// (or an agent restart, via the state file) everything above the orchestrator's
// lastSeq is resent in order. The orchestrator applies each seq once, so a
// resend never duplicates a result.

/** A message as a stage or timer writes it, before it is numbered. */
export type UnsequencedMessage = SequencedAgentMessage extends infer M
  ? M extends SequencedAgentMessage
    ? Omit<M, 'seq' | 'ts'>
    : never
  : never;

export interface OutboxState {
  session: string;
  nextSeq: number;
  pending: SequencedAgentMessage[];
}

/** Past this many waiting messages the oldest droppable ones go first. */
export const OUTBOX_LIMIT = 5000;
/** Telemetry that is worth less than results when the link is down for long. */
const DROPPABLE = new Set<SequencedAgentMessage['type']>(['sensor-batch', 'heartbeat', 'stage-progress', 'log']);

export function newSessionId(): string {
  return randomUUID().replace(/-/g, '');
}

export class Outbox {
  private state: OutboxState;

  constructor(state?: OutboxState, private readonly limit = OUTBOX_LIMIT) {
    this.state = state
      ? { session: state.session, nextSeq: state.nextSeq, pending: [...state.pending].sort((a, b) => a.seq - b.seq) }
      : { session: newSessionId(), nextSeq: 1, pending: [] };
  }

  get session(): string {
    return this.state.session;
  }

  get nextSeq(): number {
    return this.state.nextSeq;
  }

  get pending(): readonly SequencedAgentMessage[] {
    return this.state.pending;
  }

  snapshot(): OutboxState {
    return { session: this.state.session, nextSeq: this.state.nextSeq, pending: [...this.state.pending] };
  }

  /** Numbers a message and queues it until acknowledged. */
  add(msg: UnsequencedMessage, ts = Date.now()): SequencedAgentMessage {
    const full = { ...msg, seq: this.state.nextSeq++, ts } as SequencedAgentMessage;
    this.state.pending.push(full);
    this.trim();
    return full;
  }

  /**
   * Drops every message up to and including `seq`. Acks are treated as
   * cumulative: the orchestrator stores one socket's messages in order.
   */
  ackUpTo(seq: number): number {
    const before = this.state.pending.length;
    this.state.pending = this.state.pending.filter((m) => m.seq > seq);
    // A restarted agent whose state file lags behind the orchestrator must not
    // reuse numbers the orchestrator already holds.
    if (seq >= this.state.nextSeq) this.state.nextSeq = seq + 1;
    return before - this.state.pending.length;
  }

  /** What to resend after a welcome that says the orchestrator holds up to `lastSeq`. */
  resendAfter(lastSeq: number): SequencedAgentMessage[] {
    this.ackUpTo(lastSeq);
    return [...this.state.pending];
  }

  /** Whether a result for this stage attempt is still waiting for its ack. */
  hasPendingResult(stage: string, attempt: number): boolean {
    return this.state.pending.some((m) => m.type === 'stage-result' && m.stage === stage && m.attempt === attempt);
  }

  private trim(): void {
    while (this.state.pending.length > this.limit) {
      const idx = this.state.pending.findIndex((m) => DROPPABLE.has(m.type));
      if (idx < 0) break; // only results and stage events left: keep them all
      this.state.pending.splice(idx, 1);
    }
  }
}
