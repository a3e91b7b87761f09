import { isIP } from 'node:net';
import { SupervisedProcess } from './supervised-process.ts';

// The orchestrator side of the Network stage: one iperf3 server bound to the
// bench address, restarted whenever it dies (iperf3 -s also exits on some
// client errors).

export interface IperfServiceOptions {
  /** Bench address to bind (the agents' iperf3 -c target). */
  address: string;
  port: number;
  /** Default: iperf3 from PATH. */
  iperfPath?: string;
  backoffBaseMs?: number;
}

export function iperfArgs(address: string, port: number): string[] {
  // -1 is deliberately absent: one server serves every test in sequence. --forceflush
  // keeps the log tail current for the UI.
  return ['-s', '-B', address, '-p', String(port), '--forceflush'];
}

export function createIperfService(opts: IperfServiceOptions): SupervisedProcess {
  const problem =
    !isIP(opts.address) ? `bench.address "${opts.address}" is not an IP address iperf3 can bind` : !Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535 ? `bench.iperfPort ${opts.port} is not a TCP port (1-65535)` : null;
  return new SupervisedProcess({
    name: 'iperf3',
    command: opts.iperfPath ?? 'iperf3',
    args: iperfArgs(opts.address, opts.port),
    backoffBaseMs: opts.backoffBaseMs,
    preflight: () => problem,
    explainExit: (exit, tail) => {
      if (exit.spawnError === 'ENOENT') return 'iperf3 is not installed: sudo apt-get install iperf3';
      const text = tail.slice(-10).join('\n');
      if (/Address already in use/i.test(text)) return `port ${opts.port} on ${opts.address} is already in use (another iperf3 -s?): stop it or change bench.iperfPort`;
      if (/Cannot assign requested address/i.test(text)) return `${opts.address} is not an address of this machine: check bench.address in Settings`;
      return null;
    },
  });
}
