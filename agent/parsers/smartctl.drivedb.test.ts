import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ataAttributeMeaning, evaluateSmart, parseSmartctlJson, type AtaCounter } from './smartctl.ts';
import { JUDGED_NAMES } from './smart-expectations.ts';
import { fixture } from './test-fixtures.ts';

// smartctl's drive database renames ATA attributes per model. This test reads Debian
// smartmontools' drivedb.h (through smartctl itself: `smartctl -B FILE -P showall` prints every
// entry's model regex and the attribute names it sets, format-only presets resolved to the
// names smartctl prints), and checks that every model which renames attribute 5, 184, 187, 196,
// 197, 198 or 199 is judged by what the attribute means under that name, not by its number.

const DRIVEDB = '/usr/share/smartmontools/drivedb.h';
const WATCHED = [5, 184, 187, 196, 197, 198, 199];
/** Counters evaluateSmart holds against a profile threshold; the others are shown only. */
const JUDGED: readonly AtaCounter[] = ['reallocated', 'pending', 'offlineUncorrectable', 'endToEnd'];

interface Entry {
  modelRegexp: string;
  family: string;
  attributes: Map<number, string>;
}

function showall(): Entry[] {
  const text = execFileSync('smartctl', ['-B', DRIVEDB, '-P', 'showall'], { encoding: 'utf8' });
  const entries: Entry[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const model = /^MODEL REGEXP:\s+(.*)$/m.exec(block);
    if (!model?.[1]) continue;
    const attributes = new Map<number, string>();
    for (const m of block.matchAll(/^(?:ATTRIBUTE OPTIONS:)?\s+(\d{3}) (\S+)(?: \S+)?$/gm)) attributes.set(Number(m[1]), m[2]!);
    entries.push({ modelRegexp: model[1], family: /^MODEL FAMILY:\s*(.*)$/m.exec(block)?.[1] ?? '', attributes });
  }
  return entries;
}

const entries = showall();
const defaults = entries.find((e) => e.family === 'DEFAULT')!.attributes;

/** A SMART report for `entry`: the real AHCI capture with an attribute table named as the entry says. */
function reportFor(entry: Entry, raised: number): string {
  const json = JSON.parse(fixture('qemu-guest/smartctl-j-a-sdb.json')) as Record<string, any>;
  json.model_family = entry.family;
  json.ata_smart_attributes.table = WATCHED.map((id) => {
    const raw = id === raised ? 11 : 0;
    const name = entry.attributes.get(id) ?? defaults.get(id);
    return { id, name, value: 100, worst: 100, thresh: 0, when_failed: '', flags: { value: 50, string: '-O--CK ', prefailure: false }, raw: { value: raw, string: String(raw) } };
  });
  return JSON.stringify(json);
}

describe("smartctl's drive database (Debian smartmontools drivedb.h)", () => {
  it('is read whole: every watched-id preset in drivedb.h appears in smartctl -P showall', () => {
    expect(entries.length).toBeGreaterThan(400);
    // The file's own "-v ID,FORMAT,NAME" presets (commented-out lines dropped) for the watched ids.
    const source = readFileSync(DRIVEDB, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
    const named = [...source.matchAll(/-v (\d+),[^,"\s]+,([^"\s,]+)/g)].filter((m) => WATCHED.includes(Number(m[1])));
    expect(named.length).toBeGreaterThan(40);
    const shown = new Set(entries.flatMap((e) => [...e.attributes].map(([id, name]) => `${id} ${name}`)));
    for (const m of named) expect(shown.has(`${m[1]} ${m[2]}`), `${m[1]} ${m[2]}`).toBe(true);
  });

  it("has smartctl's usual names as the defaults of the watched ids", () => {
    expect(WATCHED.map((id) => defaults.get(id))).toEqual([
      'Reallocated_Sector_Ct',
      'End-to-End_Error',
      'Reported_Uncorrect',
      'Reallocated_Event_Count',
      'Current_Pending_Sector',
      'Offline_Uncorrectable',
      'UDMA_CRC_Error_Count',
    ]);
  });

  const renaming = entries.filter((e) => e.family !== 'DEFAULT' && WATCHED.some((id) => e.attributes.has(id) && e.attributes.get(id) !== defaults.get(id)));

  it('knows every name the database gives a watched attribute', () => {
    expect(renaming.length).toBeGreaterThan(40);
    const unknown = renaming.flatMap((e) => WATCHED.filter((id) => e.attributes.has(id) && ataAttributeMeaning(id, e.attributes.get(id)!) === null).map((id) => `${e.family}: ${id} ${e.attributes.get(id)}`));
    expect(unknown).toEqual([]);
  });

  it('judges every renaming model by meaning: a raised count fails only when the name means a judged counter', () => {
    const thresholds = { maxReallocated: 10, maxPending: 0, maxOfflineUncorrectable: 0, maxMediaErrors: 0, maxEndToEndErrors: 0 };
    let judgedRenames = 0;
    let otherRenames = 0;
    for (const entry of renaming) {
      for (const id of WATCHED) {
        const name = entry.attributes.get(id);
        if (name === undefined || name === defaults.get(id)) continue;
        const meaning = ataAttributeMeaning(id, name)!;
        const report = parseSmartctlJson(reportFor(entry, id), 0);
        const verdict = evaluateSmart(report, thresholds);
        const where = `${entry.family} (${entry.modelRegexp.slice(0, 60)}): ${id} ${name}`;
        const judged = 'counter' in meaning && JUDGED.includes(meaning.counter);
        expect(judged, `${where}: judged by the parser, but the test's list says otherwise`).toBe((JUDGED_NAMES[id] ?? []).includes(name));
        if (judged) {
          judgedRenames++;
          expect(verdict.passed, where).toBe(false);
          expect(verdict.reasons.join('\n'), where).toMatch(/: 11 /);
        } else {
          otherRenames++;
          expect(verdict.passed, where).toBe(true);
          if ('other' in meaning) expect(report.attributeNotes.join('\n'), where).toContain(`attribute ${id} is ${name}`);
        }
      }
    }
    // Both kinds exist in the database: renames that keep the meaning and renames that change it.
    expect(judgedRenames).toBeGreaterThan(10);
    expect(otherRenames).toBeGreaterThan(10);
  });

  it('reads the cases that would be misjudged by number as the database means them', () => {
    const byFamily = (re: RegExp): Entry => renaming.find((e) => re.test(e.family))!;
    const mx500 = byFamily(/Crucial\/Micron Client SSDs/);
    expect(mx500.attributes.get(197)).toBe('Current_Pending_ECC_Cnt');
    // A raised 197 on an MX500 is its flip-flopping counter, not a pending sector.
    expect(evaluateSmart(parseSmartctlJson(reportFor(mx500, 197), 0), { maxReallocated: 10, maxPending: 0, maxOfflineUncorrectable: 0, maxMediaErrors: 0, maxEndToEndErrors: 0 }).passed).toBe(true);
    const intrepid = byFamily(/OCZ Intrepid 3000/);
    expect(intrepid.attributes.get(198)).toBe('Host_Reads_GiB');
    expect(parseSmartctlJson(reportFor(intrepid, 198), 0).offlineUncorrectable).toBeNull();
    // A renamed reallocation count (Micron M500DC) is still read as one.
    const m500dc = byFamily(/Micron M500DC/);
    expect(m500dc.attributes.get(5)).toBe('Reallocated_Block_Count');
    expect(parseSmartctlJson(reportFor(m500dc, 5), 0).reallocated).toBe(11);
  });
});
