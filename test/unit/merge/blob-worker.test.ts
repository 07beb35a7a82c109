// The common-version store's blob writes on a worker thread for bursts (src/core/merge/blob-worker.ts,
// BaseStore.drainOffThread): every blob on disk and loadable, readable while in flight, an existing
// blob's time renewed, failures reported, a worker that cannot start or dies replaced by this thread,
// and a save's lone blob (a burst of one) never sent to a thread. Real files, real threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { brotliDecompressSync } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import { BaseStore } from '../../../src/core/merge/bases.js';
import { BlobWorker } from '../../../src/core/merge/blob-worker.js';
import type { Logger } from '../../../src/core/types.js';

function withDir(fn: (stateDir: string) => Promise<void>) {
  return async () => {
    const root = mkdtempSync(join(tmpdir(), 'rs-blobw-'));
    try { await fn(join(root, '.remote-sync')); } finally { rmSync(root, { recursive: true, force: true }); }
  };
}
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const texts = (n: number, tag = '') => Array.from({ length: n }, (_, i) => Buffer.from(`<p>${tag} file ${i}</p>\n`.repeat(20 + (i % 7))));
const logger = (warnings: string[]): Logger => ({ error() {}, warn: (m) => warnings.push(m), info() {}, debug() {} });

test('a burst past the threshold is written by the worker: every blob on disk (0600, brotli), loadable, and readable before it is written', withDir(async (dir) => {
  const store = new BaseStore(dir, 1 << 20, undefined, 4);
  const contents = texts(200);
  const refs: string[] = [];
  for (const c of contents) refs.push((await store.keep(c))!);
  // before the flush: whatever is queued, in flight or written reads back
  for (let i = 0; i < refs.length; i += 17) assert.deepEqual(store.load(refs[i]), contents[i], `blob ${i} while being written`);
  await store.flush();
  assert.ok(store.writtenOffThread >= 150, `most of the burst went to the worker (${store.writtenOffThread})`);
  assert.equal(readdirSync(join(dir, 'base')).length, 200);
  for (let i = 0; i < refs.length; i++) {
    assert.equal(refs[i], sha(contents[i]));
    const file = join(dir, 'base', refs[i]);
    assert.equal(statSync(file).mode & 0o777, 0o600, 'blob mode');
    assert.deepEqual(brotliDecompressSync(readFileSync(file)), contents[i], `blob ${i} on disk`);
    assert.deepEqual(new BaseStore(dir, 1 << 20).load(refs[i]), contents[i], `blob ${i} loaded by another store`);
  }
}));

test('blobs handed to the worker and not yet written are served from memory', withDir(async (dir) => {
  const real = BlobWorker.start();
  assert.ok(real, 'a worker thread');
  let release!: () => void;
  const released = new Promise<void>((r) => { release = r; });
  let batches = 0;
  // the worker's answers held back until the test has read every blob in flight
  const held = {
    get alive() { return real.alive; },
    write: async (d: string, hashes: string[], contents: Buffer[]) => { batches++; await released; return real.write(d, hashes, contents); },
    close: () => real.close(),
  } as unknown as BlobWorker;
  const store = new BaseStore(dir, 1 << 20, undefined, 0, () => held);
  const contents = texts(40, 'inflight');
  const refs: string[] = [];
  for (const c of contents) refs.push((await store.keep(c))!);
  const flushed = store.flush();
  try {
    while (batches === 0) await sleep(5);
    assert.equal(existsSync(join(dir, 'base', refs[39])), false, 'not on disk yet');
    for (let i = 0; i < refs.length; i++) assert.deepEqual(store.load(refs[i]), contents[i], `blob ${i} in flight`);
  } finally {
    release();
    await flushed;
  }
  for (let i = 0; i < refs.length; i++) assert.deepEqual(new BaseStore(dir, 1 << 20).load(refs[i]), contents[i], `blob ${i} on disk`);
  real.close();
}));

