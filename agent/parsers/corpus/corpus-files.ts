import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

// Test-only helper: the vendored corpus samples (see README.md here). Each entry is checked
// against the git blob id recorded in MANIFEST.tsv, so a fixture that was edited by hand,
// re-encoded or truncated fails loudly instead of passing as a real output.

export interface CorpusFile {
  /** File name in the sample folder. */
  file: string;
  /** Path in the public corpus repository. */
  corpusPath: string;
  /** Why the sampler picked it (server, flash-array, offline-cpus …). */
  why: string[];
  text: string;
}

const ROOT = new URL('./', import.meta.url);

function gitBlobId(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

export function corpusFiles(kind: 'dmi' | 'lscpu' | 'smart' | 'pci' | 'selftest'): CorpusFile[] {
  const manifest = readFileSync(new URL(`${kind}/MANIFEST.tsv`, ROOT), 'utf8').trim().split('\n').slice(1);
  return manifest.map((row) => {
    const [file, corpusPath, blob, why] = row.split('\t') as [string, string, string, string];
    const bytes = gunzipSync(readFileSync(new URL(`${kind}/${file}`, ROOT)));
    if (gitBlobId(bytes) !== blob) throw new Error(`${kind}/${file} is not the corpus blob ${blob} (${corpusPath})`);
    return { file, corpusPath, why: why.split(','), text: bytes.toString('utf8') };
  });
}

/** A file of the sample folder that is not in the manifest (lspci renderings of a dump). */
export function corpusSibling(kind: 'pci', file: string): string {
  return gunzipSync(readFileSync(new URL(`${kind}/${file}`, ROOT))).toString('utf8');
}
