// Issue 6 item 7: two runs of one pair at once (two terminals, or the CLI and the editor) must not
// delete each other's temp files. The second waits for the first (saying so), or with --no-wait
// fails at once (exit 1) naming the other process; a lock left by a killed run is taken over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { lockFileFor } from '../../src/core/lock.js';
import { stateFileFor } from '../../src/core/state.js';
import { remoteId } from '../../src/core/targets/index.js';
import { sourceCliArgs } from '../harness/cli.js';
import { assertOutcome, hashesOf, makeEnv, sessionFor, syncOnce, writeTree, type FaultEnv } from './env.js';

const MB = 1024 * 1024;

interface Child { code: Promise<number>; out: () => string; pid: number }
function cli(args: string[], cwd: string): Child {
  const child = spawn(process.execPath, [...sourceCliArgs, ...args], {
    cwd, env: { ...process.env, SSH_AUTH_SOCK: '', REMOTE_SYNC_PASSWORD: '' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  return { pid: child.pid!, out: () => out, code: new Promise((r) => child.once('close', (c) => r(c ?? -1))) };
}

const urlOf = (env: FaultEnv) => `sftp://${env.spec.user}@127.0.0.1:${env.spec.port}${env.spec.path}`;
const sftpArgs = (env: FaultEnv) => ['--identity', env.spec.identity!, '--known-hosts', env.spec.knownHosts!];
const lockOf = (env: FaultEnv) => lockFileFor(stateFileFor(env.local, remoteId(env.spec)));

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('sftp: two remote-sync runs of one pair at once: the second waits, --no-wait fails naming the first; nothing lost', async (t) => {
  // the first run's connection stalls mid-upload (at most 25 s: shorter than the 30 s timeout) until the two
  // others have met its lock: it holds the lock meanwhile (a fixed 15 s stall was not much longer than two
  // CLIs take to start on a loaded machine)
  const env = await makeEnv('sftp', 'two-runs', {
    fault: (c) => (c.index === 0 ? { direction: 'up', after: MB, action: 'stall', stallMs: 25_000 } : undefined),
  });
  if ('skip' in env) { t.skip(env.skip); return; }
  try {
    const local = { 'big.bin': randomBytes(4 * MB), 'l/one.txt': 'one' };
    const remote = { 'r/two.txt': 'two' };
    writeTree(env.local, local);
    writeTree(env.remoteFs, remote, env.owner);
    const first = cli(['sync', env.local, urlOf(env), ...sftpArgs(env)], env.local);
    await until(() => env.proxy!.fired.length === 1, 60_000, 'the first run to be mid-transfer');
    assert.ok(existsSync(lockOf(env)), 'the first run holds the lock');
    const busy = cli(['sync', env.local, urlOf(env), ...sftpArgs(env), '--no-wait'], env.local);
    const second = cli(['sync', env.local, urlOf(env), ...sftpArgs(env)], env.local);
    let busyEnded = false;
    void busy.code.then(() => { busyEnded = true; });
    await until(() => busyEnded && /; waiting/.test(second.out()), 20_000, 'the --no-wait run to end and the other to wait');
    env.proxy!.endStalls();
    assert.equal(await busy.code, 1, busy.out());
    assert.match(busy.out(), new RegExp(`Another sync of this folder pair is running: pid ${first.pid} on ${hostname()}`));
    assert.equal(await first.code, 0, first.out());
    assert.equal(await second.code, 0, second.out());
    assert.match(second.out(), new RegExp(`another sync of these folders is running \\(pid ${first.pid} on ${hostname()}, started .*\\(remote-sync sync\\)\\); waiting`));
    assert.doesNotMatch(first.out() + second.out(), /no such file|\b[1-9]\d* errors?\b|remote-sync:/i);
    await assertOutcome(env, hashesOf({ ...local, ...remote }));
  } finally {
    await env.cleanup();
  }
});

test('sftp: a sync and a save in one process (the CLI and the editor) take turns', async (t) => {
  const env = await makeEnv('sftp', 'run-and-save', {
    fault: (c) => (c.index === 0 ? { direction: 'up', after: MB, action: 'stall', stallMs: 3000 } : undefined),
  });
  if ('skip' in env) { t.skip(env.skip); return; }
  try {
    const files = { 'big.bin': randomBytes(4 * MB), 'saved.txt': 'v1' };
    writeTree(env.local, files);
    const a = sessionFor(env);
    const b = sessionFor(env);
    let waited = '';
    const c = sessionFor(env, { lock: { onWait: (_h, who) => { waited = who; } } });
    try {
      const running = a.run({ mode: 'sync' });
      await until(() => env.proxy!.fired.length === 1, 60_000, 'the sync to be mid-transfer');
      writeTree(env.local, { 'saved.txt': 'v2, saved during the sync' }, undefined, Date.now() + 10_000);
      const saving = c.saveFiles(['saved.txt']);
      const [r, saved] = await Promise.all([running, saving]);
      assert.deepEqual(r.errors, []);
      assert.match(waited, new RegExp(`pid ${process.pid}`), 'the save waited behind the sync');
      assert.equal(saved.get('saved.txt')?.status, 'uploaded', JSON.stringify([...saved]));
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
    await assertOutcome(env, hashesOf({ ...files, 'saved.txt': 'v2, saved during the sync' }));
  } finally {
    await env.cleanup();
  }
});

test('sftp: a lock left by a killed run (its process is gone) is taken over', async (t) => {
  const env = await makeEnv('sftp', 'stale-lock');
  if ('skip' in env) { t.skip(env.skip); return; }
  try {
    const files = { 'x.txt': 'x' };
    writeTree(env.local, files);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const lock = lockOf(env);
    mkdirSync(join(env.local, '.remote-sync'), { recursive: true });
    writeFileSync(lock, JSON.stringify({ pid: Number(dead.stdout), host: hostname(), started: new Date().toISOString(), owner: 'remote-sync sync' }));
    const r = await syncOnce(env);
    assert.deepEqual(r.errors, []);
    assert.equal(existsSync(lock), false, 'released after the run');
    await assertOutcome(env, hashesOf(files));
  } finally {
    await env.cleanup();
  }
});
