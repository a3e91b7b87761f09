import { LiveEvent } from '../../common/schema/api.ts';

// What the desktop shows outside the window: a badge/tray count of hosts waiting
// for a person, and a desktop notification for each `notification` live event.

export function badgeCount(waiting: number): number {
  return Number.isInteger(waiting) && waiting > 0 ? Math.min(waiting, 9999) : 0;
}

export function trayTooltip(waiting: number): string {
  const n = badgeCount(waiting);
  if (n === 0) return 'Vetting — no host needs a person';
  return `Vetting — ${n} ${n === 1 ? 'host needs' : 'hosts need'} a person`;
}

export interface DesktopNotice {
  title: string;
  body: string;
  runId: number | null;
}

const MAX_TITLE = 120;
const MAX_BODY = 500;

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/**
 * What a click on a desktop notification does: bring the window up and, when
 * the notification is about a run, tell the page to open that run (the
 * preload hands it to the UI's onOpenRun).
 */
export function onNotificationClick(runId: number | null, window: { focus(): void; send(channel: string, runId: number): void }, channel: string): void {
  window.focus();
  if (runId !== null && Number.isSafeInteger(runId) && runId > 0) window.send(channel, runId);
}

/** The notification to show for a live event, or null for events that are not for a person. */
export function noticeFor(event: unknown): DesktopNotice | null {
  const parsed = LiveEvent.safeParse(event);
  if (!parsed.success || parsed.data.type !== 'notification') return null;
  const { title, body, runId } = parsed.data;
  return { title: clip(title, MAX_TITLE), body: clip(body, MAX_BODY), runId };
}
