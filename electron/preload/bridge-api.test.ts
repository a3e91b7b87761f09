import { describe, expect, it } from 'vitest';
import { APP_VERSION_ARG, IPC_CHANNEL_LIST, IPC_EVENTS, appVersionFromArgv, createVettingBridge, type Subscribe } from './bridge-api.ts';

function recorder() {
  const calls: unknown[][] = [];
  const invoke = async (channel: string, ...args: unknown[]) => {
    calls.push([channel, ...args]);
    return { ok: true };
  };
  // What ipcRenderer.on would deliver, per channel.
  const listeners = new Map<string, ((...args: unknown[]) => void)[]>();
  const subscribe: Subscribe = (channel, listener) => {
    listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
    return () => listeners.set(channel, (listeners.get(channel) ?? []).filter((l) => l !== listener));
  };
  const emit = (channel: string, ...args: unknown[]) => (listeners.get(channel) ?? []).forEach((l) => l(...args));
  return { calls, invoke, subscribe, emit, listeners };
}

describe('window.vetting surface', () => {
  it('exposes exactly the native calls and the version, frozen', () => {
    const bridge = createVettingBridge(recorder().invoke, '1.2.3', recorder().subscribe);
    expect(Object.keys(bridge).sort()).toEqual(['appVersion', 'notify', 'onOpenRun', 'print', 'printToPDF', 'saveFile']);
    expect(bridge.appVersion).toBe('1.2.3');
    expect(Object.isFrozen(bridge)).toBe(true);
  });

  it('maps each call onto its fixed channel with plain arguments', async () => {
    const { calls, invoke, subscribe } = recorder();
    const bridge = createVettingBridge(invoke, '1', subscribe);
    await bridge.print();
    await bridge.print('http://127.0.0.1:1/api/runs/1/report.html', { preview: true });
    await bridge.printToPDF();
    await bridge.saveFile('r.json', '{}');
    await bridge.notify('t', 'b');
    await bridge.notify('t', 'b', 7);
    await bridge.notify('t', 'b', -1 as number);
    expect(calls).toEqual([
      ['vetting:print', null, { preview: false }],
      ['vetting:print', 'http://127.0.0.1:1/api/runs/1/report.html', { preview: true }],
      ['vetting:print-to-pdf', null],
      ['vetting:save-file', 'r.json', '{}'],
      ['vetting:notify', 't', 'b'],
      ['vetting:notify', 't', 'b', 7],
      ['vetting:notify', 't', 'b'],
    ]);
    for (const c of calls) expect(IPC_CHANNEL_LIST).toContain(c[0]);
  });

  it('does not pass extra properties of an options object through', async () => {
    const { calls, invoke, subscribe } = recorder();
    const opts = { preview: 'yes', evil: () => 1 } as unknown as { preview: boolean };
    await createVettingBridge(invoke, '1', subscribe).print(undefined, opts);
    expect(calls[0]).toEqual(['vetting:print', null, { preview: false }]);
  });

  it('hands the page the run id of a clicked notification, checked, and lets it stop listening', () => {
    const { invoke, subscribe, emit, listeners } = recorder();
    const bridge = createVettingBridge(invoke, '1', subscribe);
    const opened: number[] = [];
    const stop = bridge.onOpenRun((id) => opened.push(id));
    emit(IPC_EVENTS.openRun, 12);
    emit(IPC_EVENTS.openRun, '12');
    emit(IPC_EVENTS.openRun, 0);
    emit(IPC_EVENTS.openRun, { id: 3 });
    emit(IPC_EVENTS.openRun, 2.5);
    expect(opened).toEqual([12]);
    stop();
    expect(listeners.get(IPC_EVENTS.openRun)).toEqual([]);
    emit(IPC_EVENTS.openRun, 13);
    expect(opened).toEqual([12]);
  });

  it('reads the version from the renderer argv', () => {
    expect(appVersionFromArgv(['/opt/electron', '--type=renderer', `${APP_VERSION_ARG}0.1.0`])).toBe('0.1.0');
    expect(appVersionFromArgv(['/opt/electron'])).toBe('unknown');
  });
});
