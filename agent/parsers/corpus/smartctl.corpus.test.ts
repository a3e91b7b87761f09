import { describe, expect, it } from 'vitest';
import { evaluateSmart, parseSmartctlJson } from '../smartctl.ts';
import { JUDGED_NAMES } from '../smart-expectations.ts';
import { captured, fixture } from '../test-fixtures.ts';
import { corpusFiles } from './corpus-files.ts';

// smartctl text from real servers' drives (hw-probe's linuxhw/EnterpriseDrive, smartctl 6.6–7.5,
// each with the drive database of its day). The agent reads smartctl -j, so this test builds,
// per corpus report, the JSON smartctl would have printed for the parts the verdict uses, on
// top of a real capture from this project:
// - ATA: the real QEMU AHCI report (fixtures qemu-guest/smartctl-j-a-sdb.json) with its
//   `ata_smart_attributes.table` replaced by the corpus drive's attribute rows, column for
//   column (id, name, value, worst, thresh, when_failed, flags string, raw string: the text
//   table and the JSON table are the same data; smartctl.test.ts shows the names agree on a
//   real drive) and smart_status from the "overall-health" line;
// - NVMe: the real QEMU NVMe report with critical_warning, media_errors and smart_status from
//   the corpus drive's health log lines;
// - NVMe behind a SCSI translation layer ("SMART Health Status: OK" only): the real report of a
//   disk read through a SCSI layer (-d scsi) with SMART available and that health status.
// The raw value's numeric `value` is not in the text, so rows carry the raw string only (which
// is what the parser reads first). Exit status 0: the text does not record it.

const files = corpusFiles('smart');
const T = { maxReallocated: 10, maxPending: 0, maxOfflineUncorrectable: 0, maxMediaErrors: 0, maxEndToEndErrors: 0 };
const WATCHED = [5, 184, 187, 196, 197, 198, 199];

interface Row {
  id: number;
  name: string;
  raw: string;
  fail: string;
}

/** Attribute rows of `smartctl -x` ("FLAGS" letters) and `smartctl -a` ("FLAG" hex) text. */
function rows(text: string): Row[] {
  const out: Row[] = [];
  for (const m of text.matchAll(/^\s*(\d{1,3}) (\S+)\s+[PO-][O-][S-][R-][C-][K-]\s+\d+\s+\d+\s+(?:\d+|---)\s+(\S+)\s+(\S.*?)\s*$/gm)) {
    out.push({ id: Number(m[1]), name: m[2]!, fail: m[3]!, raw: m[4]! });
  }
  for (const m of text.matchAll(/^\s*(\d{1,3}) (\S+)\s+0x[0-9a-f]{4}\s+\d+\s+\d+\s+(?:\d+|---)\s+\S+\s+\S+\s+(\S+)\s+(\S.*?)\s*$/gm)) {
    out.push({ id: Number(m[1]), name: m[2]!, fail: m[3]!, raw: m[4]! });
  }
  return out;
}

const lead = (raw: string): number => Number(/^(\d+)/.exec(raw)?.[1] ?? Number.NaN);
const health = (text: string): boolean | null => {
  const m = /SMART overall-health self-assessment test result: (\w+)/.exec(text);
  return m ? m[1] === 'PASSED' : null;
};

function ataJson(text: string, table: Row[]): string {
  const json = JSON.parse(fixture('qemu-guest/smartctl-j-a-sdb.json')) as Record<string, any>;
  json.model_name = /^Device Model:\s+(.*)$/m.exec(text)?.[1] ?? json.model_name;
  const h = health(text);
  if (h === null) delete json.smart_status;
  else json.smart_status = { passed: h };
  json.ata_smart_attributes.table = table.map((r) => ({
    id: r.id,
    name: r.name,
    when_failed: r.fail === '-' ? '' : r.fail,
    raw: { string: r.raw },
  }));
  return JSON.stringify(json);
}

const ata = files.filter((f) => rows(f.text).length > 0);
const nvme = files.filter((f) => /Critical Warning:\s+0x[0-9a-f]+/i.test(f.text));
const behindScsi = files.filter((f) => f.why.includes('nvme-behind-scsi'));

