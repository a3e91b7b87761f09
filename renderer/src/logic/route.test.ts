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
  ])('%s', (hash, route) => expect(parseRoute(hash)).toEqual(route));

  it('reports unknown paths instead of guessing', () => {
    expect(parseRoute('#/runs/abc')).toEqual({ name: 'not-found', path: '/runs/abc' });
    expect(parseRoute('#/nope')).toMatchObject({ name: 'not-found' });
  });

  it('round-trips the links it builds', () => {
    expect(parseRoute(href.run(7))).toEqual({ name: 'run', id: 7 });
    expect(parseRoute(href.host('r1.c2'))).toMatchObject({ host: 'r1.c2' });
    expect(parseRoute(href.history({ host: 'x', serial: undefined }))).toEqual({ name: 'history', query: { host: 'x' } });
  });
});
