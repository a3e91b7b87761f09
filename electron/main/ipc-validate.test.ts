import { describe, expect, it } from 'vitest';
import { IPC_CHANNEL_LIST, IPC_CHANNELS } from '../preload/bridge-api.ts';
import { MAX_SAVE_BYTES, isTrustedSender, validateNativeRequest } from './ipc-validate.ts';

const control = 'http://127.0.0.1:43117';
const report = `${control}/api/runs/5/report.html`;

describe('validateNativeRequest', () => {
  it('accepts well-formed calls on every channel', () => {
    expect(validateNativeRequest(IPC_CHANNELS.print, [null, { preview: false }], control)).toEqual({
      ok: true,
      request: { channel: 'vetting:print', url: null, preview: false },
    });
    expect(validateNativeRequest(IPC_CHANNELS.print, [report, { preview: true }], control)).toMatchObject({ ok: true, request: { url: report, preview: true } });
    expect(validateNativeRequest(IPC_CHANNELS.printToPDF, [report], control)).toMatchObject({ ok: true });
    expect(validateNativeRequest(IPC_CHANNELS.saveFile, ['run-5.json', '{}'], control)).toMatchObject({ ok: true, request: { name: 'run-5.json' } });
    expect(validateNativeRequest(IPC_CHANNELS.saveFile, ['run-5.pdf', new Uint8Array([1, 2])], control)).toMatchObject({ ok: true });
    expect(validateNativeRequest(IPC_CHANNELS.notify, ['Done', 'r730-01 passed'], control)).toMatchObject({ ok: true });
  });

  it('has a rule for every channel the preload can call', () => {
    const goodArgs: Record<string, unknown[]> = {
      [IPC_CHANNELS.print]: [null, { preview: false }],
      [IPC_CHANNELS.printToPDF]: [null],
      [IPC_CHANNELS.saveFile]: ['a.txt', ''],
      [IPC_CHANNELS.notify]: ['t', ''],
    };
    for (const ch of IPC_CHANNEL_LIST) expect(validateNativeRequest(ch, goodArgs[ch] ?? [], control).ok).toBe(true);
  });

  it('refuses unknown channels', () => {
    const r = validateNativeRequest('vetting:exec', ['rm -rf /'], control);
    expect(r).toEqual({ ok: false, error: 'unknown channel "vetting:exec"' });
  });

  it('refuses foreign URLs to print or render', () => {
    const r = validateNativeRequest(IPC_CHANNELS.printToPDF, ['file:///etc/shadow'], control);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toContain('not a page of this app');
    expect(validateNativeRequest(IPC_CHANNELS.print, ['https://example.com/', { preview: false }], control).ok).toBe(false);
  });

  it('refuses paths and hidden names as file names', () => {
    for (const name of ['../../.bashrc', '/etc/passwd', 'a\\b', '.profile', '', 'x\u0000y', 'a'.repeat(201)]) {
      const r = validateNativeRequest(IPC_CHANNELS.saveFile, [name, 'x'], control);
      expect(r.ok, name).toBe(false);
    }
  });

  it('refuses wrong types, extra arguments and oversized data with a message naming the argument', () => {
    const wrongType = validateNativeRequest(IPC_CHANNELS.notify, [42, 'b'], control);
    expect(wrongType.ok).toBe(false);
    expect(!wrongType.ok && wrongType.error).toMatch(/^vetting:notify: argument 0:/);
    expect(validateNativeRequest(IPC_CHANNELS.notify, ['a', 'b', 'c'], control).ok).toBe(false);
    expect(validateNativeRequest(IPC_CHANNELS.notify, ['a', 'b', 7], control)).toEqual({ ok: true, request: { channel: IPC_CHANNELS.notify, title: 'a', body: 'b', runId: 7 } });
    expect(validateNativeRequest(IPC_CHANNELS.notify, ['a', 'b'], control)).toMatchObject({ ok: true, request: { runId: null } });
    expect(validateNativeRequest(IPC_CHANNELS.notify, ['a', 'b', 0], control).ok).toBe(false);
    expect(validateNativeRequest(IPC_CHANNELS.notify, ['a', 'b', 1.5], control).ok).toBe(false);
    expect(validateNativeRequest(IPC_CHANNELS.print, [null, { preview: false, extra: 1 }], control).ok).toBe(false);
    expect(validateNativeRequest(IPC_CHANNELS.saveFile, ['big.bin', new Uint8Array(MAX_SAVE_BYTES + 1)], control).ok).toBe(false);
    expect(validateNativeRequest(IPC_CHANNELS.saveFile, ['obj.json', { toString: () => 'x' }], control).ok).toBe(false);
  });
});

describe('isTrustedSender', () => {
  it('trusts only the app pages, not reports or other origins', () => {
    expect(isTrustedSender(`${control}/hosts`, control)).toBe(true);
    expect(isTrustedSender(report, control)).toBe(false);
    expect(isTrustedSender('https://example.com/', control)).toBe(false);
    expect(isTrustedSender(undefined, control)).toBe(false);
  });
});
