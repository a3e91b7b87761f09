// iPXE scripts served at /boot/ipxe. Three answers, by what the orchestrator
// knows about the MAC: boot the live image (registered host with a run
// waiting), or show a message and ask again later (unknown MAC, or a host with
// no run waiting). The waiting scripts boot nothing: the machine sits in iPXE
// until a person acts, then picks the change up on its next poll.

import { imageFileNames, liveKernelArgs, trimSlash, type BootUrls, type LiveBootParams } from './boot-args.ts';

export type BootScriptUrls = BootUrls;

/** How long a waiting machine sleeps between polls, in seconds. */
export const POLL_SECONDS = 20;

const MESSAGE_UNSAFE = /[$\r\n\\]/g;

/** The URL iPXE fetches again while waiting; iPXE fills in its own MAC and platform. */
export function pollUrl(benchUrl: string): string {
  return `${trimSlash(benchUrl)}/boot/ipxe?mac=\${net0/mac}&platform=\${platform}&buildarch=\${buildarch}`;
}

export function liveBootScript(p: LiveBootParams): string {
  const base = trimSlash(p.benchUrl);
  const files = imageFileNames(p.flavour, p.mac);
  return [
    '#!ipxe',
    `echo Vetting: booting the live image for host ${safeText(p.host)}`,
    // initrd= names the initrd (iPXE names it after its URL) to the kernel's EFI stub, which loads it itself under iPXE on UEFI.
    `kernel ${base}/boot/${files.kernel} initrd=initrd.img ${liveKernelArgs(p).join(' ')} || goto failed`,
    `initrd ${base}/boot/${files.initrd} || goto failed`,
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

