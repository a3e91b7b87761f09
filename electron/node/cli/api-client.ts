import { join } from 'node:path';
import type { ApiError, BmcTestBody, BmcTestView, HostInput, HostPatch, HostView, PowerStepView, ProfileBody, ProfileView, RunActionBody, RunDetailView, RunSummaryView, Settings, StartPower } from '../../../common/schema/index.ts';
import { BootTokens } from '../auth/boot-tokens.ts';
import { SupervisorCredentials } from '../auth/supervisor-credentials.ts';
import { captureSpecYaml } from '../control/routes.ts';
import { EventBus } from '../events/bus.ts';
import { writeRunReport } from '../report/index.ts';
import { LiveState } from '../runs/live-state.ts';
import { CredentialVault, keyFileSealer } from '../power/credential-vault.ts';
import { PowerService } from '../power/power-service.ts';
import { createRunServices, type OperatorActions, type RunPower, type RunViews } from '../runs/index.ts';
import { IllegalTransition } from '../runs/state-machine.ts';
import { checkSpecYaml } from '../spec/spec-yaml.ts';
import { openStore, type Store } from '../store/index.ts';
import { UserError } from '../util/errors.ts';
import { readServerFile } from './server-file.ts';

export interface StartedRun {
  run: number;
  orchestrator: string;
  token: string;
  pin?: string;
  power?: PowerStepView[];
}

/** What the CLI needs from an orchestrator, whether one is running or not. */
export interface VettingApi {
  readonly mode: 'server' | 'direct';
  listHosts(): Promise<HostView[]>;
  getHost(name: string): Promise<HostView>;
  addHost(input: HostInput): Promise<HostView>;
  updateHost(name: string, patch: HostPatch): Promise<HostView>;
  /** The BMC's power state and model, or its certificate to trust (power/power-service.ts). */
  testBmc(body: BmcTestBody): Promise<BmcTestView>;
  setSpec(name: string, yaml: string): Promise<HostView>;
  captureSpec(name: string, run?: number): Promise<string>;
  startRun(host: string, profile?: string, power?: StartPower): Promise<StartedRun>;
  listRuns(query: Record<string, string>): Promise<RunSummaryView[]>;
  showRun(id: number): Promise<RunDetailView>;
  act(id: number, body: RunActionBody): Promise<RunDetailView>;
  report(id: number): Promise<{ html: string; json: string; jsonSha256: string }>;
  /** Lets the run's host fetch one more agent token with its boot script (auth/boot-tokens.ts). */
  armBoot(id: number): Promise<{ run: number; armedAt: string }>;
  getSettings(): Promise<Settings>;
  /** Deep-merges `patch` into the settings; a running server applies them (dnsmasq, iperf3) at once. */
  updateSettings(patch: Record<string, unknown>): Promise<Settings>;
  listProfiles(): Promise<ProfileView[]>;
  getProfile(name: string): Promise<ProfileView>;
  /** Creates or replaces a custom profile (validated against the profile schema). */
  putProfile(name: string, body: ProfileBody): Promise<ProfileView>;
  /** Deletes a custom profile; hosts using it block that unless `moveHostsTo` names where they go. */
  deleteProfile(name: string, moveHostsTo?: string): Promise<{ deleted: string; movedHosts: string[] }>;
  close(): void;
}

/** Talks to the server running on this data directory, or works on the store directly when none runs. */
export function connect(dataDir: string): VettingApi {
  const server = readServerFile(dataDir);
  return server ? new HttpApi(server.control, server.token) : new DirectApi(dataDir);
}

class HttpApi implements VettingApi {
  readonly mode = 'server' as const;
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    // Every state-changing request carries a JSON body (the server requires it).
    const changes = method !== 'GET';
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(changes ? { 'content-type': 'application/json' } : {}) },
      ...(changes ? { body: JSON.stringify(body ?? {}) } : {}),
    });
    const data = (await res.json().catch(() => ({ error: `HTTP ${res.status}` }))) as T | ApiError;
    if (!res.ok) {
      const err = data as ApiError;
      throw new UserError(err.error, err.code ?? 'error', res.status, err.issues);
    }
    return data as T;
  }

  listHosts = () => this.call<HostView[]>('GET', '/api/hosts');
  getHost = (name: string) => this.call<HostView>('GET', `/api/hosts/${encodeURIComponent(name)}`);
  addHost = (input: HostInput) => this.call<HostView>('POST', '/api/hosts', input);
  updateHost = (name: string, patch: HostPatch) => this.call<HostView>('PATCH', `/api/hosts/${encodeURIComponent(name)}`, patch);
  testBmc = (body: BmcTestBody) => this.call<BmcTestView>('POST', '/api/bmc/test', body);
  setSpec = (name: string, yaml: string) => this.call<HostView>('PUT', `/api/hosts/${encodeURIComponent(name)}/spec`, { yaml });
  captureSpec = async (name: string, run?: number) => (await this.call<{ yaml: string }>('POST', `/api/hosts/${encodeURIComponent(name)}/capture-spec`, run ? { run } : {})).yaml;
  startRun = (host: string, profile?: string, power?: StartPower) => this.call<StartedRun>('POST', '/api/runs', { host, ...(profile ? { profile } : {}), ...(power ? { power } : {}) });
  listRuns = (query: Record<string, string>) => this.call<RunSummaryView[]>('GET', `/api/runs?${new URLSearchParams(query)}`);
  showRun = (id: number) => this.call<RunDetailView>('GET', `/api/runs/${id}`);
  act = (id: number, body: RunActionBody) => this.call<RunDetailView>('POST', `/api/runs/${id}/actions`, body);
  report = (id: number) => this.call<{ html: string; json: string; jsonSha256: string }>('POST', `/api/runs/${id}/report`);
  armBoot = (id: number) => this.call<{ run: number; armedAt: string }>('POST', `/api/runs/${id}/boot`, {});
  getSettings = () => this.call<Settings>('GET', '/api/settings');
  updateSettings = (patch: Record<string, unknown>) => this.call<Settings>('PUT', '/api/settings', patch);
  listProfiles = () => this.call<ProfileView[]>('GET', '/api/profiles');
  getProfile = (name: string) => this.call<ProfileView>('GET', `/api/profiles/${encodeURIComponent(name)}`);
  putProfile = (name: string, body: ProfileBody) => this.call<ProfileView>('PUT', `/api/profiles/${encodeURIComponent(name)}`, body);
  deleteProfile = (name: string, moveHostsTo?: string) =>
    this.call<{ deleted: string; movedHosts: string[] }>('DELETE', `/api/profiles/${encodeURIComponent(name)}${moveHostsTo ? `?${new URLSearchParams({ moveHostsTo })}` : ''}`);
  close() {}
}

