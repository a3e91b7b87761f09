import type { MeasurementKind } from '../../../common/schema/protocol.ts';
import type { RunFilters } from './endpoints.ts';

// Query keys in one place, so the live-event reducer and the views agree on
// what a piece of server state is called.

export const keys = {
  session: ['session'] as const,
  board: ['board'] as const,
  hosts: ['hosts'] as const,
  host: (name: string) => ['host', name] as const,
  runsAll: ['runs'] as const,
  runs: (filters: RunFilters) => ['runs', filters] as const,
  run: (id: number) => ['run', id] as const,
  logs: (id: number) => ['logs', id] as const,
  /** Under the run's and the host's keys, so their live invalidation refreshes these too. */
  partChanges: (id: number) => ['run', id, 'part-changes'] as const,
  hostParts: (name: string) => ['host', name, 'parts'] as const,
  component: (kind: string, id: string, host: string | null) => ['component', kind, id, host] as const,
  measurementsOfRun: (id: number) => ['measurements', id] as const,
  measurementsLive: (id: number, kind: MeasurementKind) => ['measurements', id, kind, 'live'] as const,
  measurements: (id: number, kind: MeasurementKind, window: { from: number; to: number } | null) =>
    window ? (['measurements', id, kind, window.from, window.to] as const) : (['measurements', id, kind, 'live'] as const),
  supervisors: ['supervisors'] as const,
  settings: ['settings'] as const,
  profiles: ['profiles'] as const,
  services: ['services'] as const,
  notifications: ['notifications'] as const,
  janitor: ['janitor'] as const,
};
