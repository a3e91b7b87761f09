import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

// `vetting serve` leaves where it listens, and its control token, in a file only
// its owner can read; the other commands find the running server through it.

export const ServerFile = z.object({ pid: z.number().int(), control: z.string().url(), bench: z.string().url(), token: z.string().min(1) });
export type ServerFile = z.infer<typeof ServerFile>;

export const serverFilePath = (dataDir: string) => join(dataDir, 'server.json');

export function writeServerFile(dataDir: string, info: ServerFile): void {
  const path = serverFilePath(dataDir);
  writeFileSync(path, JSON.stringify(info), { mode: 0o600 });
  chmodSync(path, 0o600); // in case it existed with wider permissions
}

export function removeServerFile(dataDir: string, pid: number): void {
  const info = readServerFile(dataDir);
  if (info && info.pid === pid) rmSync(serverFilePath(dataDir), { force: true });
}

/** The server recorded for this data directory, if its process still lives. */
export function readServerFile(dataDir: string): ServerFile | null {
  const path = serverFilePath(dataDir);
  if (!existsSync(path)) return null;
  try {
    const info = ServerFile.parse(JSON.parse(readFileSync(path, 'utf8')));
    process.kill(info.pid, 0);
    return info;
  } catch {
    return null;
  }
}
