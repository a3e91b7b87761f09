import { SerialConsole, type Settings } from '../../../common/schema/api.ts';
import { HostName } from '../../../common/schema/primitives.ts';

// The settings form as text fields, and the partial settings object it saves
// (the server deep-merges and validates it; its issues are shown per field).

export interface SettingsForm {
  interface: string;
  address: string;
  port: string;
  iperfPort: string;
  dhcpMode: string;
  rangeStart: string;
  rangeEnd: string;
  leaseTime: string;
  proxySubnet: string;
  /** Empty: the default ($VETTING_IMAGE_DIR or /var/cache/vetting-image). */
  imageDir: string;
  /** The live image's serial console, e.g. ttyS0,115200n8. */
  console: string;
  /** One "host console" pair per line: hosts whose console differs from the bench's. */
  consoleOverrides: string;
  uefiBoot: string;
  maxAgeDays: string;
  maxTotalGiB: string;
}

const GiB = 1024 ** 3;

export function settingsToForm(s: Settings): SettingsForm {
  return {
    interface: s.bench.interface ?? '',
    address: s.bench.address,
    port: String(s.bench.port),
    iperfPort: String(s.bench.iperfPort),
    dhcpMode: s.bench.dhcpMode,
    rangeStart: s.bench.dhcpRange?.start ?? '',
    rangeEnd: s.bench.dhcpRange?.end ?? '',
    leaseTime: s.bench.dhcpRange?.leaseTime ?? '1h',
    proxySubnet: s.bench.proxySubnet ?? '',
    imageDir: s.bench.imageDir ?? '',
    console: s.bench.console,
    consoleOverrides: s.bench.consoleOverrides.map((o) => `${o.host} ${o.console}`).join('\n'),
    uefiBoot: s.bench.uefiBoot,
    maxAgeDays: String(s.retention.maxAgeDays),
    maxTotalGiB: String(+(s.retention.maxTotalBytes / GiB).toFixed(2)),
  };
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

function int(text: string, min: number, max: number): number | null {
  if (!/^\d+$/.test(text.trim())) return null;
  const n = Number(text.trim());
  return n >= min && n <= max ? n : null;
}

export function settingsPatch(f: SettingsForm): { patch: Record<string, unknown>; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const port = int(f.port, 0, 65535);
  if (port === null) errors.port = 'a port from 0 to 65535';
  const iperfPort = int(f.iperfPort, 1, 65535);
  if (iperfPort === null) errors.iperfPort = 'a port from 1 to 65535';
  if (!f.address.trim()) errors.address = 'the bench address is needed';
  const mode = f.dhcpMode as 'full' | 'proxy' | 'off';
  if (!['full', 'proxy', 'off'].includes(mode)) errors.dhcpMode = 'choose a DHCP mode';
  if (mode === 'full') {
    if (!IPV4.test(f.rangeStart.trim())) errors.rangeStart = 'an IPv4 address, e.g. 10.9.0.100';
    if (!IPV4.test(f.rangeEnd.trim())) errors.rangeEnd = 'an IPv4 address, e.g. 10.9.0.199';
    if (!f.leaseTime.trim()) errors.leaseTime = 'e.g. 1h';
  }
  if (mode === 'proxy' && !IPV4.test(f.proxySubnet.trim())) errors.proxySubnet = 'the subnet address, e.g. 10.1.2.0';
  const imageDir = f.imageDir.trim();
  if (imageDir && !imageDir.startsWith('/')) errors.imageDir = 'an absolute folder, e.g. /var/cache/vetting-image (empty: the default)';
  if (!SerialConsole.safeParse(f.console).success) errors.console = 'a serial console like ttyS0,115200n8 or ttyS1,115200';
  const overrides: { host: string; console: string }[] = [];
  for (const [i, line] of f.consoleOverrides.split('\n').entries()) {
    if (!line.trim()) continue;
    const [host = '', console = '', ...rest] = line.trim().split(/\s+/);
    if (rest.length || !HostName.safeParse(host).success || !SerialConsole.safeParse(console).success) {
      errors.consoleOverrides = `line ${i + 1}: write "host ttyS1,115200n8" (a host name, a space, a serial console)`;
      break;
    }
    overrides.push({ host, console });
  }
  const uefiBoot = f.uefiBoot as 'signed' | 'ipxe';
  if (!['signed', 'ipxe'].includes(uefiBoot)) errors.uefiBoot = 'choose what UEFI machines boot';
  const age = int(f.maxAgeDays, 1, 100_000);
  if (age === null) errors.maxAgeDays = 'a whole number of days, at least 1';
  const gib = Number(f.maxTotalGiB);
  if (!Number.isFinite(gib) || gib <= 0) errors.maxTotalGiB = 'a size in GiB above 0';
  const patch = {
    bench: {
      interface: f.interface.trim() || null,
      address: f.address.trim(),
      port,
      iperfPort,
      dhcpMode: mode,
      dhcpRange: mode === 'full' ? { start: f.rangeStart.trim(), end: f.rangeEnd.trim(), leaseTime: f.leaseTime.trim() } : null,
      proxySubnet: mode === 'proxy' ? f.proxySubnet.trim() : null,
      imageDir: imageDir || null,
      console: f.console.trim(),
      consoleOverrides: overrides,
      uefiBoot,
    },
    retention: { maxAgeDays: age, maxTotalBytes: Math.round(gib * GiB) },
  };
  return { patch, errors };
}
