import { createReadStream, statSync, type Stats } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MacAddress } from '../../../common/schema/primitives.ts';
import { parseImageFilePath, type ImageFlavour, type LiveBootParams } from './boot-args.ts';
import { locateImage, readImageId, type LocatedImage } from './boot-files.ts';
import { GRUB_HOST_CONFIG_DIR, grubLiveConfig, grubNewHostConfig, grubNoRunConfig, type GrubTftp } from './grub-config.ts';
import { askMacScript, liveBootScript, newHostScript, noRunScript } from './ipxe-script.ts';
import type { TftpSource, TftpTransfer } from './tftp-server.ts';

// The boot endpoint on the bench listener: per-MAC iPXE scripts plus the files
// they load (kernel, initrd, agent bundle). Mounted by the bench HTTP server;
// returns false for anything outside /boot/ so the server can route it on.
// The same answers in GRUB's language go out over TFTP for the Secure Boot
// chain (bootService().tftp, served by tftp-server.ts on the bench port).

export interface MacLookup {
  host: string;
  runWaiting: boolean;
  /** The host's serial console (the bench's, or the host's own override); default ttyS0,115200n8. */
  console?: string;
  /** Which image the host boots (gpu when its spec lists GPUs); default base. */
  flavour?: ImageFlavour;
}

/** The image a kernel or initrd download came from, so the run can keep its manifest. */
export interface ServedImage {
  dir: string;
  flavour: ImageFlavour;
  /** manifest.json's id (image/lib/image-manifest.js), null for an image built without one. */
  id: string | null;
}

/** The agent token for this boot (minted once per boot attempt), or why there is none. Opaque here. */
export type TokenAnswer = { token: string } | { refused: string };

export interface BootRoutesDeps {
  lookupMac(mac: string): MacLookup | null;
  /** Asked only once the live boot script (or GRUB config) can be served: issuing uses up the boot attempt. */
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
  /** A registered host's boot moved on: its live boot script was served, or a boot file was downloaded whole (kernel and initrd name their image). */
  onBootStep?: (mac: string, step: BootFileStep, detail: string | null, image?: ServedImage) => void;
  /** Where GRUB reaches the orchestrator's TFTP server (the Secure Boot chain); without it, TFTP requests find nothing. */
  tftp?: GrubTftp;
}

export type BootFileStep = 'boot-script' | 'kernel' | 'initrd' | 'agent-bundle';

/** How many client addresses are remembered to tie kernel/initrd downloads to a MAC. */
const REMEMBERED_CLIENTS = 1024;

type Handler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** The HTTP side alone (iPXE), for a bench listener without the Secure Boot chain. */
export function bootRoutes(deps: BootRoutesDeps): Handler {
  return bootService(deps).http;
}

export interface BootService {
  /** /boot/* on the bench listener. */
  http: Handler;
  /** Answers GRUB's TFTP read requests (tftp-server.ts resolve). */
  tftp(path: string, client: string): TftpSource | null;
  /** tftp-server.ts onSent: records kernel and initrd downloads as boot steps. */
  tftpSent(t: TftpTransfer): void;
}

/** What a MAC gets: the live image, or a message and a poll (the same for iPXE and GRUB). */
type BootAnswer = { kind: 'live'; params: LiveBootParams } | { kind: 'new-host'; mac: string } | { kind: 'no-run'; host: string };

