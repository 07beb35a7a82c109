// The common-version store (src/core/merge/bases.ts) and the stream tap that fills it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { BaseStore, BASE_NOT_TEXT, BASE_TOO_LARGE, referencedBases } from '../../../src/core/merge/bases.js';
import { tapForBase } from '../../../src/core/merge/capture.js';
import { bufferOf, offerBuffer } from '../../../src/core/transfer/fd-pump.js';
import { StateStore, stateFileFor } from '../../../src/core/state.js';

function withDir(fn: (stateDir: string, root: string) => void | Promise<void>) {
  return async () => {
    const root = mkdtempSync(join(tmpdir(), 'rs-bases-'));
    try { await fn(join(root, '.remote-sync'), root); } finally { rmSync(root, { recursive: true, force: true }); }
  };
}
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

test('keep: text → its hash, compressed, 0600 in a 0700 folder; binary and large → markers', withDir(async (dir) => {
  const store = new BaseStore(dir, 1000);
  const content = Buffer.from('hello\n'.repeat(100));
  const ref = await store.keep(content);
  assert.equal(ref, sha(content));
  assert.deepEqual(store.load(ref), content, 'readable while still queued');
  await store.flush();
  const file = join(dir, 'base', ref!);
  assert.ok(statSync(file).size < content.length / 4, 'compressed');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'base')).mode & 0o777, 0o700);
  assert.deepEqual(store.load(ref), content);
  assert.equal(await store.keep(content), ref, 'same content: same blob');
  assert.equal(readdirSync(join(dir, 'base')).length, 1);
  assert.equal(await store.keep(Buffer.from([1, 0, 2])), BASE_NOT_TEXT);
  assert.equal(await store.keep(Buffer.from([0xff, 0xfe])), BASE_NOT_TEXT);
  assert.equal(await store.keep(Buffer.alloc(1001, 0x61)), BASE_TOO_LARGE);
  assert.equal(store.refForSize(1001), BASE_TOO_LARGE);
  assert.equal(store.refForSize(1000), undefined);
  assert.equal(store.load(BASE_NOT_TEXT), undefined);
}));

test('a missing or damaged blob is "no common version" (and a damaged one is removed)', withDir(async (dir) => {
  const store = new BaseStore(dir, 1000);
  const ref = (await store.keep(Buffer.from('a\nb\n')))!;
  await store.flush();
  assert.equal(store.load(sha('other')), undefined);
  writeFileSync(join(dir, 'base', ref), 'not brotli');
  assert.equal(store.load(ref), undefined);
  assert.deepEqual(readdirSync(join(dir, 'base')), []);
  // valid brotli, wrong content for the name
  const other = (await store.keep(Buffer.from('x\n')))!;
  await store.flush();
  writeFileSync(join(dir, 'base', ref), readFileSync(join(dir, 'base', other)));
  assert.equal(store.load(ref), undefined);
}));

test('a symlink in place of the folder is refused: nothing written there, no error', withDir(async (dir, root) => {
  const elsewhere = join(root, 'elsewhere');
  mkdirSync(elsewhere);
  mkdirSync(dir, { mode: 0o700 });
  symlinkSync(elsewhere, join(dir, 'base'));
  const warnings: string[] = [];
  const store = new BaseStore(dir, 1000, { error() {}, warn: (m) => warnings.push(m), info() {}, debug() {} });
  assert.equal(await store.keep(Buffer.from('a\n')), undefined);
  await store.flush();
  assert.deepEqual(readdirSync(elsewhere), []);
  assert.match(warnings.join('\n'), /symbolic link; refusing/);
}));

test('collect removes blobs no state file refers to (past a grace period), keeps the rest', withDir(async (dir, root) => {
  const state = new StateStore(stateFileFor(root, 'sftp://h/x'), root, 'sftp://h/x');
  const store = new BaseStore(dir, 1000);
  const kept = (await store.keep(Buffer.from('kept\n')))!;
  const journaled = (await store.keep(Buffer.from('journaled\n')))!;
  const dropped = (await store.keep(Buffer.from('dropped\n')))!;
  const young = (await store.keep(Buffer.from('young\n')))!;
  await store.flush();
  const e = { path: 'a', type: 'file' as const, size: 5, mtime: 1 };
  state.recordPair('a', 'file', e, e, kept);
  state.compact();
  state.recordPair('b', 'file', e, e, journaled);
  state.closeJournal();
  assert.deepEqual(referencedBases(dir), new Set([kept, journaled]));
  const old = new Date(Date.now() - 3600_000);
  for (const r of [kept, journaled, dropped]) utimesSync(join(dir, 'base', r), old, old);
  assert.equal(store.collect(), 1);
  assert.deepEqual(readdirSync(join(dir, 'base')).sort(), [kept, journaled, young].sort());
  // the snapshot keeps the ref across a reload
  const again = new StateStore(state.file, root, 'sftp://h/x');
  again.load();
  assert.equal(again.get('a')?.base, kept);
  assert.equal(again.get('b')?.base, journaled);
}));

