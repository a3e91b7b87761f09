import type { WebSocket } from 'ws';
import { AgentMessage, MAX_MESSAGE_BYTES, PROTOCOL_VERSION, type Directive, type OrchestratorMessage, type ProtocolError, type SequencedAgentMessage } from '../../../common/schema/index.ts';
import type { EventBus } from '../events/bus.ts';
import type { AgentFacing, AgentMessages } from '../runs/index.ts';
import { UserError } from '../util/errors.ts';
import type { Logger } from '../util/log.ts';

const HELLO_TIMEOUT_MS = 10_000;
/** Most agent messages stored in one transaction (group commit). */
const MAX_BATCH = 100;

interface Connection {
  socket: WebSocket;
  runId: number;
  session: string;
  lastDirective: string | null;
}

/**
 * The agent side of the protocol (docs/protocol.md). Every frame is checked
 * for size, JSON and schema; a bad one gets an `error` naming the problem and
 * the connection is closed — nothing stored changes and the server keeps serving.
 */
export class AgentEndpoint {
  private readonly byRun = new Map<number, Connection>();
  private queue: { conn: Connection; msg: SequencedAgentMessage }[] = [];
  private readonly unsubscribe: () => void;

  constructor(
    /** Checks tokens and says what an agent should do. */
    private readonly agent: AgentFacing,
    /** Stores what agents say. */
    private readonly messages: AgentMessages,
    bus: EventBus,
    private readonly log: Logger,
  ) {
    this.unsubscribe = bus.subscribe((e) => {
      if (e.type === 'directive-changed') this.pushDirective(e.runId);
    });
  }

  isConnected(runId: number): boolean {
    return this.byRun.has(runId);
  }

  connectionCount(): number {
    return this.byRun.size;
  }

  close(): void {
    this.unsubscribe();
    for (const c of this.byRun.values()) c.socket.close(1001, 'orchestrator shutting down');
    this.byRun.clear();
  }

  accept(socket: WebSocket, remote: string): void {
    let conn: Connection | null = null;
    const helloTimer = setTimeout(() => this.refuse(socket, 'not-hello', `no hello within ${HELLO_TIMEOUT_MS / 1000} s`), HELLO_TIMEOUT_MS);

    socket.on('message', (data, isBinary) => {
      const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer | ArrayBuffer).byteLength;
      if (size > MAX_MESSAGE_BYTES) return this.refuse(socket, 'too-large', `message of ${size} bytes exceeds the ${MAX_MESSAGE_BYTES}-byte limit`);
      if (isBinary) return this.refuse(socket, 'bad-message', 'binary frames are not part of the protocol; send JSON text');
      let json: unknown;
      try {
        json = JSON.parse(data.toString());
      } catch (e) {
        return this.refuse(socket, 'bad-json', `message is not valid JSON: ${(e as Error).message}`);
      }
      const parsed = AgentMessage.safeParse(json);
      if (!parsed.success) {
        const type = typeof json === 'object' && json && 'type' in json ? String((json as { type: unknown }).type) : '(none)';
        const detail = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
        return this.refuse(socket, 'bad-message', `invalid "${type}" message: ${detail}`);
      }
      const msg = parsed.data;
      try {
        if (!conn) {
          if (msg.type !== 'hello') return this.refuse(socket, 'not-hello', `the first message must be hello, got ${msg.type}`);
          clearTimeout(helloTimer);
          conn = this.hello(socket, msg, remote);
          return;
        }
        if (msg.type === 'hello') return this.refuse(socket, 'bad-message', 'hello was already received on this connection');
        this.enqueue(conn, msg);
      } catch (e) {
        if (e instanceof UserError) return this.refuse(socket, 'bad-message', e.message);
        this.log.error({ err: e, runId: conn?.runId }, 'agent message failed');
        this.refuse(socket, 'internal', `the orchestrator could not store this message: ${(e as Error).message}`);
      }
    });

