// The kernel log (`dmesg` output) → firmware files a driver asked for and did
// not get. Only the firmware loader's final word counts: "Direct firmware load
// for FILE failed with error N". Debian's kernel also logs "firmware: failed
// to load FILE (-2)" for every name it tries, including the uncompressed name
// of a file the image stores as FILE.xz and then loads fine, so those lines
// alone do not mean anything is missing (fixtures/tool-outputs/kernel-log).

export interface FirmwareLoadFailure {
  /** The file as the driver named it, relative to /lib/firmware. */
  file: string;
  /** The requesting device as the kernel names it (e.g. "0000:00:02.0"), when the line has one. */
  device: string | null;
  /** The driver that asked (e.g. "e100"), when the line has one. */
  driver: string | null;
  /** The loader's error number (-2: no such file). */
  error: number;
}

// "[   16.127872] e100 0000:00:02.0: Direct firmware load for e100/d102e_ucode.bin failed with error -2"
const TIMESTAMP = /^\[\s*\d+\.\d+\]\s*/;
const DIRECT_FAILED = /^(?:(\S+) (\S+): )?Direct firmware load for (\S+) failed with error (-?\d+)\s*$/;

export function parseFirmwareFailures(kernelLog: string): FirmwareLoadFailure[] {
  const out: FirmwareLoadFailure[] = [];
  const seen = new Set<string>();
  for (const raw of kernelLog.split('\n')) {
    const m = DIRECT_FAILED.exec(raw.replace(TIMESTAMP, '').trimEnd());
    if (!m) continue;
    const [, driver, device, file, error] = m;
    // A driver retries on every link up: once per file and device is enough.
    const key = `${file}\u0000${device ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ file: file!, device: device ?? null, driver: driver ?? null, error: Number(error) });
  }
  return out;
}

/** "e100/d102e_ucode.bin (e100 0000:00:02.0)" for messages. */
export function describeFirmwareFailure(f: FirmwareLoadFailure): string {
  const who = [f.driver, f.device].filter(Boolean).join(' ');
  return who ? `${f.file} (${who})` : f.file;
}
