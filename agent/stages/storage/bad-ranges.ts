// Bad places on a disk, as both surface scans report them: byte ranges with
// what was wrong there, merged and described in bytes and in the disk's own
// logical blocks, so a report names the same place whichever tool found it
// and whatever block size that tool used.

export type BadKind = 'unreadable' | 'corrupted' | 'write-failed' | 'io-error' | 'unreadable-once' | 'corrupted-once' | 'listed';

/** [start, end) in bytes. */
export interface BadRange {
  start: number;
  end: number;
  kind: BadKind;
}

const KIND_TEXT: Record<BadKind, string> = {
  unreadable: 'unreadable (I/O error)',
  corrupted: 'read back other data than was written',
  'write-failed': 'write failed (I/O error)',
  'io-error': 'I/O error (read or write)',
  'unreadable-once': 'unreadable once (I/O error), read correctly when read again',
  'corrupted-once': 'read back other data once, correct when read again',
  listed: 'listed by badblocks, not seen again when re-read',
};

/** Sorts, and merges ranges of the same kind that touch or overlap. */
export function mergeRanges(ranges: readonly BadRange[]): BadRange[] {
  const sorted = [...ranges].filter((r) => r.end > r.start).sort((a, b) => a.start - b.start || a.kind.localeCompare(b.kind));
  const out: BadRange[] = [];
  for (const r of sorted) {
    const same = [...out].reverse().find((o) => o.kind === r.kind);
    if (same && r.start <= same.end) same.end = Math.max(same.end, r.end);
    else out.push({ ...r });
  }
  // Merging only moves ends, so `out` is still in the order of its starts.
  return out;
}

/** Logical blocks touched by any range (a block in two ranges counts once). */
export function badBlockCount(ranges: readonly BadRange[], logicalBlockSize: number): number {
  const blocks = ranges
    .map((r) => ({ first: Math.floor(r.start / logicalBlockSize), last: Math.ceil(r.end / logicalBlockSize) - 1 }))
    .sort((a, b) => a.first - b.first);
  let count = 0;
  let upTo = -1;
  for (const b of blocks) {
    // Only the blocks past the last one already counted are new.
    const from = Math.max(b.first, upTo + 1);
    if (b.last >= from) count += b.last - from + 1;
    upTo = Math.max(upTo, b.last);
  }
  return count;
}

/**
 * "bytes 4194304-4227071 (logical blocks 8192-8255 of 512 B): unreadable (I/O error)".
 * A tool's own block numbers, when they differ, follow in brackets.
 */
export function describeBadRange(r: BadRange, logicalBlockSize: number, toolBlocks?: { size: number; label: string }): string {
  const first = Math.floor(r.start / logicalBlockSize);
  const last = Math.ceil(r.end / logicalBlockSize) - 1;
  const blocks = first === last ? `logical block ${first}` : `logical blocks ${first}-${last}`;
  let tool = '';
  if (toolBlocks && toolBlocks.size !== logicalBlockSize) {
    const tf = Math.floor(r.start / toolBlocks.size);
    const tl = Math.ceil(r.end / toolBlocks.size) - 1;
    tool = `; ${toolBlocks.label} ${tf === tl ? `block ${tf}` : `blocks ${tf}-${tl}`} of ${toolBlocks.size} B`;
  }
  return `bytes ${r.start}-${r.end - 1} (${blocks} of ${logicalBlockSize} B${tool}): ${KIND_TEXT[r.kind]}`;
}

/** The failure sentence for a disk with bad ranges: how many blocks, and the first few ranges. */
export function badRangesFailure(tool: string, device: string, blocks: number, described: readonly string[]): string {
  const shown = described.slice(0, 5).join('; ');
  const more = described.length > 5 ? ` and ${described.length - 5} more range(s)` : '';
  return `${tool} found ${blocks} bad logical block(s) on ${device}: ${shown || 'range not listed'}${more}`;
}