/** No server: the same operations on the store in this process (SQLite serialises writers). */
class DirectApi implements VettingApi {
  readonly mode = 'direct' as const;
  private readonly store: Store;
  private readonly runPower: RunPower;
  private readonly actions: OperatorActions;
  private readonly views: RunViews;
  private readonly vault: CredentialVault;
  private readonly power: PowerService;

  constructor(private readonly dataDir: string) {
    this.store = openStore(dataDir);
    const bus = new EventBus();
    const settings = this.store.settings.get();
    // Headless: the data directory's key file seals BMC passwords (power/credential-vault.ts).
    this.vault = new CredentialVault(keyFileSealer(dataDir));
    this.power = new PowerService({ store: this.store, vault: this.vault });
    let runPower: RunPower | null;
    ({ power: runPower, actions: this.actions, views: this.views } = createRunServices({
      power: this.power,
      store: this.store,
      bus,
      live: new LiveState(bus, join(dataDir, 'logs')),
      notifier: { emit: () => {} },
      reporter: (id) => writeRunReport(this.store, dataDir, id),
      supervisors: new SupervisorCredentials(this.store.supervisors),
      bench: () => ({ artifactBase: `http://${settings.bench.address}:${settings.bench.port}`, iperf: { host: settings.bench.address, port: settings.bench.iperfPort } }),
    }));
    this.runPower = runPower!;
  }

  private strip = ({ id: _id, ...h }: HostView & { id: number }): HostView => h;

  listHosts = async () => this.store.hosts.list().map(this.strip);
  getHost = async (name: string) => this.strip(this.store.hosts.require(name));
  addHost = async (input: HostInput) => {
    if (input.specYaml) this.assertSpec(input.specYaml);
    return this.strip(this.store.hosts.add(input, (id, secret) => this.vault.seal(id, secret)));
  };
  updateHost = async (name: string, patch: HostPatch) => {
    if (patch.specYaml) this.assertSpec(patch.specYaml);
    return this.strip(this.store.hosts.update(name, patch, (id, secret) => this.vault.seal(id, secret)));
  };
  testBmc = (body: BmcTestBody) => this.power.test(body);
  setSpec = async (name: string, yaml: string) => {
    this.assertSpec(yaml);
    return this.strip(this.store.hosts.setSpec(name, yaml));
  };
  captureSpec = async (name: string, run?: number) => {
    const host = this.store.hosts.require(name);
    return captureSpecYaml(this.store, host.id, host.name, run);
  };
  startRun = async (host: string, profile?: string, power?: StartPower) => {
    const { runId, token, power: steps } = await this.runPower.start(host, profile, power);
    const s = this.store.settings.get();
    return { run: runId, orchestrator: `ws://${s.bench.address}:${s.bench.port}/agent`, token, ...(steps ? { power: steps } : {}) };
  };
  listRuns = async (query: Record<string, string>) => {
    return this.store.runs.search({ host: query.host, limit: 200 }).map((r) => this.views.summary(r));
  };
  showRun = async (id: number) => this.views.detail(id);
  act = async (id: number, body: RunActionBody) => {
    try {
      await this.actions.act(id, body);
    } catch (e) {
      if (e instanceof IllegalTransition) throw new UserError(e.message, 'illegal-action', 409);
      throw e;
    }
    return this.views.detail(id);
  };
  report = async (id: number) => {
    this.store.runs.require(id);
    return writeRunReport(this.store, this.dataDir, id);
  };
  armBoot = async (id: number) => ({ run: id, armedAt: new BootTokens(this.store).armByPerson(id, 'operator').armed_at });
  getSettings = async () => this.store.settings.get();
  updateSettings = async (patch: Record<string, unknown>) => this.store.settings.update(patch);
  listProfiles = async () => this.store.profiles.list();
  getProfile = async (name: string) => this.store.profiles.require(name);
  putProfile = async (name: string, body: ProfileBody) => this.store.profiles.put(name, body);
  deleteProfile = async (name: string, moveHostsTo?: string) => this.store.profiles.delete(name, moveHostsTo);
  close() {
    this.store.close();
  }

  private assertSpec(yaml: string) {
    const check = checkSpecYaml(yaml);
    if (!check.ok) throw new UserError(`the expected spec is invalid: ${check.issues.map((i) => `${i.path}${i.line ? ` (line ${i.line})` : ''}: ${i.message}`).join('; ')}`, 'bad-spec', 400, check.issues);
  }
}
