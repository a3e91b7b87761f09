// Which firmware files go into the live image, and why the others do not.
// Plain JavaScript (Node's standard library only) because image/build-image.sh
// runs it on the build machine before anything else of the app is built.
//
// Input: what the image's network and storage drivers can ask for
// (`modinfo -F firmware` of each module: "module<TAB>file" lines), which Debian
// package ships each file (the archive's Contents index for
// non-free-firmware, plus the file list of main's firmware-linux-free), and a
// list of exclusions with their reasons (image/firmware-exclude.txt).
// Output: the packages to fetch, the files to copy from them, and every file
// left out with the reason, for the image manifest.
//
//   node image/lib/firmware-plan.js REQUESTED.tsv CONTENTS [EXCLUDE.txt] > plan.json

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export const NOT_IN_DEBIAN = 'no package in Debian bookworm (main, non-free-firmware) ships it';

/**
 * "module<TAB>file" lines → file → modules that request it.
 * @param {string} text
 * @returns {Map<string, string[]>}
 */
export function parseRequested(text) {
  /** @type {Map<string, string[]>} */
  const out = new Map();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const tab = line.indexOf('\t');
    if (tab <= 0) throw new Error(`requested firmware line without "module<TAB>file": ${JSON.stringify(line.slice(0, 120))}`);
    const module = line.slice(0, tab).trim();
    const file = normaliseFirmwarePath(line.slice(tab + 1).trim());
    if (!file) continue;
    const mods = out.get(file) ?? [];
    if (!mods.includes(module)) mods.push(module);
    out.set(file, mods);
  }
  return out;
}

/**
 * Debian Contents index ("path   section/package[,section/package…]") → firmware
 * file (relative to lib/firmware) → packages. Paths outside lib/firmware are skipped.
 * @param {string} text
 * @returns {Map<string, string[]>}
 */
export function parseContents(text) {
  /** @type {Map<string, string[]>} */
  const out = new Map();
  for (const line of text.split('\n')) {
    // The path may hold spaces; the package list is the last whitespace-separated field.
    const m = /^(.*\S)\s+(\S+)$/.exec(line);
    if (!m) continue;
    const path = m[1].replace(/^\/+/, '').replace(/^usr\//, '');
    if (!path.startsWith('lib/firmware/')) continue;
    const file = path.slice('lib/firmware/'.length);
    const pkgs = m[2].split(',').map((q) => q.slice(q.lastIndexOf('/') + 1)).filter(Boolean);
    out.set(file, [...new Set([...(out.get(file) ?? []), ...pkgs])]);
  }
  return out;
}

/**
 * image/firmware-exclude.txt: "PATTERN  reason…" per line ('#' comments); PATTERN
 * is a glob on the firmware path ("*" any characters, "?" one).
 * @param {string} text
 * @returns {{ pattern: string, test: RegExp, reason: string }[]}
 */
export function parseExclusions(text) {
  const out = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    const m = /^(\S+)\s+(.+)$/.exec(line);
    if (!m) throw new Error(`firmware exclusion without a reason: ${JSON.stringify(line)} (write "PATTERN reason")`);
    const re = m[1].replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    out.push({ pattern: m[1], test: new RegExp(`^${re}$`), reason: m[2] });
  }
  return out;
}

/**
 * @param {Map<string, string[]>} requested file → modules
 * @param {Map<string, string[]>} shippedBy file → packages
 * @param {{ pattern: string, test: RegExp, reason: string }[]} exclusions
 * @returns {{ packages: string[], files: { file: string, package: string, modules: string[] }[], missing: { file: string, modules: string[], reason: string }[] }}
 */
export function planFirmware(requested, shippedBy, exclusions) {
  /** @type {{ file: string, package: string, modules: string[] }[]} */
  const files = [];
  /** @type {{ file: string, modules: string[], reason: string }[]} */
  const missing = [];
  /** @type {Map<string, number>} */
  const chosen = new Map();
  for (const file of [...requested.keys()].sort()) {
    const modules = [...(requested.get(file) ?? [])].sort();
    const excluded = exclusions.find((x) => x.test.test(file));
    if (excluded) {
      missing.push({ file, modules, reason: `excluded: ${excluded.reason}` });
      continue;
    }
    const pkgs = shippedBy.get(file) ?? [];
    if (pkgs.length === 0) {
      missing.push({ file, modules, reason: NOT_IN_DEBIAN });
      continue;
    }
    // Prefer a package already being fetched, so alternatives do not add downloads.
    const pkg = pkgs.find((p) => chosen.has(p)) ?? pkgs[0];
    chosen.set(pkg, (chosen.get(pkg) ?? 0) + 1);
    files.push({ file, package: pkg, modules });
  }
  return { packages: [...chosen.keys()].sort(), files, missing };
}

/** Firmware names as drivers give them: no leading slash, no "./". @param {string} p */
export function normaliseFirmwarePath(p) {
  return p.replace(/^\/+/, '').replace(/^(\.\/)+/, '');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [requestedPath, contentsPath, excludePath] = process.argv.slice(2);
  if (!requestedPath || !contentsPath) {
    process.stderr.write('usage: firmware-plan.js REQUESTED.tsv CONTENTS [EXCLUDE.txt]\n');
    process.exit(64);
  }
  const plan = planFirmware(
    parseRequested(readFileSync(requestedPath, 'utf8')),
    parseContents(readFileSync(contentsPath, 'utf8')),
    excludePath ? parseExclusions(readFileSync(excludePath, 'utf8')) : [],
  );
  process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
}
