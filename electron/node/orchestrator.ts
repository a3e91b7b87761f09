import { join, resolve } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LiveEvent, ServiceView } from '../../common/schema/index.ts';
import { newSecret } from './auth/secrets.ts';
import { AgentEndpoint } from './bench/agent-endpoint.ts';
import { startBenchServer, type BenchRoute } from './bench/bench-server.ts';
import { startControlServer } from './control/control-server.ts';
import { controlRoutes } from './control/routes.ts';
import { EventBus } from './events/bus.ts';
import { writeRunReport } from './report/index.ts';
import { LiveState } from './runs/live-state.ts';
import { RunService } from './runs/run-service.ts';
import { createNotifier } from './notify/index.ts';
import { createJanitor } from './janitor/index.ts';
import { createIperfService } from './services/iperf-service.ts';
import { maintenanceRoutes } from './control/routes-maintenance.ts';
import { openStore } from './store/index.ts';
import { createLogger, type Logger } from './util/log.ts';

export interface OrchestratorOptions {
  dataDir: string;
  /** 0 = any free port. */
  controlPort?: number;
  benchAddress?: string;
  benchPort?: number;
  /** Built renderer (default: out/renderer of this checkout). */
  uiDir?: string | null;
  /** better-sqlite3 native module built for Electron's ABI, when running inside Electron. */
  nativeBinding?: string;
  /** iperf3 server port for the Network stage (default from settings); 0 = run none. */
  iperfPort?: number;
  /** Fixed control token (tests); otherwise a fresh one per start. */
  token?: string;
  log?: Logger;
  /** How often agents' liveness is checked. */
  watchdogMs?: number;
}

export interface RunningOrchestrator {
  controlUrl: string;
  benchUrl: string;
  token: string;
  dataDir: string;
  activeRuns(): { id: number; host: string; state: string }[];
  /** Hosts waiting for a person (FailedHolding, UnexpectedData, agent lost). */
  waitingForPerson(): number;
  subscribe(listener: (event: LiveEvent) => void): () => void;
  close(): Promise<void>;
}

const here = fileURLToPath(new URL('.', import.meta.url));

export function projectRoot(): string {
  // electron/node/ in the source tree; out/main/ when bundled by electron-vite.
  for (const up of ['../..', '../../..', '..']) {
    const dir = resolve(here, up);
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  return process.cwd();
}

export function appVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/**
 * Starts the whole orchestrator in this process: store, run service, bench
 * listener (agents, artifacts, boot files) and control listener (API, events,
 * UI). Used by `vetting serve` and by the Electron main process alike.
 */
export async function startOrchestrator(opts: OrchestratorOptions): Promise<RunningOrchestrator> {
  const log = opts.log ?? createLogger();
  const dataDir = resolve(opts.dataDir);
  const store = openStore(dataDir, opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {});
  const settings = store.settings.get();
  const bus = new EventBus();
  const live = new LiveState(bus, join(dataDir, 'logs'));
  const token = opts.token ?? newSecret();
  const notifier = createNotifier({ db: store.db, publish: (e) => bus.publish(e), log: (line) => log.info(line) });

  let benchUrl = '';
  const benchAddress = opts.benchAddress ?? settings.bench.address;
  const iperfPort = opts.iperfPort ?? settings.bench.iperfPort;
  const reporter = (runId: number) => writeRunReport(store.db, dataDir, runId);
  const runs = new RunService({
    store,
    bus,
    live,
    notifier,
    reporter,
    bench: () => ({ artifactBase: benchUrl, iperf: iperfPort > 0 ? { host: benchAddress, port: iperfPort } : null }),
  });
  const agents = new AgentEndpoint(runs, bus, log);
  const benchRoutes: BenchRoute[] = [];
  const bench = await startBenchServer(benchAddress, opts.benchPort ?? settings.bench.port, { runs, agents, dataDir, log, routes: benchRoutes });
  benchUrl = bench.url;

  // The far end of the Network stage: one iperf3 server on the bench address, restarted if it dies.
  const supervised = iperfPort > 0 ? [createIperfService({ address: benchAddress, port: iperfPort })] : [];
  for (const service of supervised) {
    service.on('failed', (message: string) => notifier.emit({ type: 'ServiceDown', title: `${service.view().name} is down`, body: message }));
    service.start();
  }
  const services = (): ServiceView[] => [
    { name: 'agent listener', state: 'running', detail: `${bench.url}/agent — ${agents.connectionCount()} agent(s) connected`, lastError: null, logTail: [] },
    ...supervised.map((s) => {
      const v = s.view();
      return { name: v.name, state: v.state, detail: v.detail, lastError: v.lastError, logTail: v.logTail };
    }),
  ];
  const janitor = createJanitor({
    db: store.db,
    dataDir,
    getPolicy: () => store.settings.get().retention,
    intervalMs: 6 * 3600_000,
    log: (line) => log.info(line),
    onAgentLost: (r) => notifier.emit({ type: 'AgentLost', runId: r.runId, host: r.host }),
  });
  const control = await startControlServer(opts.controlPort ?? 0, {
    token,
    bus,
    log,
    uiDir: opts.uiDir === undefined ? join(projectRoot(), 'out', 'renderer') : opts.uiDir,
    routes: [
      ...maintenanceRoutes({ db: store.db, notifier, janitor }),
      ...controlRoutes({
      store,
      dataDir,
      runs,
      live,
      isConnected: (id) => agents.isConnected(id),
      regenerateReport: reporter,
      services,
      agentUrl: () => `${bench.url.replace(/^http/, 'ws')}/agent`,
      version: appVersion(),
      }),
    ],
  });
  notifier.start();
  janitor.start();

  const watchdog = setInterval(() => {
    try {
      runs.checkAgents(Date.now(), (id) => agents.isConnected(id));
    } catch (err) {
      log.error({ err }, 'agent watchdog failed');
    }
  }, opts.watchdogMs ?? 2000);
  watchdog.unref();

  let closed = false;
  return {
    controlUrl: control.url,
    benchUrl: bench.url,
    token,
    dataDir,
    activeRuns: () => store.runs.listActive().map((r) => ({ id: r.id, host: store.hosts.byId(r.host_id).name, state: r.state })),
    waitingForPerson: () => runs.board(() => false).entries.filter((e) => e.needsPerson).length,
    subscribe: (listener) => bus.subscribe((e) => (e.type === 'directive-changed' ? undefined : listener(e))),
    close: async () => {
      if (closed) return;
      closed = true;
      clearInterval(watchdog);
      agents.close();
      await Promise.all([bench.close(), control.close(), notifier.stop(), janitor.stop(), ...supervised.map((s) => s.stop())]);
      store.close();
    },
  };
}
