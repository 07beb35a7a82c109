// The fast paths between a stream and a local file (core/transfer/fd-pump.ts): a source's fd pump is
// used by writeToFd only while the stream is untouched, and throttled() passes it on with the limiter;
// the local target marks its big reads as file ranges, which the FTP upload's sender
// (targets/ftp-send.ts) reads into reused buffers — byte-exact over a real loopback socket, the file
// closed afterwards, a read error reported. Real files in a temp folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { bufferOf, fdPumpOf, fileRangeOf, markRangeRead, offerBuffer, offerFdPump, offerFileRange, untouched, type FdPumpOptions } from '../../../src/core/transfer/fd-pump.js';
import { writeToFd } from '../../../src/core/transfer/file-sink.js';
import { BandwidthLimiter, parseBandwidth, throttled } from '../../../src/core/transfer/bandwidth.js';
import { LocalTarget } from '../../../src/core/targets/local.js';
import { sendFileRange } from '../../../src/core/targets/ftp-send.js';

function pattern(n: number, seed = 7): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed;
  for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; b[i] = x >>> 24; }
  return b;
}

function withDir(fn: (dir: string) => Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-fdpump-'));
    try { await fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
  };
}

/** a stream that must not be read the stream way, with a pump that writes `data` itself */
function pumping(data: Buffer, seen: FdPumpOptions[]): Readable {
  const r = new Readable({ read() { throw new Error('read the stream way'); } });
  return offerFdPump(r, async (fd, opts) => {
    seen.push(opts);
    writeSync(fd, data, 0, data.length, opts.position ?? null);
    opts.onProgress?.(data.length);
    return data.length;
  });
}

test('writeToFd hands the descriptor to the source\'s pump, with the position, size, signal and progress', withDir(async (dir) => {
  const data = pattern(100_000);
  const seen: FdPumpOptions[] = [];
  const fd = openSync(join(dir, 'f'), 'w');
  const ac = new AbortController();
  let progress = 0;
  try {
    assert.equal(await writeToFd(pumping(data, seen), fd, { position: 0, size: data.length, signal: ac.signal, onProgress: (n) => { progress = n; } }), data.length);
  } finally {
    closeSync(fd);
  }
  assert.deepEqual(readFileSync(join(dir, 'f')), data);
  assert.equal(seen.length, 1);
  assert.equal(seen[0].position, 0);
  assert.equal(seen[0].size, data.length);
  assert.equal(seen[0].signal, ac.signal);
  assert.equal(progress, data.length);
}));

test('a pump is offered only while the stream is untouched: once read the stream way (or destroyed) it is gone', async () => {
  const mk = () => offerFdPump(Readable.from([Buffer.from('abc')], { objectMode: false }), async () => 0);
  assert.ok(fdPumpOf(mk()));
  const flowing = mk();
  flowing.resume();
  assert.equal(fdPumpOf(flowing), undefined);
  const read = mk();
  for await (const _ of read) break;
  assert.equal(fdPumpOf(read), undefined);
  const gone = mk();
  gone.destroy();
  assert.equal(fdPumpOf(gone), undefined);
  assert.equal(fdPumpOf(Readable.from([])), undefined, 'a plain stream has none');
});

test('throttled() passes the pump on with the run\'s limiter; the paced stream is destroyed after', withDir(async (dir) => {
  const data = pattern(5000);
  const seen: FdPumpOptions[] = [];
  const limiter = new BandwidthLimiter(parseBandwidth('2M'));
  const paced = throttled(pumping(data, seen), limiter);
  const fd = openSync(join(dir, 'f'), 'w');
  try {
    assert.equal(await writeToFd(paced, fd, { position: 0 }), data.length);
  } finally {
    closeSync(fd);
  }
  assert.equal(seen[0].limiter, limiter);
  assert.ok(paced.destroyed);
  assert.deepEqual(readFileSync(join(dir, 'f')), data);
}));

