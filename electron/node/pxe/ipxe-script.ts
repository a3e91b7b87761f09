// iPXE scripts served at /boot/ipxe. Three answers, by what the orchestrator
// knows about the MAC: boot the live image (registered host with a run
// waiting), or show a message and ask again later (unknown MAC, or a host with
// no run waiting). The waiting scripts boot nothing: the machine sits in iPXE
// until a person acts, then picks the change up on its next poll.

export interface BootScriptUrls {
  /** http://ADDRESS:PORT of the bench listener, no trailing slash. */
  benchUrl: string;
}

export interface LiveBootParams extends BootScriptUrls {
  host: string;
  /** The booting NIC's MAC: the agent download names it, so the bench can tell whose boot it is. */
  mac: string;
  token: string;
  agentSha256: string;
  /** Extra kernel arguments (e.g. vetting.debug=shell); validated like the rest. */
  extraArgs?: readonly string[];
  /** Agent WebSocket URL when it is not benchUrl's /agent (default ws://BENCH/agent). */
  agentWsUrl?: string;
  /** "sha256:<hex>" of the orchestrator's TLS public key: the agent speaks wss:// and pins it. */
  pin?: string;
}

/** How long a waiting machine sleeps between polls, in seconds. */
export const POLL_SECONDS = 20;

// Values that end up on the kernel command line or in iPXE script lines must
// not contain whitespace (splits arguments) or "$" (iPXE expands settings).
const CMDLINE_SAFE = /^[A-Za-z0-9._~:/=+@%,?-]+$/;
const MESSAGE_UNSAFE = /[$\r\n\\]/g;

/** The URL iPXE fetches again while waiting; iPXE fills in its own MAC and platform. */
export function pollUrl(benchUrl: string): string {
  return `${trimSlash(benchUrl)}/boot/ipxe?mac=\${net0/mac}&platform=\${platform}&buildarch=\${buildarch}`;
}

export function agentWsUrl(benchUrl: string): string {
  return `${trimSlash(benchUrl).replace(/^http/, 'ws')}/agent`;
}

/** Kernel command line for the live image (docs/pxe.md lists each argument). */
export function liveKernelArgs(p: LiveBootParams): string[] {
  const base = trimSlash(p.benchUrl);
  const args = [
    'initrd=initrd.img',
    `vetting.url=${p.agentWsUrl ?? agentWsUrl(base)}`,
    `vetting.token=${p.token}`,
    `vetting.agent=${base}/boot/agent.mjs?mac=${p.mac}`,
    `vetting.sha256=${p.agentSha256}`,
    ...(p.pin ? [`vetting.pin=${p.pin}`] : []),
    ...(p.extraArgs ?? []),
  ];
  for (const a of args) {
    if (!CMDLINE_SAFE.test(a)) throw new Error(`kernel argument ${JSON.stringify(a.slice(0, 80))} holds characters a kernel command line or iPXE script cannot carry`);
  }
  if (!/^[0-9a-f]{64}$/.test(p.agentSha256)) throw new Error('agent bundle sha256 is not 64 lower-case hex digits');
  // BOOTIF names the NIC we booted from, so the image's init brings up that one; console last = /dev/console.
  return [...args, 'BOOTIF=01-${net0/mac:hexhyp}', 'console=tty0', 'console=ttyS0,115200n8', 'panic=30', 'quiet', 'loglevel=4'];
}

export function liveBootScript(p: LiveBootParams): string {
  const base = trimSlash(p.benchUrl);
  return [
    '#!ipxe',
    `echo Vetting: booting the live image for host ${safeText(p.host)}`,
    `kernel ${base}/boot/vmlinuz ${liveKernelArgs(p).join(' ')} || goto failed`,
    `initrd ${base}/boot/initrd.img || goto failed`,
    'boot || goto failed',
    ':failed',
    `echo Vetting: could not load the live image; trying again in ${POLL_SECONDS} s`,
    ...pollLoop(base),
  ].join('\n') + '\n';
}

/** Unknown MAC: show it, boot nothing, poll until a person adopts the host. */
export function newHostScript(mac: string, urls: BootScriptUrls): string {
  return [
    '#!ipxe',
    'echo',
    `echo Vetting: new host ${safeText(mac)}`,
    'echo Adopt it in Vetting (New hosts) and start a run; this machine then boots by itself.',
    'echo Nothing is done to this machine until then.',
    ...pollLoop(trimSlash(urls.benchUrl)),
  ].join('\n') + '\n';
}

/** Registered host but no run waiting: say so and poll. */
export function noRunScript(host: string, urls: BootScriptUrls): string {
  return [
    '#!ipxe',
    'echo',
    `echo Vetting: host ${safeText(host)} has no run waiting.`,
    'echo Start a run for it in Vetting; this machine checks again every few seconds.',
    ...pollLoop(trimSlash(urls.benchUrl)),
  ].join('\n') + '\n';
}

/**
 * For a request whose MAC is missing or unexpanded (firmware that does not
 * expand settings in the DHCP file name): iPXE expands them inside scripts, so
 * chain once more with the MAC filled in.
 */
export function askMacScript(urls: BootScriptUrls): string {
  return ['#!ipxe', `chain --replace --autofree ${pollUrl(trimSlash(urls.benchUrl))}`, ''].join('\n');
}

function pollLoop(base: string): string[] {
  // --replace: the new script replaces this one instead of nesting inside it, so
  // a machine can poll for days without using up iPXE's memory.
  return [':poll', `sleep ${POLL_SECONDS}`, `chain --replace --autofree ${pollUrl(base)} || goto poll`];
}

function safeText(s: string): string {
  return s.replace(MESSAGE_UNSAFE, '?');
}

function trimSlash(u: string): string {
  return u.replace(/\/+$/, '');
}
