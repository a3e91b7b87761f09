import { describe, expect, it } from 'vitest';
import { buildInventory } from '../inventory.ts';
import { parseLscpuText } from '../lscpu.ts';
import { corpusFiles } from './corpus-files.ts';

// Plain lscpu text from real machines (hw-probe's linuxhw/LsCPU: Xeon, EPYC, Opteron and ARM
// servers first, then hosts with offline CPUs, then desktops). The agent runs `lscpu -J`; the
// JSON holds the same field/data pairs as these lines (lscpu.test.ts shows both forms agree on
// real captures), so the sample exercises the same field logic through parseLscpuText.

const files = corpusFiles('lscpu');

/** The test's own reading: "Name:   value" at the start of a line (indentation allowed). */
function value(text: string, name: string): string | undefined {
  const m = new RegExp(`^\\s*${name.replace(/[()]/g, '\\$&')}:\\s*(.*?)\\s*$`, 'm').exec(text);
  return m?.[1];
}

function expand(list: string | undefined): number[] {
  if (!list) return [];
  return list.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    return Array.from({ length: (b ?? a!) - a! + 1 }, (_, i) => a! + i);
  });
}

describe('lscpu over the hw-probe LsCPU corpus sample', () => {
  it('holds servers first and hosts with offline CPUs', () => {
    expect(files.length).toBeGreaterThanOrEqual(150);
    expect(files.filter((f) => f.why.some((w) => w.startsWith('server'))).length).toBeGreaterThanOrEqual(100);
    expect(files.filter((f) => f.why.includes('offline-cpus')).length).toBeGreaterThanOrEqual(20);
  });

  it('parses every report; model, sockets, cores and online threads equal an independent reading', () => {
    for (const f of files) {
      const c = parseLscpuText(f.text);
      const online = expand(value(f.text, 'On-line CPU(s) list'));
      const offline = expand(value(f.text, 'Off-line CPU(s) list'));
      expect(c.model, f.corpusPath).toBe(value(f.text, 'Model name') ?? null);
      expect(c.cpusListed, f.corpusPath).toBe(Number(value(f.text, 'CPU(s)')));
      expect(c.cpus, f.corpusPath).toBe(online.length > 0 ? online.length : c.cpusListed - offline.length);
      expect(c.offlineCpus, f.corpusPath).toEqual(offline);
      const sockets = Number(value(f.text, 'Socket(s)'));
      if (Number.isInteger(sockets) && sockets > 0) expect(c.sockets, f.corpusPath).toBe(sockets);
      const perSocket = Number(value(f.text, 'Core(s) per socket'));
      if (Number.isInteger(perSocket) && perSocket > 0) expect(c.coresPerSocket, f.corpusPath).toBe(perSocket);
      const inv = buildInventory({ cpu: c, missingTools: [] });
      expect(inv.cpu.cores, f.corpusPath).toBe(c.sockets * c.coresPerSocket);
      expect(inv.cpu.threads, f.corpusPath).toBe(c.cpus);
    }
  });

  it('counts only online CPUs as threads and lists the offline ones', () => {
    for (const f of files.filter((x) => x.why.includes('offline-cpus'))) {
      const c = parseLscpuText(f.text);
      const inv = buildInventory({ cpu: c, missingTools: [] });
      expect(c.offlineCpus.length, f.corpusPath).toBeGreaterThan(0);
      // "CPU(s)" still counts them; the inventory's threads do not.
      expect(inv.cpu.threads, f.corpusPath).toBeLessThan(c.cpusListed);
      expect(inv.cpu.threads + c.offlineCpus.length, f.corpusPath).toBe(c.cpusListed);
      expect(inv.cpu.offlineCpus, f.corpusPath).toEqual(c.offlineCpus);
    }
  });
});
