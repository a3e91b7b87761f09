import { readdirSync, readFileSync } from 'node:fs';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { PowerError } from '../../electron/node/power/driver.ts';
import { IpmiDriver } from '../../electron/node/power/ipmi/ipmi-driver.ts';
import { freeUdpPort, startIpmiSim, type IpmiSim } from '../support/ipmi-sim.ts';

// The IPMI driver against a real BMC simulator: Debian's ipmitool talking
// `-I lanplus` to OpenIPMI's ipmi_sim on a loopback port (test/support/ipmi-sim.ts).

const sims: IpmiSim[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.stop();
});

async function sim(opts: Parameters<typeof startIpmiSim>[0] = {}) {
  const s = await startIpmiSim(opts);
  sims.push(s);
  return s;
}

const driverFor = (s: IpmiSim, password = s.password) => new IpmiDriver({ host: s.host, port: s.port, user: s.user, password }, { timeoutS: 1, retries: 1 });

async function powerError(p: Promise<unknown>): Promise<PowerError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PowerError);
  return e as PowerError;
}

describe('IPMI driver (ipmitool against ipmi_sim)', () => {
  it('reads power and the BMC model, sets PXE for the next boot, and powers on, cycles and off', async () => {
    const s = await sim();
    const d = driverFor(s);
    expect(await d.status()).toBe('off');
    expect(await d.identify()).toEqual({ manufacturer: 'MontaVista Software, Inc.', model: 'product id 3842 (0x0f02)', firmware: '9.08' });
    await d.bootPxeOnce(null);
    await d.powerOn();
    expect(await d.status()).toBe('on');
    // The chassis saw the boot device first, then power: the machine came up from the network.
    expect(s.events()).toEqual(['set boot pxe', 'set power 1', 'boot-from pxe']);
    await d.powerCycle();
    // ipmi_sim powers back on a second after a cycle; the PXE request was used by the first boot.
    await expect.poll(() => s.events().slice(3), { timeout: 10_000 }).toEqual(['set power 0', 'set power 1', 'boot-from default']);
    await d.powerOff();
    expect(await d.status()).toBe('off');
    await d.bootPxeOnce('uefi');
    expect(s.events().at(-1)).toBe('set boot pxe');
  });

  it('says which problem it met: wrong password, no BMC there, a BMC that cannot do it', async () => {
    const s = await sim();
    const auth = await powerError(driverFor(s, 'not-the-password').status());
    expect(auth.powerCode).toBe('bmc-auth');
    expect(auth.message).toMatch(/did not accept this user and password/);

    const nobody = await freeUdpPort();
    const gone = await powerError(new IpmiDriver({ host: '127.0.0.1', port: nobody, user: 'x', password: 'y' }, { timeoutS: 1, retries: 1 }).status());
    expect(gone.powerCode).toBe('bmc-unreachable');
    expect(gone.message).toContain(`127.0.0.1:${nobody}`);

    const bare = await sim({ chassis: 'none' });
    const d = driverFor(bare);
    expect(await d.status()).toBe('off'); // status it can answer
    const pxe = await powerError(d.bootPxeOnce(null));
    expect(pxe.powerCode).toBe('bmc-unsupported');
    expect(pxe.message).toContain('refused to set the next boot device to PXE: Invalid data field in request');
    const on = await powerError(d.powerOn());
    expect(on.powerCode).toBe('bmc-unsupported');
  });

  it('never puts the password in any process argument list or environment while ipmitool runs', async () => {
    const s = await sim({ holdPowerOn: true });
    const d = new IpmiDriver({ host: s.host, port: s.port, user: s.user, password: s.password }, { timeoutS: 3, retries: 1 });
    const powering = d.powerOn();
    // Catch ipmitool in the act, through /proc and through ps: the chassis program holds the
    // BMC's answer until the test has looked. Each look must itself show ipmitool, as a first
    // attempt may fail fast (the simulator still starting) and the driver then tries again.
    let seen: { pid: string; args: string[] } | null = null;
    let psSeen: string | null = null;
    const leaks: string[] = [];
    const deadline = Date.now() + 10_000;
    while (!(seen && psSeen) && Date.now() < deadline) {
      for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
        let cmdline: string;
        let environ: string;
        try {
          cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
          environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
        } catch {
          continue; // gone meanwhile
        }
        if (cmdline.includes(s.password) || environ.includes(s.password)) leaks.push(`${pid}: ${cmdline.replace(/\0/g, ' ')}`);
        const args = cmdline.split('\0');
        if (args[0]?.endsWith('ipmitool') && args.includes('on')) seen = { pid, args };
      }
      const ps = (await execa('ps', ['-eo', 'pid,args', '-ww'])).stdout;
      if (ps.includes(s.password)) leaks.push(`ps: ${ps.split('\n').find((l) => l.includes(s.password))}`);
      if (/ipmitool .*power on/.test(ps)) psSeen = ps;
      if (!(seen && psSeen)) await new Promise((r) => setTimeout(r, 20));
    }
    s.releasePowerOn();
    await powering;
    expect(seen, 'ipmitool was never seen running').not.toBeNull();
    expect(seen!.args).toContain('-f'); // the password travels as a file …
    expect(seen!.args.join(' ')).not.toMatch(/ -P | -E /); // … never as -P or from the environment
    expect(leaks).toEqual([]);
    expect(psSeen, 'ps never listed ipmitool').toContain('ipmitool');
    expect(psSeen).not.toContain(s.password);
    expect(await d.status()).toBe('on');
  });
});
