import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { open, type FileHandle } from 'node:fs/promises';

// A read-only TFTP server (RFC 1350, with the blksize and tsize options of
// RFC 2347/2348/2349) for the Secure Boot chain. Debian's signed GRUB can only
// load files over TFTP (its signed netboot image has no HTTP), and what it
// loads for a host depends on that host's run (the boot token, the console), so
// the answers come from the orchestrator like the iPXE scripts do, on the bench
// listener's port over UDP. dnsmasq's TFTP server keeps serving the firmware's
// first files (shim, GRUB, the fixed grub.cfg that points here).
//
// Written here rather than taken from npm: the TFTP packages there are
// unmaintained for years, and reading is all the boot chain needs.

/** What a read request is answered with: bytes in memory, or a file streamed block by block. */
export type TftpSource = { data: Buffer } | { file: string };

export interface TftpTransfer {
  path: string;
  client: string;
  bytes: number;
  ms: number;
}

export interface TftpServerOptions {
  address: string;
  port: number;
  /** Maps a requested path to its content; null answers "file not found". Throwing answers "access violation". */
  resolve(path: string, client: string): Promise<TftpSource | null> | TftpSource | null;
  /** A file was sent whole (the client acknowledged its last block). */
  onSent?(t: TftpTransfer): void;
  /** Anything that went wrong with a request, in words, for the log. */
  onProblem?(message: string): void;
  /** Seconds to wait for an acknowledgement before sending again (default 1). */
  retransmitS?: number;
}

export interface TftpServer {
  port: number;
  close(): Promise<void>;
}

const OP = { RRQ: 1, WRQ: 2, DATA: 3, ACK: 4, ERROR: 5, OACK: 6 } as const;
const ERR = { notDefined: 0, notFound: 1, accessViolation: 2, illegalOp: 4, badOption: 8 } as const;
const MAX_TRIES = 6;
const MAX_BLKSIZE = 1468; // fits a 1500-byte Ethernet frame with IP and UDP headers

export interface ReadRequest {
  path: string;
  mode: string;
  options: Record<string, string>;
}

/** Parses a read request (opcode 1); null for anything else or a malformed packet. */
export function parseReadRequest(msg: Buffer): ReadRequest | null {
  if (msg.length < 4 || msg.readUInt16BE(0) !== OP.RRQ) return null;
  const fields = msg.subarray(2).toString('latin1').split('\0');
  // filename, mode, then option/value pairs, each NUL-terminated (so a trailing empty field).
  if (fields.length < 3 || fields.at(-1) !== '') return null;
  const [path, mode, ...rest] = fields.slice(0, -1);
  if (!path || !mode || rest.length % 2 !== 0) return null;
  const options: Record<string, string> = {};
  for (let i = 0; i < rest.length; i += 2) options[rest[i]!.toLowerCase()] = rest[i + 1]!;
  return { path, mode: mode.toLowerCase(), options };
}

/** Sends one datagram and waits until it has left (closing the socket right after a plain send can drop it). */
function sendNow(sock: Socket, packet: Buffer, to: RemoteInfo): Promise<void> {
  return new Promise((resolve) => sock.send(packet, to.port, to.address, () => resolve()));
}

function errorPacket(code: number, message: string): Buffer {
  const text = Buffer.from(`${message}\0`, 'latin1');
  const head = Buffer.alloc(4);
  head.writeUInt16BE(OP.ERROR, 0);
  head.writeUInt16BE(code, 2);
  return Buffer.concat([head, text]);
}

