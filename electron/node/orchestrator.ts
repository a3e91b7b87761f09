import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LiveEvent, RunState, ServiceView } from '../../common/schema/index.ts';
import { isTerminal } from '../../common/schema/run.ts';
import { BootTokens } from './auth/boot-tokens.ts';
import { newSecret } from './auth/secrets.ts';
import { SupervisorCredentials } from './auth/supervisor-credentials.ts';
import { AgentEndpoint } from './bench/agent-endpoint.ts';
import { startBenchServer, type BenchRoute } from './bench/bench-server.ts';
import { startControlServer } from './control/control-server.ts';
import { controlRoutes } from './control/routes.ts';
import { EventBus } from './events/bus.ts';
import { writeRunReport } from './report/index.ts';
import { LiveState } from './runs/live-state.ts';
import { createRunServices } from './runs/index.ts';
import { createNotifier } from './notify/index.ts';
import { createJanitor } from './janitor/index.ts';
import { BenchServices } from './bench/bench-services.ts';
import { bootStepOfSeen } from './pxe/boot-steps.ts';
import { bootRoutes } from './pxe/boot-routes.ts';
import { resolveImageDir } from './pxe/boot-files.ts';
import { maintenanceRoutes } from './control/routes-maintenance.ts';
import { securityRoutes } from './control/routes-security.ts';
import { loadOrCreateTlsIdentity } from './bench/tls-identity.ts';
import { openStore } from './store/index.ts';
import { CredentialVault, keyFileSealer, type SecretSealer } from './power/credential-vault.ts';
import { PowerService } from './power/power-service.ts';
import { startPowerWatcher } from './power/power-watcher.ts';
import { powerRoutes } from './control/routes-power.ts';
import { partRoutes } from './control/routes-parts.ts';
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
  /**
   * Seals BMC passwords at rest: the desktop hands in Electron's safeStorage
   * (electron/main/safe-storage-sealer.ts); without one, the data directory's
   * key file does (power/credential-vault.ts).
   */
  sealer?: SecretSealer;
  /** How often BMC-managed hosts' power state is read (default 30 s). */
  powerPollMs?: number;
}

