import { describe, expect, it } from 'vitest';
import { badgeCount, noticeFor, onNotificationClick, trayTooltip } from './attention.ts';

describe('badge and tray', () => {
  it('counts only whole positive numbers', () => {
    expect(badgeCount(3)).toBe(3);
    expect(badgeCount(0)).toBe(0);
    expect(badgeCount(-1)).toBe(0);
    expect(badgeCount(Number.NaN)).toBe(0);
    expect(badgeCount(1.5)).toBe(0);
  });

  it('says how many hosts wait for a person', () => {
    expect(trayTooltip(0)).toBe('Vetting — no host needs a person');
    expect(trayTooltip(1)).toBe('Vetting — 1 host needs a person');
    expect(trayTooltip(4)).toBe('Vetting — 4 hosts need a person');
  });
});

describe('noticeFor', () => {
  it('turns notification events into desktop notices', () => {
    expect(noticeFor({ type: 'notification', event: 'StageFailed', title: 'r730-01 failed SMART', body: 'Reallocated sectors: 12', runId: 7 })).toEqual({
      title: 'r730-01 failed SMART',
      body: 'Reallocated sectors: 12',
      runId: 7,
    });
  });

  it('ignores other and malformed events, and clips long text', () => {
    expect(noticeFor({ type: 'host-updated', host: 'a' })).toBeNull();
    expect(noticeFor({ type: 'notification', title: 1 })).toBeNull();
    expect(noticeFor(null)).toBeNull();
    const long = noticeFor({ type: 'notification', event: 'x', title: 't'.repeat(300), body: 'b'.repeat(900), runId: null });
    expect(long?.title).toHaveLength(120);
    expect(long?.body).toHaveLength(500);
    expect(long?.body.endsWith('…')).toBe(true);
  });
});

describe('a click on a desktop notification', () => {
  const window = () => {
    const did: string[] = [];
    return { did, focus: () => did.push('focus'), send: (channel: string, id: number) => did.push(`${channel} ${id}`) };
  };
  it('brings the window up on the run it is about', () => {
    const w = window();
    onNotificationClick(7, w, 'vetting:open-run');
    expect(w.did).toEqual(['focus', 'vetting:open-run 7']);
  });
  it('only brings the window up when it is about no run', () => {
    const w = window();
    onNotificationClick(null, w, 'vetting:open-run');
    onNotificationClick(-3, w, 'vetting:open-run');
    expect(w.did).toEqual(['focus', 'focus']);
  });
});
