import { z } from 'zod';
import {
  BoardView,
  ComponentHistoryView,
  HostPartsView,
  HostView,
  LogLineView,
  ProfileDeletedView,
  ProfileView,
  RunDetailView,
  RunPartChangesView,
  RunSummaryView,
  ServiceView,
  Settings,
  SpecCheckView,
  StartRunView,
  type HostInput,
  type HostPatch,
  type RunActionBody,
} from '../../../common/schema/api.ts';
import type { ProfileBody } from '../../../common/schema/profile.ts';
import type { RunResult } from '../../../common/schema/run.ts';
import type { PartKind } from '../../../common/schema/coverage.ts';
import { BmcTestView, type BmcTestBody, type StartPower } from '../../../common/schema/power.ts';
import { readMeasurementsView } from '../logic/chart.ts';
import { apiRequest } from './client.ts';
import { paths, withQuery, type MeasurementRequest } from './paths.ts';

// Every control-API call the UI makes, each checked against its shared view.

const enc = encodeURIComponent;

export {
  SessionView,
  SupervisorView,
  LogsView,
  CapturedSpecView,
  ChannelStatusView,
  NotificationsView,
  TestSendView,
  JanitorPassView,
  JanitorView,
} from '../../../common/schema/api.ts';
export type { LogLine } from '../../../common/schema/api.ts';
import { SessionView, SupervisorView, LogsView, CapturedSpecView, NotificationsView, TestSendView, JanitorView } from '../../../common/schema/api.ts';

export interface RunFilters {
  host?: string;
  serial?: string;
  result?: RunResult | '';
  state?: string;
  from?: string;
  to?: string;
  limit?: number;
}

export const api = {
  session: () => apiRequest(paths.session, { schema: SessionView }),
  board: () => apiRequest(paths.board, { schema: BoardView }),
  hosts: () => apiRequest('/api/hosts', { schema: z.array(HostView) }),
  host: (name: string) => apiRequest(`/api/hosts/${enc(name)}`, { schema: HostView }),
  addHost: (body: HostInput) => apiRequest('/api/hosts', { method: 'POST', body, schema: HostView }),
  patchHost: (name: string, body: HostPatch) => apiRequest(`/api/hosts/${enc(name)}`, { method: 'PATCH', body, schema: HostView }),
  putSpec: (name: string, yaml: string) => apiRequest(`/api/hosts/${enc(name)}/spec`, { method: 'PUT', body: { yaml }, schema: HostView }),
  checkSpec: (yaml: string) => apiRequest('/api/spec/check', { method: 'POST', body: { yaml }, schema: SpecCheckView }),
  captureSpec: (name: string, run?: number) =>
    apiRequest(`/api/hosts/${enc(name)}/capture-spec`, { method: 'POST', body: run ? { run } : {}, schema: CapturedSpecView }),
  runs: (filters: RunFilters) => apiRequest(withQuery('/api/runs', { ...filters }), { schema: z.array(RunSummaryView) }),
  startRun: (host: string, profile?: string, power?: StartPower) =>
    apiRequest('/api/runs', { method: 'POST', body: { host, ...(profile ? { profile } : {}), ...(power ? { power } : {}) }, schema: StartRunView }),
  testBmc: (body: BmcTestBody) => apiRequest('/api/bmc/test', { method: 'POST', body, schema: BmcTestView }),
  run: (id: number) => apiRequest(paths.run(id), { schema: RunDetailView }),
  runAction: (id: number, body: RunActionBody) => apiRequest(`/api/runs/${id}/actions`, { method: 'POST', body, schema: RunDetailView }),
  // Checked by the chart's one-pass reader instead of zod: for 16,000 points zod cost ~60 ms on a cold page (docs/performance.md).
  measurements: async (id: number, req: MeasurementRequest, signal?: AbortSignal) =>
    readMeasurementsView(await apiRequest(paths.measurements(id, req), { signal })),
  logs: (id: number) => apiRequest(`/api/runs/${id}/logs`, { schema: LogsView }),
  // History per part (docs/api.md).
  partChanges: (id: number) => apiRequest(`/api/runs/${id}/part-changes`, { schema: RunPartChangesView }),
  hostParts: (name: string) => apiRequest(`/api/hosts/${enc(name)}/parts`, { schema: HostPartsView }),
  component: (kind: PartKind, id: string, host?: string | null) =>
    apiRequest(withQuery(`/api/components/${enc(kind)}/${enc(id)}`, { host }), { schema: ComponentHistoryView }),
  regenerateReport: (id: number) => apiRequest(`/api/runs/${id}/report`, { method: 'POST', body: {} }),
  supervisors: () => apiRequest('/api/supervisors', { schema: z.array(SupervisorView) }),
  addSupervisor: (name: string, secret: string) => apiRequest('/api/supervisors', { method: 'POST', body: { name, secret } }),
  settings: () => apiRequest('/api/settings', { schema: Settings }),
  putSettings: (patch: Record<string, unknown>) => apiRequest('/api/settings', { method: 'PUT', body: patch, schema: Settings }),
  profiles: () => apiRequest('/api/profiles', { schema: z.array(ProfileView) }),
  putProfile: (name: string, body: ProfileBody) => apiRequest(`/api/profiles/${enc(name)}`, { method: 'PUT', body, schema: ProfileView }),
  deleteProfile: (name: string, moveHostsTo?: string) =>
    apiRequest(withQuery(`/api/profiles/${enc(name)}`, { moveHostsTo }), { method: 'DELETE', body: {}, schema: ProfileDeletedView }),
  services: () => apiRequest('/api/services', { schema: z.array(ServiceView) }),
  notifications: () => apiRequest('/api/notifications', { schema: NotificationsView }),
  putChannels: (channels: unknown[]) => apiRequest('/api/notifications/channels', { method: 'PUT', body: channels, schema: NotificationsView }),
  testChannel: (id: string) => apiRequest(`/api/notifications/${enc(id)}/test`, { method: 'POST', body: {}, schema: TestSendView }),
  janitor: () => apiRequest('/api/janitor', { schema: JanitorView }),
  runJanitor: () => apiRequest('/api/janitor/run', { method: 'POST', body: {}, schema: JanitorView.partial() }),
  adopt: (mac: string, name: string, profile?: string) =>
    apiRequest('/api/new-hosts/adopt', { method: 'POST', body: profile ? { mac, name, profile } : { mac, name } }),
};

export const links = {
  report: (id: number) => `/api/runs/${id}/report.html`,
  artifact: (id: number, name: string) => `/api/runs/${id}/artifacts/${enc(name)}`,
};
