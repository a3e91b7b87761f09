import { describe, expect, it } from 'vitest';
import { APP_VERSION_ARG, IPC_CHANNEL_LIST, appVersionFromArgv, createVettingBridge } from './bridge-api.ts';

function recorder() {
  const calls: unknown[][] = [];
  const invoke = async (channel: string, ...args: unknown[]) => {
    calls.push([channel, ...args]);
    return { ok: true };
  };
  return { calls, invoke };
}

describe('window.vetting surface', () => {
  it('exposes exactly the native calls and the version, frozen', () => {
    const bridge = createVettingBridge(recorder().invoke, '1.2.3');
    expect(Object.keys(bridge).sort()).toEqual(['appVersion', 'notify', 'print', 'printToPDF', 'saveFile']);
    expect(bridge.appVersion).toBe('1.2.3');
    expect(Object.isFrozen(bridge)).toBe(true);
  });

  it('maps each call onto its fixed channel with plain arguments', async () => {
    const { calls, invoke } = recorder();
    const bridge = createVettingBridge(invoke, '1');
    await bridge.print();
    await bridge.print('http://127.0.0.1:1/api/runs/1/report.html', { preview: true });
    await bridge.printToPDF();
    await bridge.saveFile('r.json', '{}');
    await bridge.notify('t', 'b');
    expect(calls).toEqual([
      ['vetting:print', null, { preview: false }],
      ['vetting:print', 'http://127.0.0.1:1/api/runs/1/report.html', { preview: true }],
      ['vetting:print-to-pdf', null],
      ['vetting:save-file', 'r.json', '{}'],
      ['vetting:notify', 't', 'b'],
    ]);
    for (const c of calls) expect(IPC_CHANNEL_LIST).toContain(c[0]);
  });

  it('does not pass extra properties of an options object through', async () => {
    const { calls, invoke } = recorder();
    const opts = { preview: 'yes', evil: () => 1 } as unknown as { preview: boolean };
    await createVettingBridge(invoke, '1').print(undefined, opts);
    expect(calls[0]).toEqual(['vetting:print', null, { preview: false }]);
  });

  it('reads the version from the renderer argv', () => {
    expect(appVersionFromArgv(['/opt/electron', '--type=renderer', `${APP_VERSION_ARG}0.1.0`])).toBe('0.1.0');
    expect(appVersionFromArgv(['/opt/electron'])).toBe('unknown');
  });
});
