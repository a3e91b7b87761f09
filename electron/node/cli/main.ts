import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { BMC_DRIVERS, BmcBootMode, CertSha256, HostInput, RunActionBody, StartPower, type BmcTestView, type HostView, type OperatorAction, type RunDetailView, type RunSummaryView } from '../../../common/schema/index.ts';
import { appVersion, projectRoot, startOrchestrator } from '../orchestrator.ts';
import { describeIssues, UserError, zodIssues } from '../util/errors.ts';
import { connect, type StartedRun, type VettingApi } from './api-client.ts';
import { registerProfileCommands } from './profile-commands.ts';
import { resolveDataDir } from './data-dir.ts';
import { readSecret } from './secret-input.ts';
import { removeServerFile, writeServerFile } from './server-file.ts';
import { setSupervisorLocally } from './supervisor-local.ts';
import { settingsPatch } from './settings-args.ts';
import { RESULT_TEXT } from '../../../common/verdict.ts';

// The `vetting` command line (docs/cli.md). Output for people by default,
// `--json` where a script reads it; errors go to stderr with a non-zero exit.

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number 0-65535 (0 = any free port)');
  return n;
};
const runId = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a run id (a positive whole number)');
  return n;
};
const seconds = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number of seconds above 0');
  return n;
};
const collect = (v: string, all: string[]) => [...all, v];
const dataDirOption = () => new Option('--data-dir <dir>', 'data directory (default $VETTING_DATA_DIR or $XDG_DATA_HOME/vetting)');

function out(json: boolean, value: unknown, human: () => string) {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${human()}\n`);
}

async function withApi<T>(dataDir: string | undefined, fn: (api: VettingApi) => Promise<T>): Promise<T> {
  const api = connect(resolveDataDir(dataDir));
  try {
    return await fn(api);
  } finally {
    api.close();
  }
}

const bmcText = (h: HostView) => (h.bmc ? ` bmc=${h.bmc.driver}:${h.bmc.address}${h.bmc.power ? ` power=${h.bmc.power.state}` : ''}` : '');
const hostLine = (h: HostView) => `${h.name.padEnd(20)} ${h.profile.padEnd(9)} macs=${h.macs.join(',') || '-'} disks=${h.disks.length} spec=${h.specYaml ? 'yes' : 'no'}${bmcText(h)}${h.activeRun ? ` run=${h.activeRun}` : ''}`;

/** What a BMC connection test found, for a person (the certificate in the form BMC pages print it). */
function bmcTestText(name: string, t: BmcTestView): string {
  const lines: string[] = [];
  if (t.certificate) {
    const fp = t.certificate.sha256.toUpperCase().replace(/(..)(?!$)/g, '$1:');
    lines.push(`certificate: ${t.certificate.subject} (issued by ${t.certificate.issuer}, valid ${t.certificate.validFrom} – ${t.certificate.validTo})`, `  SHA-256 ${fp} ${t.certificate.pinned ? '(trusted)' : '(NOT trusted)'}`);
  }
  if (t.ok) {
    lines.push(`power: ${t.power}`, `BMC: ${[t.identity?.manufacturer, t.identity?.model].filter(Boolean).join(' ') || 'unknown model'}${t.identity?.firmware ? `, firmware ${t.identity.firmware}` : ''}`);
  } else if (t.error) {
    lines.push(`failed: ${t.error.message}`);
    if (t.error.code === 'bmc-certificate-untrusted' || t.error.code === 'bmc-certificate-changed') {
      lines.push(`  if the fingerprint above is the one the BMC's own screen shows: vetting host trust-bmc ${name} ${t.certificate?.sha256 ?? 'FINGERPRINT'}`);
    }
  }
  return lines.join('\n');
}

function startedText(host: string, r: StartedRun): string {
  const lines = [`run ${r.run} started for ${host}`];
  for (const p of r.power ?? []) lines.push(`  ${p.ok ? 'ok    ' : 'FAILED'} ${p.action}: ${p.message}`);
  lines.push(`  vetting agent --orchestrator ${r.orchestrator} --token ${r.token}${r.pin ? ` --pin ${r.pin}` : ''}`);
  return lines.join('\n');
}
const runLine = (r: RunSummaryView) => `#${String(r.id).padEnd(5)} ${r.host.padEnd(20)} ${r.state.padEnd(15)} ${r.result ?? '-'}${r.failedStage ? ` failed=${r.failedStage}` : ''}${r.holdReason ? ` (${r.holdReason})` : ''}`;

