import { BmcStore } from './bmc.ts';
import { BootAttemptStore } from './boot-attempts.ts';
import { ComponentStore } from './components.ts';
import { openDatabase, type OpenOptions } from './db.ts';
import { HostStore } from './hosts.ts';
import { MeasurementStore } from './measurements.ts';
import { NotificationStore } from './notifications.ts';
import { ProfileStore } from './profiles.ts';
import { ReportDataStore } from './report-data.ts';
import { RunStore } from './runs.ts';
import { SeenHostStore } from './seen-hosts.ts';
import { SettingsStore } from './settings.ts';
import { SupervisorStore } from './supervisors.ts';
import { UpkeepStore } from './upkeep.ts';
import { startWalCheckpointer, type WalCheckpointer, type WalCheckpointerOptions } from './wal-checkpointer.ts';

/**
 * Everything the orchestrator keeps in SQLite, as methods. The connection
 * itself stays in here: SQL lives in store/ only (a unit test checks that no
 * other part of electron/node/ reaches for it).
 */
export interface Store {
  hosts: HostStore;
  runs: RunStore;
  measurements: MeasurementStore;
  settings: SettingsStore;
  /** Custom profiles (the built-ins are in code) and what they resolve to. */
  profiles: ProfileStore;
  supervisors: SupervisorStore;
  seen: SeenHostStore;
  notifications: NotificationStore;
  /** The reads a run's report is built from, and its files' artifact rows. */
  report: ReportDataStore;
  /** What the janitor prunes and tidies. */
  upkeep: UpkeepStore;
  /** Runs `fn` in one transaction (a savepoint when nested); a throw rolls it back. */
  transaction<T>(fn: () => T): T;
  /** Moves WAL checkpoints off this connection to a worker thread (see wal-checkpointer.ts). */
  checkpointInWorker(options: WalCheckpointerOptions): WalCheckpointer;
  bootAttempts: BootAttemptStore;
  /** Parts remembered across runs, with each attempt's figures (history per component). */
  components: ComponentStore;
  /** Hosts' BMC credentials (sealed) and last power states. */
  bmc: BmcStore;
  close(): void;
}

export function openStore(dataDir: string, options: OpenOptions = {}): Store {
  const db = openDatabase(dataDir, options);
  return {
    hosts: new HostStore(db),
    runs: new RunStore(db),
    measurements: new MeasurementStore(db),
    settings: new SettingsStore(db),
    profiles: new ProfileStore(db),
    supervisors: new SupervisorStore(db),
    seen: new SeenHostStore(db),
    notifications: new NotificationStore(db),
    report: new ReportDataStore(db),
    upkeep: new UpkeepStore(db),
    transaction: (fn) => db.transaction(fn)(),
    checkpointInWorker: (opts) => startWalCheckpointer(db, opts),
    bootAttempts: new BootAttemptStore(db),
    components: new ComponentStore(db),
    bmc: new BmcStore(db),
    close: () => db.close(),
  };
}
