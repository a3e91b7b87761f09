import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_DIR, REAL_AGENT, ROOT, buildImage, cleanupAfterEach, ensureAgentBundle, stopByPid } from './lab-harness.ts';
import { createBenchNet, inNs } from './netns.ts';

// The PXE lab with a BMC: QEMU's emulated BMC (ipmi-bmc-sim behind a KCS interface) with the
// sensor repository the parser captures were taken with (12V, 5V, 3.3V, input power,
// temperature, fan). The real agent reads the BMC's event log and sensors at the start of the
// run (Inventory) and at the end (the BMC stage), and the PSU stage, finding no voltage in
// hwmon, reads the BMC's. The report must show the event log and the sensors, and the
// component history must answer for the machine's disks over the control API.
//
// Nothing adds records to QEMU 7.2's BMC log from outside the guest, so this run's log stays
// empty: the report says it was read and holds no record; which records fail a run is
// covered on the real captured log (electron/node/runs/faults-history.test.ts).

const SDR_FILE = join(ROOT, 'agent/parsers/captured/qemu-selftest-bmc-2026-12/lab.sdr');
const MAC = '52:54:00:00:78:01';
const OCTET = 78;

const cleanups = cleanupAfterEach('lab cleanup');

beforeAll(async () => {
  await buildImage();
  await ensureAgentBundle();
}, 900_000);

interface StageResultJson {
  stage: string;
  outcome: string;
  summary: Record<string, any>;
  coverage: { part: { kind: string }; check: string; status: string }[];
}

