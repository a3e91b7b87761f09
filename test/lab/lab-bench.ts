import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';
import { Hello } from '../../common/schema/protocol.ts';
import { Settings } from '../../common/schema/api.ts';
import { bootRoutes } from '../../electron/node/pxe/boot-routes.ts';
import { createDnsmasqService } from '../../electron/node/pxe/dnsmasq-service.ts';
import { createIperfService } from '../../electron/node/services/iperf-service.ts';
import { minimalWelcome } from '../support/welcome.ts';

// A stand-in bench side for the boot-level lab test, run inside the server
// namespace (`ip netns exec NS node --import tsx test/lab/lab-bench.ts …`):
// the real boot routes, dnsmasq and iperf3 supervisors, and a /lab/hello
// endpoint the lab agent bundle calls from inside the live image. Every event is
// one JSON line on stdout, so the test can follow the boot step by step.

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    interface: { type: 'string' },
    address: { type: 'string' },
    'dhcp-mode': { type: 'string' },
    'dhcp-start': { type: 'string' },
    'dhcp-end': { type: 'string' },
    'proxy-subnet': { type: 'string' },
    'iperf-port': { type: 'string', default: '5201' },
    'image-dir': { type: 'string' },
    agent: { type: 'string' },
    /** MAC=HOST of the machine that has a run waiting. */
    waiting: { type: 'string' },
    token: { type: 'string', default: 'lab-token-1' },
    /** Accept the real agent's WebSocket at /agent: check its hello, then tell it to reboot. */
    'agent-ws': { type: 'boolean', default: false },
  },
  strict: true,
});

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ t: Date.now(), ...event })}\n`);
}

const need = (k: keyof typeof values): string => {
  const v = values[k];
  if (typeof v !== 'string' || v === '') throw new Error(`--${k} is required`);
  return v;
};

const [waitingMac, waitingHost] = need('waiting').split('=') as [string, string];
const agentPath = need('agent');
const agentSha = createHash('sha256').update(readFileSync(agentPath)).digest('hex');
const bench = Settings.parse({
  bench: {
    interface: need('interface'),
    address: need('address'),
    dhcpMode: need('dhcp-mode'),
    dhcpRange: values['dhcp-start'] ? { start: values['dhcp-start'], end: need('dhcp-end'), leaseTime: '1h' } : null,
    proxySubnet: values['proxy-subnet'] ?? null,
    iperfPort: Number(values['iperf-port']),
    // The boot-level scenarios check the iPXE chains; the Secure Boot chain has a full-run scenario.
    uefiBoot: 'ipxe',
  },
}).bench;

let helloCount = 0;
// Boot routes are built once the listening port (part of every boot URL) is known.
let handler: ReturnType<typeof bootRoutes> | null = null;
const server = createServer((req, res) => {
  const started = Date.now();
  res.on('finish', () => emit({ type: 'http', method: req.method, path: req.url, status: res.statusCode, ms: Date.now() - started, bytes: Number(res.getHeader('content-length') ?? 0) }));
  if (req.method === 'POST' && req.url === '/lab/hello') {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      helloCount += 1;
      let body: unknown = null;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = { unparsable: Buffer.concat(chunks).toString('utf8').slice(0, 2000) };
      }
      emit({ type: 'hello', body });
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok\n');
    });
    return;
  }
  if (!handler?.(req, res)) {
    res.writeHead(404);
    res.end('not found\n');
  }
});

if (values['agent-ws']) {
  // Just enough of the orchestrator's side to prove the real agent runs in the image:
  // its first message must be a valid hello carrying the token from the command line.
  const wss = new WebSocketServer({ server, path: '/agent' });
  wss.on('connection', (ws) => {
    ws.once('message', (data) => {
      let hello: unknown = null;
      try {
        hello = JSON.parse(String(data));
      } catch {
        // reported below as invalid
      }
      const parsed = Hello.safeParse(hello);
      helloCount += 1;
      emit({ type: 'agent-hello', valid: parsed.success, hello, problem: parsed.success ? null : parsed.error.message });
      // The agent obeys directives only after a welcome: a minimal one, no disks, then "reboot".
      const welcome = minimalWelcome({ host: waitingHost, artifactUrl: 'http://invalid.invalid/artifacts', lastSeq: 0 });
      ws.send(JSON.stringify(welcome));
      ws.send(JSON.stringify({ type: 'shutdown', action: 'reboot', reason: 'lab: boot-level test done' }));
    });
  });
}

server.listen(0, bench.address, () => {
  const port = (server.address() as AddressInfo).port;
  const benchUrl = `http://${bench.address}:${port}`;
  handler = bootRoutes({
    lookupMac: (mac) => (mac === waitingMac.toLowerCase() ? { host: waitingHost, runWaiting: helloCount === 0 } : null),
    issueToken: () => ({ token: values.token! }),
    recordSeen: (mac, ip, arch, source) => emit({ type: 'seen', mac, ip, arch, source }),
    benchUrl,
    imageDir: need('image-dir'),
    agentBundle: { path: agentPath, sha256: agentSha },
    onProblem: (message) => emit({ type: 'problem', message }),
  });
  const dnsmasq = createDnsmasqService({ dataDir: need('data-dir'), bench, benchUrl, onHostSeen: (e) => emit({ type: 'dhcp', ...e }) });
  const iperf = createIperfService({ address: bench.address, port: bench.iperfPort });
  for (const svc of [dnsmasq, iperf]) {
    svc.on('state', (state: string) => emit({ type: 'service', name: svc.name, state, lastError: svc.lastError, pid: svc.pid }));
    svc.start();
  }
  emit({ type: 'listening', benchUrl, agentSha });
  const shutdown = (): void => {
    void Promise.all([dnsmasq.stop(), iperf.stop()]).then(() => {
      emit({ type: 'stopped' });
      process.exit(0);
    });
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
});
