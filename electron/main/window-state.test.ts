import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SIZE, MIN_SIZE, loadWindowState, parseWindowState, restoreWindowState, saveWindowState, type Rect } from './window-state.ts';

const primary: Rect = { x: 0, y: 0, width: 1920, height: 1050 };
const right: Rect = { x: 1920, y: 0, width: 2560, height: 1400 };

describe('parseWindowState', () => {
  it('accepts a stored state and rejects anything else', () => {
    expect(parseWindowState('{"bounds":{"x":10,"y":20,"width":1000,"height":700},"maximized":true}')).toEqual({
      bounds: { x: 10, y: 20, width: 1000, height: 700 },
      maximized: true,
    });
    expect(parseWindowState('{"bounds":{"x":10,"y":20,"width":1000,"height":700}}')?.maximized).toBe(false);
    expect(parseWindowState(null)).toBeNull();
    expect(parseWindowState('')).toBeNull();
    expect(parseWindowState('{not json')).toBeNull();
    expect(parseWindowState('{"bounds":{"x":"10","y":20,"width":1000,"height":700}}')).toBeNull();
    expect(parseWindowState('{"bounds":{"x":10,"y":20,"width":-5,"height":700}}')).toBeNull();
    expect(parseWindowState('{"bounds":{"x":1e12,"y":20,"width":5,"height":700}}')).toBeNull();
  });
});

describe('restoreWindowState', () => {
  it('centres the default size on the primary display the first time', () => {
    const s = restoreWindowState(null, [primary], primary);
    expect(s.bounds).toEqual({ x: 240, y: 75, width: DEFAULT_SIZE.width, height: DEFAULT_SIZE.height });
    expect(s.maximized).toBe(false);
  });

  it('keeps a position that is on a display', () => {
    const saved = { bounds: { x: 2000, y: 100, width: 1200, height: 800 }, maximized: true };
    expect(restoreWindowState(saved, [primary, right], primary)).toEqual(saved);
  });

  it('moves a window from an unplugged display onto the primary one', () => {
    const saved = { bounds: { x: 2000, y: 100, width: 1200, height: 800 }, maximized: false };
    const s = restoreWindowState(saved, [primary], primary);
    expect(s.bounds).toEqual({ x: 360, y: 125, width: 1200, height: 800 });
  });

  it('pulls a window hanging off an edge fully onto its display and shrinks it to fit', () => {
    const s = restoreWindowState({ bounds: { x: 1700, y: -40, width: 3000, height: 900 }, maximized: false }, [primary, right], primary);
    // Most of it lies on the right-hand display: it stays there, clamped.
    expect(s.bounds).toEqual({ x: 1920, y: 0, width: 2560, height: 900 });
  });

  it('ignores a sliver that is barely visible', () => {
    const s = restoreWindowState({ bounds: { x: 1900, y: 100, width: 1000, height: 700 }, maximized: false }, [primary], primary);
    expect(s.bounds).toEqual({ x: 460, y: 175, width: 1000, height: 700 });
  });

  it('never makes a window smaller than the minimum unless the display is smaller', () => {
    const s = restoreWindowState({ bounds: { x: 10, y: 10, width: 100, height: 100 }, maximized: false }, [primary], primary);
    expect(s.bounds.width).toBe(MIN_SIZE.width);
    expect(s.bounds.height).toBe(MIN_SIZE.height);
    const tiny: Rect = { x: 0, y: 0, width: 640, height: 480 };
    const t = restoreWindowState({ bounds: { x: 0, y: 0, width: 1000, height: 1000 }, maximized: false }, [tiny], tiny);
    expect(t.bounds).toEqual({ x: 0, y: 0, width: 640, height: 480 });
  });
});

describe('load/save', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips through a file and treats a damaged file as absent', () => {
    dir = mkdtempSync(join(tmpdir(), 'vetting-winstate-'));
    const file = join(dir, 'nested', 'window-state.json');
    expect(loadWindowState(file)).toBeNull();
    const state = { bounds: { x: 5, y: 6, width: 900, height: 700 }, maximized: true };
    saveWindowState(file, state);
    expect(loadWindowState(file)).toEqual(state);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(state);
    writeFileSync(file, '{"bounds":');
    expect(loadWindowState(file)).toBeNull();
  });
});