export function bootService(deps: BootRoutesDeps): BootService {
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
  const imageStep = (mac: string | null | undefined, name: 'kernel' | 'initrd', detail: string, image: LocatedImage): void => {
    if (!mac) return;
    const served: ServedImage = { dir: image.dir, flavour: image.flavour, id: readImageId(image.dir) };
    try {
      deps.onBootStep?.(mac, name, `${detail}${served.id ? ` (image ${served.id}, ${served.flavour})` : ''}`, served);
    } catch (err) {
      problem(`recording boot step ${name} for ${mac} failed: ${(err as Error).message}`);
    }
  };
  /** Reports a boot file as a step once it has been sent whole. */
  const stepWhenSent = (req: IncomingMessage, res: ServerResponse, mac: string | null | undefined, name: BootFileStep, path: string, image?: LocatedImage): void => {
    if (!mac || req.method !== 'GET') return;
    const started = Date.now();
    res.once('finish', () => {
      let detail: string | null = null;
      if (res.statusCode === 200) detail = `${formatSize(statOrNull(path)?.size ?? 0)} in ${((Date.now() - started) / 1000).toFixed(1)} s`;
      else if (res.statusCode === 304) detail = 'unchanged since the last boot (cached)';
      if (detail === null) return;
      if (image && (name === 'kernel' || name === 'initrd')) imageStep(mac, name, detail, image);
      else step(mac, name, detail);
    });
  };
  /** The flavour's image, or the base image (with a word in the log) when that flavour is not built. */
  const imageFor = (flavour: ImageFlavour, who: string): ReturnType<typeof locateImage> => {
    const wanted = locateImage(imageDir(), flavour);
    if (wanted.ok || flavour === 'base') return wanted;
    const base = locateImage(imageDir(), 'base');
    if (base.ok) problem(`${who} should boot the ${flavour} image, which is not built (${wanted.problem}); it boots the base image, whose stages cannot test what needs the ${flavour} image`);
    return base;
  };

  const http: Handler = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://bench.invalid');
    if (!url.pathname.startsWith('/boot/')) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('only GET and HEAD are allowed on /boot/\n');
      return true;
    }
    try {
      const imageFile = parseImageFilePath(url.pathname);
      if (imageFile) {
        // The live boot script names the host in the path; an older script's request is tied to the address its script went to.
        const ip = clientIp(req);
        const named = imageFile.mac ? MacAddress.safeParse(imageFile.mac) : null;
        const mac = named?.success ? named.data : ip ? macByClient.get(ip) : null;
        const image = imageFor(imageFile.flavour, mac ?? ip ?? 'a host');
        if (!image.ok) return notFound(res, image.problem);
        const path = imageFile.file === 'kernel' ? image.image.kernel : image.image.initrd;
        stepWhenSent(req, res, mac, imageFile.file, path, image.image);
        serveFile(req, res, path, 'application/octet-stream', null);
        return true;
      }
      switch (url.pathname) {
        case '/boot/ipxe':
          serveScript(req, res, bootScriptFor(url, req));
          return true;
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
    const ip = clientIp(req);
    const answer = decide(parsed.data, ip, archOf(url), 'ipxe');
    if (answer.kind === 'new-host') return newHostScript(answer.mac, urls);
    if (answer.kind === 'no-run') return noRunScript(answer.host, urls);
    const script = liveBootScript(answer.params);
    remember(macByClient, ip, answer.params.mac);
    step(answer.params.mac, 'boot-script', `live image for ${answer.params.host}, from ${ip ?? 'an unknown address'}`);
    return script;
  }

  /** The decision both chains share: who is this MAC, and may it boot now? */
  function decide(mac: string, ip: string | null, arch: string | null, source: string): BootAnswer {
    const found = deps.lookupMac(mac);
    if (!found) {
      deps.recordSeen(mac, ip, arch, source);
      return { kind: 'new-host', mac };
    }
    if (!found.runWaiting) return { kind: 'no-run', host: found.host };
    if (!statOrNull(deps.agentBundle.path)) {
      problem(agentMissing(deps.agentBundle.path));
      return { kind: 'no-run', host: `${found.host} (agent bundle not built)` };
    }
    const image = imageFor(found.flavour ?? 'base', found.host);
    if (!image.ok) {
      problem(`host ${found.host} wants to boot but the live image is not built in ${imageDir()}`);
      return { kind: 'no-run', host: `${found.host} (live image not built)` };
    }
    const what = source === 'grub' ? 'config' : 'script';
    const pin = deps.orchestratorPin?.() ?? undefined;
    let params: Omit<LiveBootParams, 'token'>;
    // Issuing a token uses up the boot attempt, so the boot script is made first with a
    // stand-in: one that cannot be made (the bundle's hash unreadable, a bad kernel
    // argument) must not cost the host its boot. The bundle's hash is read once, for the
    // check and the script alike.
    try {
      params = {
        benchUrl: urls.benchUrl,
        host: found.host,
        mac,
        agentSha256: deps.agentBundle.sha256,
        console: found.console,
        flavour: image.image.flavour,
        extraArgs: deps.extraKernelArgs,
        agentWsUrl: deps.agentWsUrl,
        ...(pin ? { pin } : {}),
      };
      liveBootScript({ ...params, token: 'not-issued' });
    } catch (err) {
      problem(`boot ${what} for ${found.host} (${mac}) cannot be made, no token issued: ${(err as Error).message}`);
      return { kind: 'no-run', host: `${found.host} (its boot ${what} cannot be made: ${(err as Error).message})` };
    }
    const issued = deps.issueToken(mac, ip);
    if ('refused' in issued) {
      problem(`boot ${what} for ${found.host} (${mac}) from ${ip ?? '?'} served without a token: ${issued.refused}`);
      return { kind: 'no-run', host: `${found.host} (${issued.refused})` };
    }
    return { kind: 'live', params: { ...params, token: issued.token } };
  }

  // ---- the Secure Boot chain: GRUB over TFTP ----
  // GRUB asks for vetting/<MAC>.cfg, then the kernel and initrd from the same
  // address; like iPXE's downloads, those carry no MAC, so the address names it.
  const macByTftpClient = new Map<string, string>();
  const hostConfig = new RegExp(`^/?${GRUB_HOST_CONFIG_DIR}/([0-9a-fA-F:]{17})\\.cfg$`);

  function tftp(path: string, client: string): TftpSource | null {
    const t = deps.tftp;
    if (!t) return null;
    const cfg = hostConfig.exec(path);
    if (cfg) {
      const mac = MacAddress.safeParse(cfg[1]);
      if (!mac.success) return null;
      const answer = decide(mac.data, client, 'efi-x64', 'grub');
      if (answer.kind === 'new-host') return { data: Buffer.from(grubNewHostConfig(answer.mac, t)) };
      if (answer.kind === 'no-run') return { data: Buffer.from(grubNoRunConfig(answer.host, t)) };
      const config = grubLiveConfig(answer.params, t);
      remember(macByTftpClient, client, answer.params.mac);
      step(answer.params.mac, 'boot-script', `live image for ${answer.params.host} (GRUB, signed chain), from ${client}`);
      return { data: Buffer.from(config) };
    }
    const file = parseImageFilePath(path);
    if (!file) return null;
    const image = imageFor(file.flavour, file.mac ?? macByTftpClient.get(client) ?? client);
    if (!image.ok) {
      problem(image.problem);
      return null;
    }
    return { file: file.file === 'kernel' ? image.image.kernel : image.image.initrd };
  }

  function tftpSent(t: TftpTransfer): void {
    const file = parseImageFilePath(t.path);
    const mac = file?.mac ?? macByTftpClient.get(t.client);
    if (!file || !mac) return;
    const image = locateImage(imageDir(), file.flavour);
    if (!image.ok) return;
    imageStep(mac, file.file, `${formatSize(t.bytes)} in ${(t.ms / 1000).toFixed(1)} s over TFTP`, image.image);
  }

  return { http, tftp, tftpSent };
}

/** Remembers which MAC an address belongs to (bounded, newest last). */
function remember(map: Map<string, string>, ip: string | null, mac: string): void {
  if (!ip) return;
  map.delete(ip);
  map.set(ip, mac);
  if (map.size > REMEMBERED_CLIENTS) map.delete(map.keys().next().value!);
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
