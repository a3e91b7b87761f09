import { createSocket } from 'node:dgram';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';

// OpenIPMI's BMC simulator (Debian `openipmi`, `ipmi_sim`) for tests: a real
// IPMI-over-LAN BMC answering `ipmitool -I lanplus` on a loopback UDP port.
// Its `chassis_control` program is what the BMC does on power and boot-device
// commands: by default a shell script that keeps the chassis in files (power
// 0/1, the boot device asked for) and logs every command, and on power-on
// records what the machine "booted from" (using up a PXE-once request, as a
// real BMC does). The PXE lab passes its own script, which starts and stops a
// QEMU machine instead. The simulator's own config holds the password (a
// BMC's user table), in a directory only this user may read.

export interface IpmiSim {
  host: string;
  port: number;
  user: string;
  password: string;
  dir: string;
  pid: number;
  /** The chassis as the default script keeps it. */
  power(): 'on' | 'off';
  /** Every chassis command the BMC carried out, oldest first ("set power 1", "boot-from pxe" …). */
  events(): string[];
  /** Lets a power-on held by `holdPowerOn` finish. */
  releasePowerOn(): void;
  stop(): Promise<void>;
}

export interface IpmiSimOptions {
  user?: string;
  password?: string;
  /** 'files' (default): the script above; 'none': no chassis control, so power and boot commands are refused; or a script of one's own, given the simulator's directory. */
  chassis?: 'files' | 'none' | { script: (dir: string) => string };
  /** More lines for the BMC's section of lan.conf (e.g. the `serial 15 … codec VM` a QEMU ipmi-bmc-extern connects to). */
  extraConfig?: string[];
  /**
   * The default script holds the BMC's answer to a power-on until releasePowerOn() (or 20 s),
   * so a test can look at ipmitool while it certainly runs.
   */
  holdPowerOn?: boolean;
  /** Runs the simulator through this prefix (e.g. `ip netns exec NS`). */
  prefix?: string[];
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  port?: number;
}

/** A UDP port nobody uses right now (bound, read, released). */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export function filesChassisScript(stateDir: string, holdPowerOn = false): string {
  return `#!/bin/sh
# chassis_control for ipmi_sim: <device> get|set|check PARAM [VALUE] ...
state=${stateDir}
shift
op=$1
shift
case "$op" in
  get)
    for p in "$@"; do
      case "$p" in
        power) echo "power:$(cat "$state/power" 2>/dev/null || echo 0)" ;;
        boot) echo "boot:$(cat "$state/boot" 2>/dev/null || echo default)" ;;
        *) echo "no such parameter: $p"; exit 1 ;;
      esac
    done ;;
  set)
    while [ $# -ge 2 ]; do
      p=$1; v=$2; shift 2
      echo "set $p $v" >> "$state/events"
      case "$p" in
        power)
          if [ "$v" = 1 ] && [ "$(cat "$state/power" 2>/dev/null)" != 1 ]; then
            ${holdPowerOn ? 'i=0; while [ ! -e "$state/release-power-on" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done' : ':'}
            echo "boot-from $(cat "$state/boot" 2>/dev/null || echo default)" >> "$state/events"
            echo default > "$state/boot"
          fi
          echo "$v" > "$state/power" ;;
        boot) echo "$v" > "$state/boot" ;;
        reset) echo "boot-from $(cat "$state/boot" 2>/dev/null || echo default)" >> "$state/events"; echo default > "$state/boot" ;;
        identify) shift ;;
      esac
    done ;;
  *) exit 1 ;;
esac
`;
}

export async function startIpmiSim(opts: IpmiSimOptions = {}): Promise<IpmiSim> {
  const user = opts.user ?? 'bench';
  const password = opts.password ?? 'sim-secret-8c1f';
  const dir = mkdtempSync(join(tmpdir(), 'vetting-ipmisim-'));
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? (await freeUdpPort());
  const chassis = opts.chassis ?? 'files';
  const script = join(dir, 'chassis.sh');
  if (chassis !== 'none') {
    writeFileSync(script, chassis === 'files' ? filesChassisScript(dir, opts.holdPowerOn) : chassis.script(dir));
    chmodSync(script, 0o700);
  }
  const name = `vt${port}`;
  writeFileSync(
    join(dir, 'lan.conf'),
    [
      `name "${name}"`,
      'set_working_mc 0x20',
      '  startlan 1',
      `    addr ${host} ${port}`,
      '    priv_limit admin',
      '    allowed_auths_callback md5',
      '    allowed_auths_user md5',
      '    allowed_auths_operator md5',
      '    allowed_auths_admin md5',
      '    guid a123456789abcdefa123456789abcdef',
      '  endlan',
      ...(chassis !== 'none' ? [`  chassis_control "${script} 0x20"`] : []),
      ...(opts.extraConfig ?? []).map((l) => `  ${l}`),
      `  user 2 true "${user}" "${password}" admin 10 md5`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  // The BMC's management controller: a device with chassis support (OpenIPMI's example values).
  writeFileSync(join(dir, 'bmc.emu'), 'mc_setbmc 0x20\nmc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr\nmc_enable 0x20\n');
  const cmd = [...(opts.prefix ?? []), 'ipmi_sim', '-c', join(dir, 'lan.conf'), '-f', join(dir, 'bmc.emu'), '-s', dir, '-n'];
  const child: ResultPromise = execa(cmd[0]!, cmd.slice(1), { reject: false, stdin: 'ignore', all: true, cleanup: true });
  const stop = async () => {
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {
        // gone already
      }
      const t = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), 3000);
      await child.catch(() => undefined);
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Ready when it answers: a Get Channel Auth Capabilities round trip via ipmitool.
  const pwFile = join(dir, 'probe-pw');
  writeFileSync(pwFile, password, { mode: 0o600 });
  let ready = false;
  for (let i = 0; i < 50 && !ready; i++) {
    if (child.exitCode !== null) break;
    const probeCmd = [...(opts.prefix ?? []), 'ipmitool', '-I', 'lanplus', '-C', '3', '-N', '1', '-R', '1', '-H', host, '-p', String(port), '-U', user, '-f', pwFile, 'mc', 'guid'];
    const probe = await execa(probeCmd[0]!, probeCmd.slice(1), { reject: false }).catch(() => null);
    ready = probe?.exitCode === 0;
    if (!ready) await new Promise((r) => setTimeout(r, 100));
  }
  rmSync(pwFile, { force: true });
  if (!ready) {
    const out = await Promise.race([child.then((r) => String(r.all)), new Promise<string>((r) => setTimeout(() => r('(still running)'), 500))]);
    await stop();
    throw new Error(`ipmi_sim did not answer on ${host}:${port}: ${out}`);
  }
  return {
    host,
    port,
    user,
    password,
    dir,
    pid: child.pid!,
    power: () => (existsSync(join(dir, 'power')) && readFileSync(join(dir, 'power'), 'utf8').trim() === '1' ? 'on' : 'off'),
    events: () => (existsSync(join(dir, 'events')) ? readFileSync(join(dir, 'events'), 'utf8').trim().split('\n').filter(Boolean) : []),
    releasePowerOn: () => writeFileSync(join(dir, 'release-power-on'), ''),
    stop,
  };
}
