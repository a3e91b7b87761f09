import { createReadStream, statSync, type Stats } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MacAddress } from '../../../common/schema/primitives.ts';
import { locateImage } from './boot-files.ts';
import { askMacScript, liveBootScript, newHostScript, noRunScript } from './ipxe-script.ts';

// The boot endpoint on the bench listener: per-MAC iPXE scripts plus the files
// they load (kernel, initrd, agent bundle). Mounted by the bench HTTP server;
// returns false for anything outside /boot/ so the server can route it on.

export interface MacLookup {
  host: string;
  runWaiting: boolean;
}

/** The agent token for this boot (minted once per boot attempt), or why there is none. Opaque here. */
export type TokenAnswer = { token: string } | { refused: string };

export interface BootRoutesDeps {
  lookupMac(mac: string): MacLookup | null;
  /** Asked only once the live boot script can be served: issuing uses up the boot attempt. */
  issueToken(mac: string, ip: string | null): TokenAnswer;
  /** SHA-256 of the orchestrator's TLS public key: the agent pins it (vetting.pin=). */
  orchestratorPin?: () => string | null;
  recordSeen(mac: string, ip: string | null, arch: string | null, source: string): void;
  /** http://ADDRESS:PORT of the bench listener as the booting machine reaches it. */
  benchUrl: string;
  /** Live image directory; a function is asked on every request, so a changed setting applies at once. */
  imageDir: string | (() => string);
  agentBundle: { path: string; sha256: string };
  /** Agent WebSocket URL, when agents should not use ws://BENCH/agent (e.g. a separate listener). */
  agentWsUrl?: string;
  /** Extra kernel arguments for every live boot (e.g. vetting.debug=shell). */
  extraKernelArgs?: readonly string[];
  /** Called for every failed lookup or bad request, for the orchestrator's log. */
  onProblem?: (message: string) => void;
  /** A registered host's boot moved on: its live boot script was served, or a boot file was downloaded whole. */
  onBootStep?: (mac: string, step: BootFileStep, detail: string | null) => void;
}

export type BootFileStep = 'boot-script' | 'kernel' | 'initrd' | 'agent-bundle';

/** How many client addresses are remembered to tie kernel/initrd downloads to a MAC. */
const REMEMBERED_CLIENTS = 1024;

type Handler = (req: IncomingMessage, res: ServerResponse) => boolean;

