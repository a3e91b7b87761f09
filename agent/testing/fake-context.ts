import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROFILES } from '../../common/profiles.ts';
import type { ProfileParams } from '../../common/schema/profile.ts';
import type { StageName } from '../../common/stages/index.ts';
import { silentLogger } from '../runtime/logger.ts';
import { runTool } from '../runtime/tool-runner.ts';
import type { StageContext, StageProgressUpdate, StageWelcome } from '../stages/types.ts';

// A stage context without an orchestrator, for tests that drive one stage
// module directly with the real tool runner. It records what the stage would
// have sent so tests can assert on progress and artifacts.

export interface FakeContext extends StageContext {
  progressUpdates: StageProgressUpdate[];
  artifacts: Map<string, string>;
  controller: AbortController;
}

export function fakeContext(opts: {
  stage: StageName;
  welcome?: Partial<StageWelcome>;
  params?: ProfileParams;
  wipeOverride?: string[];
  /** Sensor and health reads (hwmon, EDAC, PCI links, NIC statistics); `hwmonRoot` is its older name. */
  sysfsRoot?: string;
  hwmonRoot?: string;
  sysRoot?: string;
  procRoot?: string;
  workDir?: string;
}): FakeContext {
  const params = opts.params ?? PROFILES.smoke;
  const controller = new AbortController();
  const progressUpdates: StageProgressUpdate[] = [];
  const artifacts = new Map<string, string>();
  return {
    stage: opts.stage,
    attempt: 1,
    welcome: {
      params,
      maxTempC: opts.welcome?.maxTempC ?? params.thermal.maxTempC,
      expectedDisks: opts.welcome?.expectedDisks ?? [],
      deviceAllowlist: opts.welcome?.deviceAllowlist ?? [],
      iperf: opts.welcome?.iperf ?? null,
    },
    params,
    wipeOverride: opts.wipeOverride ?? [],
    signal: controller.signal,
    controller,
    runTool,
    progress: (u) => progressUpdates.push(u),
    artifact: async (name, body) => {
      artifacts.set(name, typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
    },
    log: silentLogger,
    paths: {
      sysfsRoot: opts.sysfsRoot ?? opts.hwmonRoot ?? '/sys',
      sysRoot: opts.sysRoot ?? '/sys',
      procRoot: opts.procRoot ?? '/proc',
      workDir: opts.workDir ?? join(tmpdir(), 'vetting-agent-test'),
    },
    progressUpdates,
    artifacts,
  };
}
