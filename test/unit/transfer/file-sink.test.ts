// The local file sink (core/transfer/file-sink.ts): every byte lands in order at the right place,
// whatever the chunk sizes; the source is paused while the disk is behind; errors and aborts reject
// only after the write in flight finished, and destroy the source. Real files in a temp folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { SINK_BUFFER, writeToFd } from '../../../src/core/transfer/file-sink.js';

function pattern(n: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed;
  for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; b[i] = x >>> 24; }
  return b;
}

/** `data` in chunks of the given sizes (cycled) */
function chunked(data: Buffer, sizes: number[]): Readable {
  const parts: Buffer[] = [];
  for (let at = 0, i = 0; at < data.length; i++) {
    const n = sizes[i % sizes.length];
    parts.push(data.subarray(at, at + n));
    at += n;
  }
  return Readable.from(parts, { objectMode: false });
}

function withDir(fn: (dir: string) => Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-sink-'));
    try { await fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
  };
}

test('odd chunk sizes across buffer boundaries: the file is byte for byte the source, progress counts every byte', withDir(async (dir) => {
  const data = pattern(3 * SINK_BUFFER + 12345);
  const file = join(dir, 'f');
  const fd = openSync(file, 'w');
  const seen: number[] = [];
  try {
    const n = await writeToFd(chunked(data, [1, 65536, 7, SINK_BUFFER + 3, 32768]), fd, { position: 0, onProgress: (b) => seen.push(b) });
    assert.equal(n, data.length);
  } finally { closeSync(fd); }
  assert.ok(readFileSync(file).equals(data));
  assert.equal(seen.at(-1), data.length);
  assert.ok(seen.every((v, i) => i === 0 || v > seen[i - 1]), 'progress only grows');
}));

test('a small file (size given) and an empty source', withDir(async (dir) => {
  for (const data of [pattern(100, 3), Buffer.alloc(0)]) {
    const file = join(dir, `f${data.length}`);
    const fd = openSync(file, 'w');
    try {
      assert.equal(await writeToFd(Readable.from(data.length ? [data] : [], { objectMode: false }), fd, { position: 0, size: data.length }), data.length);
    } finally { closeSync(fd); }
    assert.ok(readFileSync(file).equals(data));
  }
}));

test('appending (no position, a file opened to append) continues after what is there', withDir(async (dir) => {
  const file = join(dir, 'part');
  const head = pattern(5000, 5);
  const tail = pattern(2 * SINK_BUFFER + 99, 6);
  writeFileSync(file, head);
  const fd = openSync(file, 'a');
  try {
    assert.equal(await writeToFd(chunked(tail, [40000]), fd), tail.length);
  } finally { closeSync(fd); }
  assert.ok(readFileSync(file).equals(Buffer.concat([head, tail])));
}));

test('backpressure: a fast source is paused, never more than a few buffers are held', withDir(async (dir) => {
  const total = 40 * SINK_BUFFER;
  const src = new PassThrough({ highWaterMark: 64 * 1024 });
  let pushed = 0;
  let maxAhead = 0;
  const fd = openSync(join(dir, 'f'), 'w');
  let written = 0;
  const done = writeToFd(src, fd, { position: 0, onProgress: (b) => { written = b; } });
  const block = pattern(64 * 1024, 9);
  while (pushed < total) {
    if (!src.write(block)) await new Promise((r) => src.once('drain', r));
    pushed += block.length;
    maxAhead = Math.max(maxAhead, pushed - written);
  }
  src.end();
  try {
    assert.equal(await done, total);
  } finally { closeSync(fd); }
  // taken but not written: the buffer filling + one waiting + the one being written, plus the source's own buffer
  assert.ok(maxAhead <= 4 * SINK_BUFFER, `the source ran ${maxAhead} bytes ahead`);
}));

test('a source error rejects with that error, the source is destroyed', withDir(async (dir) => {
  const fd = openSync(join(dir, 'f'), 'w');
  const src = new PassThrough();
  const boom = new Error('connection reset');
  try {
    const p = writeToFd(src, fd, { position: 0 });
    src.write(pattern(SINK_BUFFER + 10));
    setImmediate(() => src.destroy(boom));
    await assert.rejects(p, (e) => e === boom);
    assert.ok(src.destroyed);
  } finally { closeSync(fd); }
}));

test('a source closed without its end is an error, not a short file taken as whole', withDir(async (dir) => {
  const fd = openSync(join(dir, 'f'), 'w');
  const src = new PassThrough();
  try {
    const p = writeToFd(src, fd, { position: 0 });
    src.write(pattern(1000));
    setImmediate(() => src.destroy());
    await assert.rejects(p, /premature close/);
  } finally { closeSync(fd); }
}));

test('an abort rejects with an AbortError and destroys the source; already aborted: nothing is read', withDir(async (dir) => {
  const fd = openSync(join(dir, 'f'), 'w');
  try {
    const ac = new AbortController();
    const src = new PassThrough();
    const p = writeToFd(src, fd, { position: 0, signal: ac.signal });
    src.write(pattern(3000));
    setImmediate(() => ac.abort());
    await assert.rejects(p, (e: Error) => e.name === 'AbortError');
    assert.ok(src.destroyed);
    const src2 = new PassThrough();
    await assert.rejects(writeToFd(src2, fd, { signal: ac.signal }), (e: Error) => e.name === 'AbortError');
    assert.ok(src2.destroyed);
  } finally { closeSync(fd); }
}));

test('a write error (a descriptor that cannot be written) rejects with the disk error', withDir(async (dir) => {
  const file = join(dir, 'ro');
  writeFileSync(file, 'x');
  const fd = openSync(file, 'r');
  try {
    await assert.rejects(writeToFd(chunked(pattern(2 * SINK_BUFFER), [65536]), fd, { position: 0 }), (e: NodeJS.ErrnoException) => e.code === 'EBADF');
  } finally { closeSync(fd); }
}));
