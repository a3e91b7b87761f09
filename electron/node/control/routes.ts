import { createReadStream, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  AdoptBody,
  CaptureSpecBody,
  ComponentQuery,
  HostInput,
  HostPatch,
  MeasurementQuery,
  ProfileDeleteQuery,
  RunActionBody,
  RunListQuery,
  SpecBody,
  StartRunBody,
  type ComponentHistoryView,
  type MeasurementsView,
  type PowerStepView,
  type ServiceView,
  type StartPower,
  type Settings,
} from '../../../common/schema/index.ts';
import { inertArtifactHeaders, isReportKind, reportHeaders } from '../bench/artifact-policy.ts';
import { IllegalTransition } from '../runs/state-machine.ts';
import { inventoryOf, type OperatorActions, type RunCommands, type RunViews } from '../runs/index.ts';
import type { LiveState } from '../runs/live-state.ts';
import { componentScope } from '../history/components.ts';
import { captureSpec } from '../spec/capture.ts';
import { checkSpecYaml, specToYaml } from '../spec/spec-yaml.ts';
import type { SealCredential } from '../store/bmc.ts';
import type { Store } from '../store/index.ts';
import { partIdKey } from '../../../common/verdict.ts';
import { notFound, UserError } from '../util/errors.ts';
import { parseWith, route, sendJsonText, type Route, type RouteRequest } from './http-kit.ts';
import { CONTROL_ACTOR } from './routes-security.ts';

export interface ControlContext {
  store: Store;
  /** Seals a host's BMC password for storage (power/credential-vault.ts). */
  sealCredential: SealCredential;
  /** Starts a run, driving the host's BMC when it has one (runs/run-power.ts). */
  startRun(host: string, profile: string | undefined, power: StartPower | undefined, actor: string): Promise<{ runId: number; token: string; power?: PowerStepView[] }>;
  /** Artifact paths are stored relative to it. */
  dataDir: string;
  /** Starting runs. */
  commands: RunCommands;
  /** A person's decisions on a run. */
  actions: OperatorActions;
  views: RunViews;
  live: LiveState;
  isConnected(runId: number): boolean;
  /** Re-renders a finished run's report (same bytes for the same data). */
  regenerateReport(runId: number): { html: string; json: string; jsonSha256: string };
  services(): ServiceView[];
  /** Settings were saved: services that depend on them are reconfigured. */
  onSettingsChanged(settings: Settings): void;
  /** The WebSocket URL agents connect to (printed by `run start`). */
  agentUrl(): string;
  /** The bench key's pin agents check before obeying (printed by `run start`). */
  agentPin(): string;
  version: string;
}

const runIdParam = (r: RouteRequest) => {
  const id = Number(r.params.id);
  if (!Number.isInteger(id) || id <= 0) throw new UserError(`"${r.params.id}" is not a run id`, 'bad-request');
  return id;
};

