import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../../common/profiles.ts';
import type { ProfileView } from '../../../common/schema/index.ts';
import { profileBodyFromYaml, profileYaml } from './profile-file.ts';

describe('profile files', () => {
  it('reads extends, description and the fields to change from the top level', () => {
    const body = profileBodyFromYaml('extends: standard\ndescription: NVMe nodes\nstorage:\n  floors:\n    nvme: { minIops: 80000 }\n', 'p.yaml');
    expect(body).toEqual({ extends: 'standard', description: 'NVMe nodes', overrides: { storage: { floors: { nvme: { minIops: 80000 } } } } });
  });

  it('says what is wrong with a file, with its line', () => {
    expect(() => profileBodyFromYaml('storage:\n  floors: {\n', 'p.yaml')).toThrow(/^p\.yaml, line \d+: not valid YAML/);
    expect(() => profileBodyFromYaml('- a\n- b\n', 'p.yaml')).toThrow(/expected a mapping/);
    expect(() => profileBodyFromYaml('storage: {}\n', 'p.yaml')).toThrow(/"extends" is missing/);
  });

  it('writes a custom profile back as the file it was read from', () => {
    const view: ProfileView = { name: 'x', builtin: false, extends: 'smoke', description: 'quick', overrides: { cpuStress: { durationS: 30 } }, params: PROFILES.smoke, certifies: false, valid: true, issues: [], hosts: [], createdAt: null, updatedAt: null };
    expect(profileBodyFromYaml(profileYaml(view), 'x')).toEqual({ extends: 'smoke', description: 'quick', overrides: { cpuStress: { durationS: 30 } } });
  });
});
