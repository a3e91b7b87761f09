import type { BootEventView, BootStep } from '../../../common/schema/api.ts';
import { formatDuration, parseTime } from './format.ts';

// A host's network boot as a technician reads it: which step it reached and how
// long ago, so a host that never says hello shows where it stopped.

export const BOOT_STEP_LABEL: Record<BootStep, string> = {
  dhcp: 'DHCP',
  tftp: 'TFTP',
  'boot-script': 'Boot script',
  kernel: 'Kernel',
  initrd: 'Live image (initrd)',
  'agent-bundle': 'Agent bundle',
};

/** One line for the board tile: "Booting: Kernel — 7.9 MiB in 1.2 s · 40 s ago". */
export function bootLine(e: BootEventView, now: number): string {
  const at = parseTime(e.at);
  const ago = at === null ? '' : ` · ${formatDuration(Math.max(0, now - at))} ago`;
  return `Booting: ${BOOT_STEP_LABEL[e.step]}${e.detail ? ` — ${e.detail}` : ''}${ago}`;
}

/** Each step with its offset from the first one (the machine's first DHCP request, usually). */
export function bootTimeline(events: readonly BootEventView[]): { label: string; detail: string | null; at: string; offsetMs: number | null }[] {
  const first = parseTime(events[0]?.at);
  return events.map((e) => {
    const at = parseTime(e.at);
    return { label: BOOT_STEP_LABEL[e.step], detail: e.detail, at: e.at, offsetMs: first === null || at === null ? null : at - first };
  });
}
