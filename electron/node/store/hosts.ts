import { diskIdKind, HostInput, HostPatch, type HostView } from '../../../common/schema/index.ts';
import { notFound, UserError } from '../util/errors.ts';
import { nowIso } from '../util/time.ts';
import type { Db } from './db.ts';
import { ProfileStore } from './profiles.ts';
import { ACTIVE_RUN_SQL } from './runs.ts';

interface HostRow {
  id: number;
  name: string;
  profile: string;
  expected_spec_yaml: string | null;
  max_temp_c: number | null;
  notes: string | null;
  created_at: string;
  updated_at: string;
}

export interface HostRecord extends HostView {
  id: number;
}


export class HostStore {
  constructor(private readonly db: Db) {}

  list(): HostRecord[] {
    const rows = this.db.prepare('SELECT * FROM hosts ORDER BY name').all() as HostRow[];
    return rows.map((r) => this.toRecord(r));
  }

  get(name: string): HostRecord | null {
    const row = this.db.prepare('SELECT * FROM hosts WHERE name = ?').get(name) as HostRow | undefined;
    return row ? this.toRecord(row) : null;
  }

  require(name: string): HostRecord {
    const host = this.get(name);
    if (!host) throw notFound(`host "${name}"`);
    return host;
  }

  byId(id: number): HostRecord {
    const row = this.db.prepare('SELECT * FROM hosts WHERE id = ?').get(id) as HostRow | undefined;
    if (!row) throw notFound(`host #${id}`);
    return this.toRecord(row);
  }

  byMac(mac: string): HostRecord | null {
    const row = this.db.prepare('SELECT h.* FROM hosts h JOIN host_macs m ON m.host_id = h.id WHERE m.mac = ?').get(mac.toLowerCase()) as HostRow | undefined;
    return row ? this.toRecord(row) : null;
  }

  /** Adds a host; `specYaml` must already be validated by the caller. */
  add(input: HostInput): HostRecord {
    const h = HostInput.parse(input);
    if (this.get(h.name)) throw new UserError(`host "${h.name}" already exists`, 'host-exists', 409);
    new ProfileStore(this.db).assertExists(h.profile);
    const now = nowIso();
    return this.db.transaction(() => {
      const { lastInsertRowid } = this.db
        .prepare('INSERT INTO hosts (name, profile, expected_spec_yaml, max_temp_c, notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(h.name, h.profile, h.specYaml ?? null, h.maxTempC ?? null, h.notes ?? null, now, now);
      const id = Number(lastInsertRowid);
      this.setMacs(id, h.macs);
      this.setDisks(id, h.disks);
      return this.byId(id);
    })();
  }

  update(name: string, patch: HostPatch): HostRecord {
    const p = HostPatch.parse(patch);
    const host = this.require(name);
    if (p.profile !== undefined) new ProfileStore(this.db).assertExists(p.profile);
    return this.db.transaction(() => {
      if (p.name !== undefined && p.name !== host.name && this.get(p.name)) throw new UserError(`host "${p.name}" already exists`, 'host-exists', 409);
      this.db
        .prepare(
          `UPDATE hosts SET name = ?, profile = ?, expected_spec_yaml = ?, max_temp_c = ?, notes = ?, updated_at = ? WHERE id = ?`,
        )
        .run(
          p.name ?? host.name,
          p.profile ?? host.profile,
          p.specYaml === undefined ? host.specYaml : p.specYaml,
          p.maxTempC === undefined ? host.maxTempC : p.maxTempC,
          p.notes ?? host.notes,
          nowIso(),
          host.id,
        );
      if (p.macs) this.setMacs(host.id, p.macs);
      if (p.disks) this.setDisks(host.id, p.disks);
      return this.byId(host.id);
    })();
  }

  setSpec(name: string, yaml: string | null): HostRecord {
    const host = this.require(name);
    this.db.prepare('UPDATE hosts SET expected_spec_yaml = ?, updated_at = ? WHERE id = ?').run(yaml, nowIso(), host.id);
    return this.byId(host.id);
  }

  private setMacs(hostId: number, macs: string[]): void {
    this.db.prepare('DELETE FROM host_macs WHERE host_id = ?').run(hostId);
    const insert = this.db.prepare('INSERT INTO host_macs (host_id, mac) VALUES (?, ?)');
    for (const mac of new Set(macs)) {
      const owner = this.db.prepare('SELECT h.name FROM host_macs m JOIN hosts h ON h.id = m.host_id WHERE m.mac = ?').get(mac) as { name: string } | undefined;
      if (owner) throw new UserError(`MAC ${mac} already belongs to host "${owner.name}"`, 'mac-taken', 409);
      insert.run(hostId, mac);
    }
  }

  private setDisks(hostId: number, disks: string[]): void {
    this.db.prepare('DELETE FROM host_disks WHERE host_id = ?').run(hostId);
    const insert = this.db.prepare('INSERT INTO host_disks (host_id, ident, kind, position) VALUES (?, ?, ?, ?)');
    [...new Set(disks)].forEach((d, i) => insert.run(hostId, d, diskIdKind(d), i));
  }

  private toRecord(r: HostRow): HostRecord {
    const macs = (this.db.prepare('SELECT mac FROM host_macs WHERE host_id = ? ORDER BY mac').all(r.id) as { mac: string }[]).map((m) => m.mac);
    const disks = (this.db.prepare('SELECT ident FROM host_disks WHERE host_id = ? ORDER BY position').all(r.id) as { ident: string }[]).map((d) => d.ident);
    const active = this.db.prepare(`SELECT id FROM runs WHERE host_id = ? AND ${ACTIVE_RUN_SQL} ORDER BY id DESC LIMIT 1`).get(r.id) as { id: number } | undefined;
    return {
      id: r.id,
      name: r.name,
      macs,
      profile: r.profile,
      disks,
      maxTempC: r.max_temp_c,
      specYaml: r.expected_spec_yaml,
      notes: r.notes,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      activeRun: active?.id ?? null,
    };
  }
}
