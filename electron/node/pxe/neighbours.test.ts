import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { neighbourMac, parseProcNetArp } from './neighbours.ts';

const fixture = (name: string) => readFileSync(new URL(`../../../fixtures/tool-outputs/proc-net-arp/${name}`, import.meta.url), 'utf8');

describe('ARP table', () => {
  it('reads resolved entries, with MAC and device', () => {
    expect(parseProcNetArp(fixture('lab-complete.txt'))).toEqual([{ ip: '10.231.75.142', mac: '52:54:00:00:75:01', device: 'vbench0' }]);
    expect(parseProcNetArp(fixture('host.txt'))).toEqual([{ ip: '192.0.2.1', mac: '02:fc:00:00:00:05', device: 'eth0' }]);
  });

  it('ignores an address still being resolved (no MAC yet)', () => {
    expect(parseProcNetArp(fixture('lab-incomplete.txt'))).toEqual([]);
  });

  it('looks an address up on the bench interface only', () => {
    const read = () => fixture('lab-complete.txt');
    expect(neighbourMac('10.231.75.142', 'vbench0', read)).toBe('52:54:00:00:75:01');
    expect(neighbourMac('10.231.75.142', 'eth0', read)).toBeNull();
    expect(neighbourMac('10.231.75.9', null, read)).toBeNull();
    expect(neighbourMac('10.231.75.142', null, () => { throw new Error('no procfs'); })).toBeNull();
  });
});
