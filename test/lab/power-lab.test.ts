import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunDetailView } from '../../common/schema/index.ts';
import { startIpmiSim, type IpmiSim } from '../support/ipmi-sim.ts';
import { IMAGE_DIR, ROOT, buildImage, cleanupAfterEach, ensureAgentBundle, stopByPid } from './lab-harness.ts';
import { createBenchNet, inNs, type BenchNet } from './netns.ts';

// The power lab: nobody presses a button. OpenIPMI's BMC simulator (ipmi_sim)
// runs in the bench's server namespace and answers `ipmitool -I lanplus` on
// that namespace's loopback; its chassis_control program starts and stops a
// QEMU machine in the client namespace on power commands, and starts it from
// the network only when the BMC was asked for PXE (otherwise from its empty
// disks, where it would never find an image). QEMU carries the BMC as its own
// (-device ipmi-bmc-extern on a -chardev socket to the simulator). The test
// registers the host with its BMC and starts a run through `vetting` only; the
// app sets PXE, powers the machine on, the live image boots, the agent runs
// the smoke profile to its verdict, and the app powers the machine off.
//
// `npm run test:lab` runs it (scripts/test-lab.sh: root, the image built once).

const OCTET = 78;
const MAC = '52:54:00:00:78:01';
const BMC_PORT = 6230;
const VM_PORT = 9002;

const cleanups = cleanupAfterEach('power lab cleanup');

beforeAll(async () => {
  await buildImage();
  await ensureAgentBundle();
}, 900_000);

/**
 * The chassis: power on starts QEMU (in the background, so the BMC answers at
 * once), from the network when a PXE-once request is pending, else from disk;
 * power off kills it; "power" reads 1 while it runs. Every command is logged.
 */
function qemuChassisScript(net: BenchNet, work: string, qemuArgs: string[]): (dir: string) => string {
  const q = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  return (dir) => `#!/bin/sh
state=${dir}
shift
op=$1
shift
log() { echo "$(date +%s.%N) $*" >> "$state/events"; }
# QEMU removes its -pidfile when it exits: qemu.lastpid keeps the PID for "is it still running" and for cleanup.
running() { [ -s "$state/qemu.lastpid" ] && kill -0 "$(cat "$state/qemu.lastpid")" 2>/dev/null; }
# On: asked to be on, and QEMU starting (no PID yet) or running.
on() { [ -f "$state/on" ] && { [ ! -s "$state/qemu.lastpid" ] || running; }; }
case "$op" in
  get)
    for p in "$@"; do
      case "$p" in
        power) if on; then echo power:1; else rm -f "$state/on"; echo power:0; fi ;;
        boot) echo "boot:$(cat "$state/boot" 2>/dev/null || echo default)" ;;
        *) exit 1 ;;
      esac
    done ;;
  set)
    while [ $# -ge 2 ]; do
      p=$1; v=$2; shift 2
      log "set $p $v"
      case "$p" in
        power)
          if [ "$v" = 1 ]; then
            on && continue
            boot=$(cat "$state/boot" 2>/dev/null || echo default)
            echo default > "$state/boot"
            if [ "$boot" = pxe ]; then order=once=n; else order=order=c; fi
            log "boot-from $boot"
            rm -f "$state/qemu.pid" "$state/qemu.lastpid"
            touch "$state/on"
            setsid ${inNs(net.cliNs).map(q).join(' ')} qemu-system-x86_64 ${qemuArgs.map(q).join(' ')} -boot "$order" -pidfile "$state/qemu.pid" \\
              >"${work}/qemu.out" 2>&1 </dev/null &
            (for i in $(seq 300); do [ -s "$state/qemu.pid" ] && cp "$state/qemu.pid" "$state/qemu.lastpid" && exit 0; sleep 0.1; done) >/dev/null 2>&1 </dev/null &
          else
            # Off at once, as a BMC answers; the machine is stopped in the background (SIGTERM, then SIGKILL).
            rm -f "$state/on"
            if running; then
              pid=$(cat "$state/qemu.lastpid")
              kill "$pid"
              (for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.5; done; kill -9 "$pid") >/dev/null 2>&1 </dev/null &
            fi
          fi ;;
        boot) echo "$v" > "$state/boot" ;;
        identify) shift ;;
      esac
    done ;;
  *) exit 1 ;;
esac
`;
}