export async function startTftpServer(opts: TftpServerOptions): Promise<TftpServer> {
  const problem = (m: string): void => {
    try {
      opts.onProblem?.(m);
    } catch {
      // logging must not break booting
    }
  };
  const transfers = new Set<Socket>();
  const sock = createSocket({ type: 'udp4', reuseAddr: false });
  sock.on('message', (msg, rinfo) => {
    void handle(msg, rinfo).catch((err: unknown) => problem(`TFTP request from ${rinfo.address} failed: ${(err as Error).message}`));
  });
  sock.on('error', (err) => problem(`TFTP server: ${err.message}`));
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(opts.port, opts.address, () => {
      sock.off('error', reject);
      resolve();
    });
  });

  async function handle(msg: Buffer, rinfo: RemoteInfo): Promise<void> {
    const op = msg.length >= 2 ? msg.readUInt16BE(0) : -1;
    if (op === OP.WRQ) return void sock.send(errorPacket(ERR.accessViolation, 'this server only serves files'), rinfo.port, rinfo.address);
    const rrq = parseReadRequest(msg);
    if (!rrq) {
      if (op !== OP.ACK && op !== OP.ERROR) sock.send(errorPacket(ERR.illegalOp, 'expected a read request'), rinfo.port, rinfo.address);
      return;
    }
    // Each transfer talks from its own port (its transfer id), as the protocol asks.
    const tx = createSocket('udp4');
    transfers.add(tx);
    tx.on('error', () => undefined);
    await new Promise<void>((r) => tx.bind(0, opts.address, r));
    let fh: FileHandle | null = null;
    try {
      let source: TftpSource | null;
      try {
        source = await opts.resolve(rrq.path, rinfo.address);
      } catch (err) {
        await sendNow(tx, errorPacket(ERR.accessViolation, (err as Error).message.slice(0, 200)), rinfo);
        return;
      }
      if (!source) {
        await sendNow(tx, errorPacket(ERR.notFound, `no such file: ${rrq.path}`), rinfo);
        return;
      }
      let size: number;
      let read: (offset: number, length: number) => Promise<Buffer>;
      if ('data' in source) {
        const data = source.data;
        size = data.length;
        read = async (offset, length) => data.subarray(offset, offset + length);
      } else {
        const handle = await open(source.file, 'r');
        fh = handle;
        size = (await handle.stat()).size;
        read = async (offset, length) => {
          const buf = Buffer.alloc(length);
          const { bytesRead } = await handle.read(buf, 0, length, offset);
          return buf.subarray(0, bytesRead);
        };
      }
      await send(tx, rinfo, rrq, size, read);
    } finally {
      await fh?.close().catch(() => undefined);
      transfers.delete(tx);
      tx.close();
    }
  }

  /** Sends one file in lock step: each block waits for its acknowledgement, re-sent on silence. */
  async function send(tx: Socket, rinfo: RemoteInfo, rrq: ReadRequest, size: number, read: (offset: number, length: number) => Promise<Buffer>): Promise<void> {
    const started = Date.now();
    const oack: string[] = [];
    let blksize = 512;
    if (rrq.options.blksize !== undefined) {
      const asked = Number(rrq.options.blksize);
      if (Number.isInteger(asked) && asked >= 8) {
        blksize = Math.min(asked, MAX_BLKSIZE);
        oack.push('blksize', String(blksize));
      }
    }
    if (rrq.options.tsize !== undefined) oack.push('tsize', String(size));
    const waitAck = (block: number, packet: Buffer): Promise<boolean> =>
      new Promise((resolve) => {
        let tries = 0;
        let timer: NodeJS.Timeout;
        const onMsg = (m: Buffer, from: RemoteInfo): void => {
          if (from.address !== rinfo.address || from.port !== rinfo.port) {
            tx.send(errorPacket(5, 'unknown transfer ID'), from.port, from.address);
            return;
          }
          if (m.length >= 4 && m.readUInt16BE(0) === OP.ACK && m.readUInt16BE(2) === (block & 0xffff)) finish(true);
          else if (m.length >= 2 && m.readUInt16BE(0) === OP.ERROR) finish(false);
        };
        const finish = (ok: boolean): void => {
          clearTimeout(timer);
          tx.off('message', onMsg);
          resolve(ok);
        };
        const transmit = (): void => {
          if (tries++ >= MAX_TRIES) return finish(false);
          tx.send(packet, rinfo.port, rinfo.address);
          timer = setTimeout(transmit, (opts.retransmitS ?? 1) * 1000);
        };
        tx.on('message', onMsg);
        transmit();
      });

    if (oack.length) {
      const body = Buffer.from(`${oack.join('\0')}\0`, 'latin1');
      const head = Buffer.alloc(2);
      head.writeUInt16BE(OP.OACK, 0);
      if (!(await waitAck(0, Buffer.concat([head, body])))) return problem(`TFTP ${rrq.path} to ${rinfo.address}: no acknowledgement of the options`);
    }
    // Block numbers are 16 bits and wrap to 0 after 65535 (large files at 1 KiB blocks pass that).
    for (let block = 1, offset = 0; ; block++, offset += blksize) {
      const chunk = await read(offset, blksize);
      const packet = Buffer.alloc(4 + chunk.length);
      packet.writeUInt16BE(OP.DATA, 0);
      packet.writeUInt16BE(block & 0xffff, 2);
      chunk.copy(packet, 4);
      if (!(await waitAck(block, packet))) return problem(`TFTP ${rrq.path} to ${rinfo.address}: stopped at block ${block} of ${Math.floor(size / blksize) + 1} (no acknowledgement)`);
      if (chunk.length < blksize) break;
    }
    opts.onSent?.({ path: rrq.path, client: rinfo.address, bytes: size, ms: Date.now() - started });
  }

  const address = sock.address();
  return {
    port: address.port,
    close: async () => {
      for (const t of transfers) t.close();
      await new Promise<void>((r) => sock.close(() => r()));
    },
  };
}
