// The checks made right before a write, rename or delete (the re-check before overwrite or delete,
// the "still nothing there" check of a new file, a kept temp's rename) ask Target.stat with `strict`:
// a name that now holds a link the side does not follow, a link whose target is gone, or a special
// file is an error naming it, never "nothing there". Before, such a name read as free: a delete the
// plan showed removed a link that replaced the file after the plan, and FTP's resumable upload
// renamed its temp over a link that appeared since.
// (A new file's write checks its name itself as well, right before its rename: the second test guards
// that path too.)
// Against a local folder and the real sshd (a dangling link: stat says "no such file", lstat finds
// it), and the crafted FTP server (MLST type=OS.unix=slink; pure-ftpd follows links in MLST).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { session } from '../harness/env.js';
import { writeFile, T12 } from '../harness/fixture.js';
import { envTest, linkEnvKinds } from './names-envs.js';
import { startCraftedFtp } from './crafted-ftp.js';
import { FtpTarget } from '../../src/core/targets/ftp.js';
import { LocalTarget } from '../../src/core/targets/local.js';
import { checkDestination } from '../../src/core/transfer/dest-check.js';

const LINK_TARGET = '../outside/not-there.txt';

for (const [kind, make] of linkEnvKinds.filter(([k]) => k !== 'ftp')) {
  envTest(kind, make, 'a file the plan deletes on the server, replaced by a link since: the link is left, named', async (env) => {
    writeFile(env.local, 'a.txt', 'a\n', T12);
    writeFile(env.local, 'keep.txt', 'k\n', T12);
    const s = session(env);
    try {
      assert.equal((await s.run({ mode: 'sync' })).stats.errors, 0);
      rmSync(join(env.local, 'a.txt'));
      const plan = await s.plan({ mode: 'sync' });
      assert.deepEqual(plan.actions.map((a) => `${a.kind} ${a.path}`), ['delete-remote a.txt']);
      // after the plan, someone on the server puts a link where the file was
      rmSync(join(env.remoteFs, 'a.txt'));
      symlinkSync(LINK_TARGET, join(env.remoteFs, 'a.txt'));
      const r = await s.execute(plan);
      assert.ok(lstatSync(join(env.remoteFs, 'a.txt')).isSymbolicLink(), 'the link the plan never showed was removed');
      assert.equal(readlinkSync(join(env.remoteFs, 'a.txt')), LINK_TARGET);
      assert.equal(r.errors.length, 1);
      assert.match(r.errors[0].message, /a\.txt( on the server)? is neither a file nor a folder \(a link, or a special file\); it is left alone/);
    } finally {
      await s.close();
    }
  });

  envTest(kind, make, 'a new file whose name on the server became a dangling link since the plan: not written', async (env) => {
    writeFile(env.local, 'keep.txt', 'k\n', T12);
    const s = session(env);
    try {
      assert.equal((await s.run({ mode: 'sync' })).stats.errors, 0);
      writeFile(env.local, 'b.txt', 'new\n', T12);
      const plan = await s.plan({ mode: 'sync' });
      assert.deepEqual(plan.actions.map((a) => `${a.kind} ${a.path}`), ['upload b.txt']);
      symlinkSync(LINK_TARGET, join(env.remoteFs, 'b.txt'));
      const r = await s.execute(plan);
      assert.ok(lstatSync(join(env.remoteFs, 'b.txt')).isSymbolicLink(), 'the link was replaced');
      assert.equal(r.stats.uploaded, 0);
      assert.equal(r.errors.length + r.conflicts.length, 1, 'reported');
    } finally {
      await s.close();
    }
  });
}

test('local: stat with strict names a dangling link and a fifo; without, they read as nothing there / a file', async (t) => {
  const env = await linkEnvKinds[0][1]('strict-local');
  if ('skip' in env) { t.skip(env.skip); return; }
  try {
    symlinkSync(LINK_TARGET, join(env.remoteFs, 'dangling'));
    execFileSync('mkfifo', [join(env.remoteFs, 'pipe')]);
    const target = new LocalTarget(env.remoteFs);
    assert.equal(await target.stat('dangling'), undefined);
    await assert.rejects(target.stat('dangling', { strict: true }), /dangling is neither a file nor a folder/);
    await assert.rejects(target.stat('pipe', { strict: true }), /pipe is neither a file nor a folder/);
    assert.equal(await target.stat('absent', { strict: true }), undefined, 'nothing there is still undefined');
    await assert.rejects(checkDestination(target, 'dangling', null, 'download'), /neither a file nor a folder/);
  } finally {
    env.cleanup();
  }
});

const stops: Array<() => Promise<void>> = [];
after(async () => { for (const s of stops) await s(); });

test('ftp: a name MLST calls a link is never "nothing there" to the checks before a write (resumable commit, re-check)', async () => {
  const server = await startCraftedFtp({ typeOf: (p) => (p === '/site/l.txt' ? 'OS.unix=slink:/etc/passwd' : undefined) });
  stops.push(() => server.stop());
  server.mkdir('/site');
  server.put('/site/l.txt', 'the link', Date.UTC(2020, 0, 1));
  const t = new FtpTarget({ protocol: 'ftp', host: server.host, port: server.port, user: server.user, password: server.password, path: '/site', timeoutSeconds: 5 }, { concurrency: 1 });
  await t.open();
  stops.push(() => t.close());
  assert.equal(await t.stat('l.txt'), undefined, 'a plain stat: neither file nor folder');
  await assert.rejects(t.stat('l.txt', { strict: true }), /\/site\/l\.txt on the server is neither a file nor a folder \(type=OS\.unix=slink:\/etc\/passwd\)/);
  // planned: nothing there (a new file); the check before a resumable upload's commit must not pass
  await assert.rejects(checkDestination(t, 'l.txt', null, 'upload'), /neither a file nor a folder/);
  assert.equal(await t.stat('none.txt', { strict: true }), undefined);
  assert.equal(server.files('/site').get('l.txt')!.toString(), 'the link');
});
