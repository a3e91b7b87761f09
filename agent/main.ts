import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { AgentCore } from './runtime/agent-core.ts';
import { bootMac, dmiSerial } from './runtime/host-identity.ts';
import { createLogger, type Logger, type LogLevel } from './runtime/logger.ts';
import { parsePin } from './runtime/orchestrator-pin.ts';
import { runTool } from './runtime/tool-runner.ts';
import { STAGE_MODULES } from './stages/index.ts';
import { AGENT_VERSION } from './version.ts';

// The agent's one entry point for code: `vetting agent …` (the CLI) and the
// live image's entry (agent/entry.ts) both call runAgent, which resolves with
// the process exit code once the orchestrator says shutdown or refuses us.

export interface RunAgentOptions {
  /** WebSocket URL of the orchestrator's agent endpoint, e.g. ws://10.0.0.1:8080/agent */
  orchestrator: string;
  /** The run's secret from the iPXE command line. */
  token: string;
  /** "sha256:<hex>" of the orchestrator's key (vetting.pin=): TLS to it only; without one, destructive stages are refused. */
  pin?: string | null;
  /**
   * Root of every sensor and health read (hwmon, EDAC, PCI link state, NIC
   * statistics; default /sys); tests point it at a fake tree. Disk identity
   * never reads it.
   */
  sysfsRoot?: string;
  /** Older name of sysfsRoot (used when sysfsRoot is not given). */
  hwmonRoot?: string;
  /** Where the session and unacknowledged messages persist (default /run/vetting-agent). */
  stateDir?: string;
  /** Resolve on a shutdown directive (default true). */
  exitOnShutdown?: boolean;
  /** Really power off / reboot on shutdown (only the live image sets this). */
  poweroff?: boolean;
  /**
   * With `poweroff`: write the action ("poweroff" / "reboot") to this file and
   * exit, leaving the power action to the image's init (PID 1). Default: the
   * VETTING_POWER_FILE environment variable; without either, run `poweroff -f`
   * / `reboot -f` directly.
   */
  powerFile?: string;
  /** Real sysfs and procfs roots (default /sys, /proc). */
  sysRoot?: string;
  procRoot?: string;
  /** Scratch directory for tool output files (default: a fresh <tmpdir>/vetting-agent-XXXXXX, removed on exit). */
  workDir?: string;
  /** Stops the agent; runAgent then resolves 0. */
  signal?: AbortSignal;
  logLevel?: LogLevel;
  log?: Logger;
}

export const DEFAULT_STATE_DIR = '/run/vetting-agent';

/** Checks options from outside (flags, kernel command line); returns the problem or null. */
export function validateAgentOptions(opts: Pick<RunAgentOptions, 'orchestrator' | 'token' | 'pin'>): string | null {
  let url: URL;
  try {
    url = new URL(opts.orchestrator);
  } catch {
    return `orchestrator URL "${opts.orchestrator}" is not a URL (expected ws://HOST:PORT/agent)`;
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return `orchestrator URL must start with ws:// or wss://, got ${url.protocol}//`;
  if (!opts.token || opts.token.length > 512 || /\s/.test(opts.token)) return 'token must be 1-512 characters without spaces';
  if (opts.pin !== undefined && opts.pin !== null && parsePin(opts.pin) === null) return `pin "${opts.pin.slice(0, 80)}" is not sha256:<64 hex digits>`;
  return null;
}

function powerAction(powerFile: string | undefined, log: Logger) {
  return async (action: 'poweroff' | 'reboot'): Promise<void> => {
    if (powerFile) {
      log.info(`asking init to ${action}`, { file: powerFile });
      writeFileSync(powerFile, `${action}\n`);
      return;
    }
    log.info(`${action} -f`);
    await execa(action, ['-f'], { reject: false });
  };
}

export async function runAgent(opts: RunAgentOptions): Promise<number> {
  const log = opts.log ?? createLogger({ level: opts.logLevel ?? 'info' });
  const problem = validateAgentOptions(opts);
  if (problem) {
    log.error(problem);
    return 64; // EX_USAGE
  }
  const sysRoot = opts.sysRoot ?? '/sys';
  const sysfsRoot = opts.sysfsRoot ?? opts.hwmonRoot ?? '/sys';
  const ownWorkDir = opts.workDir === undefined;
  const workDir = opts.workDir ?? mkdtempSync(join(tmpdir(), 'vetting-agent-'));
  const procRoot = opts.procRoot ?? '/proc';
  const core = new AgentCore({
    orchestrator: opts.orchestrator,
    pin: parsePin(opts.pin),
    hello: {
      token: opts.token,
      bootMac: await bootMac(procRoot, sysRoot),
      dmiSerial: await dmiSerial(sysRoot),
      agentVersion: AGENT_VERSION,
      hostname: hostname().slice(0, 256),
    },
    stateDir: opts.stateDir ?? DEFAULT_STATE_DIR,
    paths: {
      sysfsRoot,
      sysRoot,
      procRoot,
      workDir,
    },
    stages: STAGE_MODULES,
    runTool,
    log,
    exitOnShutdown: opts.exitOnShutdown ?? true,
    powerAction: opts.poweroff ? powerAction(opts.powerFile ?? process.env.VETTING_POWER_FILE, log) : undefined,
    signal: opts.signal,
  });
  try {
    return await core.run();
  } finally {
    if (ownWorkDir) rmSync(workDir, { recursive: true, force: true });
  }
}
