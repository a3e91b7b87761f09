import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ipmitoolArgs } from './ipmi-driver.ts';
import { bootFlagsRefusal, classifyFailure, parseBootDevice, parseMcInfo, parsePowerStatus, powerControlDone } from './ipmitool-output.ts';

// Real ipmitool 1.8.19 output against OpenIPMI's ipmi_sim (fixtures/README.md).

const FIX = join(import.meta.dirname, 'fixtures');
const cap = (name: string) => ({
  stdout: readFileSync(join(FIX, `${name}.stdout`), 'utf8'),
  stderr: readFileSync(join(FIX, `${name}.stderr`), 'utf8'),
  exit: Number(readFileSync(join(FIX, `${name}.exit`), 'utf8')),
});
const WHERE = 'the BMC at 127.0.0.1:9623';

describe('ipmitool arguments', () => {
  it('name the interface, target, user, cipher suite and a password FILE; the password itself is never an argument', () => {
    const args = ipmitoolArgs({ host: '10.1.2.3', port: 6230, user: 'admin' }, '17', '/run/user/0/vetting-bmc-x/secret', ['chassis', 'bootdev', 'pxe'], { timeoutS: 2, retries: 2 });
    expect(args).toEqual(['-I', 'lanplus', '-H', '10.1.2.3', '-p', '6230', '-U', 'admin', '-f', '/run/user/0/vetting-bmc-x/secret', '-C', '17', '-N', '2', '-R', '2', '-v', 'chassis', 'bootdev', 'pxe']);
    expect(args).not.toContain('-P');
    expect(args).not.toContain('-E');
  });
});

describe('ipmitool output', () => {
  it('reads the power state', () => {
    expect(parsePowerStatus(cap('power-status-on').stdout)).toBe('on');
    expect(parsePowerStatus(cap('power-status-off').stdout)).toBe('off');
    expect(parsePowerStatus(cap('power-on').stdout)).toBeNull(); // "Chassis Power Control: Up/On" is not a state
    expect(parsePowerStatus('')).toBeNull();
  });

  it("reads the BMC's maker, product and firmware from mc info, keeping ids ipmitool has no name for", () => {
    expect(parseMcInfo(cap('mc-info').stdout)).toEqual({ manufacturer: 'MontaVista Software, Inc.', model: 'product id 3842 (0x0f02)', firmware: '9.08' });
    expect(parseMcInfo(cap('power-status-on').stdout)).toBeNull();
  });

  it('knows a power command was carried out from its confirmation line alone', () => {
    expect(powerControlDone(cap('power-on').stdout, 'Up/On')).toBe(true);
    expect(powerControlDone(cap('power-off').stdout, 'Down/Off')).toBe(true);
    expect(powerControlDone(cap('power-cycle').stdout, 'Cycle')).toBe(true);
    expect(powerControlDone(cap('power-on').stdout, 'Down/Off')).toBe(false);
    expect(powerControlDone(cap('power-on-unsupported').stdout, 'Up/On')).toBe(false);
  });

  it('reads the forced boot device back', () => {
    expect(parseBootDevice(cap('bootparam-get-5').stdout)).toBe('Force PXE');
    expect(parseBootDevice('nothing here')).toBeNull();
  });

  it('sees a refused boot device although ipmitool exits 0', () => {
    const refused = cap('bootdev-pxe-unsupported');
    expect(refused.exit).toBe(0);
    expect(bootFlagsRefusal(refused.stderr)).toBe('Invalid data field in request');
    expect(bootFlagsRefusal(cap('bootdev-pxe').stderr)).toBeNull();
    expect(bootFlagsRefusal(cap('bootdev-pxe-efi').stderr)).toBeNull();
  });
});

describe('why ipmitool failed', () => {
  it('tells a wrong password and an unknown user apart from an unreachable BMC', () => {
    for (const name of ['auth-wrong-password', 'auth-unknown-user']) {
      const c = cap(name);
      expect(c.exit).toBe(1);
      expect(classifyFailure(c.stderr, c.exit, WHERE)).toMatchObject({ code: 'bmc-auth', cipherMismatch: false });
    }
    const gone = cap('unreachable');
    expect(classifyFailure(gone.stderr, gone.exit, WHERE)).toMatchObject({ code: 'bmc-unreachable', detail: expect.stringContaining('no IPMI answer from the BMC at 127.0.0.1:9623') });
    const unknown = cap('unknown-host');
    expect(classifyFailure(unknown.stderr, unknown.exit, WHERE)).toMatchObject({ code: 'bmc-unreachable', detail: expect.stringContaining('Address lookup for no-such-bmc.invalid failed') });
  });

  it('marks a cipher suite the BMC lacks as worth another suite', () => {
    const c = cap('cipher-17-refused');
    expect(classifyFailure(c.stderr, c.exit, WHERE)).toMatchObject({ code: 'bmc-unsupported', cipherMismatch: true });
  });

  it('calls a refused command unsupported, quoting the refusal and not the vendor-probe noise -v adds', () => {
    const c = cap('power-on-unsupported');
    expect(c.stderr).toContain('Invalid completion code received: Invalid command'); // the noise is there
    const f = classifyFailure(c.stderr, c.exit, WHERE);
    expect(f).toMatchObject({ code: 'bmc-unsupported', cipherMismatch: false });
    expect(f.detail).toContain('Set Chassis Power Control to Up/On failed: Invalid data field in request');
  });

  it('keeps an unknown failure a plain failure with its last line', () => {
    expect(classifyFailure('Loading IANA PEN Registry...\nsomething odd happened\n', 1, WHERE)).toEqual({ code: 'bmc-failed', detail: `ipmitool exited 1 talking to ${WHERE}: something odd happened`, cipherMismatch: false });
  });
});