describe('power lab (ipmi_sim drives QEMU; the app drives ipmi_sim)', () => {
  it('power on over IPMI → PXE → verdict → power off, driven by the app only', async () => {
    const t0 = Date.now();
    const work = mkdtempSync(join(tmpdir(), 'vetting-lab-power-'));
    cleanups.push(async () => {
      if (process.env.LAB_KEEP_LOGS && existsSync(join(work, 'serial.log'))) writeFileSync(join(process.env.LAB_KEEP_LOGS, 'power-serial.log'), readFileSync(join(work, 'serial.log')));
      rmSync(work, { recursive: true, force: true });
    });
    const net = await createBenchNet('pw', OCTET);
    cleanups.push(() => net.cleanup());
    const tap = await net.addTap('tap0');
    const nvme = join(work, 'nvme.img');
    const sata = join(work, 'sata.img');
    for (const f of [nvme, sata]) {
      writeFileSync(f, '');
      truncateSync(f, 1024 ** 3);
    }
    const qemuArgs = [
      '-accel', 'tcg', '-machine', 'q35', '-cpu', 'max', '-smp', '2', '-m', '2048',
      '-display', 'none', '-monitor', 'none', '-serial', `file:${join(work, 'serial.log')}`, '-no-reboot',
      '-netdev', `tap,id=n0,ifname=${tap},script=no,downscript=no`,
      // No bootindex: the BMC's boot request (-boot once=n, or order=c) decides where it starts.
      // virtio-net with QEMU's iPXE ROM, as the BIOS full runs (pxe-lab.test.ts says why not rtl8139).
      '-device', `virtio-net-pci,netdev=n0,mac=${MAC}`,
      '-drive', `if=none,id=disk-nvme,file=${nvme},format=raw`, '-device', 'nvme,drive=disk-nvme,serial=LABNVME0001',
      '-drive', `if=none,id=disk-sata,file=${sata},format=raw`, '-device', 'ide-hd,drive=disk-sata,bus=ide.0,serial=LABSATA0001',
      '-smbios', 'type=1,manufacturer=Dell Inc.,product=PowerEdge R740,serial=LAB0078',
      // The machine's own BMC is the simulator: a KCS interface in the guest, the simulator at the other end of the socket.
      '-chardev', `socket,id=ipmi0,host=${net.srvAddr},port=${VM_PORT},reconnect=10`,
      '-device', 'ipmi-bmc-extern,chardev=ipmi0,id=bmc0',
      '-device', 'isa-ipmi-kcs,bmc=bmc0',
    ];

    const bmc: IpmiSim = await startIpmiSim({
      prefix: inNs(net.srvNs),
      host: '127.0.0.1',
      port: BMC_PORT,
      chassis: { script: qemuChassisScript(net, work, qemuArgs) },
      extraConfig: [`serial 15 ${net.srvAddr} ${VM_PORT} codec VM`],
    });
    const killQemu = async () => {
      const pidFile = join(bmc.dir, 'qemu.lastpid');
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : NaN;
      if (Number.isInteger(pid) && pid > 0) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // not running
        }
      }
    };
    // Newest first: QEMU (by the PID its chassis recorded), then the BMC.
    cleanups.push(() => bmc.stop());
    cleanups.push(killQemu);
    const events = () => (existsSync(join(bmc.dir, 'events')) ? readFileSync(join(bmc.dir, 'events'), 'utf8').trim().split('\n').filter(Boolean).map((l) => l.replace(/^[\d.]+ /, '')) : []);

    const dataDir = join(work, 'orchestrator');
    const vetting = (args: string[], env: Record<string, string> = {}) =>
      execa('ip', [...inNs(net.srvNs).slice(1), process.execPath, join(ROOT, 'bin/vetting.js'), ...args, '--data-dir', dataDir], { cwd: ROOT, env, reject: false });
    await vetting(['settings', 'set', `bench.interface=${net.srvIf}`, `bench.address=${net.srvAddr}`, `bench.imageDir=${IMAGE_DIR}`, 'bench.dhcpMode=full', `bench.dhcpRange={"start":"10.231.${OCTET}.100","end":"10.231.${OCTET}.150","leaseTime":"1h"}`]);
    const serve = execa('ip', [...inNs(net.srvNs).slice(1), process.execPath, join(ROOT, 'bin/vetting.js'), 'serve', '--data-dir', dataDir, '--json'], { cwd: ROOT, reject: false, all: true });
    cleanups.push(stopByPid(serve));
    const served = await new Promise<{ control: string; token: string }>((resolveP, reject) => {
      const t = setTimeout(() => reject(new Error('vetting serve printed nothing in 60 s')), 60_000);
      createInterface({ input: serve.stdout! }).once('line', (l) => (clearTimeout(t), resolveP(JSON.parse(l) as { control: string; token: string })));
      void serve.then((r) => reject(new Error(`vetting serve exited: ${String(r.all).slice(-2000)}`)));
    });

    const add = await vetting(
      ['host', 'add', '--name', 'lab-power', '--mac', MAC, '--profile', 'smoke', '--disk', 'LABNVME0001', '--disk', 'LABSATA0001', '--bmc', `127.0.0.1:${BMC_PORT}`, '--bmc-driver', 'ipmi', '--bmc-user', bmc.user],
      { VETTING_BMC_PASSWORD: bmc.password },
    );
    expect(add.exitCode, add.stderr).toBe(0);
    const tested = await vetting(['host', 'test-bmc', 'lab-power', '--json']);
    expect(JSON.parse(tested.stdout)).toMatchObject({ ok: true, power: 'off' });
    expect(events()).toEqual([]); // nothing has powered anything yet

    const tStart = Date.now();
    const start = await vetting(['run', 'start', '--host', 'lab-power', '--json']);
    expect(start.exitCode, start.stderr).toBe(0);
    const started = JSON.parse(start.stdout) as { run: number; power: { action: string; ok: boolean; message: string }[] };
    expect(started.power.map((p) => [p.action, p.ok])).toEqual([['boot-pxe', true], ['power-on', true]]);
    expect(events().slice(0, 3)).toEqual(['set boot pxe', 'set power 1', 'boot-from pxe']);

    const follow = execa('ip', [...inNs(net.srvNs).slice(1), process.execPath, join(ROOT, 'test/lab/follow-run.mjs'), served.control, served.token, String(started.run)], { reject: false });
    cleanups.push(stopByPid(follow));
    const phases: [string, number][] = [['app: PXE once + power on', tStart]];
    const serialTail = () => (existsSync(join(work, 'serial.log')) ? readFileSync(join(work, 'serial.log'), 'utf8').split('\n').slice(-30).join('\n') : '(no serial log)');
    const settled = await new Promise<{ state: string; stages: unknown }>((resolveP, reject) => {
      const timer = setTimeout(() => reject(new Error(`the run did not settle in 15 min; phases:\n${phases.map((p) => p[0]).join('\n')}\nchassis:\n${events().join('\n')}\nserial tail:\n${serialTail()}`)), 15 * 60_000);
      createInterface({ input: follow.stdout! }).on('line', (line) => {
        const e = JSON.parse(line) as { t: number; type: string; step?: string; at?: number; state?: string; stages?: unknown };
        if (e.type === 'boot') phases.push([`boot ${e.step}`, e.at!]);
        else if (e.type === 'state') {
          phases.push([e.state === 'Inventory' ? 'agent hello (run Inventory)' : `run ${e.state}`, e.t]);
          if (/^(Completed|FailedHolding|Abandoned|Released)$/.test(e.state!)) {
            clearTimeout(timer);
            resolveP({ state: e.state!, stages: e.stages });
          }
        }
      });
    });
    expect(settled.state, `${JSON.stringify(settled.stages)}\n${serialTail()}`).toBe('Completed');

    // After the verdict the app powers the machine off through the BMC, and says so in the audit trail.
    let detail: RunDetailView | null = null;
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const shown = await vetting(['run', 'show', String(started.run), '--json']);
      detail = JSON.parse(shown.stdout) as RunDetailView;
      if (detail.transitions.some((t) => t.action === 'power-off')) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    phases.push(['app: power off', Date.now()]);
    const audited = detail!.transitions.filter((t) => /^(boot-pxe|power-)/.test(t.action));
    const power = audited.map((t) => [t.action, t.actor, (t.detail as { ok: boolean }).ok]);
    expect(power, JSON.stringify(audited.map((t) => t.detail))).toEqual([
      ['boot-pxe', 'operator', true],
      ['power-on', 'operator', true],
      ['power-off', 'orchestrator', true],
    ]);
    expect(events()).toContain('set power 0');
    const after = await vetting(['host', 'test-bmc', 'lab-power', '--json']);
    expect(JSON.parse(after.stdout)).toMatchObject({ ok: true, power: 'off' });
    const pid = Number(readFileSync(join(bmc.dir, 'qemu.lastpid'), 'utf8').trim());
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await expect.poll(alive, { timeout: 15_000, message: 'QEMU still runs' }).toBe(false);
    // The bench saw the machine's whole network boot.
    const steps = new Set(phases.filter(([n]) => n.startsWith('boot ')).map(([n]) => n.slice(5)));
    expect([...steps]).toEqual(expect.arrayContaining(['dhcp', 'boot-script', 'kernel', 'initrd', 'agent-bundle']));
    console.log(
      `[lab power] from the app's power-on (setup took ${((tStart - t0) / 1000).toFixed(1)} s):\n${phases.map(([n, at]) => `${n.padEnd(40)} +${((at - tStart) / 1000).toFixed(1).padStart(6)} s`).join('\n')}\n[lab power] chassis:\n${events().join('\n')}`,
    );
  });
});
