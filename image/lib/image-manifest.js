// Writes the live image's manifest.json: what went into the image (every
// Debian package and its version, the kernel, the firmware files and the ones
// left out with the reason, the signed boot files) and how big it came out.
// The orchestrator keeps a copy with each run it served and the report shows it
// (docs/image.md, "Manifest"). Plain JavaScript, Node's standard library only:
// image/build-image.sh runs it on the build machine.
//
//   node image/lib/image-manifest.js base  WORKDIR > base-manifest.json
//   node image/lib/image-manifest.js final BASE_MANIFEST IMAGE_DIR [BUDGET_BYTES] > manifest.json
//
// WORKDIR holds what the build collected: packages.tsv ("package<TAB>version"
// from dpkg-query in the image root), kernel.tsv ("version<TAB>package<TAB>
// package version"), firmware-plan.json (image/lib/firmware-plan.js),
// firmware-packages.tsv, firmware-files.tsv ("file<TAB>bytes" of the files
// copied), boot-files.tsv ("file<TAB>package<TAB>version<TAB>sha256"),
// flavour, and optionally gpu.json (the GPU layer's facts).

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const MANIFEST_FORMAT = 1;

/** "a<TAB>b…" lines → arrays of fields, blank lines skipped. @param {string} text */
export function tsv(text) {
  return text
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '')
    .map((l) => l.split('\t'));
}

/**
 * @param {string} work
 * @returns {Record<string, unknown>}
 */
export function baseManifest(work) {
  const read = (/** @type {string} */ name) => readFileSync(join(work, name), 'utf8');
  /** @type {Record<string, string>} */
  const packages = {};
  for (const [name, version] of tsv(read('packages.tsv'))) {
    if (name && version) packages[name] = version;
  }
  const [kernel] = tsv(read('kernel.tsv'));
  if (!kernel || kernel.length < 3) throw new Error('kernel.tsv must hold "version<TAB>package<TAB>package version"');
  const plan = JSON.parse(read('firmware-plan.json'));
  /** @type {Record<string, number>} */
  const sizes = Object.fromEntries(tsv(read('firmware-files.tsv')).map(([file, bytes]) => [file, Number(bytes)]));
  /** @type {Record<string, string>} */
  const fwPackages = Object.fromEntries(tsv(read('firmware-packages.tsv')).map(([name, version]) => [name, version]));
  const files = [];
  const missing = [...plan.missing];
  for (const f of plan.files) {
    // The Contents index said the package ships it; the package itself is the truth.
    if (sizes[f.file] === undefined) missing.push({ file: f.file, modules: f.modules, reason: `listed for ${f.package} in the archive's Contents index but absent from the package` });
    else files.push({ ...f, bytes: sizes[f.file] });
  }
  missing.sort((a, b) => a.file.localeCompare(b.file));
  /** @type {Record<string, { package: string, version: string, sha256: string }>} */
  const bootFiles = {};
  if (existsSync(join(work, 'boot-files.tsv'))) {
    for (const [file, pkg, version, sha256] of tsv(read('boot-files.tsv'))) bootFiles[file] = { package: pkg, version, sha256 };
  }
  return {
    format: MANIFEST_FORMAT,
    flavour: existsSync(join(work, 'flavour')) ? read('flavour').trim() : 'base',
    suite: 'bookworm',
    kernel: { version: kernel[0], package: kernel[1], packageVersion: kernel[2] },
    packages,
    firmware: {
      packages: fwPackages,
      bytes: files.reduce((s, f) => s + f.bytes, 0),
      files,
      missing,
    },
    bootFiles,
    ...(existsSync(join(work, 'gpu.json')) ? { gpu: JSON.parse(read('gpu.json')) } : {}),
    unpackedBytes: existsSync(join(work, 'unpacked-bytes')) ? Number(read('unpacked-bytes').trim()) : null,
  };
}

/**
 * Adds what only the finished image can say: its id (the initrd's hash, so two
 * builds of the same inputs with a different /init differ), sizes and the budget.
 * @param {Record<string, unknown>} base
 * @param {string} imageDir
 * @param {number | null} budgetBytes
 */
export function finalManifest(base, imageDir, budgetBytes) {
  const initrd = join(imageDir, 'initrd.img');
  const kernel = join(imageDir, 'vmlinuz');
  const sha256 = createHash('sha256').update(readFileSync(initrd)).digest('hex');
  return {
    ...base,
    id: sha256.slice(0, 16),
    builtAt: new Date().toISOString(),
    initrd: { bytes: statSync(initrd).size, sha256, budgetBytes },
    kernelImage: { bytes: statSync(kernel).size, sha256: createHash('sha256').update(readFileSync(kernel)).digest('hex') },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [mode, a, b, c] = process.argv.slice(2);
  let out;
  if (mode === 'base' && a) out = baseManifest(a);
  else if (mode === 'final' && a && b) out = finalManifest(JSON.parse(readFileSync(a, 'utf8')), b, c ? Number(c) : null);
  else {
    process.stderr.write('usage: image-manifest.js base WORKDIR | final BASE_MANIFEST IMAGE_DIR [BUDGET_BYTES]\n');
    process.exit(64);
  }
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}
