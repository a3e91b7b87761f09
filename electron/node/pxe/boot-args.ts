// The live image's kernel command line, made in one place for both boot chains:
// iPXE (ipxe-script.ts) and the signed Secure Boot chain's GRUB (grub-config.ts)
// put exactly this list after the kernel, so an argument added here reaches
// every host whatever its firmware. docs/pxe.md lists each argument.

export interface BootUrls {
  /** http://ADDRESS:PORT of the bench listener, no trailing slash. */
  benchUrl: string;
}

/** Which live image a host boots (docs/image.md, "Flavours"). */
export type ImageFlavour = 'base' | 'gpu';

export interface LiveBootParams extends BootUrls {
  host: string;
  /** The booting NIC's MAC: BOOTIF names it to the image, and the agent download carries it so the bench knows whose boot it is. */
  mac: string;
  token: string;
  agentSha256: string;
  /** Serial console for the kernel, e.g. ttyS1,115200n8 (default ttyS0,115200n8). */
  console?: string;
  /** Which image the host boots (default base). */
  flavour?: ImageFlavour;
  /** Extra kernel arguments (e.g. vetting.debug=shell); validated like the rest. */
  extraArgs?: readonly string[];
  /** Agent WebSocket URL when it is not benchUrl's /agent (default ws://BENCH/agent). */
  agentWsUrl?: string;
  /** "sha256:<hex>" of the orchestrator's TLS public key: the agent speaks wss:// and pins it. */
  pin?: string;
}

export const DEFAULT_CONSOLE = 'ttyS0,115200n8';

// Values on the kernel command line (and in iPXE or GRUB script lines) must not
// contain whitespace (splits arguments), "$" (iPXE and GRUB expand variables),
// quotes, ";" or braces (GRUB syntax).
const CMDLINE_SAFE = /^[A-Za-z0-9._~:/=+@%,?-]+$/;
const MAC = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;
const CONSOLE = /^ttyS\d{1,2}(,\d{3,6}([noe][5-8]r?)?)?$/;

export function agentWsUrl(benchUrl: string): string {
  return `${trimSlash(benchUrl).replace(/^http/, 'ws')}/agent`;
}

/**
 * The image files' paths under /boot/ (HTTP) and boot/ (TFTP) for a flavour.
 * With a MAC, the path names the host (host/MAC/…), so the bench knows whose
 * download it is without guessing from the client address (which NAT or a
 * shared relay would make wrong); the file names stay vmlinuz and initrd.img,
 * as iPXE names images after them.
 */
export function imageFileNames(flavour: ImageFlavour = 'base', mac?: string): { kernel: string; initrd: string } {
  // Hyphens, not colons: iPXE percent-encodes a colon in a URL path.
  const dir = `${mac ? `host/${mac.replace(/:/g, '-')}/` : ''}${flavour === 'base' ? '' : `${flavour}/`}`;
  return { kernel: `${dir}vmlinuz`, initrd: `${dir}initrd.img` };
}

/** Parses a boot file path (as requested, possibly percent-encoded): the flavour, which file, and the MAC it names (colon form; null: none). */
export function parseImageFilePath(path: string): { flavour: ImageFlavour; file: 'kernel' | 'initrd'; mac: string | null } | null {
  const m = /^\/?(?:boot\/)?(?:host\/([0-9a-f]{2}(?:(?:[-:]|%3a)[0-9a-f]{2}){5})\/)?(gpu\/)?(vmlinuz|initrd\.img)$/i.exec(path);
  if (!m) return null;
  const mac = m[1] ? m[1].toLowerCase().replace(/%3a|-/g, ':') : null;
  return { flavour: m[2] ? 'gpu' : 'base', file: m[3] === 'vmlinuz' ? 'kernel' : 'initrd', mac };
}

/** Kernel command line for the live image (docs/pxe.md lists each argument). Throws on a value the command line cannot carry. */
export function liveKernelArgs(p: LiveBootParams): string[] {
  const base = trimSlash(p.benchUrl);
  const console = p.console ?? DEFAULT_CONSOLE;
  if (!MAC.test(p.mac)) throw new Error(`boot MAC ${JSON.stringify(p.mac.slice(0, 40))} is not a lower-case colon MAC`);
  if (!CONSOLE.test(console)) throw new Error(`console ${JSON.stringify(console.slice(0, 40))} is not a serial console like ttyS1,115200n8`);
  const args = [
    `vetting.url=${p.agentWsUrl ?? agentWsUrl(base)}`,
    `vetting.token=${p.token}`,
    `vetting.agent=${base}/boot/agent.mjs?mac=${p.mac}`,
    `vetting.sha256=${p.agentSha256}`,
    ...(p.pin ? [`vetting.pin=${p.pin}`] : []),
    ...(p.extraArgs ?? []),
  ];
  for (const a of args) {
    if (!CMDLINE_SAFE.test(a)) throw new Error(`kernel argument ${JSON.stringify(a.slice(0, 80))} holds characters a kernel command line or boot script cannot carry`);
  }
  if (!/^[0-9a-f]{64}$/.test(p.agentSha256)) throw new Error('agent bundle sha256 is not 64 lower-case hex digits');
  return [
    ...args,
    // BOOTIF names the NIC we booted from (pxelinux's form), so the image's init brings up that one.
    `BOOTIF=01-${p.mac.replace(/:/g, '-')}`,
    // The last console= is /dev/console: the serial line, where a bench (or serial-over-LAN) reads it.
    'console=tty0',
    `console=${console}`,
    'panic=30',
    'quiet',
    'loglevel=4',
  ];
}

export function trimSlash(u: string): string {
  return u.replace(/\/+$/, '');
}
