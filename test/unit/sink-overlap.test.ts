// A resumed download's overlap (transfer/overlap.ts) on the stream way into a file (file-sink.ts
// writeToFd without a pump: FTPS, a server without pipelined EPSV, a paced stream): the source's
// first bytes are compared with the partial's end and not written; a difference fails the copy
// before anything is written; the overlap may span chunks of any size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { writeToFd } from '../../src/core/transfer/file-sink.js';
import { OverlapCheck, OverlapMismatch } from '../../src/core/transfer/overlap.js';

const chunks = (b: Buffer, size: number) => { const out: Buffer[] = []; for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size)); return out; };

test('writeToFd with an overlap: only what follows it is appended, whatever the chunk sizes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-overlap-'));
  try {
    const whole = randomBytes(300_000);
    const have = 200_000;
    const overlap = whole.subarray(have - 65_536, have);
    for (const size of [1, 7, 1000, 65_536, 70_000, 300_000]) {
      const file = join(dir, `p${size}`);
      writeFileSync(file, whole.subarray(0, have));
      const fd = openSync(file, 'a');
      try {
        const source = Readable.from(size === 1 ? chunks(whole.subarray(have - 65_536, have - 65_536 + 70_000), 1).concat([whole.subarray(have + 4464)]) : chunks(whole.subarray(have - 65_536), size));
        const n = await writeToFd(source, fd, { overlap, size: whole.length - (have - 65_536) });
        assert.equal(n, whole.length - have, `chunks of ${size}: the bytes written are the rest only`);
      } finally {
        closeSync(fd);
      }
      assert.ok(readFileSync(file).equals(whole), `chunks of ${size}: the file is whole`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeToFd with an overlap that differs: OverlapMismatch, nothing written, the source destroyed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-overlap-'));
  try {
    const whole = randomBytes(200_000);
    const file = join(dir, 'p');
    writeFileSync(file, whole.subarray(0, 100_000));
    const overlap = Buffer.from(whole.subarray(100_000 - 65_536, 100_000));
    overlap[65_000] ^= 1; // one bit of the partial's end differs
    const fd = openSync(file, 'a');
    const source = Readable.from(chunks(whole.subarray(100_000 - 65_536), 4096));
    try {
      await assert.rejects(writeToFd(source, fd, { overlap }), (e: Error) => e instanceof OverlapMismatch);
    } finally {
      closeSync(fd);
    }
    assert.equal(readFileSync(file).length, 100_000, 'nothing appended');
    assert.ok(source.destroyed);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('OverlapCheck: takes up to the overlap from each buffer, at an offset; nothing expected takes nothing', () => {
  const c = new OverlapCheck(Buffer.from('abcdef'));
  assert.equal(c.take(Buffer.from('xxabcx'), 2, 3), 3);
  assert.equal(c.pending, true);
  assert.equal(c.take(Buffer.from('defghi'), 0, 6), 3, 'only the 3 bytes left of the overlap');
  assert.equal(c.pending, false);
  assert.equal(c.take(Buffer.from('zzz'), 0, 3), 0);
  assert.throws(() => new OverlapCheck(Buffer.from('ab')).take(Buffer.from('ax'), 0, 2), OverlapMismatch);
  assert.equal(new OverlapCheck(undefined).take(Buffer.from('a'), 0, 1), 0);
});
