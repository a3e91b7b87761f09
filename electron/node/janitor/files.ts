import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

// Small filesystem helpers for the janitor. Symlinks are never followed: a
// link inside the data directory must not let the janitor delete or count
// files elsewhere.

export interface FileEntry {
  path: string;
  bytes: number;
  mtimeMs: number;
}

/** Every regular file under `dir` (recursively); missing directories give an empty list. */
export function walkFiles(dir: string): FileEntry[] {
  const out: FileEntry[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names.sort()) {
    const path = join(dir, name);
    let st;
    try {
      st = lstatSync(path);
    } catch {
      continue; // vanished meanwhile
    }
    if (st.isDirectory()) out.push(...walkFiles(path));
    else if (st.isFile()) out.push({ path, bytes: st.size, mtimeMs: st.mtimeMs });
  }
  return out;
}

export function totalBytes(files: FileEntry[]): number {
  return files.reduce((n, f) => n + f.bytes, 0);
}