describe('PXE lab with an emulated BMC', () => {
  it('full run (smoke, BIOS): the report shows the BMC event log and sensors, PSU reads the BMC, the disks have a history', async () => {
    const work = mkdtempSync(join(tmpdir(), 'vetting-lab-bmc-'));
    cleanups.push(async () => {
      const keep = process.env.LAB_KEEP_LOGS;
      if (keep && existsSync(join(work, 'serial.log'))) copyFileSync(join(work, 'serial.log'), join(keep, 'bmc-serial.log'));
      rmSync(work, { recursive: true, force: true });
    });
    const net = await createBenchNet('bm', OCTET);
    cleanups.push(() => net.cleanup());
    const dataDir = join(work, 'orchestrator');
    const vetting = (...args: string[]) => execa('ip', [...inNs(net.srvNs).slice(1), process.execPath, join(ROOT, 'bin/vetting.js'), ...args, '--data-dir', dataDir], { cwd: ROOT });
    await vetting('settings', 'set', `bench.interface=${net.srvIf}`, `bench.address=${net.srvAddr}`, `bench.imageDir=${IMAGE_DIR}`, 'bench.dhcpMode=full', `bench.dhcpRange={"start":"10.231.${OCTET}.100","end":"10.231.${OCTET}.150","leaseTime":"1h"}`);
    const serve = execa('ip', [...inNs(net.srvNs).slice(1), process.execPath, join(ROOT, 'bin/vetting.js'), 'serve', '--data-dir', dataDir, '--json'], { cwd: ROOT, reject: false, all: true });
    cleanups.push(stopByPid(serve));
    const served = await new Promise<{ control: string; token: string }>((resolveP, reject) => {
      const t = setTimeout(() => reject(new Error('vetting serve printed nothing in 60 s')), 60_000);
      createInterface({ input: serve.stdout! }).once('line', (l) => (clearTimeout(t), resolveP(JSON.parse(l) as { control: string; token: string })));
      void serve.then((r) => reject(new Error(`vetting serve exited: ${String(r.all).slice(-2000)}`)));
    });
    await vetting('host', 'add', '--name', 'lab-bmc', '--mac', MAC, '--profile', 'smoke', '--disk', 'LABNVME0001', '--disk', 'LABSATA0001');
    const started = JSON.parse((await vetting('run', 'start', '--host', 'lab-bmc', '--json')).stdout) as { run: number };

    const nvme = join(work, 'nvme.img');
    const sata = join(work, 'sata.img');
    for (const f of [nvme, sata]) {
      writeFileSync(f, '');
      truncateSync(f, 1024 ** 3);
    }
    const tap = await net.addTap('tap0');
    const serialLog = join(work, 'serial.log');
    const qemuArgs = [
      '-accel', 'tcg', '-machine', 'q35', '-cpu', 'max', '-smp', '2', '-m', '2048',
      '-nographic', '-monitor', 'none', '-no-reboot',
      '-netdev', `tap,id=n0,ifname=${tap},script=no,downscript=no`,
      // virtio-net with QEMU's iPXE ROM, as the BIOS full runs (pxe-lab.test.ts says why not rtl8139).
      '-device', `virtio-net-pci,netdev=n0,mac=${MAC},bootindex=1`,
      '-drive', `if=none,id=disk-nvme,file=${nvme},format=raw`, '-device', 'nvme,drive=disk-nvme,serial=LABNVME0001',
      '-drive', `if=none,id=disk-sata,file=${sata},format=raw`, '-device', 'ide-hd,drive=disk-sata,bus=ide.0,serial=LABSATA0001',
      '-smbios', 'type=1,manufacturer=Supermicro,product=SYS-1029U-TRT,serial=LABBMC01',
      // The BMC: QEMU's simulator with the captures' sensor repository, reached in band over KCS.
      '-device', `ipmi-bmc-sim,id=bmc0,sdrfile=${SDR_FILE}`, '-device', 'isa-ipmi-kcs,bmc=bmc0',
    ];
    const follow = execa('ip', [...inNs(net.srvNs).slice(1), process.execPath, join(ROOT, 'test/lab/follow-run.mjs'), served.control, served.token, String(started.run)], { reject: false });
    cleanups.push(stopByPid(follow));
    const tPower = Date.now();
    const qemu = execa('ip', [...inNs(net.cliNs).slice(1), 'qemu-system-x86_64', ...qemuArgs], { reject: false, stdin: 'ignore', stdout: { file: serialLog }, stderr: 'pipe' });
    cleanups.push(stopByPid(qemu, 'SIGKILL'));
    const tail = () => (existsSync(serialLog) ? readFileSync(serialLog, 'utf8').split('\n').slice(-40).join('\n') : '(no serial log)');

    const phases: string[] = [];
    const settled = await new Promise<{ state: string; stages: unknown }>((resolveP, reject) => {
      const timer = setTimeout(() => reject(new Error(`the run did not settle in 15 min; phases:\n${phases.join('\n')}\nserial tail:\n${tail()}`)), 15 * 60_000);
      void qemu.then((r) => setTimeout(() => reject(new Error(`QEMU exited (${r.exitCode ?? r.signal}) before the run settled: ${String(r.stderr).slice(-2000)}\nserial tail:\n${tail()}`)), 5000));
      createInterface({ input: follow.stdout! }).on('line', (line) => {
        const e = JSON.parse(line) as { type: string; state?: string; stages?: unknown };
        if (e.type !== 'state') return;
        phases.push(`${e.state} +${((Date.now() - tPower) / 1000).toFixed(1)} s`);
        if (/^(Completed|FailedHolding|Abandoned|Released)$/.test(e.state!)) {
          clearTimeout(timer);
          resolveP({ state: e.state!, stages: e.stages });
        }
      });
    });
    console.log(`[lab bmc] states from power-on:\n${phases.join('\n')}`);
    expect(settled.state, JSON.stringify(settled.stages)).toBe('Completed');

    const report = JSON.parse(readFileSync(join(dataDir, 'artifacts', `run-${started.run}`, 'report.json'), 'utf8')) as { results: StageResultJson[] };
    const result = (stage: string) => report.results.find((r) => r.stage === stage)!;
    // At the start of the run (Inventory) and at its end (BMC): the log read, and the sensors.
    for (const snap of [result('Inventory').summary.bmcLog, result('BMC').summary.bmc]) {
      expect(snap).toMatchObject({ present: true, selRecords: 0, sel: [] });
      expect(snap.sdr).toEqual(expect.arrayContaining([expect.objectContaining({ name: '12V', value: 12.1, unit: 'Volts', status: 'ok' }), expect.objectContaining({ name: 'FAN1', value: 8400, unit: 'RPM' })]));
    }
    expect(result('BMC')).toMatchObject({ outcome: 'passed', summary: { baseline: 'inventory', duringRun: [], preExistingCritical: [] } });
    expect(result('BMC').coverage).toEqual(expect.arrayContaining([expect.objectContaining({ part: expect.objectContaining({ kind: 'bmc' }), check: 'BMC event log during the run', status: 'tested' })]));
    // hwmon shows no voltage in QEMU: the PSU stage read the BMC's rails.
    expect(result('PSU').summary).toMatchObject({ telemetry: true, source: 'bmc' });
    expect(result('PSU').summary.rails.map((r: { sensor: string }) => r.sensor)).toEqual(expect.arrayContaining(['bmc/12V', 'bmc/5V', 'bmc/3.3V']));
    // The drives' own self-tests: QEMU's AHCI disk runs one; its NVMe controller has none.
    const smartDisks = result('SMART').summary.disks as { disk: string; selfTest: { status: string; detail: string } }[];
    expect(smartDisks.find((d) => d.disk === 'LABSATA0001')!.selfTest).toMatchObject({ status: 'passed', detail: 'Short offline: Completed without error' });
    expect(smartDisks.find((d) => d.disk === 'LABNVME0001')!.selfTest).toMatchObject({ status: 'unsupported', detail: expect.stringMatching(/OACS 0x10a, bit 4 clear/) });
    // The HTML report draws both readings.
    const html = readFileSync(join(dataDir, 'artifacts', `run-${started.run}`, 'report.html'), 'utf8');
    for (const text of ['BMC at the start of the run', 'BMC at the end of the run', 'Event log records', 'Sensors (SDR)', 'PSU1 Input Power']) expect(html).toContain(text);

    // The component history over the control API: the SATA disk, from this run.
    const history = await execa('ip', [
      ...inNs(net.srvNs).slice(1), process.execPath, '--input-type=module', '-e',
      `const r = await fetch(process.argv[1] + '/api/components/disk/LABSATA0001', { headers: { authorization: 'Bearer ' + process.argv[2] } }); process.stdout.write(JSON.stringify({ status: r.status, body: await r.json() }));`,
      served.control, served.token,
    ]);
    const answer = JSON.parse(history.stdout) as { status: number; body: { kind: string; id: string; entries: { runId: number; stage: string }[] } };
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ kind: 'disk', id: 'LABSATA0001' });
    expect(answer.body.entries.map((e) => e.stage)).toEqual(expect.arrayContaining(['Inventory', 'SMART', 'Storage']));
  });
});
