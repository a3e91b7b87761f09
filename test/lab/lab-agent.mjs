// Stand-in agent bundle for the boot-level lab test. Runs inside the live image
// (Node 18) exactly where the real agent would: it reports what the image sees
// (kernel command line, disks, SMBIOS, tool versions, an iperf3 run against the
// bench) to /lab/hello on the bench listener, then exits, after which the
// image's init powers the machine off.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';

const cmdline = readFileSync('/proc/cmdline', 'utf8').trim();
const arg = (k) => (new RegExp(`(?:^|\\s)${k.replace('.', '\\.')}=(\\S+)`).exec(cmdline) ?? [])[1] ?? null;
const agentUrl = new URL(arg('vetting.agent'));

function run(cmd, args) {
  try {
    return { ok: true, out: execFileSync(cmd, args, { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (err) {
    return { ok: false, status: err.status ?? null, out: String(err.stdout ?? ''), err: String(err.stderr ?? err.message).slice(0, 500) };
  }
}
const read = (p) => {
  try {
    return readFileSync(p, 'utf8').trim();
  } catch {
    return null;
  }
};

const iperf = run('iperf3', ['-c', agentUrl.hostname, '-p', process.env.LAB_IPERF_PORT ?? '5201', '-t', '1', '-J']);
let iperfBps = null;
try {
  iperfBps = JSON.parse(iperf.out).end.sum_received.bits_per_second;
} catch {
  // reported as null
}
const nvme = run('smartctl', ['-j', '-H', '/dev/nvme0']);
let nvmeHealth = null;
try {
  nvmeHealth = JSON.parse(nvme.out).smart_status?.passed ?? null;
} catch {
  // reported as null
}

const body = JSON.stringify({
  argv: process.argv.slice(2),
  node: process.version,
  powerFile: process.env.VETTING_POWER_FILE ?? null,
  cmdline,
  blocks: readdirSync('/sys/block'),
  serials: Object.fromEntries(readdirSync('/sys/block').map((b) => [b, read(`/sys/block/${b}/device/serial`)])),
  product: read('/sys/class/dmi/id/product_name'),
  vendor: read('/sys/class/dmi/id/sys_vendor'),
  iperfBps,
  nvmeHealth,
  tools: Object.fromEntries(['smartctl', 'stress-ng', 'stressapptest', 'fio', 'lshw', 'dmidecode', 'nvme', 'ethtool', 'ipmitool', 'edac-util', 'badblocks', 'lspci', 'dmesg'].map((t) => [t, run('sh', ['-c', `command -v ${t}`]).ok])),
});

const req = http.request(new URL('/lab/hello', agentUrl), { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
  res.resume();
  res.on('end', () => process.exit(0));
});
req.on('error', (err) => {
  console.error(`lab agent: hello failed: ${err.message}`);
  process.exit(1);
});
req.end(body);
