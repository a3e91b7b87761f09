import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// The .deb's privilege route for DHCP/TFTP, exercised for real: the postinst's
// helper makes a capable private copy of dnsmasq; run as an unprivileged user in a
// network namespace made here, that copy binds UDP 67 and 69, while Debian's own
// dnsmasq, run the same way, is refused.

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const helper = join(root, 'build', 'deb', 'vetting-privileges.sh');
const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const isRoot = process.getuid?.() === 0;
// In CI nothing skips: a missing tool fails the test (scripts/install-test-deps.sh installs them).
const ready = !!process.env.CI || (isRoot && ['setcap', 'getcap', 'runuser', 'unshare', 'ip', 'ss', 'groupadd'].every(have) && have('/usr/sbin/dnsmasq'));

/** Runs dnsmasq as `nobody` (primary group: the given one) in a fresh network namespace; returns its UDP listeners or its error. */
function tryDnsmasq(binary: string, group: string, work: string): { listening: string; log: string } {
  const script = `
set -u
ip link set lo up
ip link add v0 type veth peer name v1
ip addr add 10.231.0.1/24 dev v0
ip link set v0 up; ip link set v1 up
runuser -u nobody -g ${group} -- "$1" --keep-in-foreground --log-facility=- \\
  --conf-file=/dev/null --port=0 --interface=v0 --bind-interfaces --dhcp-range=10.231.0.50,10.231.0.60,1h \\
  --dhcp-leasefile="$2/leases" --enable-tftp --tftp-root="$2/tftp" --pid-file= 2>"$2/log" &
P=$!
# Wait (bounded) until it listens on both ports, or has exited.
i=0
while [ $i -lt 100 ]; do
  if ! kill -0 $P 2>/dev/null; then break; fi
  if ss -ulnH | grep -q ':67 ' && ss -ulnH | grep -q ':69 '; then break; fi
  i=$((i+1)); sleep 0.1
done
ss -ulnH | grep -E ':(67|69) ' || true
kill $P 2>/dev/null; wait $P 2>/dev/null
exit 0
`;
  // unshare -n: the namespace, its veth pair and dnsmasq all vanish when this shell exits.
  const r = spawnSync('unshare', ['-n', 'sh', '-c', script, 'sh', binary, work], { encoding: 'utf8', timeout: 60_000 });
  const log = spawnSync('cat', [join(work, 'log')], { encoding: 'utf8' }).stdout;
  return { listening: r.stdout, log };
}

describe.skipIf(!ready)('DHCP/TFTP privileges (build/deb/vetting-privileges.sh)', () => {
  let work = '';
  let group = '';
  afterEach(() => {
    if (group) spawnSync('groupdel', [group]);
    if (work) rmSync(work, { recursive: true, force: true });
    group = '';
    work = '';
  });

  it('grants a capable dnsmasq copy to the vetting group, which binds ports 67 and 69 unprivileged', () => {
    work = mkdtempSync(join(tmpdir(), 'vetting-priv-'));
    chmodSync(work, 0o755);
    mkdirSync(join(work, 'state', 'tftp'), { recursive: true });
    chmodSync(join(work, 'state'), 0o777);
    chmodSync(join(work, 'state', 'tftp'), 0o755);
    group = `vt${process.pid}`.slice(0, 16);
    const env = { ...process.env, VETTING_LIBDIR: join(work, 'lib'), VETTING_GROUP: group };

    const grant = spawnSync('sh', [helper, 'grant'], { env, encoding: 'utf8' });
    expect(grant.stderr).toBe('');
    expect(grant.status).toBe(0);
    const copy = join(work, 'lib', 'dnsmasq');
    expect(spawnSync('getcap', [copy], { encoding: 'utf8' }).stdout).toMatch(/cap_net_bind_service,cap_net_admin,cap_net_raw=ep/);
    const status = spawnSync('sh', [helper, 'status'], { env, encoding: 'utf8' });
    expect(status.stdout).toMatch(/^ok: /);
    expect(status.status).toBe(0);


    const capable = tryDnsmasq(copy, group, join(work, 'state'));
    expect(capable.listening, capable.log).toMatch(/:67 /);
    expect(capable.listening, capable.log).toMatch(/:69 /);

    // The same user with Debian's dnsmasq: refused, which is what the supervisor reports.
    const plain = tryDnsmasq('/usr/sbin/dnsmasq', group, join(work, 'state'));
    expect(plain.listening).not.toMatch(/:67 /);
    expect(plain.log).toMatch(/failed to bind DHCP server socket: Permission denied/);

    // Outside the group the copy cannot even be executed.
    const outsider = spawnSync('runuser', ['-u', 'nobody', '--', copy, '--version'], { encoding: 'utf8' });
    expect(outsider.stderr).toMatch(/Permission denied/);
    expect(outsider.status).not.toBe(0);
  });

  it('reports a stale copy after dnsmasq changes, and revoke removes it', () => {
    work = mkdtempSync(join(tmpdir(), 'vetting-priv-'));
    group = `vs${process.pid}`.slice(0, 16);
    const src = join(work, 'dnsmasq-src');
    copyFileSync('/usr/sbin/dnsmasq', src);
    chmodSync(src, 0o755);
    const env = { ...process.env, VETTING_LIBDIR: join(work, 'lib'), VETTING_GROUP: group, VETTING_DNSMASQ_SRC: src };
    expect(spawnSync('sh', [helper, 'status'], { env, encoding: 'utf8' }).stdout).toMatch(/^missing: /);
    expect(spawnSync('sh', [helper, 'grant'], { env }).status).toBe(0);
    writeFileSync(src, Buffer.concat([Buffer.from('#!/bin/sh\n'), Buffer.from('upgraded\n')]));
    const stale = spawnSync('sh', [helper, 'status'], { env, encoding: 'utf8' });
    expect(stale.stdout).toMatch(/^stale: /);
    expect(stale.status).toBe(1);
    expect(spawnSync('sh', [helper, 'revoke'], { env }).status).toBe(0);
    expect(spawnSync('sh', [helper, 'status'], { env, encoding: 'utf8' }).stdout).toMatch(/^missing: /);
    expect(spawnSync('sh', [helper, 'bogus'], { env, encoding: 'utf8' }).stderr).toMatch(/usage/);
  });
});

