// SFTP download fast paths (targets/sftp-read.ts: the file way's reused buffers and the stream way;
// sftp-direct-data.ts; ssh/socket-reads.ts) against a crafted server that answers READs the ways the
// protocol allows: shorter than asked in the middle of the file (the client must ask again for the
// rest, neither take it for the end nor leave a hole), and EOF before the size fstat gave. ssh2 is
// loaded as the bundles load it (ssh2-without-addon.ts): its OpenSSL deciphers, which are handed views
// of the socket's reused read buffer. Sizes around the request size (260,096 bytes: the server says
// it is OpenSSH) and the ~2 MiB in flight.
//   node --import tsx --test --test-concurrency=1 test/faults/sftp-fastpath-review.test.ts
import './ssh2-without-addon.js';
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { startCraftedSftp, type CraftedSftpOptions } from './crafted-sftp.js';
import { SftpTarget } from '../../src/core/targets/sftp.js';
import { LocalTarget } from '../../src/core/targets/local.js';

const KiB = 1024;
const stops: Array<() => Promise<void>> = [];
after(async () => { for (const s of stops.reverse()) await s(); });

async function setup(opts: CraftedSftpOptions, algorithms?: Record<string, string[]>) {
  const server = await startCraftedSftp({ ident: 'OpenSSH_9.6', ...opts });
  stops.push(() => server.stop());
  server.mkdir('/site');
  const target = new SftpTarget({ ...server.spec, ...(algorithms ? { algorithms } : {}) });
  stops.push(() => target.close());
  const dir = mkdtempSync(join(tmpdir(), 'rs-fastpath-'));
  stops.push(async () => rmSync(dir, { recursive: true, force: true }));
  return { server, target, local: new LocalTarget(dir), dir };
}

async function collect(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(Buffer.from(c as Buffer)); // (copied: a view must not change later)
  return Buffer.concat(parts);
}

test('ssh2 runs without its native add-on here (the deciphers the bundles use)', () => {
  const crypto = createRequire(__filename)('ssh2/lib/protocol/crypto.js') as { bindingAvailable: boolean };
  assert.equal(crypto.bindingAvailable, false);
});

const SIZES = [0, 1, 260096 - 1, 260096, 260096 + 1, 2 * 1024 * KiB, 2 * 1024 * KiB + 13];

test('READ replies shorter than asked, in the middle of the file: every byte in its place (file way and stream way)', async () => {
  let shortened = 0;
  const { server, target, local, dir } = await setup({
    // a reply of part of what was asked, of a size that varies with the offset (never 0: that is EOF)
    read: (_p, offset, length, data) => {
      if (offset >= data.length) return undefined;
      const n = Math.min(length, data.length - offset, 1 + ((offset * 7919 + length) % Math.max(1, Math.min(length, 100_000))));
      if (n < Math.min(length, data.length - offset)) shortened++;
      return data.subarray(offset, offset + n);
    },
  });
  for (const size of SIZES) {
    const content = randomBytes(size);
    server.put(`/site/f${size}.bin`, content);
    await local.write(`f${size}.bin`, await target.read(`f${size}.bin`), { size });
    assert.ok(readFileSync(join(dir, `f${size}.bin`)).equals(content), `file way, ${size} bytes`);
    const got = await collect(await target.read(`f${size}.bin`));
    assert.ok(got.equals(content), `stream way, ${size} bytes (${got.length})`);
  }
  assert.ok(shortened > 100, `short replies were sent (${shortened})`);
});

test('EOF before the size fstat gave (the file was cut meanwhile): an error, nothing under the real name', async () => {
  const { server, target, local, dir } = await setup({
    read: (_p, offset, length, data) => (offset >= 700 * KiB ? null : data.subarray(offset, Math.min(offset + length, 700 * KiB))),
  });
  const content = randomBytes(3 * 1024 * KiB);
  server.put('/site/cut.bin', content);
  await assert.rejects(local.write('cut.bin', await target.read('cut.bin'), { size: content.length }), /3145728 bytes.*716800 bytes/);
  assert.equal(existsSync(join(dir, 'cut.bin')), false);
  assert.deepEqual(readdirSync(dir), []);
  const got = await collect(await target.read('cut.bin'));
  assert.equal(got.length, 700 * KiB);
  assert.ok(got.equals(content.subarray(0, 700 * KiB)));
});

