// The per-pair sync lock (src/core/lock.ts): O_EXCL creation, busy with the holder named, stale
// locks of dead processes (and of this process, when not held) taken over, waiting until release.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock, describeHolder, lockFileFor } from '../../src/core/lock.js';
import { StateStore } from '../../src/core/state.js';
import { SyncError } from '../../src/core/errors.js';

function withDir(fn: (dir: string) => Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-lock-'));
    try { await fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
  };
}
const deadPid = () => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

test('the lock file sits beside the state file', () => {
  assert.equal(lockFileFor('/w/.remote-sync/0123456789abcdef.json'), '/w/.remote-sync/0123456789abcdef.lock');
});

test('taken with pid, host and start time; released', withDir(async (dir) => {
  const file = join(dir, '.remote-sync/x.lock');
  const lock = await acquireLock(file, { owner: 'remote-sync sync' });
  const info = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(info.pid, process.pid);
  assert.equal(info.host, hostname());
  assert.ok(Date.now() - Date.parse(info.started) < 60_000);
  assert.equal(info.owner, 'remote-sync sync');
  lock.release();
  assert.equal(existsSync(file), false);
}));

test('held by a live process: --no-wait fails at once naming it; waiting resumes when it is released', withDir(async (dir) => {
  const file = join(dir, 'x.lock');
  const first = await acquireLock(file, { owner: 'first' });
  await assert.rejects(acquireLock(file, { wait: false }), (e: unknown) => {
    assert.ok(e instanceof SyncError && e.code === 'busy');
    assert.match(e.message, new RegExp(`Another sync of this folder pair is running: pid ${process.pid} on ${hostname()}, started .* UTC \\(first\\)`));
    return true;
  });
  let told = '';
  const waiting = acquireLock(file, { pollMs: 20, onWait: (_h, who) => { told = who; } });
  await new Promise((r) => setTimeout(r, 100));
  assert.match(told, /\(first\)/);
  first.release();
  const second = await waiting;
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).pid, process.pid);
  second.release();
}));

test('a lock of a process that is gone, or of this process but not held by it, is taken over', withDir(async (dir) => {
  const file = join(dir, 'x.lock');
  for (const pid of [deadPid(), process.pid]) {
    writeFileSync(file, JSON.stringify({ pid, host: hostname(), started: new Date().toISOString() }));
    const lock = await acquireLock(file, { wait: false });
    lock.release();
    assert.equal(existsSync(file), false);
  }
}));

test('a lock from another host is never taken over (its process cannot be checked)', withDir(async (dir) => {
  const file = join(dir, 'x.lock');
  writeFileSync(file, JSON.stringify({ pid: deadPid(), host: `not-${hostname()}`, started: '2024-05-01T12:00:03.000Z' }));
  await assert.rejects(acquireLock(file, { wait: false }), /running: pid \d+ on not-.*, started 2024-05-01 12:00:03 UTC/);
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 50);
  await assert.rejects(acquireLock(file, { signal: ac.signal, pollMs: 10 }), /Cancelled/);
  assert.equal(describeHolder({ pid: 1, host: 'h', started: '' }), 'pid 1 on h');
}));

test('snapshot temp files a killed run left are removed (only this pair\'s)', withDir(async (dir) => {
  for (const n of ['0123456789abcdef.json', '0123456789abcdef.json.d37fabf1.tmp', 'fedcba9876543210.json.00aa11bb.tmp', '0123456789abcdef.journal']) writeFileSync(join(dir, n), '{}');
  new StateStore(join(dir, '0123456789abcdef.json'), dir, 'x').removeLeftoverTemps();
  assert.deepEqual(readdirSync(dir).sort(), ['0123456789abcdef.journal', '0123456789abcdef.json', 'fedcba9876543210.json.00aa11bb.tmp']);
}));

test('a waiter in the same process (a save behind a sync) gets the lock as soon as it is released, not at the next poll', withDir(async (dir) => {
  const file = join(dir, 'x.lock');
  const first = await acquireLock(file);
  const waiting = acquireLock(file, { pollMs: 60_000 });
  await new Promise((r) => setTimeout(r, 50));
  const released = Date.now();
  first.release();
  const second = await waiting;
  assert.ok(Date.now() - released < 10_000, 'woken at once'); // (not after the 60 s poll; creating the file can take seconds on a machine busy writing back)
  second.release();
}));