/** The control API (docs/api.md). Every body and query is validated with its schema from common/schema. */
export function controlRoutes(ctx: ControlContext): Route[] {
  const { store, views } = ctx;
  const detail = (id: number) => views.detail(id, ctx.isConnected(id));

  const validateSpec = (yaml: string | null | undefined) => {
    if (yaml === null || yaml === undefined || yaml.trim() === '') return null;
    const check = checkSpecYaml(yaml);
    if (!check.ok) throw new UserError(`the expected spec is invalid: ${check.issues.map((i) => `${i.path}${i.line ? ` (line ${i.line})` : ''}: ${i.message}`).join('; ')}`, 'bad-spec', 400, check.issues);
    return yaml;
  };

  return [
    route('GET', '/api/session', () => ({ ok: true, version: ctx.version })),
    route('GET', '/api/board', () => views.board((id) => ctx.isConnected(id))),

    // ---- hosts ----
    route('GET', '/api/hosts', () => store.hosts.list().map(({ id: _id, ...h }) => h)),
    route('POST', '/api/hosts', ({ body }) => {
      const input = parseWith(HostInput, body);
      const { id: _id, ...h } = store.hosts.add({ ...input, specYaml: validateSpec(input.specYaml) }, ctx.sealCredential);
      return h;
    }),
    route('GET', '/api/hosts/:name', ({ params }) => {
      const { id: _id, ...h } = store.hosts.require(params.name!);
      return h;
    }),
    route('PATCH', '/api/hosts/:name', ({ params, body }) => {
      const patch = parseWith(HostPatch, body);
      if (patch.specYaml !== undefined) patch.specYaml = validateSpec(patch.specYaml);
      const { id: _id, ...h } = store.hosts.update(params.name!, patch, ctx.sealCredential);
      return h;
    }),
    route('PUT', '/api/hosts/:name/spec', ({ params, body }) => {
      const { yaml } = parseWith(SpecBody, body);
      const { id: _id, ...h } = store.hosts.setSpec(params.name!, validateSpec(yaml));
      return h;
    }),
    route('POST', '/api/spec/check', ({ body }) => {
      const { yaml } = parseWith(SpecBody, body);
      const { spec: _spec, ...view } = checkSpecYaml(yaml);
      return view;
    }),
    route('POST', '/api/hosts/:name/capture-spec', ({ params, body }) => {
      const host = store.hosts.require(params.name!);
      const { run } = parseWith(CaptureSpecBody, body);
      return { yaml: captureSpecYaml(store, host.id, host.name, run) };
    }),

    // ---- profiles (docs/api.md, "Profiles"): the built-ins are read-only ----
    route('GET', '/api/profiles', () => store.profiles.list()),
    route('GET', '/api/profiles/:name', ({ params }) => store.profiles.require(params.name!)),
    route('PUT', '/api/profiles/:name', ({ params, body }) => store.profiles.put(params.name!, body)),
    route('DELETE', '/api/profiles/:name', ({ params, query }) => {
      const { moveHostsTo } = parseWith(ProfileDeleteQuery, Object.fromEntries(query), 'query');
      return store.profiles.delete(params.name!, moveHostsTo);
    }),

    // ---- runs ----
    route('GET', '/api/runs', ({ query }) => listRuns(ctx, parseWith(RunListQuery, Object.fromEntries(query), 'query'))),
    route('POST', '/api/runs', async ({ body }) => {
      const { host, profile, power } = parseWith(StartRunBody, body);
      const started = await ctx.startRun(host, profile, power, CONTROL_ACTOR);
      return { run: started.runId, orchestrator: ctx.agentUrl(), token: started.token, pin: ctx.agentPin(), ...(started.power ? { power: started.power } : {}) };
    }),
    route('GET', '/api/runs/:id', (r) => detail(runIdParam(r))),
    route('POST', '/api/runs/:id/actions', async (r) => {
      const id = runIdParam(r);
      const body = parseWith(RunActionBody, r.body);
      try {
        await ctx.actions.act(id, body, CONTROL_ACTOR);
      } catch (e) {
        if (e instanceof IllegalTransition) throw new UserError(e.message, 'illegal-action', 409);
        throw e;
      }
      return detail(id);
    }),
    route('GET', '/api/runs/:id/measurements', (r) => sendJsonText(r.res, 200, measurementsJson(store, runIdParam(r), parseWith(MeasurementQuery, Object.fromEntries(r.query), 'query')))),
    route('GET', '/api/runs/:id/logs', (r) => ({ lines: ctx.live.logTail(runIdParam(r)) })),
    route('GET', '/api/runs/:id/artifacts/:name', (r) => {
      const id = runIdParam(r);
      const a = store.runs.artifact(id, r.params.name!);
      if (!a || !existsSync(join(ctx.dataDir, a.path))) throw notFound(`artifact "${r.params.name}" of run ${id}`);
      sendFile(r, join(ctx.dataDir, a.path), a.name, a.kind);
      return undefined;
    }),
    route('GET', '/api/runs/:id/report.html', (r) => {
      const id = runIdParam(r);
      const a = store.runs.artifact(id, 'report.html');
      // Only the orchestrator's own report is served as a page.
      if (!a || !isReportKind(a.kind) || !existsSync(join(ctx.dataDir, a.path))) throw new UserError(`run ${id} has no report yet (reports are written when a run completes; POST /api/runs/${id}/report renders one)`, 'no-report', 404);
      sendFile(r, join(ctx.dataDir, a.path), a.name, a.kind);
      return undefined;
    }),
    route('POST', '/api/runs/:id/report', (r) => {
      const id = runIdParam(r);
      store.runs.get(id) ?? (() => { throw notFound(`run ${id}`); })();
      return ctx.regenerateReport(id);
    }),

    // ---- parts remembered across runs ----
    route('GET', '/api/components/:kind/:id', ({ params, query }) =>
      componentHistory(store, parseWith(ComponentQuery, { ...Object.fromEntries(query), kind: params.kind, id: params.id }, 'query')),
    ),

    // ---- people, settings, services ----
    route('GET', '/api/settings', () => store.settings.get()),
    route('PUT', '/api/settings', ({ body }) => {
      const saved = store.settings.update(body);
      ctx.onSettingsChanged(saved);
      return saved;
    }),
    route('GET', '/api/services', () => ctx.services()),
    route('POST', '/api/new-hosts/adopt', ({ body }) => {
      const a = parseWith(AdoptBody, body);
      const { id: _id, ...h } = store.hosts.add({ name: a.name, macs: [a.mac], ...(a.profile ? { profile: a.profile } : {}) });
      return h;
    }),
  ];
}

