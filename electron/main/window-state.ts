import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

// The window's size, position and maximised state, kept in a small JSON file in
// the user data directory. On restore the saved bounds are fitted onto the
// displays present now: a monitor unplugged since last time must not leave the
// window off-screen.

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Rect;
  maximized: boolean;
}

export const DEFAULT_SIZE = { width: 1440, height: 900 } as const;
export const MIN_SIZE = { width: 800, height: 560 } as const;
/** At least this much of the window (width × height in px) must be on a display to keep its position. */
const MIN_VISIBLE = { width: 120, height: 60 } as const;

const Coord = z.number().int().min(-100_000).max(100_000);
const Size = z.number().int().min(1).max(100_000);
const StoredState = z.object({
  bounds: z.object({ x: Coord, y: Coord, width: Size, height: Size }),
  maximized: z.boolean().default(false),
});

/** Parsed state, or null for a missing, unreadable or malformed file (then defaults apply). */
export function parseWindowState(text: string | null | undefined): WindowState | null {
  if (!text) return null;
  try {
    const r = StoredState.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

function intersection(a: Rect, b: Rect): { width: number; height: number } {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return { width: Math.max(0, width), height: Math.max(0, height) };
}

function fitSize(width: number, height: number, area: Rect): { width: number; height: number } {
  return {
    width: Math.max(Math.min(width, area.width), Math.min(MIN_SIZE.width, area.width)),
    height: Math.max(Math.min(height, area.height), Math.min(MIN_SIZE.height, area.height)),
  };
}

function centred(size: { width: number; height: number }, area: Rect): Rect {
  return {
    x: area.x + Math.round((area.width - size.width) / 2),
    y: area.y + Math.round((area.height - size.height) / 2),
    ...size,
  };
}

/**
 * Bounds to open the window with.
 * @param workAreas the work areas of the displays present now (Electron's display.workArea)
 * @param primary the primary display's work area
 */
export function restoreWindowState(saved: WindowState | null, workAreas: readonly Rect[], primary: Rect): WindowState {
  if (!saved) return { bounds: centred(fitSize(DEFAULT_SIZE.width, DEFAULT_SIZE.height, primary), primary), maximized: false };

  // The display holding most of the saved window, if enough of it is visible at all.
  let best: Rect | null = null;
  let bestArea = 0;
  for (const area of workAreas) {
    const i = intersection(saved.bounds, area);
    if (i.width >= Math.min(MIN_VISIBLE.width, saved.bounds.width) && i.height >= Math.min(MIN_VISIBLE.height, saved.bounds.height) && i.width * i.height > bestArea) {
      best = area;
      bestArea = i.width * i.height;
    }
  }
  if (!best) {
    return { bounds: centred(fitSize(saved.bounds.width, saved.bounds.height, primary), primary), maximized: saved.maximized };
  }
  // Keep the position, but pull the window fully onto that display.
  const size = fitSize(saved.bounds.width, saved.bounds.height, best);
  const x = Math.min(Math.max(saved.bounds.x, best.x), best.x + best.width - size.width);
  const y = Math.min(Math.max(saved.bounds.y, best.y), best.y + best.height - size.height);
  return { bounds: { x, y, ...size }, maximized: saved.maximized };
}

export function loadWindowState(file: string): WindowState | null {
  try {
    return parseWindowState(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** Writes atomically (temp file + rename) so a crash mid-write never leaves a torn file. */
export function saveWindowState(file: string, state: WindowState): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  renameSync(tmp, file);
}
