// Issue 6 item 1: every transfer checks the bytes moved against the size the source reported (and
// the destination's size after the rename). A transfer cut short is an error for that file, its temp
// file is removed, nothing is recorded, and it is retried once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { LocalTarget } from '../../src/core/targets/local.js';
import { copyVerified } from '../../src/core/transfer/copy.js';
import { isSizeMismatch } from '../../src/core/transfer/verify.js';
import { assertOutcome, hashesOf, makeEnv, sessionFor, syncOnce, writeTree, type EnvOptions, type FaultEnv } from './env.js';

const MB = 1024 * 1024;

function faultTest(name: string, kind: 'sftp' | 'ftp', opts: EnvOptions, fn: (env: FaultEnv) => Promise<void>) {
  test(`${kind}: ${name}`, async (t) => {
    const env = await makeEnv(kind, name.replace(/\W+/g, '-').slice(0, 24), opts);
    if ('skip' in env) { t.skip(env.skip); return; }
    try { await fn(env); } finally { await env.cleanup(); }
  });
}

const tempsIn = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('.rs-tmp'));

// the first connection that moves `at` bytes in `direction` is cut; the retry's connection is not
const cutOnce = (kind: 'data' | 'plain', direction: 'down' | 'up', action: 'close' | 'truncate' | 'reset', at = 3 * MB): EnvOptions => ({
  fault: (c, proxy) => (c.kind === kind && proxy.fired.length === 0 ? { direction, after: at, action } : undefined),
});
// every such connection is cut
const cutAlways = (kind: 'data' | 'plain', direction: 'down' | 'up', action: 'close' | 'truncate' | 'reset', at = 3 * MB): EnvOptions => ({
  fault: (c) => (c.kind === kind ? { direction, after: at, action } : undefined),
});

faultTest('a download whose data connection is closed normally after 3 MB is retried, and completes', 'ftp', cutOnce('data', 'down', 'close'), async (env) => {
  const files = { 'big.bin': randomBytes(8 * MB), 'small.txt': 'small' };
  writeTree(env.remoteFs, files, env.owner);
  const r = await syncOnce(env, 'download');
  assert.deepEqual(r.errors, []);
  assert.equal(env.proxy!.fired.length, 1, 'the cut happened');
  await assertOutcome(env, hashesOf(files));
});

faultTest('a download cut short every time is an error naming the path; nothing lands under the real name, nothing is recorded', 'ftp', cutAlways('data', 'down', 'close'), async (env) => {
  const files = { 'big.bin': randomBytes(8 * MB), 'small.txt': 'small' };
  writeTree(env.remoteFs, files, env.owner);
  const r = await syncOnce(env, 'download');
  assert.equal(r.errors.length, 1, JSON.stringify(r.errors));
  assert.equal(r.errors[0].path, 'big.bin');
  assert.match(r.errors[0].message, /big\.bin.*8388608 bytes.*3145728 bytes/, 'names the path and both sizes');
  assert.ok(env.proxy!.fired.length >= 2, 'tried twice');
  assert.equal(existsSync(join(env.local, 'big.bin')), false, 'no cut copy under the real name');
  assert.deepEqual(tempsIn(env.local), []);
  assert.deepEqual(r.done.map((a) => a.path), ['small.txt']);
  // nothing recorded: a fault-free run downloads it
  const again = await syncOnce(env, 'sync', { direct: true });
  assert.deepEqual(again.errors, []);
  assert.deepEqual(again.done.map((a) => `${a.kind} ${a.path}`), ['download big.bin']);
  await assertOutcome(env, hashesOf(files));
});

faultTest('an upload the server receives only 3 MB of (the stream ends normally, the client sent all) is never renamed onto the real name', 'ftp', cutAlways('data', 'up', 'truncate'), async (env) => {
  const old = randomBytes(5 * MB);
  writeTree(env.remoteFs, { 'big.bin': old }, env.owner);
  const r0 = await syncOnce(env, 'sync', { direct: true }); // in sync: same file on both sides
  assert.deepEqual(r0.errors, []);
  const files = { 'big.bin': randomBytes(8 * MB) };
  writeTree(env.local, files, undefined, Date.now() + 5000);
  const r = await syncOnce(env, 'upload');
  assert.equal(r.errors.length, 1, JSON.stringify(r.errors));
  assert.equal(r.errors[0].path, 'big.bin');
  assert.match(r.errors[0].message, /big\.bin.*8388608 bytes.*3145728 bytes/, 'names the path and both sizes');
  assert.deepEqual(hashesOf({ 'big.bin': old }), hashesOf({ 'big.bin': readFileSync(join(env.remoteFs, 'big.bin')) }), 'the server copy is untouched');
  assert.deepEqual(tempsIn(env.remoteFs), [], 'the temp file is removed');
  const again = await syncOnce(env, 'sync', { direct: true });
  assert.deepEqual(again.errors, []);
  assert.deepEqual(again.done.map((a) => `${a.kind} ${a.path}`), ['upload big.bin'], 'nothing was recorded: the next run uploads it');
  await assertOutcome(env, hashesOf(files));
});

