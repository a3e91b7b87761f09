import { closeSync, constants, existsSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

/**
 * Hands `secret` to a child process as a file path whose reading yields the
 * secret once, without it ever being on disk, in argv or in the environment:
 * a named pipe (FIFO, mode 0600) in a fresh directory only this user may enter.
 * The pipe is opened read-write here first, so writing never blocks and the
 * bytes wait in the kernel's pipe buffer until the child reads them.
 *
 * Why not `-f /dev/fd/3`: Node's extra stdio channels are socket pairs, and
 * opening /dev/fd/N on a socket fails (ENXIO), so ipmitool cannot read one.
 * Why not `-E` (IPMI_PASSWORD): the environment of a process is readable in
 * /proc/PID/environ, and `ps e` shows it.
 */
export async function withSecretFile<T>(secret: string, use: (path: string) => Promise<T>): Promise<T> {
  const base = process.env.XDG_RUNTIME_DIR && existsSync(process.env.XDG_RUNTIME_DIR) ? process.env.XDG_RUNTIME_DIR : tmpdir();
  const dir = mkdtempSync(join(base, 'vetting-bmc-')); // mode 0700
  const fifo = join(dir, 'secret');
  let fd: number | null = null;
  try {
    await execa('mkfifo', ['-m', '600', fifo]);
    fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    writeSync(fd, `${secret}\n`);
    return await use(fifo);
  } finally {
    if (fd !== null) closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}