describe('SMART judgement over the hw-probe EnterpriseDrive corpus sample', () => {
  it('holds ATA and NVMe drives, renamed attributes, failed drives and NVMe behind SCSI', () => {
    expect(files.length).toBeGreaterThanOrEqual(140);
    expect(ata.length).toBeGreaterThanOrEqual(90);
    expect(nvme.length).toBeGreaterThanOrEqual(25);
    expect(behindScsi.length).toBe(4);
    expect(files.filter((f) => f.why.includes('health-failed')).length).toBe(6);
  });

  it('knows every name the corpus gives a watched attribute', () => {
    for (const f of ata) {
      const r = parseSmartctlJson(ataJson(f.text, rows(f.text)), 0);
      expect(r.attributeNotes.filter((n) => /does not know/.test(n)), f.corpusPath).toEqual([]);
    }
  });

  it('reads each judged counter from the rows whose name means it, and only from those', () => {
    for (const f of ata) {
      const table = rows(f.text);
      const r = parseSmartctlJson(ataJson(f.text, table), 0);
      const expected = (id: number): number | null => {
        const hits = table.filter((x) => x.id === id && (JUDGED_NAMES[id] ?? []).includes(x.name)).map((x) => lead(x.raw));
        return hits.length ? Math.max(...hits) : null;
      };
      expect(r.reallocated, `${f.corpusPath} reallocated`).toBe(expected(5));
      expect(r.pending, `${f.corpusPath} pending`).toBe(expected(197));
      expect(r.offlineUncorrectable, `${f.corpusPath} offline`).toBe(expected(198));
      expect(r.endToEndErrors, `${f.corpusPath} end-to-end`).toBe(expected(184));
    }
  });

  it('gives the verdict the health line and the judged counters call for', () => {
    let failed = 0;
    for (const f of ata) {
      const table = rows(f.text);
      const value = (id: number): number => Math.max(0, ...table.filter((x) => x.id === id && (JUDGED_NAMES[id] ?? []).includes(x.name)).map((x) => lead(x.raw)));
      const ok = health(f.text) === true && value(5) <= T.maxReallocated && value(197) === 0 && value(198) === 0 && value(184) === 0;
      const verdict = evaluateSmart(parseSmartctlJson(ataJson(f.text, table), 0), T);
      expect(verdict.passed, f.corpusPath).toBe(ok);
      if (!ok) failed++;
    }
    expect(failed).toBeGreaterThan(5);
  });

  it('passes drives that a rule keyed on the attribute number alone would fail, each for a renamed attribute', () => {
    const rescued: string[] = [];
    for (const f of ata) {
      const table = rows(f.text);
      const byId = (id: number): number => Math.max(0, ...table.filter((x) => x.id === id).map((x) => lead(x.raw) || 0));
      const byNumber = health(f.text) === true && byId(5) <= T.maxReallocated && byId(197) === 0 && byId(198) === 0 && byId(184) === 0;
      const verdict = evaluateSmart(parseSmartctlJson(ataJson(f.text, table), 0), T);
      if (verdict.passed === byNumber) continue;
      // Every disagreement comes from a watched attribute under a name that means something else.
      const renamed = table.filter((x) => WATCHED.includes(x.id) && lead(x.raw) > 0 && !(JUDGED_NAMES[x.id] ?? []).includes(x.name));
      expect(renamed.length, f.corpusPath).toBeGreaterThan(0);
      expect(verdict.passed, f.corpusPath).toBe(true);
      rescued.push(`${f.corpusPath}: ${renamed.map((x) => `${x.id} ${x.name}=${x.raw}`).join(', ')}`);
    }
    // The sample holds such drives (MX500s whose 197 flips to 1, among others).
    expect(rescued.some((r) => /197 (Bogus_Current_Pend_Sect|Current_Pending_ECC_Cnt)=1/.test(r))).toBe(true);
  });

  it('judges NVMe drives on their health log: critical warning, media errors, overall health', () => {
    let failed = 0;
    for (const f of nvme) {
      const warning = Number.parseInt(/Critical Warning:\s+0x([0-9a-f]+)/i.exec(f.text)![1]!, 16);
      const media = Number(/Media and Data Integrity Errors:\s+([\d,]+)/.exec(f.text)?.[1]?.replace(/,/g, '') ?? 0);
      const h = health(f.text);
      const json = JSON.parse(fixture('qemu-guest/smartctl-j-a-nvme0.json')) as Record<string, any>;
      json.nvme_smart_health_information_log.critical_warning = warning;
      json.nvme_smart_health_information_log.media_errors = media;
      json.smart_status = { passed: h ?? true };
      const verdict = evaluateSmart(parseSmartctlJson(JSON.stringify(json), 0), T);
      const ok = warning === 0 && media === 0 && h !== false;
      expect(verdict.passed, f.corpusPath).toBe(ok);
      expect(verdict.basis, f.corpusPath).toBe('full');
      if (!ok) failed++;
    }
    expect(failed).toBeGreaterThan(0);
  });

  it('says that NVMe drives seen through a SCSI translation layer were judged on overall health alone', () => {
    for (const f of behindScsi) {
      expect(f.text, f.corpusPath).toMatch(/^Vendor:\s+NVMe/m);
      expect(f.text, f.corpusPath).not.toMatch(/grown defect list|Error counter log|Critical Warning/i);
      const status = /SMART Health Status: (\S+)/.exec(f.text)![1];
      const json = JSON.parse(captured('qemu-lab-2026-12/smartctl-j-a-d-scsi-sdd.json')) as Record<string, any>;
      json.smart_support = { available: true, enabled: true };
      json.smart_status = { passed: status === 'OK' };
      const verdict = evaluateSmart(parseSmartctlJson(JSON.stringify(json), 0), T);
      expect(verdict, f.corpusPath).toMatchObject({ passed: status === 'OK', basis: 'overall-health-only', countersRead: [] });
    }
  });
});
