import { cpSync, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

// Vitest global setup for `npm run mutate` (vitest.mutate.config.ts). Stryker copies the
// project into a sandbox (.stryker-tmp/sandbox-*/) file by file and cannot copy a symlink
// to a directory. The PCI tree captured from a real kernel keeps the kernel's
// bus/pci/devices/<address> links, so stryker.config.mjs leaves that folder out of the
// sandbox and this puts the links back, as links, from the checkout the sandbox was made
// from. Outside a sandbox it does nothing.
export const CAPTURED_LINKS = 'agent/parsers/captured/qemu-lab-2026-12-faults/pci-sysfs/bus';

export default function setup(): void {
  const root = join(import.meta.dirname, '..', '..');
  const tmp = dirname(root);
  if (!basename(root).startsWith('sandbox-') || basename(tmp) !== '.stryker-tmp') return;
  const here = join(root, CAPTURED_LINKS);
  if (!existsSync(here)) cpSync(join(dirname(tmp), CAPTURED_LINKS), here, { recursive: true, verbatimSymlinks: true });
}
