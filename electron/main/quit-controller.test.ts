import { describe, expect, it } from 'vitest';
import type { ActiveRun } from './quit-guard.ts';
import { QuitController, type QuitControllerDeps } from './quit-controller.ts';

function harness(runs: ActiveRun[] | null, answers: boolean[] = [], close: () => Promise<void> = async () => {}) {
  const log: string[] = [];
  const deps: QuitControllerDeps = {
    activeRuns: () => runs,
    ask: (q) => {
      log.push(`ask:${q.message}`);
      return answers.shift() ?? false;
    },
    closeOrchestrator: async () => {
      log.push('close');
      await close();
    },
    quit: () => log.push('quit'),
    warn: (m) => log.push(`warn:${m}`),
  };
  const event = () => {
    const e = { prevented: false, preventDefault: () => (e.prevented = true) };
    return e;
  };
  return { qc: new QuitController(deps), log, event };
}

const midRun: ActiveRun[] = [{ id: 1, host: 'r730-01', state: 'Storage' }];

describe('QuitController', () => {
  it('quits without asking when nothing is mid-run, closing the orchestrator first', async () => {
    const h = harness([]);
    const before = h.event();
    h.qc.onQuitRequested(before);
    expect(before.prevented).toBe(false);
    const willQuit = h.event();
    h.qc.onWillQuit(willQuit);
    expect(willQuit.prevented).toBe(true); // held until closed
    await new Promise((r) => setImmediate(r));
    expect(h.log).toEqual(['close', 'quit']);
    const again = h.event();
    h.qc.onWillQuit(again);
    expect(again.prevented).toBe(false); // the second pass exits
  });

  it('asks while hosts are mid-run; "keep running" cancels and nothing closes', () => {
    const h = harness(midRun, [false]);
    const e = h.event();
    h.qc.onQuitRequested(e);
    expect(e.prevented).toBe(true);
    expect(h.log).toEqual(['ask:1 host is mid-run. Quit anyway?']);
  });

  it('asks once: after "Quit", the window close and the app quit both go through', () => {
    const h = harness(midRun, [true]);
    const windowClose = h.event();
    h.qc.onQuitRequested(windowClose);
    const beforeQuit = h.event();
    h.qc.onQuitRequested(beforeQuit);
    expect([windowClose.prevented, beforeQuit.prevented]).toEqual([false, false]);
    expect(h.log.filter((l) => l.startsWith('ask:'))).toHaveLength(1);
  });

  it('does not ask after a signal, and quits even if closing fails', async () => {
    const h = harness(midRun, [], async () => {
      throw new Error('disk full');
    });
    h.qc.skipConfirmation();
    const e = h.event();
    h.qc.onQuitRequested(e);
    expect(e.prevented).toBe(false);
    h.qc.onWillQuit(h.event());
    h.qc.onWillQuit(h.event()); // a second will-quit while closing does not close twice
    await new Promise((r) => setImmediate(r));
    expect(h.log).toEqual(['close', 'warn:orchestrator did not close cleanly: disk full', 'quit']);
  });

  it('does not ask when the orchestrator never started, and survives a failing run list', () => {
    expect(harness(null).qc.confirm()).toBe(true);
    const h = harness([]);
    (h as unknown as { qc: QuitController }).qc = new QuitController({
      activeRuns: () => {
        throw new Error('db closed');
      },
      ask: () => false,
      closeOrchestrator: async () => {},
      quit: () => {},
      warn: (m) => h.log.push(m),
    });
    expect(h.qc.confirm()).toBe(true);
    expect(h.log).toEqual(['could not list active runs: db closed']);
  });
});
