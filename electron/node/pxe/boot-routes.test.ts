import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bootRoutes, type MacLookup } from './boot-routes.ts';

const registered: Record<string, MacLookup> = {
  '52:54:00:00:07:01': { host: 'pve-node-7', runWaiting: true },
  '52:54:00:00:07:02': { host: 'pve-node-8', runWaiting: false },
};
const seen: unknown[][] = [];
const steps: [string, string, string | null][] = [];
let dir: string;
let server: Server;
let base: string;
const agentBody = 'console.log("agent");\n';
const agentSha = createHash('sha256').update(agentBody).digest('hex');

function get(path: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vetting-boot-'));
  writeFileSync(join(dir, 'agent.mjs'), agentBody);
  const imageDir = join(dir, 'image');
  const handler = bootRoutes({
    lookupMac: (mac) => registered[mac] ?? null,
    issueToken: () => ({ token: 'tok_Abc-123.xyz' }),
    recordSeen: (...args) => seen.push(args),
    onBootStep: (mac, step, detail) => steps.push([mac, step, detail]),
    benchUrl: 'http://10.9.8.1:8069/',
    imageDir,
    agentBundle: { path: join(dir, 'agent.mjs'), sha256: agentSha },
  });
  server = createServer((req, res) => {
    if (!handler(req, res)) {
      res.writeHead(418);
      res.end('not mine');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('boot routes', () => {
  it('leaves paths outside /boot/ to the server', async () => {
    expect((await get('/agent')).status).toBe(418);
  });

  it('says the image is not built, with the command that builds it', async () => {
    const r = await get('/boot/vmlinuz');
    expect(r.status).toBe(404);
    expect(r.body).toMatch(/live image not built: .*vmlinuz.* image\/build-image\.sh/);
    // A waiting host does not get a boot script that would fail half way.
    const s = await get('/boot/ipxe?mac=52:54:00:00:07:01');
    expect(s.body).toContain('(live image not built)');
    expect(s.body).not.toContain('kernel ');
  });

  it('boots a registered host with a waiting run: kernel + initrd over HTTP and the agent command line', async () => {
    // From here on the image exists (tests in a file run in order).
    const imageDir = join(dir, 'image');
    mkdirSync(imageDir, { recursive: true });
    writeFileSync(join(imageDir, 'vmlinuz'), Buffer.alloc(4096, 1));
    writeFileSync(join(imageDir, 'initrd.img'), Buffer.alloc(10_000, 2));
    const r = await get('/boot/ipxe?mac=52-54-00-00-07-01');
    expect(r.status).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(Number(r.headers['content-length'])).toBe(Buffer.byteLength(r.body));
    const lines = r.body.split('\n');
    expect(lines[0]).toBe('#!ipxe');
    const kernel = lines.find((l) => l.startsWith('kernel '))!;
    expect(kernel).toContain('kernel http://10.9.8.1:8069/boot/vmlinuz initrd=initrd.img ');
    expect(kernel).toContain(' vetting.url=ws://10.9.8.1:8069/agent ');
    expect(kernel).toContain(' vetting.token=tok_Abc-123.xyz ');
    expect(kernel).toContain(' vetting.agent=http://10.9.8.1:8069/boot/agent.mjs?mac=52:54:00:00:07:01 ');
    expect(kernel).toContain(` vetting.sha256=${agentSha} `);
    expect(kernel).toContain('console=ttyS0,115200n8');
    expect(kernel).toContain('BOOTIF=01-${net0/mac:hexhyp}');
    expect(lines).toContain('initrd http://10.9.8.1:8069/boot/initrd.img || goto failed');
    expect(seen).toEqual([]);
    expect(steps.splice(0)).toEqual([['52:54:00:00:07:01', 'boot-script', 'live image for pve-node-7, from 127.0.0.1']]);
  });

  it('reports each boot file sent whole as a step of the host that fetched its boot script', async () => {
    // iPXE fetches kernel and initrd from the address its script went to; the agent URL names the MAC.
    await get('/boot/vmlinuz');
    await get('/boot/initrd.img', { method: 'HEAD' }); // a HEAD is no download
    await get('/boot/initrd.img');
    await get('/boot/agent.mjs?mac=52:54:00:00:07:09');
    await get('/boot/agent.mjs?mac=bogus'); // falls back to the address
    // The server sees a response finish just after the client has read it all.
    await vi.waitFor(() => expect(steps).toHaveLength(4));
    expect(steps.splice(0)).toEqual([
      ['52:54:00:00:07:01', 'kernel', expect.stringMatching(/^4 KiB in \d+\.\d s$/)],
      ['52:54:00:00:07:01', 'initrd', expect.stringMatching(/^10 KiB in \d+\.\d s$/)],
      ['52:54:00:00:07:09', 'agent-bundle', expect.stringMatching(/^1 KiB in /)],
      ['52:54:00:00:07:01', 'agent-bundle', expect.stringMatching(/^1 KiB in /)],
    ]);
  });

  it('unknown MAC: records it as seen and waits, booting nothing', async () => {
    const r = await get('/boot/ipxe?mac=52:54:00:aa:bb:cc&platform=efi&buildarch=x86_64');
    expect(r.body).toContain('echo Vetting: new host 52:54:00:aa:bb:cc');
    expect(r.body).not.toMatch(/^(kernel|initrd|boot)\b/m);
    expect(r.body).toMatch(/^chain --replace --autofree http:\/\/10\.9\.8\.1:8069\/boot\/ipxe\?mac=\$\{net0\/mac\}/m);
    expect(seen).toEqual([['52:54:00:aa:bb:cc', '127.0.0.1', 'efi-x64', 'ipxe']]);
  });

  it('registered host without a waiting run: message and poll', async () => {
    const r = await get('/boot/ipxe?mac=52:54:00:00:07:02&platform=pcbios');
    expect(r.body).toContain('host pve-node-8 has no run waiting');
    expect(r.body).not.toMatch(/^kernel\b/m);
  });

  it('a request without a usable MAC gets a script that asks again with the MAC filled in', async () => {
    for (const q of ['', '?mac=${net0/mac}', '?mac=zz']) {
      const r = await get(`/boot/ipxe${q}`);
      expect(r.body).toBe('#!ipxe\nchain --replace --autofree http://10.9.8.1:8069/boot/ipxe?mac=${net0/mac}&platform=${platform}&buildarch=${buildarch}\n');
    }
  });

  it('serves the image files with length, validators and caching headers; HEAD and 304 work', async () => {
    const r = await get('/boot/initrd.img');
    expect(r.status).toBe(200);
    expect(r.headers['content-length']).toBe('10000');
    expect(r.body.length).toBe(10_000);
    expect(r.headers['cache-control']).toBe('no-cache');
    expect(r.headers['last-modified']).toMatch(/GMT$/);
    const etag = r.headers.etag as string;
    expect(etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    const head = await get('/boot/initrd.img', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('10000');
    expect(head.body).toBe('');
    const again = await get('/boot/initrd.img', { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    const k = await get('/boot/vmlinuz');
    expect(k.headers['content-length']).toBe('4096');
  });

  it('serves the agent bundle with its sha256 as ETag, and the checksum file', async () => {
    const r = await get('/boot/agent.mjs');
    expect(r.body).toBe(agentBody);
    expect(r.headers.etag).toBe(`"${agentSha}"`);
    expect(r.headers['content-type']).toMatch(/javascript/);
    const s = await get('/boot/agent.mjs.sha256');
    expect(s.body).toBe(`${agentSha}  vetting-agent.mjs\n`);
  });

  it('rejects other methods and unknown boot paths clearly', async () => {
    const post = await get('/boot/ipxe', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const nf = await get('/boot/../../etc/passwd');
    expect(nf.status).toBe(418); // URL normalisation leaves /etc/passwd, which is not ours
    const unknown = await get('/boot/pxelinux.0');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain('no such boot file: /boot/pxelinux.0');
  });
});

describe('a boot script that cannot be made', () => {
  it('uses up no boot attempt: no token is issued until the script can be served whole', async () => {
    const d = mkdtempSync(join(tmpdir(), 'vetting-boot-'));
    try {
      writeFileSync(join(d, 'agent.mjs'), agentBody);
      mkdirSync(join(d, 'image'));
      writeFileSync(join(d, 'image', 'vmlinuz'), Buffer.alloc(4096, 1));
      writeFileSync(join(d, 'image', 'initrd.img'), Buffer.alloc(4096, 2));
      let sha256 = ''; // the bundle's hash could not be read (e.g. the file was being replaced)
      const issued: string[] = [];
      const problems: string[] = [];
      const handler = bootRoutes({
        lookupMac: () => ({ host: 'pve-node-9', runWaiting: true }),
        issueToken: (mac) => {
          issued.push(mac);
          return { token: 'tok_once' };
        },
        recordSeen: () => undefined,
        benchUrl: 'http://10.9.8.1:8069',
        imageDir: join(d, 'image'),
        agentBundle: {
          path: join(d, 'agent.mjs'),
          get sha256() {
            return sha256;
          },
        },
        onProblem: (m) => problems.push(m),
      });
      const one = createServer((req, res) => void handler(req, res));
      await new Promise<void>((r) => one.listen(0, '127.0.0.1', r));
      const at = `http://127.0.0.1:${(one.address() as AddressInfo).port}/boot/ipxe?mac=52:54:00:00:07:09`;
      try {
        const refused = await fetch(at);
        const body = await refused.text();
        expect(refused.status).toBe(200);
        expect(body).toMatch(/host pve-node-9 \(its boot script cannot be made: agent bundle sha256 is not 64 lower-case hex digits\) has no run waiting/);
        expect(body).not.toMatch(/vetting\.token=/);
        expect(issued).toEqual([]);
        expect(problems).toEqual([expect.stringMatching(/no token issued/)]);
        // Once the hash can be read, the same boot attempt gives its one token.
        sha256 = agentSha;
        const served = await (await fetch(at)).text();
        expect(served).toContain(' vetting.token=tok_once ');
        expect(served).toContain(` vetting.sha256=${agentSha} `);
        expect(issued).toEqual(['52:54:00:00:07:09']);
      } finally {
        await new Promise((r) => one.close(r));
      }
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
