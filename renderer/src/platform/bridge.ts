// What the Electron preload exposes as `window.vetting`, and the browser
// fallbacks used when the same build runs in a plain browser against
// `vetting serve`.

/** Result of a native call (electron/preload/bridge-api.ts keeps the authoritative type). */
export type NativeResult = { ok: true; path?: string } | { ok: false; cancelled: boolean; error?: string };

export interface VettingBridge {
  print(url?: string): Promise<NativeResult>;
  printToPDF(url?: string): Promise<NativeResult>;
  saveFile(name: string, data: Uint8Array | string): Promise<NativeResult>;
  notify(title: string, body: string, runId?: number | null): Promise<NativeResult>;
  /** A desktop notification about a run was clicked (older builds of the app lack it). */
  onOpenRun?(listener: (runId: number) => void): () => void;
  readonly appVersion?: string;
}

/** A failed native call becomes an error to show; a cancelled dialog is not an error. */
export function checkNative(result: NativeResult | undefined, what: string): void {
  if (result && result.ok === false && !result.cancelled) throw new Error(`${what} failed: ${result.error ?? 'unknown error'}`);
}

declare global {
  interface Window {
    vetting?: VettingBridge;
  }
}

export function bridge(): VettingBridge | null {
  return typeof window !== 'undefined' && window.vetting ? window.vetting : null;
}

/** Absolute URL for the bridge (the main process prints what it loads). */
export function absoluteUrl(path: string): string {
  return new URL(path, window.location.href).toString();
}

/** Prints the report: the Electron print dialog in the app, the browser's print of the opened report otherwise. */
export async function printReport(path: string): Promise<void> {
  const b = bridge();
  if (b) {
    checkNative(await b.print(absoluteUrl(path)), 'Printing');
    return;
  }
  const w = window.open(path, '_blank');
  if (!w) throw new Error('The browser blocked the report window; allow pop-ups for this page or use “Open report”.');
  const go = () => {
    w.focus();
    w.print();
  };
  if (w.document.readyState === 'complete' && w.location.href !== 'about:blank') go();
  else w.addEventListener('load', go, { once: true });
}

/** "Save PDF" exists only in the app (Chromium's own dialog offers it in a browser). */
export async function saveReportPdf(path: string): Promise<boolean> {
  const b = bridge();
  if (!b) return false;
  checkNative(await b.printToPDF(absoluteUrl(path)), 'Saving the PDF');
  return true;
}

/** Saves an artifact through the app's save dialog; false in a browser (use the download link). */
export async function saveArtifact(path: string, name: string): Promise<boolean> {
  const b = bridge();
  if (!b) return false;
  const res = await fetch(path, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`Could not fetch ${name}: HTTP ${res.status}`);
  checkNative(await b.saveFile(name, new Uint8Array(await res.arrayBuffer())), `Saving ${name}`);
  return true;
}