export function bootRoutes(deps: BootRoutesDeps): Handler {
  const urls = { benchUrl: deps.benchUrl.replace(/\/+$/, '') };
  const imageDir = typeof deps.imageDir === 'function' ? deps.imageDir : () => deps.imageDir as string;
  const problem = (m: string): void => {
    try {
      deps.onProblem?.(m);
    } catch {
      // logging must not break booting
    }
  };
  // iPXE fetches the kernel and initrd from the address it fetched its live boot
  // script from; those requests carry no MAC, so the script's client address names it.
  const macByClient = new Map<string, string>();
  const step = (mac: string | null | undefined, name: BootFileStep, detail: string | null): void => {
    if (!mac) return;
    try {
      deps.onBootStep?.(mac, name, detail);
    } catch (err) {
      problem(`recording boot step ${name} for ${mac} failed: ${(err as Error).message}`);
    }
  };
  /** Reports a boot file as a step once it has been sent whole. */
  const stepWhenSent = (req: IncomingMessage, res: ServerResponse, mac: string | null | undefined, name: BootFileStep, path: string): void => {
    if (!mac || req.method !== 'GET') return;
    const started = Date.now();
    res.once('finish', () => {
      if (res.statusCode === 200) step(mac, name, `${formatSize(statOrNull(path)?.size ?? 0)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      else if (res.statusCode === 304) step(mac, name, 'unchanged since the last boot (cached)');
    });
  };

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://bench.invalid');
    if (!url.pathname.startsWith('/boot/')) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('only GET and HEAD are allowed on /boot/\n');
      return true;
    }
    try {
      switch (url.pathname) {
        case '/boot/ipxe':
          serveScript(req, res, bootScriptFor(url, req));
          return true;
        case '/boot/vmlinuz':
        case '/boot/initrd.img': {
          const image = locateImage(imageDir());
          if (!image.ok) return notFound(res, image.problem);
          const ip = clientIp(req);
          const [name, path] = url.pathname === '/boot/vmlinuz' ? (['kernel', image.files.kernel] as const) : (['initrd', image.files.initrd] as const);
          stepWhenSent(req, res, ip ? macByClient.get(ip) : null, name, path);
          serveFile(req, res, path, 'application/octet-stream', null);
          return true;
        }
        case '/boot/agent.mjs': {
          // The live image names its MAC (the kernel command line's agent URL carries it).
          const named = MacAddress.safeParse(url.searchParams.get('mac') ?? '');
          const ip = clientIp(req);
          stepWhenSent(req, res, named.success ? named.data : ip ? macByClient.get(ip) : null, 'agent-bundle', deps.agentBundle.path);
          serveFile(req, res, deps.agentBundle.path, 'text/javascript; charset=utf-8', deps.agentBundle.sha256);
          return true;
        }
        case '/boot/agent.mjs.sha256': {
          if (!statOrNull(deps.agentBundle.path)) return notFound(res, agentMissing(deps.agentBundle.path));
          serveScript(req, res, `${deps.agentBundle.sha256}  vetting-agent.mjs\n`, 'text/plain; charset=utf-8');
          return true;
        }
        default:
          return notFound(res, `no such boot file: ${url.pathname}`);
      }
    } catch (err) {
      problem(`boot request ${url.pathname} failed: ${(err as Error).message}`);
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`boot request failed: ${(err as Error).message}\n`);
      } else res.destroy();
      return true;
    }
  };

  function bootScriptFor(url: URL, req: IncomingMessage): string {
    const parsed = MacAddress.safeParse(url.searchParams.get('mac') ?? '');
    if (!parsed.success) return askMacScript(urls);
    const mac = parsed.data;
    const found = deps.lookupMac(mac);
    if (!found) {
      deps.recordSeen(mac, clientIp(req), archOf(url), 'ipxe');
      return newHostScript(mac, urls);
    }
    if (!found.runWaiting) return noRunScript(found.host, urls);
    if (!statOrNull(deps.agentBundle.path)) {
      problem(agentMissing(deps.agentBundle.path));
      return noRunScript(`${found.host} (agent bundle not built)`, urls);
    }
    if (!locateImage(imageDir()).ok) {
      problem(`host ${found.host} wants to boot but the live image is not built in ${imageDir()}`);
      return noRunScript(`${found.host} (live image not built)`, urls);
    }
    const ip = clientIp(req);
    const pin = deps.orchestratorPin?.() ?? undefined;
    // The bundle's hash is read once, for the check and the script alike.
    const params = { benchUrl: urls.benchUrl, host: found.host, mac, agentSha256: deps.agentBundle.sha256, extraArgs: deps.extraKernelArgs, agentWsUrl: deps.agentWsUrl, ...(pin ? { pin } : {}) };
    // Issuing a token uses up the boot attempt, so the script is made first with a stand-in:
    // a script that cannot be made (the bundle's hash unreadable, a bad kernel argument)
    // must not cost the host its boot.
    try {
      liveBootScript({ ...params, token: 'not-issued' });
    } catch (err) {
      problem(`boot script for ${found.host} (${mac}) cannot be made, no token issued: ${(err as Error).message}`);
      return noRunScript(`${found.host} (its boot script cannot be made: ${(err as Error).message})`, urls);
    }
    const issued = deps.issueToken(mac, ip);
    if ('refused' in issued) {
      problem(`boot script for ${found.host} (${mac}) from ${ip ?? '?'} served without a token: ${issued.refused}`);
      return noRunScript(`${found.host} (${issued.refused})`, urls);
    }
    const script = liveBootScript({ ...params, token: issued.token });
    if (ip) {
      macByClient.delete(ip);
      macByClient.set(ip, mac);
      if (macByClient.size > REMEMBERED_CLIENTS) macByClient.delete(macByClient.keys().next().value!);
    }
    step(mac, 'boot-script', `live image for ${found.host}, from ${ip ?? 'an unknown address'}`);
    return script;
  }
}

/** iPXE reports its platform (pcbios|efi) and build architecture in the poll URL. */
function archOf(url: URL): string | null {
  const platform = url.searchParams.get('platform');
  const buildarch = url.searchParams.get('buildarch') ?? '';
  if (platform === 'pcbios') return 'bios';
  if (platform === 'efi') {
    if (buildarch === 'x86_64') return 'efi-x64';
    if (buildarch === 'i386') return 'efi-ia32';
    if (buildarch === 'arm64') return 'efi-arm64';
    return 'efi';
  }
  return null;
}

function clientIp(req: IncomingMessage): string | null {
  const a = req.socket.remoteAddress;
  if (!a) return null;
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

function formatSize(bytes: number): string {
  return bytes >= 1024 ** 2 ? `${(bytes / 1024 ** 2).toFixed(1)} MiB` : `${Math.max(1, Math.round(bytes / 1024))} KiB`;
}

function agentMissing(path: string): string {
  return `agent bundle not built: ${path} is missing. Build it with: npm run build:agent`;
}

function notFound(res: ServerResponse, message: string): true {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`${message}\n`);
  return true;
}

function serveScript(req: IncomingMessage, res: ServerResponse, body: string, type = 'text/plain; charset=utf-8'): void {
  const buf = Buffer.from(body, 'utf8');
  // Scripts depend on the run state at this moment: never cache them.
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': buf.length, 'Cache-Control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : buf);
}

function statOrNull(path: string): Stats | null {
  try {
    const s = statSync(path);
    return s.isFile() ? s : null;
  } catch {
    return null;
  }
}

/**
 * Streams a file with validators: ETag (the content hash when known, else size
 * and mtime), Last-Modified, and no-cache so a client revalidates after the
 * image or bundle is rebuilt. Answers 304 to a matching conditional request.
 */
function serveFile(req: IncomingMessage, res: ServerResponse, path: string, type: string, sha256: string | null): void {
  const st = statOrNull(path);
  if (!st) {
    notFound(res, path.endsWith('.mjs') ? agentMissing(path) : `boot file missing: ${path}`);
    return;
  }
  const etag = sha256 ? `"${sha256}"` : `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
  const headers = {
    'Content-Type': type,
    ETag: etag,
    'Last-Modified': st.mtime.toUTCString(),
    'Cache-Control': 'no-cache',
    'Accept-Ranges': 'none',
  };
  const inm = req.headers['if-none-match'];
  const ims = req.headers['if-modified-since'];
  const notModified = inm !== undefined ? inm.split(',').some((t) => t.trim() === etag || t.trim() === '*') : ims !== undefined && Date.parse(ims) >= Math.floor(st.mtimeMs / 1000) * 1000;
  if (notModified) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': st.size });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(path);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