const RESET_UPLOADS = [
  { name: 'an upload whose connection is reset after 3 MB is retried on a new connection, and completes', kind: 'sftp', cut: cutOnce('plain', 'up', 'reset') },
  { name: 'an upload whose data connection is reset after 3 MB is retried, and completes', kind: 'ftp', cut: cutOnce('data', 'up', 'reset') },
] as const;
for (const { name, kind, cut } of RESET_UPLOADS) {
  faultTest(name, kind, cut, async (env) => {
    const files = { 'big.bin': randomBytes(8 * MB), 'a/b.txt': 'b' };
    writeTree(env.local, files);
    const r = await syncOnce(env, 'upload');
    assert.deepEqual(r.errors, []);
    assert.equal(env.proxy!.fired.length, 1);
    await assertOutcome(env, hashesOf(files));
  });
}

for (const kind of ['sftp', 'ftp'] as const) {
  faultTest('a file that changes on the server between listing and transfer is an error, left for the next run', kind, {}, async (env) => {
    writeTree(env.remoteFs, { 'f.txt': 'first version', 'g.txt': 'g' }, env.owner);
    const s = sessionFor(env);
    try {
      const plan = await s.plan({ mode: 'download' });
      writeTree(env.remoteFs, { 'f.txt': 'the second, longer version' }, env.owner);
      const r = await s.execute(plan);
      assert.equal(r.errors.length, 1, JSON.stringify(r.errors));
      assert.equal(r.errors[0].path, 'f.txt');
      assert.match(r.errors[0].message, /changed on the server/);
      assert.equal(existsSync(join(env.local, 'f.txt')), false);
    } finally {
      await s.close();
    }
    const again = await syncOnce(env);
    assert.deepEqual(again.errors, []);
    assert.deepEqual(again.done.map((a) => `${a.kind} ${a.path}`), ['download f.txt']);
    await assertOutcome(env, hashesOf({ 'f.txt': 'the second, longer version', 'g.txt': 'g' }));
  });
}


// the local target (a folder on this machine) checks the same way; a crafted source stands in for a
// network read that ends early
test('local: a write that receives fewer bytes than the source reported is an error; nothing lands under the real name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-verify-local-'));
  try {
    const target = new LocalTarget(dir);
    writeFileSync(join(dir, 'f.bin'), 'old content');
    await assert.rejects(target.write('f.bin', Readable.from([Buffer.from('12345')]), { size: 10 }), (e: unknown) => {
      assert.ok(isSizeMismatch(e));
      assert.match(String(e), /f\.bin.*10 bytes.*5 bytes/);
      return true;
    });
    assert.equal(readFileSync(join(dir, 'f.bin'), 'utf8'), 'old content');
    assert.deepEqual(readdirSync(dir), ['f.bin'], 'the temp file is removed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('local: a copy whose first read ends early is tried once more and completes; a source that changed is left for the next run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-verify-copy-'));
  try {
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'b'));
    const body = randomBytes(300_000);
    writeFileSync(join(dir, 'a/f.bin'), body);
    const real = new LocalTarget(join(dir, 'a'));
    let reads = 0;
    // the first read delivers only part of the file, as a connection closed early would
    const flaky = Object.assign(Object.create(real) as LocalTarget, {
      read: async (p: string) => (reads++ === 0 ? Readable.from([body.subarray(0, 1000)]) : real.read(p)),
    });
    const dst = new LocalTarget(join(dir, 'b'));
    const src = (await real.stat('f.bin'))!;
    const written = await copyVerified('f.bin', flaky, dst, src);
    assert.equal(reads, 2);
    assert.equal(written.size, body.length);
    assert.deepEqual(readFileSync(join(dir, 'b/f.bin')), body);
    // changed after the listing: the retry finds it different and gives up, naming it
    writeFileSync(join(dir, 'a/f.bin'), 'new');
    await assert.rejects(copyVerified('f.bin', real, new LocalTarget(join(dir, 'b')), src), /f\.bin changed locally during the transfer; nothing was recorded/);
    assert.deepEqual(readFileSync(join(dir, 'b/f.bin')), body, 'the destination is left as it was');
    assert.deepEqual(readdirSync(join(dir, 'b')), ['f.bin']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