test('the worker renews the time of a blob that exists already (the same content kept earlier) instead of writing it', withDir(async (dir) => {
  const earlier = new BaseStore(dir, 1 << 20, undefined, Infinity);
  const contents = texts(40, 'renew');
  const old = (await earlier.keep(contents[30]))!;
  await earlier.flush();
  const file = join(dir, 'base', old);
  const past = new Date(Date.now() - 3600_000);
  utimesSync(file, past, past);
  const store = new BaseStore(dir, 1 << 20, undefined, 2);
  for (const c of contents) await store.keep(c);
  await store.flush();
  assert.ok(store.writtenOffThread >= 30, `the worker wrote the burst (${store.writtenOffThread})`);
  assert.ok(statSync(file).mtimeMs > Date.now() - 60_000, 'its time renewed: young again for the collection');
  assert.deepEqual(store.load(old), contents[30]);
}));

test('blobs the worker cannot write are reported once and not trusted: a later keep writes them again', withDir(async (dir) => {
  const warnings: string[] = [];
  const store = new BaseStore(dir, 1 << 20, logger(warnings), 0);
  await store.keep(texts(1, 'first')[0]); // makes the folder
  await store.flush();
  rmSync(join(dir, 'base'), { recursive: true }); // the worker's creates now fail (ENOENT)
  const contents = texts(20, 'lost');
  const refs: string[] = [];
  for (const c of contents) refs.push((await store.keep(c))!);
  await store.flush();
  assert.equal(warnings.length, 1, `one warning: ${warnings.join(' | ')}`);
  assert.match(warnings[0], /could not keep a common version/);
  for (const r of refs) assert.equal(store.load(r), undefined, 'not on disk: no common version');
  // not remembered as written: kept again once the folder is back (this store made it once and does not again)
  mkdirSync(join(dir, 'base'), { mode: 0o700 });
  assert.equal(await store.keep(contents[3]), refs[3]);
  await store.flush();
  assert.deepEqual(store.load(refs[3]), contents[3], 'written on the next keep: the failure was not taken as written');
}));

test('no thread to be had: the burst is written on this thread', withDir(async (dir) => {
  let asked = 0;
  const store = new BaseStore(dir, 1 << 20, undefined, 2, () => { asked++; return undefined; });
  const contents = texts(50, 'nothread');
  const refs: string[] = [];
  for (const c of contents) refs.push((await store.keep(c))!);
  await store.flush();
  assert.equal(asked, 1, 'asked once, not again for every blob');
  assert.equal(store.writtenOffThread, 0);
  for (let i = 0; i < refs.length; i++) assert.deepEqual(store.load(refs[i]), contents[i]);
}));

test('a worker that dies with batches in flight: they are written on this thread, nothing lost', withDir(async (dir) => {
  const store = new BaseStore(dir, 1 << 20, undefined, 2, () => {
    const w = BlobWorker.start();
    w?.close(); // terminates: the batches sent to it come back unwritten
    return w;
  });
  const contents = texts(120, 'dies');
  const refs: string[] = [];
  for (const c of contents) refs.push((await store.keep(c))!);
  await store.flush();
  assert.equal(readdirSync(join(dir, 'base')).length, 120);
  for (let i = 0; i < refs.length; i++) assert.deepEqual(new BaseStore(dir, 1 << 20).load(refs[i]), contents[i], `blob ${i}`);
}));

test('blobs kept apart (saves) stay on this thread: the burst count starts again after a pause', withDir(async (dir) => {
  let asked = 0;
  const store = new BaseStore(dir, 1 << 20, undefined, 2, () => { asked++; return BlobWorker.start(); });
  for (const c of texts(5, 'save')) {
    await store.keep(c);
    await store.flush();
    await sleep(150);
  }
  assert.equal(asked, 0, 'no worker for blobs 150 ms apart');
  assert.equal(store.writtenOffThread, 0);
  assert.equal(readdirSync(join(dir, 'base')).length, 5);
}));
