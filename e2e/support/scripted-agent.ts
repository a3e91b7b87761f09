import { randomBytes } from 'node:crypto';
import { OrchestratorMessage, type RunStage, type Sample, type SequencedAgentMessage, type StageResult, type Welcome } from '../../common/schema/protocol.ts';
import { ScriptedAgent as ProtocolClient } from '../../test/support/scripted-agent.ts';

// A scripted stand-in for the in-image agent, step by step as the test tells it,
// so the UI can be checked while a stage is in progress. The protocol itself
// (socket, hello, sequencing, transcript) is the integration tests' scripted
// agent; this adds what the UI test needs on top: a queue of schema-checked
// orchestrator messages consumed in order, heartbeats, and stage helpers that
// do not wait for acks.

type Unsequenced<T> = T extends unknown ? Omit<T, 'seq' | 'ts'> : never;

export class ScriptedAgent {
  private readonly inbox: OrchestratorMessage[] = [];
  private readonly waiters: (() => void)[] = [];
  private readonly handled = new Set<string>();
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private stage: RunStage['stage'] | null = null;
  welcome!: Welcome;

  private constructor(private readonly link: ProtocolClient) {
    link.observe({
      frame: (text) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          return;
        }
        const msg = OrchestratorMessage.safeParse(parsed);
        if (!msg.success) {
          this.transcript.push(`(did not match the protocol: ${msg.error.message.slice(0, 200)})`);
          return;
        }
        this.inbox.push(msg.data);
        this.wake();
      },
      close: () => this.wake(),
    });
  }

  /** Everything sent and received, for failure reports. */
  get transcript(): string[] {
    return this.link.transcript;
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Connects, says hello, and waits for the welcome. */
  static async connect(orchestrator: string, token: string, identity: { bootMac: string; dmiSerial: string }): Promise<ScriptedAgent> {
    const url = new URL(orchestrator);
    if (url.pathname === '/' || url.pathname === '') url.pathname = '/agent';
    const link = new ProtocolClient(url.toString(), token, randomBytes(8).toString('hex'));
    const agent = new ScriptedAgent(link);
    const hello = link.connect({ ...identity, agentVersion: 'e2e-scripted', hostname: 'e2e-agent', timeoutMs: 15_000 });
    // A connection that fails or closes before the welcome fails at once, with what was seen.
    const lost = link.closed.then(({ code }) => {
      throw new Error(`connection closed (${code}) before the welcome:\n${link.transcript.slice(-10).join('\n')}`);
    });
    lost.catch(() => {});
    agent.welcome = await Promise.race([hello, lost]);
    return agent;
  }

  send(msg: Unsequenced<SequencedAgentMessage>): void {
    this.link.sendNoWait(msg);
  }

  startHeartbeats(everyMs = 1000): void {
    this.heartbeat = setInterval(() => {
      if (this.link.isOpen) this.send({ type: 'heartbeat', stage: this.stage });
    }, everyMs);
  }

  /** The next orchestrator message matching `match` (earlier non-matching ones are consumed). */
  async next(match: (m: OrchestratorMessage) => boolean, timeoutMs = 20_000): Promise<OrchestratorMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.inbox.length > 0) {
        const m = this.inbox.shift()!;
        if (m.type === 'error') throw new Error(`orchestrator error ${m.code}: ${m.message}`);
        if (match(m)) return m;
      }
      if (!this.link.isOpen) throw new Error(`connection closed while waiting:\n${this.transcript.slice(-10).join('\n')}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching orchestrator message within ${timeoutMs} ms:\n${this.transcript.slice(-10).join('\n')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 500));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The next run-stage directive not handled yet (directives may be repeated, e.g. after heartbeats). */
  async nextStage(timeoutMs = 20_000): Promise<RunStage> {
    const m = await this.next((x) => x.type === 'run-stage' && !this.handled.has(`${x.stage}#${x.attempt}`), timeoutMs);
    const d = m as RunStage;
    this.handled.add(`${d.stage}#${d.attempt}`);
    return d;
  }

  async nextShutdown(timeoutMs = 20_000): Promise<void> {
    await this.next((m) => m.type === 'shutdown', timeoutMs);
  }

  begin(d: RunStage): void {
    this.stage = d.stage;
    this.send({ type: 'stage-started', stage: d.stage, attempt: d.attempt });
  }

  progress(d: RunStage, p: { item?: string; percent?: number; etaS?: number; message?: string }): void {
    this.send({ type: 'stage-progress', stage: d.stage, attempt: d.attempt, ...p });
  }

  log(d: RunStage, source: string, lines: string[]): void {
    this.send({ type: 'log', stage: d.stage, source, lines });
  }

  sensors(samples: Sample[]): void {
    this.send({ type: 'sensor-batch', samples });
  }

  finish(d: RunStage, result: Omit<StageResult, 'type' | 'seq' | 'ts' | 'stage' | 'attempt'>): void {
    this.send({ type: 'stage-result', stage: d.stage, attempt: d.attempt, ...result });
    this.stage = null;
  }

  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.link.close();
  }
}

/** Thermal samples for `sensors` every `stepMs` from `from` to `to`, warming up smoothly. */
export function thermalSamples(sensors: string[], from: number, to: number, stepMs: number): Sample[][] {
  const batches: Sample[][] = [];
  for (let ts = from, i = 0; ts <= to; ts += stepMs, i++) {
    batches.push(sensors.map((sensor, k) => ({ kind: 'thermal', sensor, unit: '°C', ts, value: 38 + k * 4 + 30 * (1 - Math.exp(-i / 8)) + (i % 3) * 0.4 })));
  }
  return batches;
}
