import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_DIR, REAL_AGENT, ROOT, buildImage, cleanupAfterEach, ensureAgentBundle, stopByPid } from './lab-harness.ts';
import { createBenchNet, inNs, type BenchNet } from './netns.ts';

// The PXE lab: a QEMU (TCG) q35 machine with an NVMe and an AHCI disk and
// SMBIOS strings, PXE-booting the real live image from dnsmasq + the boot
// routes inside network namespaces: BIOS with full DHCP, and UEFI (OVMF →
// snponly.efi) with proxy DHCP beside a separate plain DHCP server. Boot-level
// scenarios use a lab agent bundle that reports what the image sees; the real
// agent scenario checks its hello; full runs add `vetting serve`, a registered
// host and a waiting run, and follow the real agent through every stage.
// Nothing but power-on. docs/image.md describes the scenarios and timings.
//
// Run with `npm run test:lab` (scripts/test-lab.sh: root, installs what it needs,
// builds the image once and caches it). Each phase's time is printed.

const BOOT_TIMEOUT_MS = 300_000;

interface BenchEvent {
  t: number;
  type: string;
  [k: string]: unknown;
}

interface Scenario {
  name: string;
  /** uefi-secureboot: OVMF's Secure Boot firmware with Microsoft's keys enrolled; the bench serves the signed chain. */
  firmware: 'bios' | 'uefi' | 'uefi-secureboot';
  dhcp: 'full' | 'proxy';
  octet: number;
  mac: string;
  /** QEMU's NVMe reports this SMART critical warning (2 = reliability degraded: smartctl says FAILED). */
  nvmeCriticalWarning?: number;
  /** Boot the real agent bundle (out/agent/vetting-agent.mjs) against a minimal /agent endpoint. */
  realAgent?: boolean;
  /** Boot the real agent against the real orchestrator (`vetting serve`) and run every stage (smoke profile). */
  fullRun?: { expect: string };
  /** Serial console the host is given (a per-host override in the bench settings). */
  console?: string;
}

// Newest first: QEMU, then the bench side, then the namespaces.
const cleanups = cleanupAfterEach('lab cleanup');

beforeAll(async () => {
  console.log(await buildImage());
}, 900_000);

/** Proxy mode: somebody else's plain DHCP server, on the client side of the bench switch. */
function startPlainDhcp(s: Scenario, net: BenchNet, work: string): void {
  const plain = execa(
    'ip',
    [...inNs(net.cliNs).slice(1), 'dnsmasq', '-k', '-C', '/dev/null', '--port=0', '--interface=br0', '--bind-interfaces', `--dhcp-range=10.231.${s.octet}.190,10.231.${s.octet}.199,1h`, `--dhcp-leasefile=${join(work, 'plain.leases')}`, '--log-facility=-'],
    { reject: false },
  );
  cleanups.push(stopByPid(plain));
}

