import { EventEmitter } from 'node:events';
import type { Session, WebContents } from 'electron';
import { describe, expect, it } from 'vitest';
import { APP_CSP, REPORT_CSP } from './csp.ts';
import { hardenSession, hardenWebContents } from './hardening.ts';

// Electron replaced at the module boundary: a session and a web contents that
// record what the shell registers, driven the way Electron would drive them.

const control = 'http://127.0.0.1:43117';

function fakeSession() {
  let onHeaders: ((d: { url: string; responseHeaders?: Record<string, string[]> }, cb: (r: unknown) => void) => void) | undefined;
  let onRequest: ((wc: unknown, permission: string, cb: (granted: boolean) => void) => void) | undefined;
  let onCheck: (() => boolean) | undefined;
  const session = {
    webRequest: {
      onHeadersReceived: (l: typeof onHeaders) => {
        onHeaders = l;
      },
    },
    setPermissionRequestHandler: (h: typeof onRequest) => (onRequest = h),
    setPermissionCheckHandler: (h: typeof onCheck) => (onCheck = h),
  };
  return {
    session: session as unknown as Session,
    headers(url: string, responseHeaders?: Record<string, string[]>) {
      let out: unknown;
      onHeaders?.({ url, ...(responseHeaders ? { responseHeaders } : {}) }, (r) => (out = r));
      return out as { responseHeaders: Record<string, string[]> };
    },
    request(permission: string) {
      let granted: boolean | undefined;
      onRequest?.({}, permission, (g) => (granted = g));
      return granted;
    },
    check: () => onCheck?.(),
  };
}

function fakeContents() {
  const emitter = new EventEmitter();
  let openHandler: ((d: { url: string }) => { action: string }) | undefined;
  const contents = Object.assign(emitter, { setWindowOpenHandler: (h: typeof openHandler) => (openHandler = h) });
  const navigate = (event: string, url: string) => {
    let prevented = false;
    const e = { preventDefault: () => (prevented = true), url };
    if (event === 'will-frame-navigate') emitter.emit(event, e);
    else emitter.emit(event, e, url);
    return prevented;
  };
  return { contents: contents as unknown as WebContents, navigate, open: (url: string) => openHandler?.({ url }) };
}

describe('hardenSession', () => {
  it('adds the CSP to responses of the app origin only', () => {
    const s = fakeSession();
    hardenSession(s.session, control);
    expect(s.headers('https://example.com/', { a: ['b'] }).responseHeaders).toEqual({ a: ['b'] });
    expect(s.headers(`${control}/`, { 'Content-Type': ['text/html'] }).responseHeaders['Content-Security-Policy']).toEqual([APP_CSP]);
    expect(s.headers(`${control}/api/runs/4/report.html`).responseHeaders['Content-Security-Policy']).toEqual([REPORT_CSP]);
  });

  it('grants no permission', () => {
    const s = fakeSession();
    hardenSession(s.session, control);
    for (const p of ['notifications', 'media', 'geolocation', 'openExternal', 'clipboard-read']) expect(s.request(p)).toBe(false);
    expect(s.check()).toBe(false);
  });
});

describe('hardenWebContents', () => {
  it('lets the app and its reports load and blocks everything else', () => {
    const c = fakeContents();
    hardenWebContents(c.contents, control, () => {});
    for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      expect(c.navigate(event, `${control}/hosts`), event).toBe(false);
      expect(c.navigate(event, `${control}/api/runs/2/report.html`), event).toBe(false);
      expect(c.navigate(event, 'https://example.com/'), event).toBe(true);
      expect(c.navigate(event, 'file:///etc/passwd'), event).toBe(true);
    }
  });

  it('never lets a page open a window itself: reports go to the shell’s own window', () => {
    const opened: string[] = [];
    const c = fakeContents();
    hardenWebContents(c.contents, control, (url) => opened.push(url));
    expect(c.open(`${control}/api/runs/2/report.html`)).toEqual({ action: 'deny' });
    expect(c.open(`${control}/`)).toEqual({ action: 'deny' });
    expect(c.open('https://example.com/')).toEqual({ action: 'deny' });
    expect(opened).toEqual([`${control}/api/runs/2/report.html`]);
  });

  it('refuses webviews', () => {
    const c = fakeContents();
    hardenWebContents(c.contents, control, () => {});
    let prevented = false;
    (c.contents as unknown as EventEmitter).emit('will-attach-webview', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
  });
});
