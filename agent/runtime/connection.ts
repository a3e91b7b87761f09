import WebSocket from 'ws';
import {
  MAX_MESSAGE_BYTES,
  OrchestratorMessage,
  PROTOCOL_VERSION,
  type Directive,
  type ProtocolError,
  type SequencedAgentMessage,
  type Welcome,
} from '../../common/schema/protocol.ts';
import { backoffDelay } from './backoff.ts';
import { errorText, type Logger } from './logger.ts';
import { PinMismatch, pinnedConnection, secureUrl } from './orchestrator-pin.ts';
import type { Outbox, UnsequencedMessage } from './outbox.ts';

// The agent's one WebSocket to the orchestrator. It says hello, waits for the
// welcome, resends whatever the orchestrator has not stored yet, then streams
// new messages as they are queued. When the socket drops it reconnects with
// capped exponential backoff until stopped; the outbox makes that lossless.

export interface HelloInfo {
  token: string;
  bootMac: string | null;
  dmiSerial: string | null;
  agentVersion: string;
  hostname: string;
}

export interface ConnectionEvents {
  onWelcome(welcome: Welcome): void;
  onDirective(directive: Directive): void;
  /** A protocol error the agent cannot recover from (bad token, run closed). */
  onFatal(error: ProtocolError): void;
  /** Called after every change to the outbox, so it can be persisted. */
  onOutboxChange(): void;
}

/** Error codes after which reconnecting cannot help. */
const FATAL_CODES = new Set<ProtocolError['code']>(['bad-token', 'run-closed', 'bad-protocol']);

export class AgentConnection {
  private ws: WebSocket | null = null;
  private ready = false;
  private stopped = false;
  /** A fatal error (bad token, run closed) ended this connection for good; the core decides what follows. */
  private fatal = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private drainWaiters: Array<() => void> = [];

  constructor(
    private readonly url: string,
    private readonly hello: HelloInfo,
    private readonly outbox: Outbox,
    private readonly events: ConnectionEvents,
    private readonly log: Logger,
    /** "sha256:<hex>" of the orchestrator's key: connect over TLS and only to it (orchestrator-pin.ts). */
    private readonly pin: string | null = null,
  ) {}

  /** Whether whoever answers has proved to be the orchestrator (a pin was given and is checked on every connection). */
  get authenticated(): boolean {
    return this.pin !== null;
  }

  get connected(): boolean {
    return this.ready;
  }

  start(): void {
    this.stopped = false;
    this.fatal = false;
    this.connect();
  }

  /** Queues a message (persisted) and sends it now if the session is up. */
  send(msg: UnsequencedMessage): SequencedAgentMessage {
    const full = this.outbox.add(msg);
    this.events.onOutboxChange();
    if (this.ready) this.transmit(full);
    return full;
  }

  /** Resolves once every queued message is acknowledged, or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.outbox.pending.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.drainWaiters = this.drainWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.drainWaiters.push(done);
    });
  }

  stop(): void {
    this.stopped = true;
    this.ready = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.removeAllListeners();
      ws.on('error', () => {});
      try {
        ws.close(1000, 'agent exiting');
      } catch {
        ws.terminate();
      }
      // Do not let a peer that never answers the close hold the process.
      setTimeout(() => ws.terminate(), 1000).unref();
    }
  }

  private connect(): void {
    if (this.stopped) return;
    let ws: WebSocket;
    const url = this.pin ? secureUrl(this.url) : this.url;
    try {
      ws = new WebSocket(url, {
        maxPayload: MAX_MESSAGE_BYTES,
        handshakeTimeout: 10_000,
        // With a pin, nothing (not even the HTTP upgrade) is sent before the peer's key matched.
        ...(this.pin ? { createConnection: pinnedConnection(this.pin) as unknown as NonNullable<WebSocket.ClientOptions['createConnection']> } : {}),
      });
    } catch (err) {
      this.log.error('cannot open WebSocket', { url: this.url, err: errorText(err) });
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.on('open', () => {
      this.log.info('connected; saying hello', { url, session: this.outbox.session, pinned: this.pin !== null });
      ws.send(
        JSON.stringify({
          type: 'hello',
          protocol: PROTOCOL_VERSION,
          token: this.hello.token,
          bootMac: this.hello.bootMac,
          dmiSerial: this.hello.dmiSerial,
          agentVersion: this.hello.agentVersion,
          session: this.outbox.session,
          hostname: this.hello.hostname,
        }),
      );
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        this.log.warn('ignoring binary frame from orchestrator');
        return;
      }
      this.handleFrame(data.toString());
    });
    ws.on('error', (err) => {
      if (err instanceof PinMismatch) this.log.error('refusing to talk to an impostor: nothing was sent to it', { err: err.message });
      else this.log.warn('WebSocket error', { err: errorText(err) });
    });
    ws.on('close', (code, reason) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.ready = false;
      if (this.stopped || this.fatal) return;
      this.log.warn('connection closed; will reconnect', { code, reason: reason.toString() });
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retryTimer) return;
    const delay = backoffDelay(this.attempt++);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  private handleFrame(text: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      this.log.warn('orchestrator sent invalid JSON; ignored', { bytes: text.length });
      return;
    }
    const parsed = OrchestratorMessage.safeParse(raw);
    if (!parsed.success) {
      this.log.warn('orchestrator sent a message this agent does not understand; ignored', {
        problem: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ').slice(0, 500),
      });
      return;
    }
    const msg = parsed.data;
    switch (msg.type) {
      case 'welcome': {
        this.attempt = 0;
        const resend = this.outbox.resendAfter(msg.lastSeq);
        this.events.onOutboxChange();
        this.ready = true;
        this.log.info('welcomed', { run: msg.run, host: msg.host, profile: msg.profile, lastSeq: msg.lastSeq, resend: resend.length });
        for (const m of resend) this.transmit(m);
        this.events.onWelcome(msg);
        this.notifyDrain();
        return;
      }
      case 'ack':
        if (this.outbox.ackUpTo(msg.seq) > 0) this.events.onOutboxChange();
        this.notifyDrain();
        return;
      case 'error':
        // A finished run refusing a late heartbeat is how every run ends, not a fault.
        if (msg.code === 'run-closed') this.log.info('the run is closed', { message: msg.message });
        else this.log.error('orchestrator reported an error', { code: msg.code, message: msg.message });
        if (FATAL_CODES.has(msg.code)) {
          // The orchestrator closes the socket after a fatal error: no reconnecting to be refused again.
          this.fatal = true;
          this.events.onFatal(msg);
        }
        return;
      default:
        if (!this.ready) {
          this.log.warn('directive before welcome; ignored', { type: msg.type });
          return;
        }
        this.events.onDirective(msg);
    }
  }

  private transmit(msg: SequencedAgentMessage): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    const text = JSON.stringify(msg);
    if (Buffer.byteLength(text) > MAX_MESSAGE_BYTES) {
      // Cannot happen for well-formed stage results; never let it wedge the queue.
      this.log.error('message too large to send; dropped', { type: msg.type, seq: msg.seq });
      return;
    }
    ws.send(text, (err) => {
      if (err) this.log.warn('send failed; will resend after reconnect', { seq: msg.seq, err: errorText(err) });
    });
  }

  private notifyDrain(): void {
    if (this.outbox.pending.length > 0) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}
