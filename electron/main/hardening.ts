import type { Session, WebContents } from 'electron';
import { classifyUrl } from './allowed-urls.ts';
import { withCsp } from './csp.ts';

// Applies the shell's security rules to the session and to every web contents:
// the CSP on the app's responses, no permission grants, and no navigation or new
// window outside the app's own pages (reports open in a window the shell makes).

export function hardenSession(session: Session, controlUrl: string): void {
  // No URL filter: match patterns treat ports inconsistently, and withCsp itself
  // leaves every response that is not from the control origin untouched.
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCsp(details.url, controlUrl, details.responseHeaders) });
  });
  // The UI needs no camera, geolocation, notifications API etc.: native calls go through the preload.
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

export function hardenWebContents(contents: WebContents, controlUrl: string, openReport: (url: string) => void): void {
  const refuse = (event: { preventDefault(): void }, url: string) => {
    if (classifyUrl(url, controlUrl) === 'blocked') {
      event.preventDefault();
      console.warn(`[shell] blocked navigation to ${url.slice(0, 200)}`);
    }
  };
  contents.on('will-navigate', (event, url) => refuse(event, url));
  contents.on('will-frame-navigate', (details) => refuse(details, details.url));
  contents.on('will-redirect', (event, url) => refuse(event, url));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // New windows are never made from page-supplied options; a report gets the shell's own window.
    if (classifyUrl(url, controlUrl) === 'report') openReport(url);
    else console.warn(`[shell] blocked window.open of ${url.slice(0, 200)}`);
    return { action: 'deny' };
  });
}