test('collect reads the state files only when the folder holds a blob: a compaction of a store that keeps none reads nothing more', withDir(async (dir, root) => {
  const state = new StateStore(stateFileFor(root, 'sftp://h/x'), root, 'sftp://h/x');
  const e = { path: 'a', type: 'file' as const, size: 5, mtime: 1 };
  state.recordPair('a', 'file', e, e, BASE_NOT_TEXT);
  state.compact();
  const store = new BaseStore(dir, 1000);
  let reads = 0;
  const refs = () => { reads++; return referencedBases(dir); };
  assert.equal(store.collect(refs), 0, 'no folder for blobs yet');
  mkdirSync(join(dir, 'base'), { recursive: true });
  writeFileSync(join(dir, 'base', 'README'), 'not a blob');
  assert.equal(store.collect(refs), 0, 'an empty folder (no blob, no temp)');
  assert.equal(reads, 0, 'the state files were not read');
  const ref = (await store.keep(Buffer.from('old\n')))!;
  await store.flush();
  const old = new Date(Date.now() - 3600_000);
  utimesSync(join(dir, 'base', ref), old, old);
  assert.equal(store.collect(refs), 1, 'an old blob no state refers to: collected');
  assert.equal(reads, 1, 'the state files read once, for the blob');
  assert.deepEqual(readdirSync(join(dir, 'base')), ['README']);
}));

test('a blob collected (here or by another process) is written again when the same content is kept again', withDir(async (dir) => {
  const store = new BaseStore(dir, 1000);
  const content = Buffer.from('reverted to this\n');
  const ref = (await store.keep(content))!;
  await store.flush();
  const file = join(dir, 'base', ref);
  const old = new Date(Date.now() - 3600_000);
  utimesSync(file, old, old);
  assert.equal(store.collect(new Set()), 1, 'unreferenced and old: collected');
  assert.equal(await store.keep(content), ref);
  await store.flush();
  assert.deepEqual(store.load(ref), content, 'written again after its collection by this store');
  // another process collects it: this store trusts what it wrote for a while only
  rmSync(file);
  const realNow = Date.now;
  Date.now = () => realNow() + 6 * 60_000; // past half the 10-minute grace
  try {
    assert.equal(await store.keep(content), ref);
    await store.flush();
  } finally {
    Date.now = realNow;
  }
  assert.deepEqual(store.load(ref), content, 'written again after another process collected it');
}));

test('keeping content whose blob already exists makes it young again: a collection right after does not take it', withDir(async (dir) => {
  const content = Buffer.from('same as long ago\n');
  const first = new BaseStore(dir, 1000);
  const ref = (await first.keep(content))!;
  await first.flush();
  const file = join(dir, 'base', ref);
  const old = new Date(Date.now() - 3600_000);
  utimesSync(file, old, old);
  const other = new BaseStore(dir, 1000); // another process (or a later run) keeps the same content
  assert.equal(await other.keep(content), ref);
  await other.flush();
  // a collection whose list of references was read before that ref was recorded
  assert.equal(other.collect(new Set()), 0, 'young again: not collected');
  assert.deepEqual(other.load(ref), content);
}));

test('tapForBase passes the bytes through and keeps them; over the limit it keeps nothing', withDir(async (dir) => {
  const store = new BaseStore(dir, 10);
  const small = tapForBase(Readable.from([Buffer.from('ab\n'), Buffer.from('cd\n')]), 6, store);
  assert.equal(await text(small.stream), 'ab\ncd\n');
  assert.equal(await small.ref(), sha('ab\ncd\n'));
  const grew = tapForBase(Readable.from([Buffer.from('0123456789'), Buffer.from('abc')]), 5, store);
  assert.equal(await text(grew.stream), '0123456789abc');
  assert.equal(await grew.ref(), BASE_TOO_LARGE);
  const big = tapForBase(Readable.from([Buffer.from('x')]), 11, store);
  assert.equal(await big.ref(), BASE_TOO_LARGE);
  // a small local file read in one go (fd-pump.ts offerBuffer): the same stream, its buffer kept as is (no copy through a Transform)
  const whole = Buffer.from('line\n');
  const src = offerBuffer(Readable.from([whole]), whole);
  const direct = tapForBase(src, whole.length, store);
  assert.equal(direct.stream, src, 'the writer gets the source itself (and can send its buffer)');
  assert.equal(bufferOf(direct.stream), whole);
  assert.equal(await direct.ref(), sha('line\n'));
  const wholeBig = Buffer.from('0123456789abc');
  assert.equal(await tapForBase(offerBuffer(Readable.from([wholeBig]), wholeBig), 5, store).ref(), BASE_TOO_LARGE, 'a size that grew past the limit: not kept');
  const off = tapForBase(Readable.from([Buffer.from('x')]), 1, undefined);
  assert.equal(await text(off.stream), 'x');
  assert.equal(await off.ref(), undefined);
}));

test('keeps queued while the writer runs are all written by flush()', withDir(async (dir) => {
  const store = new BaseStore(dir, 1 << 20);
  // many at once (as the executor's parallel transfers do): keeps land while the writer is finishing
  const refs = (await Promise.all(Array.from({ length: 50 }, (_, i) => store.keep(Buffer.from(`text ${i}\n`))))) as string[];
  await store.flush();
  assert.deepEqual(readdirSync(join(dir, 'base')).sort(), [...new Set(refs)].sort());
  for (const r of refs) assert.ok(store.load(r));
}));