function runText(r: RunDetailView): string {
  const lines = [runLine(r), `profile ${r.profile}; created ${r.createdAt}${r.completedAt ? `; finished ${r.completedAt}` : ''}`];
  if (r.result) lines.push(`result ${RESULT_TEXT[r.result]}`);
  for (const why of r.verdict.reasons) lines.push(`  - ${why}`);
  for (const s of r.stages) lines.push(`  ${s.name.padEnd(13)} ${(s.outcome ?? 'running').padEnd(10)} ${s.message ?? ''}`);
  for (const u of r.unexpectedData) lines.push(`  data found on ${u.disk} (${u.device}): ${u.found.join(', ')}`);
  for (const d of r.specDiffs) lines.push(`  [${d.severity}] ${d.field}: expected ${d.expected ?? '—'}, found ${d.actual ?? '—'}`);
  return lines.join('\n');
}

/** Shapes a run for scripts: the documented stable fields first (docs/cli.md). */
function runJson(r: RunDetailView) {
  return { ...r, stages: r.stages.map((s) => ({ name: s.name, outcome: s.outcome, message: s.message, attempt: s.attempt, startedAt: s.startedAt, completedAt: s.completedAt, summary: s.summary, coverage: s.coverage })) };
}

export function buildProgram(): Command {
  const program = new Command('vetting')
    .description('Hardware validation bench for repaired servers: PXE boot, ordered hardware tests, printed report.')
    .version(appVersion())
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('serve')
    .description('run the orchestrator headless: control API + UI on loopback, agent listener on the bench address')
    .addOption(dataDirOption())
    .option('--control-port <port>', 'loopback port for the UI and API (0 = any free port)', port, 8068)
    .option('--bench-address <addr>', 'address of the bench listener (agents, boot files); default from settings')
    .option('--bench-port <port>', 'port of the bench listener (0 = any free port); default from settings', port)
    .option('--iperf-port <port>', 'iperf3 server port for the Network stage (default from settings; 0 = run none)', port)
    .option('--ui-dir <dir>', 'built UI to serve (default out/renderer)')
    .option('--json', 'print one JSON line {control, bench, token} once listening')
    .action(async (o: { dataDir?: string; controlPort: number; benchAddress?: string; benchPort?: number; iperfPort?: number; uiDir?: string; json?: boolean }) => {
      const dataDir = resolveDataDir(o.dataDir);
      const orch = await startOrchestrator({
        dataDir,
        controlPort: o.controlPort,
        ...(o.benchAddress ? { benchAddress: o.benchAddress } : {}),
        ...(o.benchPort !== undefined ? { benchPort: o.benchPort } : {}),
        ...(o.iperfPort !== undefined ? { iperfPort: o.iperfPort } : {}),
        ...(o.uiDir ? { uiDir: resolve(o.uiDir) } : {}),
      });
      writeServerFile(dataDir, { pid: process.pid, control: orch.controlUrl, bench: orch.benchUrl, token: orch.token });
      if (o.json) process.stdout.write(`${JSON.stringify({ control: orch.controlUrl, bench: orch.benchUrl, token: orch.token })}\n`);
      else {
        process.stdout.write(`Vetting ${appVersion()} serving ${dataDir}\n`);
        process.stdout.write(`  open the bench UI: ${orch.controlUrl}/?token=${orch.token}\n`);
        process.stdout.write(`  agents connect to: ${orch.benchUrl.replace(/^http/, 'ws')}/agent\n`);
      }
      // Without a built UI the page would only say so: say it here, where it can be acted on (the API works meanwhile).
      const uiDir = o.uiDir ? resolve(o.uiDir) : join(projectRoot(), 'out', 'renderer');
      if (!existsSync(join(uiDir, 'index.html'))) {
        process.stderr.write(`no built UI in ${uiDir}: build it with \`npm run build\` in ${projectRoot()} (or point --ui-dir at a built one); the API and agents work meanwhile\n`);
      }
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(`${signal}: shutting down\n`);
        await orch.close();
        removeServerFile(dataDir, process.pid);
        process.exit(0);
      };
      process.on('SIGTERM', () => void stop('SIGTERM'));
      process.on('SIGINT', () => void stop('SIGINT'));
    });

  program
    .command('agent')
    .description('run the in-image agent by hand against an orchestrator')
    .requiredOption('--orchestrator <url>', 'agent WebSocket URL, e.g. ws://10.0.0.1:8069/agent')
    .requiredOption('--token <token>', 'the run\'s agent token (from `vetting run start`)')
    .option('--pin <sha256:hex>', 'the orchestrator\'s key (from `vetting run start`): TLS to it only; without it, stages that write to disks are refused')
    .option('--sysfs-root <dir>', 'where sensor and health reads come from (hwmon, EDAC, PCI link state, NIC statistics; default /sys; tests feed a fake tree). Disks are always identified from the real /sys')
    .option('--hwmon-root <dir>', 'the older name of --sysfs-root')
    .option('--state-dir <dir>', 'where the agent keeps its unacknowledged messages across restarts')
    .action(async (o: { orchestrator: string; token: string; pin?: string; sysfsRoot?: string; hwmonRoot?: string; stateDir?: string }) => {
      const { runAgent } = await import('../../../agent/main.ts');
      const sysfsRoot = o.sysfsRoot ?? o.hwmonRoot;
      process.exitCode = await runAgent({ orchestrator: o.orchestrator, token: o.token, pin: o.pin ?? null, ...(sysfsRoot ? { sysfsRoot } : {}), ...(o.stateDir ? { stateDir: o.stateDir } : {}) });
    });

  const host = program.command('host').description('register and inspect hosts');
  host
    .command('add')
    .description('register a host by its boot MACs and expected disks')
    .addOption(dataDirOption())
    .requiredOption('--name <name>', 'host name')
    .option('--mac <mac>', 'boot MAC (repeatable)', collect, [])
    .option('--profile <profile>', 'test profile: a built-in (standard, burn-in, smoke, selftest) or a custom one (vetting profile list)', 'standard')
    .option('--spec <file>', 'expected spec YAML file')
    .option('--disk <id>', 'expected disk: serial, WWN, or loop:BACKING_FILE (repeatable)', collect, [])
    .option('--max-temp <celsius>', 'thermal ceiling for this host', Number)
    .option('--bmc <address>', 'the host\'s BMC: HOST[:PORT] (IPMI, UDP 623) or https://HOST[:PORT][/redfish/v1/Systems/ID] (Redfish); its password comes from VETTING_BMC_PASSWORD or a prompt')
    .addOption(new Option('--bmc-driver <driver>', 'how the bench speaks to the BMC').choices([...BMC_DRIVERS]))
    .option('--bmc-user <user>', 'BMC user allowed to control power')
    .option('--bmc-cert-sha256 <fingerprint>', 'Redfish: the BMC certificate to trust (from `vetting host test-bmc`, checked against the BMC\'s own screen)')
    .addOption(new Option('--bmc-boot-mode <mode>', 'ask the BMC for a UEFI or legacy network boot (default: Redfish leaves it to the firmware, IPMI asks legacy)').choices([...BmcBootMode.options]))
    .option('--json', 'print the host as JSON')
    .action(async (o: { dataDir?: string; name: string; mac: string[]; profile: string; spec?: string; disk: string[]; maxTemp?: number; bmc?: string; bmcDriver?: string; bmcUser?: string; bmcCertSha256?: string; bmcBootMode?: string; json?: boolean }) => {
      const bmcGiven = o.bmc !== undefined || o.bmcDriver !== undefined || o.bmcUser !== undefined || o.bmcCertSha256 !== undefined || o.bmcBootMode !== undefined;
      if (bmcGiven && (!o.bmc || !o.bmcDriver || !o.bmcUser)) throw new UserError('a BMC needs --bmc ADDRESS, --bmc-driver ipmi|redfish and --bmc-user USER together', 'bad-host');
      const bmc = bmcGiven
        ? {
            driver: o.bmcDriver,
            address: o.bmc,
            user: o.bmcUser,
            password: await readSecret(`BMC password for ${o.bmcUser}@${o.bmc}: `, 'VETTING_BMC_PASSWORD'),
            ...(o.bmcCertSha256 ? { certSha256: o.bmcCertSha256 } : {}),
            ...(o.bmcBootMode ? { bootMode: o.bmcBootMode } : {}),
          }
        : undefined;
      const input = HostInput.safeParse({
        name: o.name,
        macs: o.mac,
        profile: o.profile,
        disks: o.disk,
        ...(o.maxTemp !== undefined ? { maxTempC: o.maxTemp } : {}),
        ...(o.spec ? { specYaml: readFileSync(o.spec, 'utf8') } : {}),
        ...(bmc ? { bmc } : {}),
      });
      if (!input.success) throw new UserError(`invalid host: ${describeIssues(zodIssues(input.error))}`, 'bad-host');
      const h = await withApi(o.dataDir, (api) => api.addHost(input.data));
      out(!!o.json, h, () => `added ${hostLine(h)}`);
    });
  host
    .command('list')
    .addOption(dataDirOption())
    .option('--json')
    .action(async (o: { dataDir?: string; json?: boolean }) => {
      const hosts = await withApi(o.dataDir, (api) => api.listHosts());
      out(!!o.json, hosts, () => (hosts.length ? hosts.map(hostLine).join('\n') : 'no hosts registered (vetting host add --name N --mac M)'));
    });
  host
    .command('show <name>')
    .addOption(dataDirOption())
    .option('--json')
    .action(async (name: string, o: { dataDir?: string; json?: boolean }) => {
      const h = await withApi(o.dataDir, (api) => api.getHost(name));
      out(!!o.json, h, () => `${hostLine(h)}\ndisks: ${h.disks.join(', ') || '-'}\n${h.specYaml ? `--- expected spec ---\n${h.specYaml}` : 'no expected spec'}`);
    });
  host
    .command('test-bmc <name>')
    .description("ask the host's BMC for its power state and model (for Redfish, shows the certificate to trust first)")
    .addOption(dataDirOption())
    .option('--json')
    .action(async (name: string, o: { dataDir?: string; json?: boolean }) => {
      const t = await withApi(o.dataDir, (api) => api.testBmc({ host: name }));
      out(!!o.json, t, () => bmcTestText(name, t));
      if (!t.ok) process.exitCode = 1;
    });
  host
    .command('trust-bmc <name> <fingerprint>')
    .description("trust the Redfish BMC certificate with this SHA-256 fingerprint (after checking it against the BMC's own screen)")
    .addOption(dataDirOption())
    .option('--json')
    .action(async (name: string, fingerprint: string, o: { dataDir?: string; json?: boolean }) => {
      const sha = CertSha256.safeParse(fingerprint);
      if (!sha.success) throw new UserError(`"${fingerprint}": ${sha.error.issues[0]?.message}`, 'bad-fingerprint');
      const h = await withApi(o.dataDir, async (api) => {
        const current = await api.getHost(name);
        if (!current.bmc) throw new UserError(`host "${name}" has no BMC`, 'no-bmc', 409);
        if (current.bmc.driver !== 'redfish') throw new UserError(`host "${name}" speaks IPMI to its BMC, which has no certificate`, 'bad-request');
        const { driver, address, user, bootMode } = current.bmc;
        return api.updateHost(name, { bmc: { driver, address, user, bootMode, certSha256: sha.data } });
      });
      out(!!o.json, h, () => `${name}: the BMC certificate ${fingerprint} is trusted\n${hostLine(h)}`);
    });
  host
    .command('set-spec <name> <file>')
    .description('set the expected spec from a YAML file (validated; "-" reads stdin)')
    .addOption(dataDirOption())
    .action(async (name: string, file: string, o: { dataDir?: string }) => {
      const yaml = readFileSync(file === '-' ? 0 : file, 'utf8');
      await withApi(o.dataDir, (api) => api.setSpec(name, yaml));
      process.stdout.write(`expected spec of ${name} updated\n`);
    });
  host
    .command('capture-spec <name>')
    .description("print an expected spec captured from a run's inventory (latest by default)")
    .addOption(dataDirOption())
    .option('--run <id>', 'capture from this run', runId)
    .option('--save', 'also store it as the host\'s expected spec')
    .action(async (name: string, o: { dataDir?: string; run?: number; save?: boolean }) => {
      const yaml = await withApi(o.dataDir, async (api) => {
        const y = await api.captureSpec(name, o.run);
        if (o.save) await api.setSpec(name, y);
        return y;
      });
      process.stdout.write(yaml);
    });

  const run = program.command('run').description('start runs and decide on held ones');
  run
    .command('start')
    .description('create a run for a host and print the agent URL and token (for hosts booted by other means than PXE)')
    .addOption(dataDirOption())
    .requiredOption('--host <name>', 'host name')
    .option('--profile <profile>', 'override the host\'s profile (built-in or custom)')
    .addOption(
      new Option('--power <what>', 'for a host with a BMC: on = PXE once and power on (refused when it is on), cycle = the same but power-cycle a host that is on, none = leave power alone')
        .choices([...StartPower.options])
        .default('on'),
    )
    .option('--json')
    .action(async (o: { dataDir?: string; host: string; profile?: string; power: 'on' | 'cycle' | 'none'; json?: boolean }) => {
      const r = await withApi(o.dataDir, (api) => api.startRun(o.host, o.profile, o.power));
      out(!!o.json, r, () => startedText(o.host, r));
      if (r.power?.some((p) => !p.ok)) process.exitCode = 1;
    });
  run
    .command('list')
    .addOption(dataDirOption())
    .option('--host <name>')
    .option('--json')
    .action(async (o: { dataDir?: string; host?: string; json?: boolean }) => {
      const runs = await withApi(o.dataDir, (api) => api.listRuns(o.host ? { host: o.host } : {}));
      out(!!o.json, runs, () => (runs.length ? runs.map(runLine).join('\n') : 'no runs'));
    });
  run
    .command('boot <id>')
    .description('let the run\'s host fetch one more agent token when it network-boots again (needed after a reboot when this bench does not run DHCP)')
    .addOption(dataDirOption())
    .option('--json')
    .action(async (id: string, o: { dataDir?: string; json?: boolean }) => {
      const r = await withApi(o.dataDir, (api) => api.armBoot(runId(id)));
      out(!!o.json, r, () => `run ${r.run}: its host may boot once more (armed ${r.armedAt})`);
    });
  run
    .command('show <id>')
    .addOption(dataDirOption())
    .option('--json')
    .action(async (id: string, o: { dataDir?: string; json?: boolean }) => {
      const r = await withApi(o.dataDir, (api) => api.showRun(runId(id)));
      out(!!o.json, runJson(r), () => runText(r));
    });
  for (const action of ['retry', 'override', 'abandon', 'release'] as OperatorAction[]) {
    const cmd = run
      .command(`${action} <id>`)
      .description(
        {
          retry: 're-run the failed stage of a held run',
          override: 'accept a held stage and continue (a wipe-probe hit needs --supervisor; the credential comes from VETTING_SUPERVISOR_SECRET or a prompt)',
          abandon: 'stop a run for good (its agent is told to shut down)',
          release: 'hand a finished host back to the cluster',
        }[action],
      )
      .addOption(dataDirOption())
      .option('--reason <text>', 'why (recorded in the audit trail; required for override)')
      .option('--supervisor <name>', 'supervisor approving the override');
    if (action === 'abandon') cmd.option('--power-off', 'also power the host off through its BMC');
    cmd
      .option('--json')
      .action(async (id: string, o: { dataDir?: string; reason?: string; supervisor?: string; powerOff?: boolean; json?: boolean }) => {
        const secret = o.supervisor ? await readSecret(`credential for supervisor ${o.supervisor}: `) : undefined;
        const body = RunActionBody.parse({ action, ...(o.reason ? { reason: o.reason } : {}), ...(o.supervisor ? { supervisor: o.supervisor, secret } : {}), ...(o.powerOff ? { powerOff: true } : {}) });
        const r = await withApi(o.dataDir, (api) => api.act(runId(id), body));
        out(!!o.json, runJson(r), () => runText(r));
      });
  }

  program
    .command('report <run>')
    .description('render report.html and report.json for a run and copy them to a folder')
    .addOption(dataDirOption())
    .requiredOption('--out <dir>', 'where to put report.html and report.json')
    .option('--json')
    .action(async (id: string, o: { dataDir?: string; out: string; json?: boolean }) => {
      const written = await withApi(o.dataDir, (api) => api.report(runId(id)));
      mkdirSync(o.out, { recursive: true });
      const html = join(resolve(o.out), 'report.html');
      const json = join(resolve(o.out), 'report.json');
      copyFileSync(written.html, html);
      copyFileSync(written.json, json);
      out(!!o.json, { html, json, jsonSha256: written.jsonSha256 }, () => `${html}\n${json}\nreport.json sha256 ${written.jsonSha256}`);
    });

  program
    .command('selftest')
    .description('run the whole pipeline against this machine, harmlessly (fio on a scratch file, no badblocks), and print the report path')
    .addOption(dataDirOption())
    .option('--timeout <seconds>', 'give up after this long', seconds, 600)
    .option('--install-tools', 'as root: install the Debian packages of programs the stages need and this machine lacks (apt-get)')
    .option('--json', 'print {run, state, result, report, failedStage, message}')
    .action(async (o: { dataDir?: string; timeout: number; installTools?: boolean; json?: boolean }) => {
      const { selftest } = await import('./selftest.ts');
      await ensureSelftestTools(!!o.installTools, (line) => !o.json && process.stdout.write(`${line}\n`));
      const r = await selftest(resolveDataDir(o.dataDir), { timeoutS: o.timeout, progress: (line) => !o.json && process.stdout.write(`${line}\n`) });
      out(!!o.json, r, () =>
        r.state === 'Completed'
          ? `self-test run ${r.run}: ${r.result ? RESULT_TEXT[r.result] : 'no result'} (a self-test exercises a sliver of this machine and is never a certification)\nreport: ${r.report}`
          : `self-test run ${r.run} stopped in ${r.state}${r.failedStage ? ` at ${r.failedStage}: ${r.message}` : ''}`,
      );
      if (r.state !== 'Completed') process.exitCode = 1;
    });

  registerProfileCommands(program, { dataDirOption, withApi, out });

  const settings = program.command('settings').description('show or change the bench settings (network, DHCP, image, retention…)');
  settings
    .command('show')
    .addOption(dataDirOption())
    .option('--json', 'print the settings as one line of JSON')
    .action(async (o: { dataDir?: string; json?: boolean }) => {
      const s = await withApi(o.dataDir, (api) => api.getSettings());
      process.stdout.write(o.json ? `${JSON.stringify(s)}\n` : `${JSON.stringify(s, null, 2)}\n`);
    });
  settings
    .command('set <values...>')
    .description('change settings: path=value pairs (bench.dhcpMode=proxy bench.proxySubnet=10.1.2.0) or JSON objects; a running server applies them at once')
    .addOption(dataDirOption())
    .option('--json', 'print the resulting settings as JSON')
    .action(async (values: string[], o: { dataDir?: string; json?: boolean }) => {
      const patch = settingsPatch(values);
      const s = await withApi(o.dataDir, (api) => api.updateSettings(patch));
      out(!!o.json, s, () => `settings saved:\n${JSON.stringify(s, null, 2)}`);
    });

  // Supervisors are managed on the store itself, never through the control API:
  // whoever can open the database runs as the app's user, which is the authority
  // that may add a supervisor or reset a forgotten credential (audited).
  const supervisor = program.command('supervisor').description('manage supervisors who approve wipe-probe overrides (on this workstation only)');
  for (const [name, what] of [['add', 'add a supervisor'], ['set', 'change (or reset) a supervisor\'s credential']] as const) {
    supervisor
      .command(name)
      .description(`${what}; the credential comes from VETTING_SUPERVISOR_SECRET or a prompt`)
      .addOption(dataDirOption())
      .requiredOption('--name <name>', 'supervisor name')
      .action(async (o: { dataDir?: string; name: string }) => {
        const secret = await readSecret(`new credential for supervisor ${o.name}: `);
        const done = await setSupervisorLocally(resolveDataDir(o.dataDir), o.name, secret);
        process.stdout.write(`supervisor ${o.name} ${done}\n`);
      });
  }

  return program;
}