/** The machine under test: disks, tap device and QEMU arguments (not started). */
async function machine(s: Scenario, net: BenchNet, work: string): Promise<{ qemuArgs: string[]; serialLog: string }> {
  const nvme = join(work, 'nvme.img');
  const sata = join(work, 'sata.img');
  for (const f of [nvme, sata]) {
    writeFileSync(f, '');
    truncateSync(f, 1024 ** 3);
  }
  const tap = await net.addTap('tap0');
  const qemuArgs = [
    '-accel', 'tcg', '-machine', 'q35', '-cpu', 'max', '-smp', '2', '-m', '2048',
    // -nographic: firmware, iPXE and the kernel all talk on the serial port (stdout, captured to a file).
    '-nographic', '-monitor', 'none', '-no-reboot',
    '-netdev', `tap,id=n0,ifname=${tap},script=no,downscript=no`,
    // BIOS: e1000 with QEMU's iPXE ROM. UEFI: virtio-net without an option ROM, so OVMF's own
    // driver and PXE load snponly.efi over TFTP (the chain real UEFI servers take).
    // Full runs on BIOS use virtio-net too, with QEMU's iPXE ROM: it reports no link speed, so the
    // profile's assumed link speed sets the floor (an e1000 reports 1 Gbit/s, which emulation
    // cannot reach). Not rtl8139: QEMU's model counts tens of thousands of collisions on its
    // full-duplex link and misses frames under iperf3, which the Network stage rightly fails as
    // a NIC fault — an artifact of the emulation, not something to teach the stage to ignore.
    '-device', s.firmware !== 'bios' ? `virtio-net-pci,netdev=n0,mac=${s.mac},bootindex=1,romfile=` : `${s.fullRun ? 'virtio-net-pci' : 'e1000'},netdev=n0,mac=${s.mac},bootindex=1`,
    '-drive', `if=none,id=disk-nvme,file=${nvme},format=raw`, '-device', `nvme,drive=disk-nvme,serial=LABNVME0001${s.nvmeCriticalWarning ? `,smart_critical_warning=${s.nvmeCriticalWarning}` : ''}`,
    '-drive', `if=none,id=disk-sata,file=${sata},format=raw`, '-device', 'ide-hd,drive=disk-sata,bus=ide.0,serial=LABSATA0001',
    '-smbios', 'type=1,manufacturer=Dell Inc.,product=PowerEdge R740,serial=LAB0001',
  ];
  if (s.firmware === 'uefi') {
    const vars = join(work, 'OVMF_VARS.fd');
    copyFileSync('/usr/share/OVMF/OVMF_VARS_4M.fd', vars);
    qemuArgs.push('-drive', 'if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd', '-drive', `if=pflash,format=raw,unit=1,file=${vars}`);
  }
  if (s.firmware === 'uefi-secureboot') {
    // Secure Boot on, Microsoft's UEFI CA enrolled (as on a server from the factory): only signed binaries start.
    const vars = join(work, 'OVMF_VARS.fd');
    copyFileSync('/usr/share/OVMF/OVMF_VARS_4M.ms.fd', vars);
    qemuArgs[qemuArgs.indexOf('q35')] = 'q35,smm=on';
    qemuArgs.push(
      '-global', 'driver=cfi.pflash01,property=secure,value=on',
      '-drive', 'if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd',
      '-drive', `if=pflash,format=raw,unit=1,file=${vars}`,
    );
  }
  return { qemuArgs, serialLog: join(work, 'serial.log') };
}

function tail(serialLog: string): string {
  return existsSync(serialLog) ? readFileSync(serialLog, 'utf8').split('\n').slice(-40).join('\n') : '(no serial log)';
}

function printPhases(name: string, phases: [string, number][], tPower: number, t0: number): void {
  const lines = phases.map(([n, at]) => `${n.padEnd(64)} +${((at - tPower) / 1000).toFixed(1).padStart(6)} s`);
  console.log(`[lab ${name}] phase times from power-on (setup took ${((tPower - t0) / 1000).toFixed(1)} s):\n${lines.join('\n')}`);
}

interface RunShow {
  createdAt: string;
  completedAt: string | null;
  estimates?: { state: string; etaAt: string | null }[];
}

/** Each recorded estimate's error, as a share of the run's length (+: it said "done" too late). */
function printEtaErrors(name: string, run: RunShow): void {
  const t0 = Date.parse(run.createdAt);
  const end = Date.parse(run.completedAt ?? '');
  const errors = (run.estimates ?? []).filter((e) => e.etaAt && e.state !== 'Completed').map((e) => `${e.state} ${(((Date.parse(e.etaAt!) - end) / (end - t0)) * 100).toFixed(1)} %`);
  console.log(`[lab ${name}] estimated end, error at each state entered (run of ${((end - t0) / 1000).toFixed(1)} s): ${errors.join(', ')}`);
}

/** A scratch directory and bench network for one scenario, removed after it. */
async function scenarioBase(s: Scenario): Promise<{ work: string; net: BenchNet }> {
  const work = mkdtempSync(join(tmpdir(), `vetting-lab-${s.name}-`));
  cleanups.push(async () => {
    // LAB_KEEP_LOGS=DIR keeps each machine's serial console log for debugging.
    const keep = process.env.LAB_KEEP_LOGS;
    if (keep && existsSync(join(work, 'serial.log'))) copyFileSync(join(work, 'serial.log'), join(keep, `${s.name}-serial.log`));
    rmSync(work, { recursive: true, force: true });
  });
  const net = await createBenchNet(s.name.slice(0, 2), s.octet);
  cleanups.push(() => net.cleanup());
  return { work, net };
}

