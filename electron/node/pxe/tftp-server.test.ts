import { createHash, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReadRequest, startTftpServer, type TftpServer, type TftpTransfer } from './tftp-server.ts';

// The real client is curl's TFTP (the same protocol GRUB speaks: read requests
// with blksize and tsize); GRUB itself is exercised by the Secure Boot lab scenario.

let dir: string;
let server: TftpServer;
const sent: TftpTransfer[] = [];
const problems: string[] = [];
// Over 65535 blocks of 512 bytes, so the 16-bit block number wraps during the transfer.
const big = randomBytes(65536 * 512 + 1234);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vetting-tftp-'));
  writeFileSync(join(dir, 'big.bin'), big);
  writeFileSync(join(dir, 'small.bin'), big.subarray(0, 3 * 1024 * 1024 + 7));
  server = await startTftpServer({
    address: '127.0.0.1',
    port: 0,
    resolve: (path, client) => {
      if (path === 'vetting/52:54:00:00:07:01.cfg') return { data: Buffer.from(`echo hello ${client}\n`) };
      if (path === 'boot/big.bin') return { file: join(dir, 'big.bin') };
      if (path === 'boot/small.bin') return { file: join(dir, 'small.bin') };
      if (path === 'secret') throw new Error('not for you');
      return null;
    },
    onSent: (t) => sent.push(t),
    onProblem: (m) => problems.push(m),
  });
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const curl = (path: string, extra: string[] = []) => execa('curl', ['-sS', ...extra, `tftp://127.0.0.1:${server.port}/${path}`], { reject: false, encoding: 'buffer', stripFinalNewline: false });

describe('TFTP server', () => {
  it('answers a read request with what resolve returned, naming the client', async () => {
    const r = await curl('vetting/52:54:00:00:07:01.cfg');
    expect(r.exitCode).toBe(0);
    expect(Buffer.from(r.stdout).toString()).toBe('echo hello 127.0.0.1\n');
    expect(sent.at(-1)).toMatchObject({ path: 'vetting/52:54:00:00:07:01.cfg', client: '127.0.0.1', bytes: 21 });
  });

  it('streams a file larger than 65535 blocks intact (block numbers wrap), with the block size the client asks for', async () => {
    const out = join(dir, 'got.bin');
    const r = await execa('curl', ['-sS', '--tftp-blksize', '1024', '-o', out, `tftp://127.0.0.1:${server.port}/boot/small.bin`], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(out).equals(big.subarray(0, 3 * 1024 * 1024 + 7))).toBe(true);
    // 512-byte blocks (no option): 65539 blocks.
    const plain = await curl('boot/big.bin', ['-o', out]);
    expect(plain.exitCode).toBe(0);
    expect(createHash('sha256').update(readFileSync(out)).digest('hex')).toBe(createHash('sha256').update(big).digest('hex'));
    expect(sent.filter((t) => t.path === 'boot/big.bin').map((t) => t.bytes)).toEqual([big.length]);
  }, 60_000);

  it('says "not found" and "access violation" as TFTP errors the client reports', async () => {
    const missing = await curl('nope.cfg');
    expect(missing.exitCode).toBe(68); // curl: TFTP file not found
    const refused = await curl('secret');
    expect(refused.exitCode).toBe(69); // curl: TFTP permission problem
    expect(sent.some((t) => t.path === 'nope.cfg' || t.path === 'secret')).toBe(false);
  });

  it('refuses writes and ignores garbage without stopping', async () => {
    const s = createSocket('udp4');
    const answers: Buffer[] = [];
    s.on('message', (m) => answers.push(m));
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    const wrq = Buffer.concat([Buffer.from([0, 2]), Buffer.from('x\0octet\0', 'latin1')]);
    s.send(wrq, server.port, '127.0.0.1');
    s.send(Buffer.from([0xff]), server.port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 300));
    s.close();
    expect(answers.map((a) => a.readUInt16BE(0))).toEqual([5, 5]);
    expect(answers[0]!.readUInt16BE(2)).toBe(2);
    // Still serving.
    expect((await curl('vetting/52:54:00:00:07:01.cfg')).exitCode).toBe(0);
  });

  it('parses read requests with options, and rejects malformed ones', () => {
    const rrq = Buffer.concat([Buffer.from([0, 1]), Buffer.from('grub/grub.cfg\0octet\0blksize\x001024\0tsize\x000\0', 'latin1')]);
    expect(parseReadRequest(rrq)).toEqual({ path: 'grub/grub.cfg', mode: 'octet', options: { blksize: '1024', tsize: '0' } });
    expect(parseReadRequest(Buffer.concat([Buffer.from([0, 1]), Buffer.from('x\0octet', 'latin1')]))).toBeNull();
    expect(parseReadRequest(Buffer.from([0, 3, 0, 1]))).toBeNull();
  });
});
