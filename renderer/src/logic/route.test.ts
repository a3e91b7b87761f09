import { describe, expect, it } from 'vitest';
import { href, parseRoute } from './route.ts';

describe('parseRoute', () => {
  it.each([
    ['', { name: 'board' }],
    ['#/', { name: 'board' }],
    ['#/runs/12', { name: 'run', id: 12 }],
    ['#/hosts', { name: 'hosts', host: null, isNew: false }],
    ['#/hosts/new', { name: 'hosts', host: null, isNew: true }],
    ['#/hosts/node%2D7', { name: 'hosts', host: 'node-7', isNew: false }],
    ['#/history?host=a&result=fail', { name: 'history', query: { host: 'a', result: 'fail' } }],
    ['#/settings', { name: 'settings' }],
    ['#/parts/disk/WD-123', { name: 'part', kind: 'disk', id: 'WD-123', host: null }],
    ['#/parts/psu/nct6775%2Fin0?host=node-7', { name: 'part', kind: 'psu', id: 'nct6775/in0', host: 'node-7' }],
  ])('%s', (hash, route) => expect(parseRoute(hash)).toEqual(route));

  it('reports unknown paths instead of guessing', () => {
    expect(parseRoute('#/runs/abc')).toEqual({ name: 'not-found', path: '/runs/abc' });
    expect(parseRoute('#/nope')).toMatchObject({ name: 'not-found' });
  });

  it('round-trips the links it builds', () => {
    expect(parseRoute(href.run(7))).toEqual({ name: 'run', id: 7 });
    expect(parseRoute(href.host('r1.c2'))).toMatchObject({ host: 'r1.c2' });
    expect(parseRoute(href.history({ host: 'x', serial: undefined }))).toEqual({ name: 'history', query: { host: 'x' } });
    // A part id may hold "/", ":" or "?" (a rail's name, a MAC): it survives the trip.
    expect(parseRoute(href.part('nic', 'ac:1f:6b:00:00:01'))).toEqual({ name: 'part', kind: 'nic', id: 'ac:1f:6b:00:00:01', host: null });
    expect(parseRoute(href.part('psu', 'in0 12V/a?b', 'r1.c2'))).toEqual({ name: 'part', kind: 'psu', id: 'in0 12V/a?b', host: 'r1.c2' });
  });
});
