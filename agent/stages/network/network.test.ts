import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../../common/profiles.ts';
import { floorMbps, parseLinkSpeed } from './index.ts';

describe('network floors', () => {
  it('uses the negotiated speed, else the assumed one', () => {
    expect(parseLinkSpeed('10000\n')).toBe(10000);
    expect(parseLinkSpeed('-1')).toBeNull();
    expect(parseLinkSpeed(null)).toBeNull();
    expect(floorMbps(1000, PROFILES.standard.network)).toEqual({ floorMbps: 900, linkMbps: 1000, assumed: false });
    expect(floorMbps(null, PROFILES.smoke.network)).toEqual({ floorMbps: 50, linkMbps: 100, assumed: true });
  });
});
