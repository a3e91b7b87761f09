import { describe, expect, it } from 'vitest';
import { badgeCount, noticeFor, trayTooltip } from './attention.ts';

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
