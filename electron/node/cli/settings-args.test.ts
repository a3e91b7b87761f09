import { describe, expect, it } from 'vitest';
import { settingsPatch } from './settings-args.ts';

describe('settingsPatch', () => {
  it('builds one patch from dotted paths, reading values as JSON where they parse', () => {
    expect(settingsPatch(['bench.dhcpMode=proxy', 'bench.iperfPort=5202', 'bench.dhcpRange=null', 'bench.interface=enp3s0', 'bench.address="10.0.0.1"'])).toEqual({
      bench: { dhcpMode: 'proxy', iperfPort: 5202, dhcpRange: null, interface: 'enp3s0', address: '10.0.0.1' },
    });
  });

  it('merges JSON objects with dotted paths, later arguments winning', () => {
    expect(settingsPatch(['{"bench":{"dhcpMode":"full","dhcpRange":{"start":"10.0.0.100","end":"10.0.0.150"}}}', 'bench.dhcpRange.leaseTime=2h'])).toEqual({
      bench: { dhcpMode: 'full', dhcpRange: { start: '10.0.0.100', end: '10.0.0.150', leaseTime: '2h' } },
    });
  });

  it('names what is wrong with a bad argument', () => {
    expect(() => settingsPatch([])).toThrow(/nothing to set/);
    expect(() => settingsPatch(['bench'])).toThrow(/neither path=value nor a JSON object/);
    expect(() => settingsPatch(['bench..x=1'])).toThrow(/not a settings path/);
    expect(() => settingsPatch(['__proto__.x=1'])).toThrow(/not a settings path/);
    expect(() => settingsPatch(['{"bench":'])).toThrow(/not valid JSON/);
    expect(() => settingsPatch(['{"a":1}', '[1]'])).toThrow(/neither/);
  });
});
