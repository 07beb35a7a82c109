// Issue 11 item 4: a considerate client. --bwlimit holds the total rate over every connection (both
// directions); --max-duration stops starting transfers when the time is up (the running ones
// finish), reports what is left, exits 5, and the next run goes on with the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProgressEvent, SyncResult } from '../../../src/core/types.js';
import type { RunOptions } from '../../../src/core/api.js';
import { assertOutcome, hashesOf, makeEnv, sessionFor, writeTree, type FaultEnv } from '../env.js';
import { runCliProcess } from '../../harness/cli.js';

const MiB = 1024 * 1024;

function envTest(name: string, kind: 'sftp' | 'ftp', fn: (env: FaultEnv) => Promise<void>) {
  test(`${kind}: ${name}`, async (t) => {
    const env = await makeEnv(kind, name.replace(/\W+/g, '-').slice(0, 24));
    if ('skip' in env) { t.skip(env.skip); return; }
    try { await fn(env); } finally { await env.cleanup(); }
  });
}

/** `ms`: the transfers' time, from the first start to the last end (connecting, listing and the state's
 * writes are not limited, and take seconds on a loaded machine) */
async function run(env: FaultEnv, options: RunOptions): Promise<{ result: SyncResult; ms: number }> {
  const s = sessionFor(env);
  let started: number | undefined;
  let ended = 0;
  const onProgress = (e: ProgressEvent) => {
    if (e.type === 'action-start') started ??= Date.now();
    else if (e.type === 'action-done') ended = Date.now();
  };
  try {
    const result = await s.run({ ...options, onProgress });
    return { result, ms: ended - (started ?? ended) };
  } finally {
    await s.close();
  }
}

envTest('--bwlimit 2M: four 2 MiB uploads at once (8 MiB in all) take about 4 s', 'sftp', async (env) => {
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 4; i++) files[`f${i}.bin`] = randomBytes(2 * MiB);
  writeTree(env.local, files);
  const { result, ms } = await run(env, { mode: 'upload', concurrency: 4, transfer: { bandwidthLimit: '2M' } });
  assert.deepEqual(result.errors, []);
  assert.equal(result.stats.uploaded, 4);
  // 8 MiB at 2 MiB/s less a 1/8 s burst: 3.9 s; a shared machine may add some
  assert.ok(ms >= 3400 && ms <= 6500, `took ${ms} ms`);
  await assertOutcome(env, hashesOf(files));
});

envTest('--bwlimit 2M holds for downloads too: 8 MiB takes about 4 s', 'ftp', async (env) => {
  const files = { 'big.bin': randomBytes(8 * MiB) };
  writeTree(env.remoteFs, files, env.owner);
  const { result, ms } = await run(env, { mode: 'download', transfer: { bandwidthLimit: '2M' } });
  assert.deepEqual(result.errors, []);
  assert.ok(ms >= 3400 && ms <= 6500, `took ${ms} ms`);
  // without the limit the same is much faster (the limit is what made it slow)
  writeTree(env.remoteFs, { 'big.bin': randomBytes(8 * MiB) }, env.owner);
  const free = await run(env, { mode: 'download', force: true });
  assert.equal(free.result.stats.downloaded, 1);
  assert.ok(free.ms < ms / 2, `unlimited: ${free.ms} ms, limited: ${ms} ms`);
});

envTest('--max-duration: no transfer starts after the time is up, the running one finishes, the next run goes on with the rest', 'sftp', async (env) => {
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 8; i++) files[`f${i}.bin`] = randomBytes(MiB / 2);
  writeTree(env.local, files);
  const { result } = await run(env, {
    mode: 'upload', concurrency: 1, transfer: { bandwidthLimit: '1M', maxDurationMs: 1200, order: 'name' },
  });
  assert.deepEqual(result.errors, []);
  assert.ok(result.timeUp, 'the time limit is reported');
  assert.equal(result.timeUp.by, 'max-duration');
  const done = result.done.map((a) => a.path);
  const left = result.timeUp.left.map((a) => a.path);
  assert.ok(done.length >= 1 && left.length >= 1, `done ${done.join(',')}; left ${left.join(',')}`);
  assert.deepEqual([...done, ...left].sort(), Object.keys(files).sort(), 'every file either done or left');
  // --order name: the first names went first
  assert.deepEqual(done, Object.keys(files).sort().slice(0, done.length));
  assert.equal(result.timeUp.leftBytes, left.length * (MiB / 2));
  // what was done is complete on the server; no temp file, nothing of what was left
  assert.deepEqual(readdirSync(env.remoteFs).sort(), done.sort());
  // the next run transfers exactly what was left
  const next = await run(env, { mode: 'upload' });
  assert.deepEqual(next.result.done.map((a) => a.path).sort(), left.sort());
  assert.equal(next.result.timeUp, undefined);
  await assertOutcome(env, hashesOf(files));
});

test('CLI: --max-duration that runs out exits 5 and says what is left; the next run exits 0', () => {
  const base = mkdtempSync(join(tmpdir(), 'rs-maxdur-'));
  try {
    const [src, dst] = [join(base, 'src'), join(base, 'dst')];
    mkdirSync(src);
    mkdirSync(dst);
    writeTree(src, Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`f${i}.bin`, randomBytes(MiB / 4)])));
    const r = runCliProcess(['upload', src, dst, '--bwlimit', '512K', '--max-duration', '1s', '--concurrency', '1', '--order', 'largest'], { cwd: base });
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stdout + r.stderr, /Time is up \(--max-duration\): \d+ actions? \([\d.]+ [KM]i?B\) not started; the next run goes on with them/);
    const again = runCliProcess(['upload', src, dst], { cwd: base });
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(readdirSync(dst).sort(), readdirSync(src).filter((n) => n !== '.remote-sync').sort());
    const bad = runCliProcess(['upload', src, dst, '--bwlimit', 'fast'], { cwd: base });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--bwlimit: cannot read 'fast'/);
    const badTime = runCliProcess(['upload', src, dst, '--stop-at', '25:00'], { cwd: base });
    assert.equal(badTime.code, 2);
    assert.match(badTime.stderr, /--stop-at must be a time of day HH:MM/);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