/**
 * A whole run with nothing but the product on the bench side: `vetting serve`
 * in the server namespace, configured the way an operator does it (`vetting
 * settings set`), runs dnsmasq, iperf3 and the boot endpoint itself. The test
 * registers the host, starts a run, powers the machine on, and follows the run
 * (its boot steps and states) through the control API until it settles.
 */
async function fullRunScenario(s: Scenario & { fullRun: { expect: string } }): Promise<void> {
  const t0 = Date.now();
  const { work, net } = await scenarioBase(s);
  const dataDir = join(work, 'orchestrator');
  const vetting = (...args: string[]) => execa('ip', [...inNs(net.srvNs).slice(1), process.execPath, join(ROOT, 'bin/vetting.js'), ...args, '--data-dir', dataDir], { cwd: ROOT });
  const dhcp =
    s.dhcp === 'full'
      ? ['bench.dhcpMode=full', `bench.dhcpRange={"start":"10.231.${s.octet}.100","end":"10.231.${s.octet}.150","leaseTime":"1h"}`]
      : ['bench.dhcpMode=proxy', `bench.proxySubnet=${net.subnet}`];
  // Plain UEFI keeps iPXE; the Secure Boot machine gets the default, the signed chain.
  const uefiBoot = s.firmware === 'uefi' ? ['bench.uefiBoot=ipxe'] : [];
  const consoles = s.console ? [`bench.consoleOverrides=[{"host":"lab-${s.name}","console":"${s.console}"}]`] : [];
  await vetting('settings', 'set', `bench.interface=${net.srvIf}`, `bench.address=${net.srvAddr}`, `bench.imageDir=${IMAGE_DIR}`, ...dhcp, ...uefiBoot, ...consoles);

  const serve = execa('ip', [...inNs(net.srvNs).slice(1), process.execPath, join(ROOT, 'bin/vetting.js'), 'serve', '--data-dir', dataDir, '--json'], { cwd: ROOT, reject: false, all: true });
  cleanups.push(stopByPid(serve));
  const served = await new Promise<{ control: string; bench: string; token: string }>((resolveP, reject) => {
    const t = setTimeout(() => reject(new Error('vetting serve printed nothing in 60 s')), 60_000);
    createInterface({ input: serve.stdout! }).once('line', (l) => (clearTimeout(t), resolveP(JSON.parse(l) as { control: string; bench: string; token: string })));
    void serve.then((r) => reject(new Error(`vetting serve exited: ${String(r.all).slice(-2000)}`)));
  });
  await vetting('host', 'add', '--name', `lab-${s.name}`, '--mac', s.mac, '--profile', 'smoke', '--disk', 'LABNVME0001', '--disk', 'LABSATA0001');
  const started = JSON.parse((await vetting('run', 'start', '--host', `lab-${s.name}`, '--json')).stdout) as { run: number };
  if (s.dhcp === 'proxy') startPlainDhcp(s, net, work);
  const { qemuArgs, serialLog } = await machine(s, net, work);

  const follow = execa('ip', [...inNs(net.srvNs).slice(1), process.execPath, join(ROOT, 'test/lab/follow-run.mjs'), served.control, served.token, String(started.run)], { reject: false });
  cleanups.push(stopByPid(follow));
  const tPower = Date.now();
  const phases: [string, number][] = [['power on', tPower]];
  const qemu = execa('ip', [...inNs(net.cliNs).slice(1), 'qemu-system-x86_64', ...qemuArgs], { reject: false, stdin: 'ignore', stdout: { file: serialLog }, stderr: 'pipe' });
  cleanups.push(stopByPid(qemu, 'SIGKILL'));

  const RUN_TIMEOUT_MS = 15 * 60_000;
  const settled = await new Promise<{ state: string; failedStage: string | null; stages: unknown }>((resolveP, reject) => {
    const timer = setTimeout(() => reject(new Error(`${s.name}: the run did not settle in ${RUN_TIMEOUT_MS / 60_000} min; phases:\n${phases.map((p) => p[0]).join('\n')}\nserial tail:\n${tail(serialLog)}`)), RUN_TIMEOUT_MS);
    // A machine that stops before the run settles failed (a settled run has already resolved this).
    void qemu.then((r) => {
      setTimeout(() => reject(new Error(`${s.name}: QEMU exited (${r.exitCode ?? r.signal}) before the run settled: ${String(r.stderr).slice(-2000)}\nphases:\n${phases.map((p) => p[0]).join('\n')}\nserial tail:\n${tail(serialLog)}`)), 5000);
    });
    createInterface({ input: follow.stdout! }).on('line', (line) => {
      const e = JSON.parse(line) as { t: number; type: string; step?: string; detail?: string; at?: number; state?: string; failedStage?: string | null; stages?: unknown; message?: string };
      if (e.type === 'boot') phases.push([`boot ${e.step}: ${e.detail ?? ''}`.slice(0, 64), e.at!]);
      else if (e.type === 'state') {
        // The agent's hello is what moves a waiting run to Inventory.
        phases.push([e.state === 'Inventory' ? 'agent hello (run Inventory)' : `run ${e.state}`, e.t]);
        if (/^(Completed|FailedHolding|Abandoned|Released)$/.test(e.state!)) {
          clearTimeout(timer);
          resolveP({ state: e.state!, failedStage: e.failedStage ?? null, stages: e.stages });
        }
      }
    });
  });
  printPhases(s.name, phases, tPower, t0);
  expect(settled.state, JSON.stringify(settled.stages)).toBe(s.fullRun.expect);
  // The bench side saw the whole boot: firmware DHCP, the script, kernel, initrd, the agent.
  const steps = phases.filter(([n]) => n.startsWith('boot ')).map(([n]) => n.split(':')[0]!.slice(5));
  expect([...new Set(steps)]).toEqual(expect.arrayContaining(['dhcp', 'boot-script', 'kernel', 'initrd', 'agent-bundle']));
  if (s.firmware === 'uefi-secureboot') {
    // The firmware enforced Secure Boot and the kernel came through shim and GRUB, over TFTP.
    const serial = readFileSync(serialLog, 'utf8');
    expect(serial).toMatch(/vetting-init: \[[\d.]+\] firmware: UEFI, Secure Boot on/);
    expect(phases.map(([n]) => n)).toEqual(expect.arrayContaining([expect.stringMatching(/^boot boot-script: live image for lab-\S+ \(GRUB/), expect.stringMatching(/^boot initrd: .* over TFTP/)]));
  }
  // The image's init says which console the kernel was given (the last console= is /dev/console).
  if (s.console) expect(readFileSync(serialLog, 'utf8')).toMatch(new RegExp(`vetting-init: \\[[\\d.]+\\] agent bundle: .*; console ${s.console.replace(/[.,]/g, '\\$&')}\\b`));
  if (s.fullRun.expect === 'Completed') {
    const reportDir = join(dataDir, 'artifacts', `run-${started.run}`);
    expect(existsSync(join(reportDir, 'report.html'))).toBe(true);
    expect(existsSync(join(reportDir, 'report.json'))).toBe(true);
    // How far the run's estimated end was from its real end, at each state it entered (docs/performance.md, "ETA accuracy").
    printEtaErrors(s.name, JSON.parse((await vetting('run', 'show', String(started.run), '--json')).stdout) as RunShow);
    // A real emulated NVMe with real SMART was read and judged. A smoke run certifies nothing.
    const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as {
      verdict: { result: string; coverage: { stage: string; part: { id: string }; status: string }[] };
      image: { id: string; packages: { name: string }[] } | null;
    };
    expect(report.verdict.result).toBe('incomplete');
    const smart = report.verdict.coverage.filter((c) => c.stage === 'SMART' && c.status === 'tested').map((c) => c.part.id);
    expect(smart).toContain('LABNVME0001');
    // The report names the image the host booted, with its packages.
    expect(report.image?.id).toBe((JSON.parse(readFileSync(join(IMAGE_DIR, 'manifest.json'), 'utf8')) as { id: string }).id);
    expect(report.image?.packages.map((p) => p.name)).toEqual(expect.arrayContaining(['smartmontools', 'fio', 'stress-ng', 'ipmitool']));
    // Told to power off after Reporting: the machine stops by itself.
    const exit = await Promise.race([qemu.then(() => 'stopped'), new Promise((r) => setTimeout(() => r('still running'), 120_000))]);
    expect(exit, tail(serialLog)).toBe('stopped');
  } else expect(settled.failedStage).toBe('SMART');
}

async function bootScenario(s: Scenario): Promise<void> {
  const t0 = Date.now();
  const phases: [string, number][] = [];
  const mark = (name: string, at = Date.now()): void => {
    if (!phases.some(([n]) => n === name)) phases.push([name, at]);
  };
  const { work, net } = await scenarioBase(s);
  mark('namespaces');

  // ---- bench side: boot routes, dnsmasq, iperf3 in the server namespace ----
  const agentPath = join(work, 'agent.mjs');
  copyFileSync(s.realAgent ? REAL_AGENT : join(ROOT, 'test/lab/lab-agent.mjs'), agentPath);
  const benchArgs = [
    '--import',
    'tsx',
    join(ROOT, 'test/lab/lab-bench.ts'),
    '--data-dir',
    join(work, 'data'),
    '--interface',
    net.srvIf,
    '--address',
    net.srvAddr,
    '--dhcp-mode',
    s.dhcp,
    '--image-dir',
    IMAGE_DIR,
    '--agent',
    agentPath,
    '--waiting',
    `${s.mac}=lab-${s.name}`,
  ];
  if (s.realAgent) benchArgs.push('--agent-ws');
  if (s.dhcp === 'full') benchArgs.push('--dhcp-start', `10.231.${s.octet}.100`, '--dhcp-end', `10.231.${s.octet}.150`);
  else benchArgs.push('--proxy-subnet', net.subnet);
  const bench = execa(inNs(net.srvNs)[0]!, [...inNs(net.srvNs).slice(1), process.execPath, ...benchArgs], { cwd: ROOT, reject: false, stderr: 'inherit' });
  cleanups.push(stopByPid(bench));
  const events: BenchEvent[] = [];
  const waiters: { pred: (e: BenchEvent) => boolean; resolve: (e: BenchEvent) => void; reject: (err: Error) => void }[] = [];
  createInterface({ input: bench.stdout! }).on('line', (line) => {
    let e: BenchEvent;
    try {
      e = JSON.parse(line) as BenchEvent;
    } catch {
      console.log(`[bench] ${line}`);
      return;
    }
    events.push(e);
    for (const w of [...waiters]) {
      if (w.pred(e)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  });
  let machineFailure: Error | null = null;
  const waitEvent = (what: string, pred: (e: BenchEvent) => boolean, ms = BOOT_TIMEOUT_MS): Promise<BenchEvent> => {
    const found = events.find(pred);
    if (found) return Promise.resolve(found);
    if (machineFailure) return Promise.reject(machineFailure);
    return new Promise((resolveP, reject) => {
      const timer = setTimeout(() => reject(new Error(`${s.name}: no ${what} after ${ms / 1000} s; events:\n${events.map((e) => JSON.stringify(e)).join('\n')}\nserial tail:\n${serialTail()}`)), ms);
      waiters.push({ pred, resolve: (e) => (clearTimeout(timer), resolveP(e)), reject: (err) => (clearTimeout(timer), reject(err)) });
    });
  };
  const serialTail = (): string => tail(join(work, 'serial.log'));

  const listening = await waitEvent('bench listener', (e) => e.type === 'listening', 60_000);
  await waitEvent('dnsmasq running', (e) => e.type === 'service' && e.name === 'dnsmasq' && e.state === 'running', 30_000);
  await waitEvent('iperf3 running', (e) => e.type === 'service' && e.name === 'iperf3' && e.state === 'running', 30_000);
  mark('bench up');
  const benchUrl = String(listening.benchUrl);

  if (s.dhcp === 'proxy') startPlainDhcp(s, net, work);
  const { qemuArgs, serialLog } = await machine(s, net, work);
  const tPower = Date.now();
  mark('power on', tPower);
  const qemu = execa('ip', [...inNs(net.cliNs).slice(1), 'qemu-system-x86_64', ...qemuArgs], { reject: false, stdin: 'ignore', stdout: { file: serialLog }, stderr: 'pipe' });
  cleanups.push(stopByPid(qemu, 'SIGKILL'));
  let qemuExited = false;
  void qemu.then((r) => {
    qemuExited = true;
    // A machine that stops before the agent said hello failed to boot: end every wait now.
    if (!events.some((e) => e.type === 'hello' || e.type === 'agent-hello')) {
      const why = new Error(`${s.name}: QEMU exited (${r.exitCode ?? r.signal}) before the agent said hello: ${String(r.stderr).slice(-2000)}\nserial tail:\n${serialTail()}`);
      machineFailure = why;
      for (const w of waiters.splice(0)) w.reject(why);
    }
  });

  const mac = s.mac.toLowerCase();
  const firstDhcp = await waitEvent('firmware DHCP', (e) => e.type === 'dhcp' && e.mac === mac);
  mark('firmware DHCP', firstDhcp.t);
  const script = await waitEvent('iPXE script', (e) => e.type === 'http' && String(e.path).startsWith('/boot/ipxe') && e.status === 200);
  mark('iPXE script', script.t);
  // The live script names the host in the image paths (/boot/host/MAC/…): the path alone says whose download it is.
  const imagePath = (file: string) => `/boot/host/${mac.replace(/:/g, '-')}/${file}`;
  const kernel = await waitEvent('kernel download', (e) => e.type === 'http' && e.path === imagePath('vmlinuz') && e.status === 200);
  mark('kernel', kernel.t);
  const initrd = await waitEvent('initrd download', (e) => e.type === 'http' && e.path === imagePath('initrd.img') && e.status === 200);
  mark('initrd (image download)', initrd.t);
  if (s.dhcp === 'full') {
    // In proxy mode the other DHCP server leases the image its address; dnsmasq logs no MAC for it.
    const lease = await waitEvent('live image DHCP', (e) => e.type === 'dhcp' && e.mac === mac && e.client === 'other' && e.ip !== null);
    mark('live image lease', lease.t);
  }
  const agent = await waitEvent('agent bundle download', (e) => e.type === 'http' && String(e.path).startsWith('/boot/agent.mjs?') && e.status === 200);
  mark('agent bundle', agent.t);
  if (s.realAgent) {
    const agentHello = await waitEvent('real agent hello', (e) => e.type === 'agent-hello');
    mark('agent hello', agentHello.t);
    await Promise.race([qemu, new Promise((r) => setTimeout(r, 60_000))]);
    mark('rebooted (QEMU exits on reboot)');
    console.log(`[lab ${s.name}] phases from power-on:\n${phases.map(([n, at]) => `${n.padEnd(32)} +${((at - tPower) / 1000).toFixed(1).padStart(6)} s`).join('\n')}`);
    expect(agentHello.valid, String(agentHello.problem)).toBe(true);
    const h = agentHello.hello as { token: string; bootMac?: string | null; dmiSerial?: string | null };
    expect(h.token).toBe('lab-token-1');
    expect(h.bootMac?.toLowerCase()).toBe(mac);
    expect(h.dmiSerial).toBe('LAB0001');
    expect(qemuExited, `QEMU did not reboot; serial tail:\n${serialTail()}`).toBe(true);
    // The agent obeyed "reboot" by writing it to VETTING_POWER_FILE; init did the rest.
    expect(readFileSync(serialLog, 'utf8')).toMatch(/vetting-init: \[[\d.]+\] reboot/);
    return;
  }
  const hello = await waitEvent('lab agent hello', (e) => e.type === 'hello');
  mark('agent hello', hello.t);
  await Promise.race([qemu, new Promise((r) => setTimeout(r, 60_000))]);
  mark('powered off');

  const report = phases.map(([n, at]) => `${n.padEnd(26)} +${((at - tPower) / 1000).toFixed(1).padStart(6)} s`).join('\n');
  // The image's init stamps its lines with seconds since kernel start: its own phases.
  const initLines = [...readFileSync(serialLog, 'utf8').matchAll(/vetting-init: \[([\d.]+)\] (.*)/g)].map((m) => `  kernel +${Number(m[1]).toFixed(1).padStart(6)} s  ${m[2]!.slice(0, 70)}`);
  console.log(`[lab ${s.name}] phase times from power-on (setup took ${((tPower - t0) / 1000).toFixed(1)} s):\n${report}\n[lab ${s.name}] inside the image:\n${initLines.join('\n')}`);

  // ---- what the boot proved ----
  const body = hello.body as Record<string, unknown>;
  expect(body.argv).toEqual(['--poweroff']);
  expect(body.powerFile).toBe('/run/vetting-power');
  expect(String(body.node)).toMatch(/^v1[89]\./);
  const cmdline = String(body.cmdline);
  expect(cmdline).toContain(`vetting.url=${benchUrl.replace('http', 'ws')}/agent`);
  expect(cmdline).toContain('vetting.token=lab-token-1');
  expect(cmdline).toContain(`vetting.agent=${benchUrl}/boot/agent.mjs`);
  expect(cmdline).toContain(`vetting.sha256=${String(listening.agentSha)}`);
  expect(cmdline).toContain(`BOOTIF=01-${mac.replace(/:/g, '-')}`);
  expect(body.blocks).toEqual(expect.arrayContaining(['nvme0n1', 'sda']));
  expect((body.serials as Record<string, string | null>).nvme0n1).toBe('LABNVME0001');
  expect(body.product).toBe('PowerEdge R740');
  expect(body.vendor).toBe('Dell Inc.');
  expect(body.nvmeHealth).toBe(!s.nvmeCriticalWarning);
  expect(Number(body.iperfBps)).toBeGreaterThan(0);
  expect(Object.entries(body.tools as Record<string, boolean>).filter(([, ok]) => !ok)).toEqual([]);
  // The firmware's DHCP shows the architecture; the registered MAC is never a "new host".
  expect(firstDhcp.arch).toBe(s.firmware === 'bios' ? 'bios' : 'efi-x64');
  // UEFI: native PXE first, then iPXE (snponly.efi, loaded over TFTP) asks again.
  if (s.firmware === 'uefi') {
    expect(firstDhcp.client).toBe('pxe');
    expect(events.some((e) => e.type === 'dhcp' && e.mac === mac && e.client === 'ipxe')).toBe(true);
  }
  expect(events.filter((e) => e.type === 'seen')).toEqual([]);
  expect(events.filter((e) => e.type === 'problem')).toEqual([]);
  expect(qemuExited, `QEMU did not power off; serial tail:\n${serialTail()}`).toBe(true);
  expect(readFileSync(serialLog, 'utf8')).toMatch(/vetting-init: \[[\d.]+\] agent exited with status 0/);
}

describe('PXE lab (QEMU TCG in network namespaces)', () => {
  it('BIOS + full DHCP: iPXE ROM → boot script → live image → agent bundle → power off', async () => {
    await bootScenario({ name: 'bios-full', firmware: 'bios', dhcp: 'full', octet: 71, mac: '52:54:00:00:71:01' });
  });

  it('UEFI + proxy DHCP: OVMF PXE → snponly.efi → boot script → live image → agent bundle → power off', async () => {
    await bootScenario({ name: 'uefi-proxy', firmware: 'uefi', dhcp: 'proxy', octet: 72, mac: '52:54:00:00:72:01' });
  });

  it('the real agent bundle starts in the image, says hello with the command line token, and reboots when told', async () => {
    await ensureAgentBundle();
    await bootScenario({ name: 'real-agent', firmware: 'bios', dhcp: 'full', octet: 74, mac: '52:54:00:00:74:01', realAgent: true });
  });

  it('full run, BIOS + full DHCP: vetting serve + the real agent take the machine through every stage (smoke) to Completed', async () => {
    await ensureAgentBundle();
    await fullRunScenario({ name: 'full-bios', firmware: 'bios', dhcp: 'full', octet: 75, mac: '52:54:00:00:75:01', fullRun: { expect: 'Completed' } });
  });

  it('full run, UEFI + proxy DHCP: every stage (smoke) to Completed', async () => {
    await ensureAgentBundle();
    await fullRunScenario({ name: 'full-uefi', firmware: 'uefi', dhcp: 'proxy', octet: 76, mac: '52:54:00:00:76:01', fullRun: { expect: 'Completed' } });
  });

  it('full run, UEFI Secure Boot (OVMF, Microsoft keys) + full DHCP: shim → GRUB → signed kernel over TFTP, every stage (smoke) to Completed, console from the host override', async () => {
    await ensureAgentBundle();
    await fullRunScenario({ name: 'full-secureboot', firmware: 'uefi-secureboot', dhcp: 'full', octet: 78, mac: '52:54:00:00:78:01', console: 'ttyS0,57600', fullRun: { expect: 'Completed' } });
  });

  it('full run, NVMe with a critical warning: SMART fails and the run holds at FailedHolding', async () => {
    await ensureAgentBundle();
    await fullRunScenario({ name: 'full-nvmecrit', firmware: 'bios', dhcp: 'full', octet: 77, mac: '52:54:00:00:77:01', nvmeCriticalWarning: 2, fullRun: { expect: 'FailedHolding' } });
  });
});