    socket.on('close', () => {
      clearTimeout(helloTimer);
      if (conn && this.byRun.get(conn.runId) === conn) this.byRun.delete(conn.runId);
    });
    socket.on('error', (err) => this.log.warn({ err, remote }, 'agent socket error'));
  }

  /** Messages that arrived in this turn of the event loop are stored in one transaction (group commit). */
  private enqueue(conn: Connection, msg: SequencedAgentMessage) {
    this.queue.push({ conn, msg });
    if (this.queue.length === 1) setImmediate(() => this.flush());
  }

  private flush() {
    // Bounded batches keep each synchronous stretch short, so sockets are served between them.
    const batch = this.queue.splice(0, MAX_BATCH);
    if (this.queue.length > 0) setImmediate(() => this.flush());
    let results: ReturnType<AgentMessages['applyBatch']>;
    try {
      results = this.messages.applyBatch(batch.map(({ conn, msg }) => ({ runId: conn.runId, session: conn.session, msg })));
    } catch (e) {
      this.log.error({ err: e }, 'storing agent messages failed');
      for (const { conn } of batch) this.refuse(conn.socket, 'internal', `the orchestrator could not store this message: ${(e as Error).message}`);
      return;
    }
    results.forEach((r, i) => {
      const { conn, msg } = batch[i]!;
      if ('error' in r) {
        const e = r.error;
        if (e instanceof UserError) return this.refuse(conn.socket, e.code === 'run-closed' ? 'run-closed' : 'bad-message', e.message);
        this.log.error({ err: e, runId: conn.runId }, 'agent message failed');
        return this.refuse(conn.socket, 'internal', `the orchestrator could not store this message: ${(e as Error).message}`);
      }
      this.send(conn.socket, { type: 'ack', seq: msg.seq });
    });
  }

  private hello(socket: WebSocket, msg: Extract<AgentMessage, { type: 'hello' }>, remote: string): Connection | null {
    if (msg.protocol !== PROTOCOL_VERSION) {
      this.refuse(socket, 'bad-protocol', `protocol version ${msg.protocol} is not supported; this orchestrator speaks ${PROTOCOL_VERSION}`);
      return null;
    }
    const auth = this.agent.authenticate(msg.token);
    if ('error' in auth) {
      this.log.warn({ remote, code: auth.error }, 'agent refused');
      this.refuse(socket, auth.error, auth.message);
      return null;
    }
    const previous = this.byRun.get(auth.run.id);
    if (previous) previous.socket.close(4000, 'replaced by a newer connection of this run');
    const { welcome, directive } = this.messages.agentHello(auth.run.id, msg);
    const conn: Connection = { socket, runId: auth.run.id, session: msg.session, lastDirective: null };
    this.byRun.set(auth.run.id, conn);
    this.log.info({ runId: auth.run.id, remote, session: msg.session }, 'agent connected');
    this.send(socket, welcome);
    this.sendDirective(conn, directive);
    return conn;
  }

  private pushDirective(runId: number) {
    const conn = this.byRun.get(runId);
    if (!conn) return;
    try {
      const directive = this.agent.currentDirective(runId);
      if (directive) this.sendDirective(conn, directive);
    } catch (e) {
      this.log.error({ err: e, runId }, 'could not push directive');
    }
  }

  private sendDirective(conn: Connection, directive: Directive) {
    const key = JSON.stringify(directive);
    if (key === conn.lastDirective) return;
    conn.lastDirective = key;
    this.send(conn.socket, directive);
  }

  private send(socket: WebSocket, msg: OrchestratorMessage) {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(msg));
  }

  private refuse(socket: WebSocket, code: ProtocolError['code'], message: string) {
    this.send(socket, { type: 'error', code, message });
    // Give the error frame a moment to flush before closing.
    setTimeout(() => socket.close(1008, code), 20).unref();
  }
}