/** A part's history (docs/api.md): every attempt that reported it, newest first, with its figures. */
export function componentHistory(store: Store, q: ComponentQuery): ComponentHistoryView {
  let hostId = 0;
  if (componentScope(q.kind, 0) !== '') {
    if (!q.host) throw new UserError(`a ${q.kind}'s id only means something on its host: add ?host=NAME`, 'bad-request');
    hostId = store.hosts.require(q.host).id;
  }
  const h = store.components.history(q.kind, componentScope(q.kind, hostId), partIdKey(q.id), q.limit);
  if (!h) throw notFound(`${q.kind} "${q.id}"${q.host ? ` on host "${q.host}"` : ''} in the component history`);
  return {
    kind: h.component.kind,
    id: h.component.ident,
    host: h.component.scope === '' ? null : (q.host ?? null),
    label: h.component.label,
    firstSeen: h.component.firstSeen,
    lastSeen: h.component.lastSeen,
    entries: h.entries.map((e) => ({
      runId: e.runId,
      host: e.host,
      stage: e.stage,
      attempt: e.attempt,
      outcome: e.outcome,
      runResult: e.runResult,
      at: e.at,
      label: e.label,
      figures: Object.entries(e.figures).map(([key, f]) => ({ key, label: f.label, value: f.value, ...(f.unit ? { unit: f.unit } : {}) })),
    })),
  };
}

function listRuns(ctx: ControlContext, q: ReturnType<typeof RunListQuery.parse>) {
  return ctx.store.runs.search(q).map((r) => ctx.views.summary(r, ctx.isConnected(r.id)));
}

/**
 * The JSON of chart answers, by answer: the store hands back the same answer
 * while it keeps one (an unchanged run's window asked again), and its text is
 * then not built again either (a 12-hour run's envelope is half a megabyte).
 */
const answerText = new WeakMap<object, string>();

function measurementsJson(store: Store, runId: number, q: ReturnType<typeof MeasurementQuery.parse>): string {
  if (!store.runs.get(runId)) throw notFound(`run ${runId}`);
  // Long windows come back as min/max envelopes from the per-minute rollup, short ones as
  // raw samples thinned with LTTB: within q.points either way.
  const series = store.measurements.chartSeries(runId, q.kind, { from: q.from, to: q.to, points: q.points });
  const kept = answerText.get(series);
  if (kept !== undefined) return kept;
  const view: MeasurementsView = {
    runId,
    kind: q.kind,
    from: q.from ?? null,
    to: q.to ?? null,
    series: [...series].map(([sensor, s]) => ({
      sensor,
      unit: s.unit,
      rawCount: s.rawCount,
      points: s.points,
    })),
  };
  const text = JSON.stringify(view);
  answerText.set(series, text);
  return text;
}

export function captureSpecYaml(store: Store, hostId: number, hostName: string, runId?: number): string {
  const run = runId ? store.runs.require(runId) : store.runs.latestWithInventory(hostId);
  if (!run) throw new UserError(`host "${hostName}" has no run with an inventory to capture a spec from`, 'no-inventory', 404);
  if (run.host_id !== hostId) throw new UserError(`run ${run.id} belongs to another host`, 'bad-request');
  const inv = inventoryOf(store, run.id);
  if (!inv.ok) throw new UserError(`cannot capture a spec from run ${run.id}: ${inv.message}`, 'no-inventory', 409);
  return specToYaml(captureSpec(inv.inventory), `Expected spec for ${hostName}, captured from run ${run.id}.\nEdit what the bench should insist on; delete what it should not.`);
}

/** Reports as the orchestrator wrote them; anything an agent uploaded as inert text or a download (bench/artifact-policy.ts). */
function sendFile(r: RouteRequest, path: string, name: string, kind: string) {
  const size = statSync(path).size;
  const download = r.query.get('download') !== null;
  r.res.writeHead(200, isReportKind(kind) ? reportHeaders(name, size, download) : inertArtifactHeaders(name, size, download));
  createReadStream(path).pipe(r.res);
}

