import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_STATE_DIR, runAgent } from './main.ts';
import { parseCmdline } from './runtime/host-identity.ts';
import { AGENT_VERSION } from './version.ts';

// The bundled agent's command line (out/agent/vetting-agent.mjs). In the live
// image it is started without flags and finds the orchestrator URL and the
// run token on the kernel command line (vetting.url=, vetting.token=).

const HELP = `vetting-agent ${AGENT_VERSION}: runs the hardware test stages the Vetting orchestrator asks for.

Usage: vetting-agent [--orchestrator URL --token TOKEN] [options]

  --orchestrator URL   WebSocket URL of the orchestrator (ws://HOST:PORT/agent);
                       default: vetting.url= from /proc/cmdline
  --token TOKEN        the run's token; default: vetting.token= from /proc/cmdline
  --pin sha256:HEX     the orchestrator's key: talk TLS to it only; default:
                       vetting.pin= from /proc/cmdline (without one, stages that
                       write to disks are refused)
  --sysfs-root DIR     where sensor and health reads come from: class/hwmon,
                       devices/system/edac, bus/pci/devices link state,
                       class/net/*/statistics (default /sys; disks are always
                       identified from the real /sys)
  --hwmon-root DIR     the older name of --sysfs-root
  --state-dir DIR      session state directory (default ${DEFAULT_STATE_DIR})
  --poweroff           obey poweroff / reboot directives (live image only): write the
                       action to $VETTING_POWER_FILE for init, or run poweroff -f
  --log-level LEVEL    debug, info, warn or error (default info)
  --version            print the version
  --help               print this help
`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        orchestrator: { type: 'string' },
        token: { type: 'string' },
        pin: { type: 'string' },
        'sysfs-root': { type: 'string' },
        'hwmon-root': { type: 'string' },
        'state-dir': { type: 'string' },
        poweroff: { type: 'boolean' },
        'log-level': { type: 'string' },
        version: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${HELP}`);
    return 64;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${AGENT_VERSION}\n`);
    return 0;
  }
  let orchestrator = values.orchestrator;
  let token = values.token;
  let pin = values.pin;
  if (!orchestrator || !token || !pin) {
    let cmdline: Record<string, string> = {};
    try {
      cmdline = parseCmdline(readFileSync('/proc/cmdline', 'utf8'));
    } catch {
      // not Linux, or no procfs: flags are then required
    }
    orchestrator ??= cmdline['vetting.url'];
    token ??= cmdline['vetting.token'];
    pin ??= cmdline['vetting.pin'];
  }
  if (!orchestrator || !token) {
    process.stderr.write(`no orchestrator URL or token: give --orchestrator and --token, or boot with vetting.url= and vetting.token=\n\n${HELP}`);
    return 64;
  }
  const level = values['log-level'];
  if (level !== undefined && !['debug', 'info', 'warn', 'error'].includes(level)) {
    process.stderr.write(`--log-level must be debug, info, warn or error, not "${level}"\n`);
    return 64;
  }
  const stop = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort());
  return runAgent({
    orchestrator,
    token,
    pin: pin ?? null,
    sysfsRoot: values['sysfs-root'] ?? values['hwmon-root'],
    stateDir: values['state-dir'],
    poweroff: values.poweroff ?? false,
    logLevel: level as 'debug' | 'info' | 'warn' | 'error' | undefined,
    signal: stop.signal,
  });
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`vetting-agent: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(70);
  },
);
