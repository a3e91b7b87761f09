import { nowIso } from '../util/time.ts';
import type { Db } from './db.ts';

/** MACs that booted or spoke DHCP on the bench without being registered: "new hosts" to adopt. */
export class SeenHostStore {
  constructor(private readonly db: Db) {}

  record(mac: string, ip: string | null, arch: string | null, source: string): void {
    const now = nowIso();
    this.db
      .prepare(
        `INSERT INTO seen_hosts (mac, ip, arch, source, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (mac) DO UPDATE SET ip = COALESCE(excluded.ip, ip), arch = COALESCE(excluded.arch, arch), source = excluded.source, last_seen = excluded.last_seen`,
      )
      .run(mac.toLowerCase(), ip, arch, source, now, now);
  }

  /** Seen MACs that belong to no registered host. */
  unadopted(): { mac: string; ip: string | null; arch: string | null; source: string; firstSeen: string; lastSeen: string }[] {
    return this.db
      .prepare(
        `SELECT mac, ip, arch, source, first_seen AS firstSeen, last_seen AS lastSeen FROM seen_hosts
         WHERE mac NOT IN (SELECT mac FROM host_macs) ORDER BY last_seen DESC`,
      )
      .all() as { mac: string; ip: string | null; arch: string | null; source: string; firstSeen: string; lastSeen: string }[];
  }
}
