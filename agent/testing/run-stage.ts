import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROFILES } from '../../common/profiles.ts';
import { ProfileParams } from '../../common/schema/profile.ts';
import { isAgentStageName } from '../../common/stages/index.ts';
import { createLogger } from '../runtime/logger.ts';
import { runTool } from '../runtime/tool-runner.ts';
import { STAGE_MODULES, type StageModule } from '../stages/index.ts';

// Runs one stage module outside any orchestrator and prints its report as JSON
// on stdout. Tests use it to run a stage inside a network namespace
// (`ip netns exec NS npx tsx agent/testing/run-stage.ts spec.json`), where the
// process sees that namespace's interfaces and sysfs.
//
// spec.json: { stage, welcome: { expectedDisks, deviceAllowlist, iperf, maxTempC }, params?, sysfsRoot? } (hwmonRoot: its older name)

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: run-stage.ts SPEC.json\n');
  process.exit(64);
}
const spec = JSON.parse(readFileSync(file, 'utf8')) as {
  stage: string;
  welcome?: { expectedDisks?: string[]; deviceAllowlist?: string[]; iperf?: { host: string; port: number } | null; maxTempC?: number };
  params?: unknown;
  sysfsRoot?: string;
  hwmonRoot?: string;
  wipeOverride?: string[];
};
if (!isAgentStageName(spec.stage)) {
  process.stderr.write(`not an agent stage: ${spec.stage}\n`);
  process.exit(64);
}
const params = spec.params ? ProfileParams.parse(spec.params) : PROFILES.smoke;
const progress: unknown[] = [];
const stageModule = STAGE_MODULES[spec.stage] as StageModule;
const report = await stageModule.run({
  stage: spec.stage,
  attempt: 1,
  welcome: {
    params,
    maxTempC: spec.welcome?.maxTempC ?? params.thermal.maxTempC,
    expectedDisks: spec.welcome?.expectedDisks ?? [],
    deviceAllowlist: spec.welcome?.deviceAllowlist ?? [],
    iperf: spec.welcome?.iperf ?? null,
  },
  params,
  wipeOverride: spec.wipeOverride ?? [],
  signal: new AbortController().signal,
  runTool,
  progress: (u: unknown) => progress.push(u),
  artifact: async () => {},
  log: createLogger({ level: 'warn' }),
  paths: { sysfsRoot: spec.sysfsRoot ?? spec.hwmonRoot ?? '/sys', sysRoot: '/sys', procRoot: '/proc', workDir: join(tmpdir(), 'vetting-agent-stage') },
});
process.stdout.write(JSON.stringify({ report, progress }) + '\n');
