import { execa } from 'execa';

// Throw-away bench networks for tests: a "server" namespace (orchestrator,
// dnsmasq, iperf3) and a "client" namespace (the machine under test), joined by
// a veth pair. In the client namespace the veth end sits on a bridge so a QEMU
// tap device can join it. Everything lives inside the namespaces, so deleting
// them removes every interface; processes are stopped by PID by their owners.

export interface BenchNet {
  srvNs: string;
  cliNs: string;
  /** Interface in srvNs facing the bench (dnsmasq's interface). */
  srvIf: string;
  /** Bridge in cliNs that QEMU taps join. */
  bridge: string;
  srvAddr: string;
  /** Address of the client-side bridge (a plain DHCP server for proxy mode listens there). */
  cliAddr: string;
  /** Network address of the /24. */
  subnet: string;
  /** The ULA prefix on srvIf, so dnsmasq can send router advertisements. */
  ula: string;
  /** Adds a tap device to the bridge and returns its name. */
  addTap(name: string): Promise<string>;
  cleanup(): Promise<void>;
}

async function ip(...args: string[]): Promise<void> {
  await execa('ip', args);
}

/** `octet` picks 10.231.<octet>.0/24 so parallel suites do not collide. */
export async function createBenchNet(tag: string, octet: number): Promise<BenchNet> {
  const id = `${tag}${process.pid % 10000}`;
  const srvNs = `vt-srv-${id}`;
  const cliNs = `vt-cli-${id}`;
  const net: BenchNet = {
    srvNs,
    cliNs,
    srvIf: 'vbench0',
    bridge: 'br0',
    srvAddr: `10.231.${octet}.1`,
    cliAddr: `10.231.${octet}.2`,
    subnet: `10.231.${octet}.0`,
    ula: `fd00:231:${octet}::`,
    addTap: async (name) => {
      await ip('-n', cliNs, 'tuntap', 'add', 'dev', name, 'mode', 'tap');
      await ip('-n', cliNs, 'link', 'set', name, 'master', 'br0');
      await ip('-n', cliNs, 'link', 'set', name, 'up');
      return name;
    },
    cleanup: async () => {
      for (const ns of [srvNs, cliNs]) await execa('ip', ['netns', 'del', ns], { reject: false });
    },
  };
  try {
    await net.cleanup(); // leftovers of a crashed earlier run with the same pid
    await ip('netns', 'add', srvNs);
    await ip('netns', 'add', cliNs);
    const tmp = `vt${id}`.slice(0, 12);
    await ip('link', 'add', `${tmp}a`, 'type', 'veth', 'peer', 'name', `${tmp}b`);
    await ip('link', 'set', `${tmp}a`, 'netns', srvNs);
    await ip('link', 'set', `${tmp}b`, 'netns', cliNs);
    await ip('-n', srvNs, 'link', 'set', `${tmp}a`, 'name', net.srvIf);
    await ip('-n', cliNs, 'link', 'set', `${tmp}b`, 'name', 'vcli0');
    await ip('-n', srvNs, 'link', 'set', 'lo', 'up');
    await ip('-n', cliNs, 'link', 'set', 'lo', 'up');
    await ip('-n', srvNs, 'addr', 'add', `${net.srvAddr}/24`, 'dev', net.srvIf);
    await ip('-n', srvNs, '-6', 'addr', 'add', `${net.ula}1/64`, 'dev', net.srvIf, 'nodad');
    await ip('-n', srvNs, 'link', 'set', net.srvIf, 'up');
    await ip('-n', cliNs, 'link', 'add', 'br0', 'type', 'bridge');
    // No STP/forward delay: the bridge forwards at once (PXE firmware does not wait 15 s).
    await ip('-n', cliNs, 'link', 'set', 'br0', 'type', 'bridge', 'forward_delay', '0', 'stp_state', '0');
    await ip('-n', cliNs, 'link', 'set', 'vcli0', 'master', 'br0');
    await ip('-n', cliNs, 'link', 'set', 'vcli0', 'up');
    await ip('-n', cliNs, 'link', 'set', 'br0', 'up');
    await ip('-n', cliNs, 'addr', 'add', `${net.cliAddr}/24`, 'dev', 'br0');
  } catch (err) {
    await net.cleanup();
    throw err;
  }
  return net;
}

/** Argument prefix that runs a command inside a namespace (ip netns exec execs it: same PID). */
export function inNs(ns: string): string[] {
  return ['ip', 'netns', 'exec', ns];
}