export interface RunningOrchestrator {
  controlUrl: string;
  benchUrl: string;
  token: string;
  /** "sha256:<hex>" of the bench TLS key: what agents pin (vetting.pin=, `vetting agent --pin`). */
  pin: string;
  dataDir: string;
  activeRuns(): { id: number; host: string; state: RunState }[];
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
 * The agent bundle booting hosts download (built by `npm run build:agent`). Its
 * SHA-256 goes on the kernel command line, and the image's init refuses a bundle
 * that does not match it. So the hash is taken from the very file being served,
 * again whenever that file changes — not read once at start from the .sha256
 * file beside it: a rebuild while the orchestrator runs (or one still writing
 * when it started) used to leave a missing or stale hash, and boot scripts then
 * came out without a token or with a hash the bundle no longer had.
 */
function agentBundle(log: Logger): { path: string; readonly sha256: string } {
  const path = join(projectRoot(), 'out', 'agent', 'vetting-agent.mjs');
  let cached: { key: string; sha256: string } | null = null;
  let warned = false;
  return {
    path,
    get sha256() {
      try {
        const st = statSync(path);
        const key = `${st.size}:${st.mtimeMs}:${st.ino}`;
        if (cached?.key !== key) cached = { key, sha256: createHash('sha256').update(readFileSync(path)).digest('hex') };
        warned = false;
        return cached.sha256;
      } catch {
        if (!warned) log.warn(`no agent bundle at ${path}: PXE-booted hosts cannot start their agent until \`npm run build:agent\` has run`);
        warned = true;
        return '';
      }
    },
  };
}

/**
 * Starts the whole orchestrator in this process: store, run commands and views, bench
 * listener (agents, artifacts, boot files) and control listener (API, events,
 * UI). Used by `vetting serve` and by the Electron main process alike.
 */
export async function startOrchestrator(opts: OrchestratorOptions): Promise<RunningOrchestrator> {
  const log = opts.log ?? createLogger();
  const dataDir = resolve(opts.dataDir);
  const store = openStore(dataDir, opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {});
  // Checkpoints off the event loop, so they never hold up an agent's acknowledgement.
  const checkpointer = store.checkpointInWorker({
    ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
    onFallback: (why) => log.warn(`${why}; the store checkpoints on its own connection again`),
  });
  const settings = store.settings.get();
  const bus = new EventBus();
  const live = new LiveState(bus, join(dataDir, 'logs'));
  const token = opts.token ?? newSecret();
  const notifier = createNotifier({ store, publish: (e) => bus.publish(e), log: (line) => log.info(line) });

  let benchUrl = '';
  const benchAddress = opts.benchAddress ?? settings.bench.address;
  const reporter = (runId: number) => writeRunReport(store, dataDir, runId);
  const tls = await loadOrCreateTlsIdentity(dataDir);
  const credentials = new SupervisorCredentials(store.supervisors);
  const bootTokens = new BootTokens(store);
  // The desktop's keyring seals new BMC passwords when there is one; the key file still opens what headless runs stored.
  const keyFile = keyFileSealer(dataDir);
  const vault = opts.sealer ? new CredentialVault(opts.sealer, [keyFile]) : new CredentialVault(keyFile);
  const power = new PowerService({ store, vault, onPowerState: (host) => bus.publish({ type: 'host-updated', host }) });
  const runs = createRunServices({
    power,
    store,
    bus,
    live,
    notifier,
    reporter,
    supervisors: credentials,
    bench: (runId) => {
      // Each run gets its own iperf3 server, so hosts testing at once never find it busy.
      const isActive = (id: number) => {
        const state = store.runs.get(id)?.state;
        return state !== undefined && !isTerminal(state);
      };
      const port = runId === undefined ? services.iperfPort(store.settings.get()) : (services.iperfFor(runId, isActive) ?? 0);
      return { artifactBase: benchUrl, iperf: port > 0 ? { host: benchAddress, port } : null };
    },
  });
  const agents = new AgentEndpoint(runs.agent, runs.messages, bus, log);
  const benchRoutes: BenchRoute[] = [];
  const bench = await startBenchServer(benchAddress, opts.benchPort ?? settings.bench.port, {
    agent: runs.agent,
    commands: runs.commands,
    agents,
    dataDir,
    log,
    routes: benchRoutes,
    tls,
    limits: () => store.settings.get().bench,
    artifactBytes: (runId, except) => store.runs.agentArtifactBytes(runId, except),
  });
  benchUrl = bench.url;

  const recordSeen = (mac: string, ip: string | null, arch: string | null, source: string) => {
    // A registered host's MAC is not news; an unknown one appears on the board to be adopted.
    store.seen.record(mac, ip, arch, source);
    if (!store.hosts.byMac(mac)) bus.publish({ type: 'host-seen', mac, ip });
  };
  // Beside the orchestrator: dnsmasq for PXE (when DHCP is on) and iperf3 -s for the Network stage.
  const services = new BenchServices({
    dataDir,
    benchAddress,
    benchUrl,
    ...(opts.iperfPort !== undefined ? { iperfPortOverride: opts.iperfPort } : {}),
    onHostSeen: (e) => {
      recordSeen(e.mac, e.ip, e.arch, e.source);
      // Boot firmware getting an address starts a boot: one agent token may be fetched, from there.
      bootTokens.armFromDhcp(e);
      const boot = bootStepOfSeen(e);
      if (boot) runs.commands.recordBootStep(e.mac, boot.step, boot.detail);
    },
    onServiceDown: (name, message) => notifier.emit({ type: 'ServiceDown', title: `${name} is down`, body: message }),
  });
  await services.apply(settings);
  benchRoutes.push(
    bootRoutes({
      benchUrl,
      imageDir: () => resolveImageDir(store.settings.get().bench.imageDir),
      agentBundle: agentBundle(log),
      recordSeen,
      lookupMac: (mac) => {
        const host = store.hosts.byMac(mac);
        if (!host) return null;
        const run = store.runs.activeForHost(host.id);
        return { host: host.name, runWaiting: !!run && run.state !== 'FailedHolding' };
      },
      // One token per boot attempt (auth/boot-tokens.ts): asking again mints and revokes nothing.
      issueToken: (mac, ip) => {
        const answer = bootTokens.issue(mac, ip);
        if (answer?.kind === 'token') return { token: answer.token };
        return { refused: answer?.kind === 'refused' ? answer.reason : 'no run is waiting for this host' };
      },
      orchestratorPin: () => tls.pin,
      onProblem: (m) => log.warn(m),
      onBootStep: (mac, step, detail) => runs.commands.recordBootStep(mac, step, detail),
    }),
  );
  const serviceViews = (): ServiceView[] => [
    { name: 'agent listener', state: 'running', detail: `${bench.url}/agent — ${agents.connectionCount()} agent(s) connected`, lastError: null, logTail: [] },
    ...services.views(),
  ];
  const janitor = createJanitor({
    store,
    dataDir,
    getPolicy: () => store.settings.get().retention,
    intervalMs: 6 * 3600_000,
    log: (line) => log.info(line),
    leasesFile: join(dataDir, 'dnsmasq', 'leases'),
    onAgentLost: (r) => notifier.emit({ type: 'AgentLost', runId: r.runId, host: r.host }),
    // Thinning deletes samples on the store's own connection, which the chart cache cannot see.
    onMeasurementsThinned: () => store.measurements.forgetCharts(),
  });
  const control = await startControlServer(opts.controlPort ?? 0, {
    token,
    bus,
    log,
    uiDir: opts.uiDir === undefined ? join(projectRoot(), 'out', 'renderer') : opts.uiDir,
    routes: [
      ...maintenanceRoutes({ store, notifier, janitor }),
      ...securityRoutes({ store, credentials, bootTokens }),
      ...powerRoutes({ power }),
      ...partRoutes({ store }),
      ...controlRoutes({
      store,
      sealCredential: (hostId, secret) => vault.seal(hostId, secret),
      startRun: (host, profile, choice, actor) => runs.power!.start(host, profile, choice, actor),
      dataDir,
      commands: runs.commands,
      actions: runs.actions,
      views: runs.views,
      live,
      isConnected: (id) => agents.isConnected(id),
      regenerateReport: reporter,
      services: serviceViews,
      onSettingsChanged: (next) => services.apply(next).catch((err: unknown) => log.error({ err }, 'could not apply bench settings')),
      agentUrl: () => `${bench.url.replace(/^http/, 'ws')}/agent`,
      agentPin: () => tls.pin,
      version: appVersion(),
      }),
    ],
  });
  notifier.start();
  janitor.start();
  const powerWatcher = startPowerWatcher(store, power, opts.powerPollMs ?? 30_000, (line) => log.warn(line));

  const watchdog = setInterval(() => {
    try {
      runs.watchdog.checkAgents(Date.now(), (id) => agents.isConnected(id));
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
    pin: tls.pin,
    dataDir,
    activeRuns: () => store.runs.listActive().map((r) => ({ id: r.id, host: store.hosts.byId(r.host_id).name, state: r.state })),
    waitingForPerson: () => runs.views.board(() => false).entries.filter((e) => e.needsPerson).length,
    subscribe: (listener) => bus.subscribe((e) => (e.type === 'directive-changed' ? undefined : listener(e))),
    close: async () => {
      if (closed) return;
      closed = true;
      clearInterval(watchdog);
      agents.close();
      await Promise.all([bench.close(), control.close(), notifier.stop(), janitor.stop(), services.stop(), checkpointer.stop(), powerWatcher.stop()]);
      store.close();
    },
  };
}
