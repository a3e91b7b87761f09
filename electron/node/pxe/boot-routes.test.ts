import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bootService, type BootService, type MacLookup, type ServedImage } from './boot-routes.ts';

const registered: Record<string, MacLookup> = {
  '52:54:00:00:07:01': { host: 'pve-node-7', runWaiting: true },
  '52:54:00:00:07:02': { host: 'pve-node-8', runWaiting: false },
  '52:54:00:00:07:03': { host: 'gpu-node', runWaiting: true, console: 'ttyS1,115200n8', flavour: 'gpu' },
};
const seen: unknown[][] = [];
const steps: [string, string, string | null][] = [];
const images: ServedImage[] = [];
let service: BootService;
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
  service = bootService({
    lookupMac: (mac) => registered[mac] ?? null,
    issueToken: () => ({ token: 'tok_Abc-123.xyz' }),
    recordSeen: (...args) => seen.push(args),
    onBootStep: (mac, step, detail, image) => {
      steps.push([mac, step, detail]);
      if (image) images.push(image);
    },
    benchUrl: 'http://10.9.8.1:8069/',
    imageDir,
    agentBundle: { path: join(dir, 'agent.mjs'), sha256: agentSha },
    tftp: { address: '10.9.8.1', port: 8069 },
  });
  const handler = service.http;
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
    expect(kernel).toContain('kernel http://10.9.8.1:8069/boot/host/52-54-00-00-07-01/vmlinuz initrd=initrd.img ');
    expect(kernel).toContain(' vetting.url=ws://10.9.8.1:8069/agent ');
    expect(kernel).toContain(' vetting.token=tok_Abc-123.xyz ');
    expect(kernel).toContain(' vetting.agent=http://10.9.8.1:8069/boot/agent.mjs?mac=52:54:00:00:07:01 ');
    expect(kernel).toContain(` vetting.sha256=${agentSha} `);
    expect(kernel).toContain('console=ttyS0,115200n8');
    expect(kernel).toContain(' BOOTIF=01-52-54-00-00-07-01 ');
    expect(lines).toContain('initrd http://10.9.8.1:8069/boot/host/52-54-00-00-07-01/initrd.img || goto failed');
    expect(seen).toEqual([]);
    expect(steps.splice(0)).toEqual([['52:54:00:00:07:01', 'boot-script', 'live image for pve-node-7, from 127.0.0.1']]);
  });

  it('reports each boot file sent whole as a step of the host its path names (or, for a path without one, of the address its script went to)', async () => {
    // The live script names the host in the kernel and initrd paths; the agent URL names the MAC.
    await get('/boot/host/52-54-00-00-07-01/vmlinuz');
    await get('/boot/host/52-54-00-00-07-01/initrd.img', { method: 'HEAD' }); // a HEAD is no download
    await get('/boot/host/52-54-00-00-07-01/initrd.img');
    // Behind NAT another host shares the address: its own path still names it.
    await get('/boot/host/52-54-00-00-07-02/initrd.img');
    await get('/boot/host/52%3A54%3A00%3A00%3A07%3A01/vmlinuz'); // colons as iPXE would encode them
    await get('/boot/initrd.img'); // no MAC in the path: the address
    await get('/boot/agent.mjs?mac=52:54:00:00:07:09');
    await get('/boot/agent.mjs?mac=bogus'); // falls back to the address
    // The server sees a response finish just after the client has read it all.
    await vi.waitFor(() => expect(steps).toHaveLength(7));
    expect(steps.splice(0)).toEqual([
      ['52:54:00:00:07:01', 'kernel', expect.stringMatching(/^4 KiB in \d+\.\d s$/)],
      ['52:54:00:00:07:01', 'initrd', expect.stringMatching(/^10 KiB in \d+\.\d s$/)],
      ['52:54:00:00:07:02', 'initrd', expect.stringMatching(/^10 KiB in \d+\.\d s$/)],
      ['52:54:00:00:07:01', 'kernel', expect.stringMatching(/^4 KiB in \d+\.\d s$/)],
      ['52:54:00:00:07:01', 'initrd', expect.stringMatching(/^10 KiB in \d+\.\d s$/)],
      ['52:54:00:00:07:09', 'agent-bundle', expect.stringMatching(/^1 KiB in /)],
      ['52:54:00:00:07:01', 'agent-bundle', expect.stringMatching(/^1 KiB in /)],
    ]);
  });

  it('a host whose image flavour is not built boots the base image, and says so', async () => {
    const problems: string[] = [];
    const s = bootService({
      lookupMac: (mac) => registered[mac] ?? null,
      issueToken: () => ({ token: 'tok_Abc-123.xyz' }),
      recordSeen: () => undefined,
      benchUrl: 'http://10.9.8.1:8069',
      imageDir: join(dir, 'image'),
      agentBundle: { path: join(dir, 'agent.mjs'), sha256: agentSha },
      onProblem: (m) => problems.push(m),
    });
    const script = s.tftp('vetting/52:54:00:00:07:03.cfg', '10.9.8.50');
    expect(script).toBeNull(); // no tftp settings: GRUB gets nothing
    const res = { writeHead: () => undefined, end: (b: Buffer) => (body = String(b)), once: () => undefined } as never;
    let body = '';
    s.http({ url: '/boot/ipxe?mac=52:54:00:00:07:03', method: 'GET', socket: { remoteAddress: '10.9.8.50' } } as never, res);
    expect(body).toContain('kernel http://10.9.8.1:8069/boot/host/52-54-00-00-07-03/vmlinuz ');
    expect(body).toContain(' console=ttyS1,115200n8 ');
    expect(problems.join('\n')).toMatch(/gpu-node should boot the gpu image, which is not built .*VETTING_IMAGE_FLAVOURS=base,gpu/);
  });

  it('Secure Boot chain: GRUB gets the same answers over TFTP, then the kernel and initrd, recorded as steps with the image', async () => {
    const imageDir = join(dir, 'image');
    images.splice(0);
    writeFileSync(join(imageDir, 'manifest.json'), JSON.stringify({ id: '0123456789abcdef', flavour: 'base' }));
    const cfg = service.tftp('vetting/52:54:00:00:07:01.cfg', '10.9.8.77');
    expect(cfg && 'data' in cfg).toBe(true);
    const text = (cfg as { data: Buffer }).data.toString();
    expect(text).toMatch(/^linux \(tftp,10\.9\.8\.1:8069\)\/boot\/host\/52-54-00-00-07-01\/vmlinuz vetting\.url=ws:\/\/10\.9\.8\.1:8069\/agent vetting\.token=tok_Abc-123\.xyz /m);
    expect(text).toContain('initrd (tftp,10.9.8.1:8069)/boot/host/52-54-00-00-07-01/initrd.img');
    expect(steps.splice(0)).toEqual([['52:54:00:00:07:01', 'boot-script', 'live image for pve-node-7 (GRUB, signed chain), from 10.9.8.77']]);
    expect(service.tftp('boot/host/52-54-00-00-07-01/vmlinuz', '10.9.8.77')).toEqual({ file: join(imageDir, 'vmlinuz') });
    expect(service.tftp('/boot/initrd.img', '10.9.8.77')).toEqual({ file: join(imageDir, 'initrd.img') });
    service.tftpSent({ path: 'boot/host/52-54-00-00-07-01/initrd.img', client: '10.9.8.77', bytes: 10_000, ms: 2500 });
    service.tftpSent({ path: 'boot/initrd.img', client: '10.9.8.99', bytes: 10_000, ms: 2500 }); // no MAC, nobody we know
    expect(steps.splice(0)).toEqual([['52:54:00:00:07:01', 'initrd', '10 KiB in 2.5 s over TFTP (image 0123456789abcdef, base)']]);
    expect(images.splice(0)).toEqual([{ dir: imageDir, flavour: 'base', id: '0123456789abcdef' }]);
    // Unknown MAC: seen, and a waiting configuration; anything else: not found.
    const nh = service.tftp('vetting/52:54:00:aa:bb:01.cfg', '10.9.8.78') as { data: Buffer };
    expect(nh.data.toString()).toContain('Vetting: new host 52:54:00:aa:bb:01');
    expect(seen.splice(0)).toEqual([['52:54:00:aa:bb:01', '10.9.8.78', 'efi-x64', 'grub']]);
    expect(service.tftp('etc/passwd', '10.9.8.77')).toBeNull();
    expect(service.tftp('vetting/../../x.cfg', '10.9.8.77')).toBeNull();
    rmSync(join(imageDir, 'manifest.json'));
  });

  it('Secure Boot chain: the token is asked per boot attempt like iPXE, a refusal gets a waiting configuration, and the pin reaches the command line', () => {
    const asked: [string, string | null][] = [];
    const problems: string[] = [];
    let answer: { token: string } | { refused: string } = { token: 'tok_once' };
    const s = bootService({
      lookupMac: (mac) => registered[mac] ?? null,
      issueToken: (mac, ip) => (asked.push([mac, ip]), answer),
      orchestratorPin: () => `sha256:${'ab'.repeat(32)}`,
      recordSeen: () => undefined,
      benchUrl: 'http://10.9.8.1:8069',
      imageDir: join(dir, 'image'),
      agentBundle: { path: join(dir, 'agent.mjs'), sha256: agentSha },
      onProblem: (m) => problems.push(m),
      tftp: { address: '10.9.8.1', port: 8069 },
    });
    const live = (s.tftp('vetting/52:54:00:00:07:01.cfg', '10.9.8.77') as { data: Buffer }).data.toString();
    expect(live).toMatch(/^linux \S+ .*vetting\.token=tok_once .*vetting\.pin=sha256:(ab){32} /m);
    answer = { refused: 'the agent token of this boot was already handed out' };
    const again = (s.tftp('vetting/52:54:00:00:07:01.cfg', '10.9.8.77') as { data: Buffer }).data.toString();
    expect(again).not.toMatch(/^linux\b/m);
    expect(again).toContain('already handed out');
    expect(asked).toEqual([['52:54:00:00:07:01', '10.9.8.77'], ['52:54:00:00:07:01', '10.9.8.77']]);
    expect(problems.join('\n')).toMatch(/boot config for pve-node-7 \(52:54:00:00:07:01\) from 10\.9\.8\.77 served without a token/);
    // No run waiting: no token is asked for (asking uses up the attempt).
    s.tftp('vetting/52:54:00:00:07:02.cfg', '10.9.8.78');
    expect(asked).toHaveLength(2);
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
      const { http: handler } = bootService({
        lookupMac: () => ({ host: 'pve-node-9', runWaiting: true }),
        issueToken: (mac: string) => {
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
        onProblem: (m: string) => problems.push(m),
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
