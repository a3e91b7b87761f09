import { describe, expect, it } from 'vitest';
import { bootMacFromCmdline, parseCmdline } from './host-identity.ts';

describe('kernel command line', () => {
  it('reads vetting.* keys and the boot MAC', () => {
    const args = parseCmdline('initrd=x vetting.url=ws://10.0.0.1:8080/agent vetting.token=abc BOOTIF=01-52-54-00-AB-CD-EF quiet');
    expect(args['vetting.url']).toBe('ws://10.0.0.1:8080/agent');
    expect(args['vetting.token']).toBe('abc');
    expect(bootMacFromCmdline(args)).toBe('52:54:00:ab:cd:ef');
    expect(bootMacFromCmdline({ 'vetting.mac': '52-54-00-00-00-01' })).toBe('52:54:00:00:00:01');
    expect(bootMacFromCmdline({ BOOTIF: 'junk' })).toBeNull();
  });
});
