import { describe, expect, it } from 'vitest';
import { chooseNativeBinding, missingBindingMessage } from './native-binding.ts';

const base = { resourcesPath: '/opt/Vetting/resources', appPath: '/work/app' };

describe('chooseNativeBinding', () => {
  it('uses the packaged resources folder in a packaged app', () => {
    const r = chooseNativeBinding({ ...base, packaged: true, exists: (p) => p === '/opt/Vetting/resources/native/better_sqlite3.node' });
    expect(r).toEqual({ path: '/opt/Vetting/resources/native/better_sqlite3.node' });
  });

  it('uses build/native/electron in development', () => {
    const r = chooseNativeBinding({ ...base, packaged: false, exists: () => true });
    expect(r).toEqual({ path: '/work/app/build/native/electron/better_sqlite3.node' });
  });

  it('honours an override and reports what it searched when nothing is there', () => {
    const r = chooseNativeBinding({ ...base, packaged: false, override: '/srv/b.node', exists: () => false });
    expect(r).toEqual({ path: null, searched: ['/srv/b.node'] });
    expect(missingBindingMessage(['/srv/b.node'])).toContain('/srv/b.node');
    expect(missingBindingMessage([])).toContain('vetting.js serve');
  });
});
