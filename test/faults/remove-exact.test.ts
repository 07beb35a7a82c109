// A folder is removed with exactly what the plan (or the confirmed check) showed below it: anything
// found there besides — a file added since the plan, a file the filters exclude — stays, with every
// folder above it, and the run names it. Never through a link. Against a local folder, the real sshd
// and the real pure-ftpd, for the target operation and for sync runs deleting on either side.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, lchownSync } from 'node:fs';
import { join } from 'node:path';
import { session } from '../harness/env.js';
import { writeFile, T12, T13 } from '../harness/fixture.js';
import { createTarget } from '../../src/core/targets/index.js';
import { envTest, linkEnvKinds, localEnv } from './names-envs.js';

const kinds = linkEnvKinds;

const t = envTest;

for (const [kind, make] of kinds) {
  t(kind, make, 'removeDir with `only` removes exactly what it accepts, our temps, never through a link', async (env) => {
    const r = env.remoteFs;
    writeFile(r, 'a/x.txt', 'x\n', T12, env.owner);
    writeFile(r, 'a/y.txt', 'not shown\n', T12, env.owner);
    writeFile(r, 'a/sub/z.txt', 'z\n', T12, env.owner);
    writeFile(r, 'a/sub/.rs-tmp-0123456789ab-z.txt', 'an interrupted write of ours\n', T12, env.owner);
    writeFile(r, 'a/keep/deep/w.txt', 'not shown\n', T12, env.owner);
    writeFile(r, 'b/1.txt', '1\n', T12, env.owner);
    for (const l of ['a/sub/out', 'a/unshown-link']) {
      symlinkSync(env.outside, join(r, l));
      if (env.owner) lchownSync(join(r, l), env.owner.uid, env.owner.gid);
    }
    const target = createTarget(env.spec);
    await target.open();
    try {
      const shown = new Set(['a/x.txt', 'a/sub', 'a/sub/z.txt', 'a/sub/out', 'a/sub/out/precious.txt']);
      const left = await target.removeDir('a', { only: (p) => shown.has(p) });
      assert.deepEqual(left, ['a/keep', 'a/y.txt'], 'what stayed, each named once (not what is below a folder that stayed)');
      assert.ok(!existsSync(join(r, 'a/x.txt')) && !existsSync(join(r, 'a/sub')), 'what was shown is gone');
      assert.equal(readFileSync(join(r, 'a/y.txt'), 'utf8'), 'not shown\n');
      assert.equal(readFileSync(join(r, 'a/keep/deep/w.txt'), 'utf8'), 'not shown\n');
      assert.equal(readFileSync(join(env.outside, 'precious.txt'), 'utf8'), 'precious, outside the sync\n', 'the links were removed, not followed');
      assert.throws(() => lstatSync(join(r, 'a/unshown-link')), /ENOENT/, 'a link holds no data: it goes, shown or not');
      // the whole folder when everything is accepted; the top itself is always accepted
      assert.deepEqual(await target.removeDir('b', { only: (p) => p === 'b/1.txt' }), []);
      assert.ok(!existsSync(join(r, 'b')));
      assert.deepEqual(await target.removeDir('b', { only: () => true }), [], 'already gone: nothing to say');
    } finally {
      await target.close();
    }
  });

  for (const side of ['server', 'local'] as const) {
    t(kind, make, `a sync deleting a folder ${side === 'server' ? 'on the server' : 'locally'} keeps a file added there after the plan`, async (env) => {
      // the folder goes from the side it is deleted on: `from` is where it is removed by hand, `to` where the sync removes it
      const [from, to, toOwner] = side === 'server' ? [env.local, env.remoteFs, env.owner] : [env.remoteFs, env.local, undefined];
      writeFile(env.local, 'site/a.txt', 'a\n', T12);
      writeFile(env.local, 'site/sub/b.txt', 'b\n', T12);
      writeFile(env.local, 'other.txt', 'o\n', T12);
      const s = session(env);
      try {
        assert.equal((await s.run({ mode: 'sync' })).stats.errors, 0);
        rmSync(join(from, 'site'), { recursive: true, force: true });
        const plan = await s.plan({ mode: 'sync' });
        const del = side === 'server' ? 'delete-remote' : 'delete-local';
        assert.deepEqual(plan.actions.map((a) => `${a.kind} ${a.path}`), [`${del} site`]);
        // someone adds a file to the folder between the plan and its execution
        writeFile(to, 'site/sub/added.txt', 'added after the plan\n', T13, toOwner);
        const r = await s.execute(plan);
        assert.equal(readFileSync(join(to, 'site/sub/added.txt'), 'utf8'), 'added after the plan\n', 'not deleted');
        assert.ok(!existsSync(join(to, 'site/a.txt')) && !existsSync(join(to, 'site/sub/b.txt')), 'what the plan showed is gone');
        assert.equal(r.errors.length, 1);
        assert.match(r.errors[0].message, new RegExp(`Folder site kept ${side === 'server' ? 'on the server' : 'locally'}: it holds "site/sub/added.txt", which the plan did not show`));
        // the next run brings the added file to the other side
        const again = await s.plan({ mode: 'sync' });
        assert.ok(again.actions.some((a) => a.path === 'site/sub/added.txt' && a.kind === (side === 'server' ? 'download' : 'upload')),
          again.actions.map((a) => `${a.kind} ${a.path}`).join(', '));
      } finally {
        await s.close();
      }
    });
  }

  t(kind, make, 'a folder deleted locally stays on the server while it holds files the filters exclude (rsync\'s rule)', async (env) => {
    writeFile(env.local, 'site/a.txt', 'a\n', T12);
    writeFile(env.local, 'other.txt', 'o\n', T12);
    writeFile(env.remoteFs, 'site/debug.log', 'excluded, never synced\n', T12, env.owner);
    const s = session(env, { exclude: ['*.log'] });
    try {
      assert.equal((await s.run({ mode: 'sync' })).stats.errors, 0);
      rmSync(join(env.local, 'site'), { recursive: true, force: true });
      const plan = await s.plan({ mode: 'sync' });
      assert.deepEqual(plan.actions.map((a) => `${a.kind} ${a.path}`), ['delete-remote site/a.txt', 'skip site']);
      const r = await s.execute(plan);
      assert.deepEqual(r.errors, []);
      assert.equal(readFileSync(join(env.remoteFs, 'site/debug.log'), 'utf8'), 'excluded, never synced\n');
      assert.ok(!existsSync(join(env.remoteFs, 'site/a.txt')));
    } finally {
      await s.close();
    }
  });
}

test('--delete-unmatched still removes an excluded folder whole (its content was never listed)', async () => {
  const env = await localEnv('unmatched');
  if ('skip' in env) return;
  try {
    writeFile(env.local, 'keep.txt', 'k\n', T12);
    mkdirSync(join(env.remoteFs, 'cache', 'deep'), { recursive: true });
    writeFile(env.remoteFs, 'cache/deep/x.bin', 'x', T12);
    const s = session(env, { exclude: ['cache/'] });
    try {
      const r = await s.run({ mode: 'upload', deleteUnmatched: true });
      assert.deepEqual(r.errors, []);
      assert.ok(!existsSync(join(env.remoteFs, 'cache')), 'the excluded folder is gone, as the plan said');
    } finally {
      await s.close();
    }
  } finally {
    env.cleanup();
  }
});