test('the local target marks a big read as a file range (from the offset, to the end asked for); a small one is one chunk', withDir(async (dir) => {
  writeFileSync(join(dir, 'big'), pattern(200_000));
  writeFileSync(join(dir, 'small'), 'small');
  const t = new LocalTarget(dir);
  const big = await t.read('big', undefined, 10, 150_000);
  const range = fileRangeOf(big);
  assert.ok(range);
  assert.equal(range.start, 10);
  assert.equal(range.end, 150_000);
  big.destroy();
  const small = await t.read('small');
  assert.equal(fileRangeOf(small), undefined);
  assert.equal(bufferOf(small)?.toString(), 'small', 'a small read offers its whole buffer');
  assert.equal(bufferOf(big), undefined);
  small.destroy();
  assert.equal(bufferOf(small), undefined, 'destroyed: gone');
  const offset = await t.read('small', undefined, 1);
  assert.equal(bufferOf(offset), undefined, 'a read from an offset is not the whole file');
  offset.destroy();
}));

test('a whole buffer is offered only while nothing took it: read the stream way, or taken by a sender (then not untouched)', async () => {
  const buf = Buffer.from('content\n');
  const one = () => offerBuffer(Readable.from([buf], { objectMode: false }), buf);
  const taken = one();
  assert.equal(bufferOf(taken), buf);
  assert.ok(untouched(taken));
  markRangeRead(taken);
  assert.equal(bufferOf(taken), undefined, 'a sender took it: not offered again');
  assert.equal(untouched(taken), false, 'and an upload is not repeated with this stream');
  const read = one();
  const chunks: Buffer[] = [];
  for await (const c of read) chunks.push(c as Buffer);
  assert.equal(Buffer.concat(chunks).toString(), 'content\n', 'the stream way gives the same bytes');
  assert.equal(bufferOf(read), undefined, 'read the stream way: gone');
});

/** a loopback server that collects what one connection sends */
async function sink(): Promise<{ port: number; received: Promise<Buffer>; close(): void }> {
  let resolveReceived!: (b: Buffer) => void;
  const received = new Promise<Buffer>((r) => { resolveReceived = r; });
  const server = net.createServer((s) => {
    const parts: Buffer[] = [];
    s.on('data', (b) => parts.push(b));
    s.on('end', () => { resolveReceived(Buffer.concat(parts)); s.end(); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as net.AddressInfo).port, received, close: () => server.close() };
}

for (const [start, end] of [[0, undefined], [12_345, undefined], [3, 1_000_003], [0, 0]] as const) {
  test(`sendFileRange: bytes ${start}–${end ?? 'end'} of a file arrive exactly, counted; the file is closed after`, withDir(async (dir) => {
    const data = pattern(1_700_000);
    writeFileSync(join(dir, 'f'), data);
    const server = await sink();
    try {
      const handle = await open(join(dir, 'f'), 'r');
      const source = offerFileRange(handle.createReadStream(), { handle, start, end });
      const socket = net.connect(server.port, '127.0.0.1');
      await new Promise<void>((r) => socket.once('connect', () => r()));
      const moved = { bytes: 0 };
      let progress = 0;
      await new Promise<void>((resolve, reject) => sendFileRange(socket, fileRangeOf(source)!, source, moved, (n) => { progress = n; }, reject, resolve));
      const want = data.subarray(start, end ?? data.length);
      assert.deepEqual(await server.received, want);
      assert.equal(moved.bytes, want.length);
      assert.equal(progress, want.length);
      await new Promise((r) => setImmediate(r));
      assert.ok(source.destroyed, 'the stream (and its file) is closed');
      socket.destroy();
    } finally {
      server.close();
    }
  }));
}

test('sendFileRange: a file that cannot be read is reported, not sent as complete', withDir(async (dir) => {
  writeFileSync(join(dir, 'f'), pattern(600_000));
  const server = await sink();
  try {
    const handle = await open(join(dir, 'f'), 'r');
    await handle.close(); // every read fails (EBADF)
    const source = offerFileRange(new Readable({ read() {} }), { handle, start: 0 });
    const socket = net.connect(server.port, '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    const moved = { bytes: 0 };
    const outcome = await new Promise<string>((resolve) => sendFileRange(socket, fileRangeOf(source)!, source, moved, undefined, (e) => resolve(`failed: ${e.message}`), () => resolve('done')));
    assert.match(outcome, /^failed: .*(EBADF|closed)/i);
    assert.equal(moved.bytes, 0);
    socket.destroy();
  } finally {
    server.close();
  }
}));
