// An SFTP download whose connection the server side ends normally (FIN, not a reset) in the middle
// of the file: the pipelined reads (targets/sftp-stream.ts) must fail, not end as a shorter file.
// Once: the copy is retried on a new connection and completes. Every time: an error for that
// file, nothing under its real name, nothing recorded — the next fault-free run downloads it.
// Both ways a download goes: a plain one (a temp file in the folder) and a resumable one (> 8 MiB:
// a partial in the state folder).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { assertOutcome, hashesOf, makeEnv, syncOnce, writeTree, type EnvOptions, type FaultEnv } from './env.js';

const MiB = 1024 * 1024;
const AT = 3 * MiB;

const cutOnce: EnvOptions = { fault: (c, proxy) => (c.kind === 'plain' && proxy.fired.length === 0 ? { direction: 'down', after: AT, action: 'close' } : undefined) };
const cutAlways: EnvOptions = { fault: (c) => (c.kind === 'plain' ? { direction: 'down', after: AT, action: 'close' } : undefined) };

async function withEnv(t: { skip: (m: string) => void }, label: string, opts: EnvOptions, fn: (env: FaultEnv) => Promise<void>): Promise<void> {
  const env = await makeEnv('sftp', label, opts);
  if ('skip' in env) { t.skip(env.skip); return; }
  try { await fn(env); } finally { await env.cleanup(); }
}

const realNames = (dir: string) => readdirSync(dir).filter((n) => n !== '.remote-sync' && !n.startsWith('.rs-tmp'));

for (const [how, size] of [['plain', 6 * MiB], ['resumable', 12 * MiB]] as const) {
  test(`sftp: a ${how} download of ${size / MiB} MiB whose connection is closed after 3 MB is retried on a new connection, and completes`, async (t) => {
    await withEnv(t, `sftp-cut-once-${how}`, cutOnce, async (env) => {
      const files = { 'big.bin': randomBytes(size), 'small.txt': 'small' };
      writeTree(env.remoteFs, files, env.owner);
      const r = await syncOnce(env, 'download');
      assert.deepEqual(r.errors, []);
      assert.equal(env.proxy!.fired.length, 1, 'the cut happened');
      await assertOutcome(env, hashesOf(files));
    });
  });

  test(`sftp: a ${how} download of ${size / MiB} MiB cut after 3 MB every time is an error for that file; nothing lands under its name, nothing is recorded`, async (t) => {
    await withEnv(t, `sftp-cut-always-${how}`, cutAlways, async (env) => {
      const files = { 'big.bin': randomBytes(size) };
      writeTree(env.remoteFs, files, env.owner);
      const r = await syncOnce(env, 'download');
      assert.equal(r.errors.length, 1, JSON.stringify(r.errors));
      assert.equal(r.errors[0].path, 'big.bin');
      assert.ok(env.proxy!.fired.length >= 2, `tried more than once (${env.proxy!.fired.length} cuts)`);
      assert.equal(existsSync(join(env.local, 'big.bin')), false, 'no cut copy under the real name');
      assert.deepEqual(realNames(env.local), []);
      assert.deepEqual(readdirSync(env.local).filter((n) => n.startsWith('.rs-tmp')), [], 'no temp file left in the folder');
      // nothing recorded: a fault-free run downloads it
      const again = await syncOnce(env, 'sync', { direct: true });
      assert.deepEqual(again.errors, []);
      assert.deepEqual(again.done.map((a) => `${a.kind} ${a.path}`), ['download big.bin']);
      await assertOutcome(env, hashesOf(files));
    });
  });
}
