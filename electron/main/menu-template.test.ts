import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { buildMenuTemplate } from './menu-template.ts';

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flatten(i.submenu) : [])]);
}

describe('buildMenuTemplate', () => {
  const calls: string[] = [];
  const actions = {
    printPage: () => calls.push('print'),
    savePdf: () => calls.push('pdf'),
    openDataFolder: () => calls.push('data'),
    showAbout: () => calls.push('about'),
  };

  it('has the usual roles and the app commands', () => {
    const items = flatten(buildMenuTemplate(actions, { isMac: false, devTools: false }));
    const roles = items.map((i) => i.role).filter(Boolean);
    expect(roles).toEqual(expect.arrayContaining(['quit', 'editMenu', 'reload', 'zoomIn', 'zoomOut', 'resetZoom', 'togglefullscreen', 'windowMenu', 'help']));
    expect(roles).not.toContain('toggleDevTools');
    expect(roles).not.toContain('appMenu');
    for (const label of ['Print…', 'Save as PDF…', 'Open Data Folder', 'About Vetting']) {
      const item = items.find((i) => i.label === label);
      expect(item, label).toBeDefined();
      (item?.click as () => void)();
    }
    expect(calls).toEqual(['print', 'pdf', 'data', 'about']);
  });

  it('adds the app menu on macOS and dev tools when asked', () => {
    const items = flatten(buildMenuTemplate(actions, { isMac: true, devTools: true }));
    const roles = items.map((i) => i.role);
    expect(roles[0]).toBe('appMenu');
    expect(roles).toContain('toggleDevTools');
    expect(roles).toContain('close');
  });
});
