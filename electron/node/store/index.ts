import { BootAttemptStore } from './boot-attempts.ts';
import { openDatabase, type Db, type OpenOptions } from './db.ts';
import { HostStore } from './hosts.ts';
import { MeasurementStore } from './measurements.ts';
import { RunStore } from './runs.ts';
import { SeenHostStore } from './seen-hosts.ts';
import { SettingsStore } from './settings.ts';
import { SupervisorStore } from './supervisors.ts';

export interface Store {
  db: Db;
  hosts: HostStore;
  runs: RunStore;
  measurements: MeasurementStore;
  settings: SettingsStore;
  supervisors: SupervisorStore;
  seen: SeenHostStore;
  bootAttempts: BootAttemptStore;
  close(): void;
}

export function openStore(dataDir: string, options: OpenOptions = {}): Store {
  const db = openDatabase(dataDir, options);
  return {
    db,
    hosts: new HostStore(db),
    runs: new RunStore(db),
    measurements: new MeasurementStore(db),
    settings: new SettingsStore(db),
    supervisors: new SupervisorStore(db),
    seen: new SeenHostStore(db),
    bootAttempts: new BootAttemptStore(db),
    close: () => db.close(),
  };
}

export type { Db };
