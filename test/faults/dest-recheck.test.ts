// A destination that was absent when the sync was planned is looked at again right before the write
// (and before a resumed transfer's commit): a file someone else created there since is never
// overwritten — the copy becomes a conflict, both versions stay. Against a local folder, the real
// sshd and the real pure-ftpd.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { session } from '../harness/env.js';
import { writeFile, T12, T13 } from '../harness/fixture.js';
import { exitCodeForResult } from '../../src/cli/exit-codes.js';
import { envTest, linkEnvKinds } from './names-envs.js';

const kinds = linkEnvKinds;

const t = envTest;

for (const [kind, make] of kinds) {
  t(kind, make, 'an upload whose destination appeared on the server after the plan is a conflict, never an overwrite', async (env) => {
    writeFile(env.local, 'keep.txt', 'keep\n', T12);
    const s = session(env);
    try {
      assert.equal((await s.run({ mode: 'sync' })).stats.errors, 0);
      writeFile(env.local, 'new.txt', 'mine\n', T13);
      writeFile(env.local, 'other.txt', 'other\n', T13);
      const plan = await s.plan({ mode: 'sync' });
      assert.deepEqual(plan.actions.map((a) => `${a.kind} ${a.path}`), ['upload new.txt', 'upload other.txt']);
      // someone else creates new.txt on the server between the plan and the write
      writeFile(env.remoteFs, 'new.txt', 'theirs, never seen here\n', T13, env.owner);
      const r = await s.execute(plan);
      assert.equal(readFileSync(join(env.remoteFs, 'new.txt'), 'utf8'), 'theirs, never seen here\n', 'not overwritten');
      assert.equal(readFileSync(join(env.remoteFs, 'other.txt'), 'utf8'), 'other\n', 'the rest of the run went on');
      assert.deepEqual(readdirSync(env.remoteFs).filter((n) => n.startsWith('.rs-tmp')), [], 'no temp left');
      assert.deepEqual(r.errors, []);
      assert.deepEqual(r.conflicts.map((c) => [c.path, c.conflict]), [['new.txt', 'both-new']]);
      assert.match(r.conflicts[0].reason, /appeared on the server since the sync was planned/);
      assert.equal(exitCodeForResult(r), 4, 'conflicts left: exit 4');
      assert.equal(s.lastSync('new.txt'), undefined, 'nothing recorded');
      // the next run shows both versions as a conflict
      const again = await s.plan({ mode: 'sync' });
      assert.deepEqual(again.actions.map((a) => `${a.kind} ${a.path} ${a.conflict ?? ''}`), ['conflict new.txt both-new']);
    } finally {
      await s.close();
    }
  });

  t(kind, make, 'a download whose destination appeared locally after the plan is a conflict, never an overwrite', async (env) => {
    writeFile(env.remoteFs, 'keep.txt', 'keep\n', T12, env.owner);
    const s = session(env);
    try {
      assert.equal((await s.run({ mode: 'sync' })).stats.errors, 0);
      writeFile(env.remoteFs, 'new.txt', 'server\n', T13, env.owner);
      const plan = await s.plan({ mode: 'sync' });
      assert.deepEqual(plan.actions.map((a) => `${a.kind} ${a.path}`), ['download new.txt']);
      writeFile(env.local, 'new.txt', 'just written here\n', T13);
      const r = await s.execute(plan);
      assert.equal(readFileSync(join(env.local, 'new.txt'), 'utf8'), 'just written here\n', 'not overwritten');
      assert.deepEqual(r.conflicts.map((c) => c.path), ['new.txt']);
      assert.match(r.conflicts[0].reason, /appeared locally since the sync was planned/);
    } finally {
      await s.close();
    }
  });

  // the look before the transfer is not enough: a file that appears while ours is on its way is not
  // replaced at the rename either (local: link(), SFTP: SSH_FXP_RENAME, FTP: MLST in the replace's exchange)
  for (const direction of ['upload', 'download'] as const) {
    t(kind, make, `a plain ${direction} whose destination appears during the transfer is a conflict, never an overwrite`, async (env) => {
      const big = randomBytes(3 * 1024 * 1024);
      const [from, to, toOwner] = direction === 'upload' ? [env.local, env.remoteFs, env.owner] : [env.remoteFs, env.local, undefined];
      writeFile(from, 'big.bin', big, T12, direction === 'upload' ? undefined : env.owner);
      const s = session(env);
      let planted = false;
      try {
        const r = await s.run({
          mode: direction, transfer: { resumeAbove: 1024 * 1024 * 1024, retries: 0 },
          onProgress: (e) => {
            if (e.type !== 'bytes' || planted || e.bytes === 0) return;
            planted = true; // someone else creates the file while ours is on its way
            writeFile(to, 'big.bin', 'theirs\n', T13, toOwner);
          },
        });
        assert.ok(planted, 'the file was planted during the transfer');
        assert.equal(readFileSync(join(to, 'big.bin'), 'utf8'), 'theirs\n', 'not overwritten by the rename');
        assert.deepEqual(readFileSync(join(from, 'big.bin')), big, 'the source is untouched');
        assert.deepEqual(r.errors, []);
        assert.deepEqual(r.conflicts.map((c) => [c.path, c.conflict]), [['big.bin', 'both-new']]);
        assert.match(r.conflicts[0].reason, direction === 'upload' ? /appeared on the server since/ : /appeared locally since/);
        assert.deepEqual(readdirSync(to).filter((n) => n.startsWith('.rs-tmp')), [], 'no temp left');
        assert.equal(s.lastSync('big.bin'), undefined, 'nothing recorded');
      } finally {
        await s.close();
      }
    });
  }

  if (kind === 'local') continue;
  t(kind, make, 'a resumable upload whose destination appears during the transfer keeps its partial and overwrites nothing', async (env) => {
    const big = randomBytes(3 * 1024 * 1024);
    writeFile(env.local, 'big.bin', big, T12);
    const s = session(env);
    let planted = false;
    try {
      const r = await s.run({
        mode: 'upload', transfer: { resumeAbove: 1024 * 1024, retries: 0 },
        onProgress: (e) => {
          if (e.type !== 'bytes' || planted || e.bytes === 0) return;
          planted = true; // someone else creates the file while ours is on its way
          writeFile(env.remoteFs, 'big.bin', 'theirs\n', T13, env.owner);
        },
      });
      assert.ok(planted);
      assert.equal(readFileSync(join(env.remoteFs, 'big.bin'), 'utf8'), 'theirs\n', 'not overwritten by the commit');
      assert.deepEqual(r.conflicts.map((c) => [c.path, c.conflict]), [['big.bin', 'both-new']]);
      assert.equal(s.lastSync('big.bin'), undefined);
    } finally {
      await s.close();
    }
  });
}
