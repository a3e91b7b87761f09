import { esc, fmtTime } from './html-kit.ts';
import type { ReportImage } from './types.ts';

// The report's "Live image" section: which image (and so which tool versions)
// produced the run's figures. It closes the audit trail, after the artifacts,
// so it never reaches page one (docs/report-format.md).

export function liveImageSection(im: ReportImage | null | undefined): string {
  if (!im) return '';
  const pkgs = (list: { name: string; version: string }[]) => list.map((p) => `${esc(p.name)} ${esc(p.version)}`).join(' · ');
  return `<h3>Live image</h3>
<p>Image <span class="mono">${esc(im.id)}</span> (${esc(im.flavour)}${im.builtAt ? `, built ${esc(fmtTime(im.builtAt))}` : ''}), kernel ${esc(im.kernel)}; ${im.firmwareFiles} firmware file(s) from ${pkgs(im.firmwarePackages) || 'no package'}, ${im.firmwareUnavailable} requested file(s) unavailable (listed in image-manifest.json).</p>
<p class="mono" id="image-packages">${pkgs(im.packages)}</p>`;
}
