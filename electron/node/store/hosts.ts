import { BmcInput, diskIdKind, HostInput, HostPatch, type BmcBootMode, type BmcDriver, type BmcView, type HostView, type PowerState } from '../../../common/schema/index.ts';
import type { SealCredential } from './bmc.ts';
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
  bmc_driver: string | null;
  bmc_address: string | null;
  bmc_user: string | null;
  bmc_cert_sha256: string | null;
  bmc_boot_mode: string | null;
  power_state: string | null;
  power_checked_at: string | null;
  power_error: string | null;
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

  /**
   * Adds a host; `specYaml` must already be validated by the caller. A BMC's
   * password is sealed with `seal` (power/credential-vault.ts) and stored apart.
   */
  add(input: HostInput, seal?: SealCredential): HostRecord {
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
      if (h.bmc) this.setBmc(id, null, h.bmc, seal);
      return this.byId(id);
    })();
  }

  update(name: string, patch: HostPatch, seal?: SealCredential): HostRecord {
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
      if (p.bmc !== undefined) this.setBmc(host.id, host.bmc ?? null, p.bmc, seal);
      return this.byId(host.id);
    })();
  }

  setSpec(name: string, yaml: string | null): HostRecord {
    const host = this.require(name);
    this.db.prepare('UPDATE hosts SET expected_spec_yaml = ?, updated_at = ? WHERE id = ?').run(yaml, nowIso(), host.id);
    return this.byId(host.id);
  }

  /**
   * A host's BMC settings, replaced as a whole (null removes the BMC and its
   * credential). The stored password is kept when none is given; a pinned
   * certificate is kept only while the driver and address stay the same (a pin
   * belongs to one BMC).
   */
  private setBmc(hostId: number, before: BmcView | null, input: BmcInput | null, seal?: SealCredential): void {
    if (input === null) {
      this.db.prepare('UPDATE hosts SET bmc_driver = NULL, bmc_address = NULL, bmc_user = NULL, bmc_cert_sha256 = NULL, bmc_boot_mode = NULL, power_state = NULL, power_checked_at = NULL, power_error = NULL WHERE id = ?').run(hostId);
      this.db.prepare('DELETE FROM bmc_credentials WHERE host_id = ?').run(hostId);
      return;
    }
    const b = BmcInput.parse(input);
    const sameBmc = before !== null && before.driver === b.driver && before.address === b.address;
    const cert = b.certSha256 !== undefined ? b.certSha256 : sameBmc ? before.certSha256 : null;
    const bootMode = b.bootMode !== undefined ? b.bootMode : (before?.bootMode ?? null);
    if (b.password !== undefined) {
      if (!seal) throw new Error('a BMC password was given but nothing can seal it');
      const sealed = seal(hostId, b.password);
      this.db
        .prepare('INSERT INTO bmc_credentials (host_id, scheme, sealed, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(host_id) DO UPDATE SET scheme = excluded.scheme, sealed = excluded.sealed, updated_at = excluded.updated_at')
        .run(hostId, sealed.scheme, sealed.sealed, nowIso());
    } else if (this.db.prepare('SELECT 1 FROM bmc_credentials WHERE host_id = ?').get(hostId) === undefined) {
      throw new UserError('the BMC needs its password (it is stored encrypted and never shown again)', 'bmc-password-required', 400, [{ path: 'bmc.password', message: 'required for a new BMC' }]);
    }
    // Other settings mean another BMC, or another way in: what was read of the old one no longer holds.
    const keepPower = sameBmc && before.user === b.user;
    this.db
      .prepare(`UPDATE hosts SET bmc_driver = ?, bmc_address = ?, bmc_user = ?, bmc_cert_sha256 = ?, bmc_boot_mode = ?${keepPower ? '' : ', power_state = NULL, power_checked_at = NULL, power_error = NULL'} WHERE id = ?`)
      .run(b.driver, b.address, b.user, cert, bootMode, hostId);
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
      bmc: this.bmcOf(r),
    };
  }

  private bmcOf(r: HostRow): BmcView | null {
    if (!r.bmc_driver || !r.bmc_address || !r.bmc_user) return null;
    const stored = this.db.prepare('SELECT 1 FROM bmc_credentials WHERE host_id = ?').get(r.id) !== undefined;
    return {
      driver: r.bmc_driver as BmcDriver,
      address: r.bmc_address,
      user: r.bmc_user,
      credential: stored ? 'stored' : 'missing',
      certSha256: r.bmc_cert_sha256,
      bootMode: r.bmc_boot_mode as BmcBootMode | null,
      power: r.power_state && r.power_checked_at ? { state: r.power_state as PowerState, checkedAt: r.power_checked_at, error: r.power_error } : null,
    };
  }
}
