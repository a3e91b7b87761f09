import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { PROTOCOL_VERSION, type OrchestratorMessage, type SequencedAgentMessage, type Welcome } from '../../common/schema/index.ts';

type Body = SequencedAgentMessage extends infer M ? (M extends SequencedAgentMessage ? Omit<M, 'seq' | 'ts'> : never) : never;

/**
 * A scripted client speaking the real agent protocol over a real WebSocket:
 * the stand-in for the agent in orchestrator tests and (wrapped) in the e2e
 * bench test. It keeps its own outbox so tests can drop the connection and
 * resend, as the real agent does.
 */
export class ScriptedAgent {
  readonly session: string;
  private ws: WebSocket | null = null;
  private nextSeq = 1;
  readonly inbox: OrchestratorMessage[] = [];
  private readonly waiters: { pred: (m: OrchestratorMessage) => boolean; resolve: (m: OrchestratorMessage) => void }[] = [];
  readonly unacked = new Map<number, SequencedAgentMessage>();
  welcome: Welcome | null = null;
  closed: Promise<{ code: number; reason: string }> = Promise.resolve({ code: 0, reason: '' });
  /** Every frame both ways and the close, shortened: for failure reports. */
  readonly transcript: string[] = [];
  private readonly observers: { frame?: (text: string) => void; close?: () => void }[] = [];

  constructor(
    private readonly url: string,
    private readonly token: string,
    session?: string,
  ) {
    this.session = session ?? randomUUID();
  }

  async connect(
    opts: { bootMac?: string; protocol?: number; dmiSerial?: string; agentVersion?: string; hostname?: string; timeoutMs?: number } = {},
  ): Promise<Welcome> {
    this.open();
    const hostname = opts.hostname === undefined ? {} : { hostname: opts.hostname };
    this.sendRaw({
      type: 'hello',
      protocol: opts.protocol ?? PROTOCOL_VERSION,
      token: this.token,
      bootMac: opts.bootMac ?? null,
      dmiSerial: opts.dmiSerial ?? null,
      agentVersion: opts.agentVersion ?? 'scripted',
      session: this.session,
      ...hostname,
    });
    const first = await this.next((m) => m.type === 'welcome' || m.type === 'error', opts.timeoutMs);
    if (first.type === 'error') throw new Error(`${first.code}: ${first.message}`);
    this.welcome = first as Welcome;
    return this.welcome;
  }

  /** Opens the socket only (for tests that send malformed frames). */
  open(): void {
    this.ws = new WebSocket(this.url);
    const ws = this.ws;
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.transcript.push(`closed ${code} ${reason.toString()}`);
        for (const o of this.observers) o.close?.();
        resolve({ code, reason: reason.toString() });
      }),
    );
    ws.on('message', (data) => {
      const text = data.toString();
      this.transcript.push(`<- ${text.slice(0, 400)}`);
      for (const o of this.observers) o.frame?.(text);
      let msg: OrchestratorMessage;
      try {
        msg = JSON.parse(text) as OrchestratorMessage;
      } catch {
        this.transcript.push('(not JSON: ignored)');
        return;
      }
      if (msg.type === 'ack') this.unacked.delete(msg.seq);
      this.inbox.push(msg);
      for (const w of [...this.waiters]) {
        if (w.pred(msg)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(msg);
        }
      }
    });
    ws.on('error', () => {});
  }

  /** Called with every frame as received (before it is parsed) and when the socket closes. */
  observe(observer: { frame?: (text: string) => void; close?: () => void }): void {
    this.observers.push(observer);
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /**
   * Numbers the next sequenced message `next`: a new connection standing for an
   * agent that already sent messages in this session (after a drop or a restart)
   * carries on from there, as the real agent's state file makes it do.
   */
  resumeSeqAt(next: number): void {
    if (!Number.isInteger(next) || next < 1) throw new Error(`resumeSeqAt: expected a positive integer seq, got ${next}`);
    this.nextSeq = next;
  }

  sendRaw(payload: unknown): void {
    const ws = this.ws!;
    const data = typeof payload === 'string' ? payload : JSON.stringify(payload);
    this.transcript.push(`-> ${data.slice(0, 300)}`);
    if (ws.readyState === WebSocket.OPEN) ws.send(data);
    else ws.once('open', () => ws.send(data));
  }

  /** Sends a sequenced message and resolves once it is acknowledged. */
  async send(body: Body): Promise<number> {
    const msg = { ...body, seq: this.nextSeq++, ts: Date.now() } as SequencedAgentMessage;
    this.unacked.set(msg.seq, msg);
    const acked = this.next((m) => m.type === 'ack' && m.seq === msg.seq);
    this.sendRaw(msg);
    await acked;
    return msg.seq;
  }

  /** Sends without waiting for the ack (to simulate a message lost with the connection). */
  sendNoWait(body: Body): number {
    const msg = { ...body, seq: this.nextSeq++, ts: Date.now() } as SequencedAgentMessage;
    this.unacked.set(msg.seq, msg);
    this.sendRaw(msg);
    return msg.seq;
  }

  /** Resends every unacknowledged message above what the orchestrator says it stored. */
  async resend(): Promise<void> {
    const last = this.welcome?.lastSeq ?? 0;
    for (const [seq, msg] of [...this.unacked].sort(([a], [b]) => a - b)) {
      if (seq <= last) {
        this.unacked.delete(seq);
        continue;
      }
      const acked = this.next((m) => m.type === 'ack' && m.seq === seq);
      this.sendRaw(msg);
      await acked;
    }
  }

  next(pred: (m: OrchestratorMessage) => boolean, timeoutMs = 20_000): Promise<OrchestratorMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching message within ${timeoutMs} ms; inbox: ${JSON.stringify(this.inbox.slice(-5))}`)), timeoutMs);
      this.waiters.push({
        pred,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  /**
   * The current directive if it matches, else the next matching one. Directives
   * are pushed before the ack of the message that caused them, so by the time a
   * send() resolves its consequence is usually already here.
   */
  directive(pred: (m: OrchestratorMessage) => boolean = () => true): Promise<OrchestratorMessage> {
    const last = this.lastDirective();
    if (last && pred(last)) return Promise.resolve(last);
    return this.next((m) => (m.type === 'run-stage' || m.type === 'wait' || m.type === 'shutdown') && pred(m));
  }

  lastDirective(): OrchestratorMessage | undefined {
    return [...this.inbox].reverse().find((m) => m.type === 'run-stage' || m.type === 'wait' || m.type === 'shutdown');
  }

  drop(): void {
    this.ws?.terminate();
  }

  close(): void {
    this.ws?.close();
  }
}
