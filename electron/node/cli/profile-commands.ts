import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { Command, Option } from 'commander';
import type { ProfileView } from '../../../common/schema/index.ts';
import type { VettingApi } from './api-client.ts';
import { profileBodyFromYaml, profileYaml } from './profile-file.ts';

// `vetting profile list|show|set|delete` (docs/cli.md, "Profiles").

interface Helpers {
  dataDirOption: () => Option;
  withApi: <T>(dataDir: string | undefined, fn: (api: VettingApi) => Promise<T>) => Promise<T>;
  out: (json: boolean, value: unknown, human: () => string) => void;
}

const kindText = (p: ProfileView) => (p.builtin ? 'built-in' : `extends ${p.extends ?? '?'}`);
const line = (p: ProfileView) =>
  `${p.name.padEnd(20)} ${kindText(p).padEnd(17)} ${p.certifies ? 'certifies' : 'demo only'}  hosts=${p.hosts.length ? p.hosts.join(',') : '-'}${p.valid ? '' : '  INVALID'}`;

function showText(p: ProfileView): string {
  const head = [`${p.name}: ${p.builtin ? 'built-in, read-only' : `custom, extends ${p.extends}`}; ${p.certifies ? 'a clean run certifies the host' : 'a demonstration: its runs never certify'}`];
  if (p.description) head.push(p.description);
  head.push(`hosts using it: ${p.hosts.join(', ') || 'none'}`);
  for (const i of p.issues) head.push(`INVALID ${i.path}: ${i.message}`);
  if (!p.builtin) head.push('--- as `vetting profile set` reads it ---', profileYaml(p).trimEnd());
  head.push('--- parameters a run started now gets ---', stringify(p.params).trimEnd());
  if (p.builtin) head.push(`(to change it: save a file with "extends: ${p.name}" and the fields to change, then \`vetting profile set NEW-NAME --file FILE\`)`);
  return head.join('\n');
}

export function registerProfileCommands(program: Command, h: Helpers): void {
  const profile = program.command('profile').description('list, show, create, change and delete test profiles (the four built-ins are read-only)');
  profile
    .command('list')
    .addOption(h.dataDirOption())
    .option('--json')
    .action(async (o: { dataDir?: string; json?: boolean }) => {
      const all = await h.withApi(o.dataDir, (api) => api.listProfiles());
      h.out(!!o.json, all, () => all.map(line).join('\n'));
    });
  profile
    .command('show <name>')
    .description('a profile\'s parameters (and, for a custom one, what it changes, as `profile set` reads it)')
    .addOption(h.dataDirOption())
    .option('--json')
    .action(async (name: string, o: { dataDir?: string; json?: boolean }) => {
      const p = await h.withApi(o.dataDir, (api) => api.getProfile(name));
      h.out(!!o.json, p, () => showText(p));
    });
  profile
    .command('set <name>')
    .description('create or replace a custom profile from a YAML file: "extends: <built-in>" and the fields to change ("-" reads stdin)')
    .addOption(h.dataDirOption())
    .requiredOption('--file <file>', 'the profile YAML')
    .option('--json')
    .action(async (name: string, o: { dataDir?: string; file: string; json?: boolean }) => {
      const body = profileBodyFromYaml(readFileSync(o.file === '-' ? 0 : o.file, 'utf8'), o.file === '-' ? 'stdin' : o.file);
      const p = await h.withApi(o.dataDir, (api) => api.putProfile(name, body));
      h.out(!!o.json, p, () => `saved ${line(p)}`);
    });
  profile
    .command('delete <name>')
    .description('delete a custom profile; hosts using it must move to another one first (or with --move-hosts-to); runs keep the parameters they ran with')
    .addOption(h.dataDirOption())
    .option('--move-hosts-to <profile>', 'move the hosts that use it to this profile in the same step')
    .option('--json')
    .action(async (name: string, o: { dataDir?: string; moveHostsTo?: string; json?: boolean }) => {
      const r = await h.withApi(o.dataDir, (api) => api.deleteProfile(name, o.moveHostsTo));
      h.out(!!o.json, r, () => `deleted profile ${r.deleted}${r.movedHosts.length ? `; moved ${r.movedHosts.join(', ')} to ${o.moveHostsTo}` : ''}`);
    });
}