/** Checks the stages' programs before a self-test (tool-check.ts); installs the missing ones when asked to, as root. */
async function ensureSelftestTools(installTools: boolean, say: (line: string) => void): Promise<void> {
  const { installPackages, missingStageTools, optionalNote, toolPlan } = await import('./tool-check.ts');
  const gaps = await missingStageTools();
  const plan = toolPlan(gaps, { installTools, root: process.getuid?.() === 0 });
  if (plan.action === 'stop') throw plan.error;
  if (plan.action === 'install') {
    process.stderr.write(`installing ${plan.packages.join(', ')} for the self-test…\n`);
    const { spawn } = await import('node:child_process');
    const run = (argv: string[]) =>
      new Promise<number>((resolve) => {
        const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', process.stderr, process.stderr], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
        child.once('error', () => resolve(127));
        child.once('exit', (code) => resolve(code ?? 1));
      });
    await installPackages(plan.packages, run, () => missingStageTools());
  }
  const note = optionalNote(plan.action === 'run' ? gaps : await missingStageTools());
  if (note) say(note);
}

export async function main(argv = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    const err = e as Error & { code?: string };
    process.stderr.write(`vetting: ${err instanceof UserError ? err.message : err.message || String(e)}\n`);
    process.exitCode = err instanceof UserError && err.status === 404 ? 3 : 1;
  }
}
