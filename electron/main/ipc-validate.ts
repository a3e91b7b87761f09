import { z } from 'zod';
import { IPC_CHANNELS } from '../preload/bridge-api.ts';
import { classifyUrl } from './allowed-urls.ts';

// Every ipcRenderer.invoke from the window is checked here before the main process
// acts on it: the channel must be one of the fixed list, the sender must be a page
// of the app, and each argument must have the expected type and size. A page can
// ask to print or save; it can never name a path on disk or a foreign URL.

export const MAX_SAVE_BYTES = 64 * 1024 * 1024;

export type NativeRequest =
  | { channel: typeof IPC_CHANNELS.print; url: string | null; preview: boolean }
  | { channel: typeof IPC_CHANNELS.printToPDF; url: string | null }
  | { channel: typeof IPC_CHANNELS.saveFile; name: string; data: string | Uint8Array }
  | { channel: typeof IPC_CHANNELS.notify; title: string; body: string; runId: number | null };

export type Validated = { ok: true; request: NativeRequest } | { ok: false; error: string };

/** A file name the save dialog may suggest: no directories, no hidden files, no control characters. */
const FileName = z
  .string()
  .min(1)
  .max(200)
  .refine((s) => !/[/\\\u0000-\u001f]/.test(s), 'must be a plain file name without path separators')
  .refine((s) => !s.startsWith('.'), 'must not start with a dot');

const Data = z.union([
  z.string().refine((s) => Buffer.byteLength(s) <= MAX_SAVE_BYTES, `must be at most ${MAX_SAVE_BYTES} bytes`),
  z.instanceof(Uint8Array).refine((b) => b.byteLength <= MAX_SAVE_BYTES, `must be at most ${MAX_SAVE_BYTES} bytes`),
]);

function describe(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.length ? `argument ${i.path.join('.')}` : 'arguments'}: ${i.message}`).join('; ');
}

/** The page calling must be one of the app's own pages (not a report, not a foreign frame). */
export function isTrustedSender(frameUrl: string | undefined, controlUrl: string): boolean {
  return frameUrl !== undefined && classifyUrl(frameUrl, controlUrl) === 'app';
}

export function validateNativeRequest(channel: string, args: readonly unknown[], controlUrl: string): Validated {
  const url = z
    .string()
    .max(4096)
    .nullable()
    .refine((u) => u === null || classifyUrl(u, controlUrl) !== 'blocked', 'URL is not a page of this app');
  let schema: z.ZodType<unknown[]>;
  switch (channel) {
    case IPC_CHANNELS.print:
      schema = z.tuple([url, z.object({ preview: z.boolean() }).strict()]);
      break;
    case IPC_CHANNELS.printToPDF:
      schema = z.tuple([url]);
      break;
    case IPC_CHANNELS.saveFile:
      schema = z.tuple([FileName, Data]);
      break;
    case IPC_CHANNELS.notify:
      // The run a click on the notification opens, when it is about one.
      schema = z.tuple([z.string().trim().min(1).max(200), z.string().max(2000), z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional()]);
      break;
    default:
      return { ok: false, error: `unknown channel ${JSON.stringify(String(channel).slice(0, 64))}` };
  }
  const parsed = schema.safeParse([...args]);
  if (!parsed.success) return { ok: false, error: `${channel}: ${describe(parsed.error)}` };
  const a = parsed.data;
  switch (channel) {
    case IPC_CHANNELS.print:
      return { ok: true, request: { channel, url: a[0] as string | null, preview: (a[1] as { preview: boolean }).preview } };
    case IPC_CHANNELS.printToPDF:
      return { ok: true, request: { channel, url: a[0] as string | null } };
    case IPC_CHANNELS.saveFile:
      return { ok: true, request: { channel, name: a[0] as string, data: a[1] as string | Uint8Array } };
    default:
      return { ok: true, request: { channel: IPC_CHANNELS.notify, title: a[0] as string, body: a[1] as string, runId: (a[2] as number | undefined) ?? null } };
  }
}
