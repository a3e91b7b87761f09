import { stageTools } from '../../../common/stages/index.ts';
import { esc, fmtTime } from './html-kit.ts';
import type { ReportImage } from './types.ts';

// The report's "Live image" section: which image (and so which tool versions)
// produced the run's figures. It closes the audit trail, after the artifacts,
// so it never reaches page one (docs/report-format.md).
//
// On paper it names the versions of the packages whose tools the stages run
// (and Node.js, which runs the agent); the image's other ~200 packages would
// cost a printed page on their own, so the page counts them and report.json
// (`image.packages`) and the run's image-manifest.json list every one.

/** Debian packages whose versions decide the figures: every stage tool's, and the agent's runtime. */
function figurePackages(): Set<string> {
  return new Set([...stageTools().map((t) => t.debianPackage), 'nodejs']);
}

export function liveImageSection(im: ReportImage | null | undefined): string {
  if (!im) return '';
  const pkgs = (list: { name: string; version: string }[]) => list.map((p) => `${esc(p.name)} ${esc(p.version)}`).join(' · ');
  const wanted = figurePackages();
  const tools = im.packages.filter((p) => wanted.has(p.name));
  const others = im.packages.length - tools.length;
  return `<p class="live-image"><strong>Live image</strong> <span class="mono">${esc(im.id)}</span> (${esc(im.flavour)}${im.builtAt ? `, built ${esc(fmtTime(im.builtAt))}` : ''}), kernel ${esc(im.kernel)}; ${im.firmwareFiles} firmware file(s) from ${im.firmwarePackages.length} package(s)${firmwareVersions(im.firmwarePackages)}, ${im.firmwareUnavailable} requested file(s) unavailable.
Tools the stages ran: <span class="mono" id="image-packages">${pkgs(tools) || 'none recorded'}</span>${others > 0 ? `; ${others} other package(s) in report.json (image.packages)` : ''}; image-manifest.json has it all.</p>`;
}

/** "(9 packages at 20230210-5, firmware-linux-free 20200122-1)": Debian ships most firmware packages from one source, so their versions repeat. */
function firmwareVersions(list: { name: string; version: string }[]): string {
  if (!list.length) return '';
  const byVersion = new Map<string, string[]>();
  for (const p of list) byVersion.set(p.version, [...(byVersion.get(p.version) ?? []), p.name]);
  const parts = [...byVersion].map(([version, names]) => `${names.length > 1 ? `${names.length} packages at` : esc(names[0]!)} ${esc(version)}`);
  return ` (${parts.join(', ')})`;
}
