import { describe, expect, it } from 'vitest';
import { Settings } from '../../../common/schema/api.ts';
import { settingsPatch, settingsToForm } from './settingsForm.ts';

describe('settings form', () => {
  const defaults = Settings.parse({});
  it('round-trips the defaults into a patch the schema accepts', () => {
    const r = settingsPatch(settingsToForm(defaults));
    expect(r.errors).toEqual({});
    expect(Settings.parse({ ...defaults, ...r.patch })).toEqual(defaults);
  });
  it('sends the live image folder, or null for the default, and refuses a relative one', () => {
    expect((settingsPatch({ ...settingsToForm(defaults), imageDir: ' /srv/vetting-image ' }).patch.bench as { imageDir: unknown }).imageDir).toBe('/srv/vetting-image');
    expect((settingsPatch(settingsToForm(defaults)).patch.bench as { imageDir: unknown }).imageDir).toBeNull();
    expect(settingsPatch({ ...settingsToForm(defaults), imageDir: 'image' }).errors).toEqual({ imageDir: expect.stringMatching(/absolute folder/) });
  });
  it('sends the console and the per-host consoles, and names a bad line', () => {
    const r = settingsPatch({ ...settingsToForm(defaults), console: 'ttyS1,115200n8', consoleOverrides: 'r740-07 ttyS1,115200\n\n  pve-3   ttyS0,9600  \n', uefiBoot: 'ipxe' });
    expect(r.errors).toEqual({});
    expect(r.patch.bench).toMatchObject({ console: 'ttyS1,115200n8', consoleOverrides: [{ host: 'r740-07', console: 'ttyS1,115200' }, { host: 'pve-3', console: 'ttyS0,9600' }], uefiBoot: 'ipxe' });
    expect(Settings.parse({ ...defaults, ...r.patch }).bench.consoleOverrides).toHaveLength(2);
    expect(settingsToForm(Settings.parse({ ...defaults, ...r.patch })).consoleOverrides).toBe('r740-07 ttyS1,115200\npve-3 ttyS0,9600');
    expect(settingsPatch({ ...settingsToForm(defaults), console: 'ttyS1 init=/bin/sh' }).errors).toEqual({ console: expect.stringMatching(/serial console/) });
    expect(settingsPatch({ ...settingsToForm(defaults), consoleOverrides: 'ok-host ttyS1\nbad host ttyS1' }).errors).toEqual({ consoleOverrides: expect.stringMatching(/^line 2:/) });
  });
  it('names each bad field', () => {
    const form = { ...settingsToForm(defaults), port: '70000', dhcpMode: 'full', rangeStart: '10.0.0.300', rangeEnd: '', maxTotalGiB: '0' };
    expect(Object.keys(settingsPatch(form).errors).sort()).toEqual(['maxTotalGiB', 'port', 'rangeEnd', 'rangeStart']);
  });
  it('sends a DHCP range only in full mode and a subnet only in proxy mode', () => {
    const full = settingsPatch({ ...settingsToForm(defaults), dhcpMode: 'full', rangeStart: '10.9.0.100', rangeEnd: '10.9.0.199' });
    expect(full.errors).toEqual({});
    expect((full.patch.bench as { dhcpRange: unknown }).dhcpRange).toEqual({ start: '10.9.0.100', end: '10.9.0.199', leaseTime: '1h' });
    const proxy = settingsPatch({ ...settingsToForm(defaults), dhcpMode: 'proxy', proxySubnet: '10.1.2.0' });
    expect(proxy.patch.bench).toMatchObject({ dhcpRange: null, proxySubnet: '10.1.2.0' });
    expect(Settings.safeParse({ ...defaults, ...proxy.patch }).success).toBe(true);
  });
});
