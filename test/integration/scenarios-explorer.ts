// The remote explorer's engine calls (issue 8 item 1), for any target kind: one folder listed lazily
// with each entry's status against the last sync, and Delete on Server refused when the server's
// copy changed since the last sync unless confirmed again.

import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { downloadsHeldBack } from '../../src/core/status/download.js';
import { join } from 'node:path';
import { writeFile, mkdirs, T12, T13 } from '../harness/fixture.js';
import { scenarioTest, session, type EnvFactory } from '../harness/env.js';

export function explorerScenarios(make: EnvFactory, opts: { skip?: string } = {}): void {
  const t = scenarioTest(make, opts);

  t('explorer: one folder is listed with the status of each entry; nothing below it is listed', async (env) => {
    writeFile(env.local, 'index.html', 'one', T12);
    writeFile(env.local, 'css/site.css', 'body{}', T12);
    writeFile(env.local, 'css/deep/x.css', 'x', T12);
    writeFile(env.local, 'keep.txt', 'keep', T12);
    const s = session(env, { exclude: ['*.log'] });
    try {
      const first = await s.run({ mode: 'sync' });
      assert.equal(first.stats.errors, 0, JSON.stringify(first.errors));
      // after the sync: a change on the server, a change here, a file only on the server, an excluded one
      writeFile(env.remoteFs, 'index.html', 'changed on the server', T13, env.owner);
      writeFile(env.local, 'keep.txt', 'changed here!', T13);
      writeFile(env.remoteFs, 'only-server.txt', 'srv', T12, env.owner);
      writeFile(env.remoteFs, 'debug.log', 'log', T12, env.owner);
      mkdirs(env.remoteFs, 'css/deep/deeper', env.owner);
      const root = await s.listFolder('');
      assert.deepEqual(root.map((i) => [i.name, i.type, i.status]), [
        ['css', 'dir', 'in-sync'],
        ['debug.log', 'file', 'excluded'],
        ['index.html', 'file', 'server-changed'],
        ['keep.txt', 'file', 'local-changed'],
        ['only-server.txt', 'file', 'server-only'],
      ]);
      const idx = root.find((i) => i.name === 'index.html');
      assert.equal(idx?.remote?.size, 'changed on the server'.length);
      const css = await s.listFolder('css');
      assert.deepEqual(css.map((i) => [i.path, i.status]), [['css/deep', 'in-sync'], ['css/site.css', 'in-sync']]);
      const deep = await s.listFolder('css/deep');
      assert.deepEqual(deep.map((i) => [i.path, i.type]), [['css/deep/deeper', 'dir'], ['css/deep/x.css', 'file']]);
      assert.deepEqual(await s.listFolder('no/such/folder'), []);
      // Download from the explorer: the server's change comes down, the local change is held back (a conflict to offer)
      const down = await s.run({ mode: 'download', paths: ['index.html', 'keep.txt'] });
      assert.deepEqual(down.done.map((a) => a.path), ['index.html']);
      assert.deepEqual(downloadsHeldBack(down.plan.actions).map((a) => a.path), ['keep.txt']);
      assert.equal(readFileSync(join(env.local, 'keep.txt'), 'utf8'), 'changed here!', 'never overwritten');
      assert.equal(readFileSync(join(env.local, 'index.html'), 'utf8'), 'changed on the server');
      // a file in a folder the workspace does not have yet: the scoped download creates the folder first
      writeFile(env.remoteFs, 'docs/api/only.md', '# doc', T12, env.owner);
      const doc = await s.run({ mode: 'download', paths: ['docs/api/only.md'] });
      assert.equal(doc.stats.errors, 0, JSON.stringify(doc.errors));
      assert.deepEqual(doc.done.map((a) => [a.kind, a.path]), [['mkdir-local', 'docs'], ['mkdir-local', 'docs/api'], ['download', 'docs/api/only.md']]);
      assert.equal(readFileSync(join(env.local, 'docs/api/only.md'), 'utf8'), '# doc');
      assert.deepEqual((await s.listFolder('')).filter((i) => i.type === 'file' && i.name !== 'debug.log').map((i) => [i.name, i.status]),
        [['index.html', 'in-sync'], ['keep.txt', 'local-changed'], ['only-server.txt', 'server-only']]);
      assert.deepEqual((await s.listFolder('')).filter((i) => i.type === 'dir').map((i) => [i.name, i.status]), [['css', 'in-sync'], ['docs', 'in-sync']]);
    } finally {
      await s.close();
    }
  });

  t('explorer: Delete on Server is refused when the server copy changed since the last sync, then done when confirmed', async (env) => {
    writeFile(env.local, 'a.txt', 'a', T12);
    writeFile(env.local, 'dir/b.txt', 'b', T12);
    writeFile(env.local, 'dir/c.txt', 'c', T12);
    const s = session(env);
    try {
      await s.run({ mode: 'sync' });
      // unchanged: deleted at once, the local copy stays, the state forgets it (the next sync uploads it again)
      assert.deepEqual(await s.deleteRemote('a.txt'), { status: 'deleted', files: 1 });
      assert.ok(!existsSync(join(env.remoteFs, 'a.txt')));
      assert.ok(existsSync(join(env.local, 'a.txt')), 'the local copy is not touched');
      assert.equal(s.lastSync('a.txt'), undefined);
      // a folder with a file changed on the server: refused, naming it; nothing deleted
      writeFile(env.remoteFs, 'dir/c.txt', 'changed on the server', T13, env.owner);
      const refused = await s.deleteRemote('dir');
      assert.equal(refused.status, 'changed');
      const check = refused.status === 'changed' ? refused.check : undefined;
      assert.deepEqual(check && { files: check.files, changed: check.changed, notSynced: check.notSynced }, { files: 2, changed: ['dir/c.txt'], notSynced: [] });
      assert.ok(existsSync(join(env.remoteFs, 'dir', 'c.txt')), 'nothing deleted without the second confirmation');
      assert.ok(s.lastSync('dir/b.txt'));
      // confirmed again
      assert.deepEqual(await s.deleteRemote('dir', { confirmed: check }), { status: 'deleted', files: 2 });
      assert.ok(!existsSync(join(env.remoteFs, 'dir')));
      assert.equal(s.lastSync('dir/b.txt'), undefined);
      assert.deepEqual(await s.deleteRemote('dir'), { status: 'gone' });
      await assert.rejects(s.deleteRemote(''), /root folder cannot be deleted/);
      // the next sync brings the local copies back to the server: nothing was lost
      const again = await s.run({ mode: 'sync' });
      assert.equal(again.stats.uploaded, 3, JSON.stringify(again.plan.actions.map((a) => [a.kind, a.path])));
    } finally {
      await s.close();
    }
  });

  t('explorer: Delete Anyway deletes only what was confirmed (a file added since stays); entries the sync leaves out are named, never removed unseen', async (env) => {
    writeFile(env.local, 'dir/b.txt', 'b', T12);
    writeFile(env.local, 'dir/c.txt', 'c', T12);
    writeFile(env.local, 'keep/k.txt', 'k', T12);
    const s = session(env);
    try {
      await s.run({ mode: 'sync' });
      writeFile(env.remoteFs, 'dir/c.txt', 'changed on the server', T13, env.owner);
      const first = await s.deleteRemote('dir');
      assert.equal(first.status, 'changed');
      const confirmed = first.status === 'changed' ? first.check : undefined;
      // the user confirms; meanwhile a file is added on the server
      writeFile(env.remoteFs, 'dir/new.txt', 'added after the question', T13, env.owner);
      const second = await s.deleteRemote('dir', { confirmed });
      assert.equal(second.status, 'changed');
      assert.deepEqual(second.status === 'changed' ? second.notConfirmed : undefined, ['dir/new.txt']);
      assert.ok(existsSync(join(env.remoteFs, 'dir', 'new.txt')) && existsSync(join(env.remoteFs, 'dir', 'b.txt')), 'nothing deleted');
      // confirmed with the new file in view: deleted
      assert.deepEqual(await s.deleteRemote('dir', { confirmed: second.status === 'changed' ? second.check : undefined }), { status: 'deleted', files: 3 });
      assert.ok(!existsSync(join(env.remoteFs, 'dir')));

      // entries the sync leaves out, below an unchanged folder (a temp of an interrupted upload; a name it cannot
      // take, where the server can delete one: pure-ftpd refuses names with a backslash): named, never removed unseen
      const odd = ['keep/.rs-tmp-0123456789ab', ...(env.name === 'ftp' ? [] : ['keep/back\\slash.txt', 'keep/back\\dir'])];
      for (const p of odd) if (!p.endsWith('dir')) writeFile(env.remoteFs, p, 'odd', T13, env.owner);
      // a folder with such a name goes with what it holds once confirmed (the listing does not walk into it)
      if (env.name !== 'ftp') writeFile(env.remoteFs, 'keep/back\\dir/inner.txt', 'inside', T13, env.owner);
      const asked = await s.deleteRemote('keep');
      assert.equal(asked.status, 'changed');
      const oddCheck = asked.status === 'changed' ? asked.check : undefined;
      assert.deepEqual(oddCheck?.changed, []);
      assert.deepEqual(oddCheck?.notSynced.map((n) => n.path), odd.sort());
      for (const p of odd) assert.ok(existsSync(join(env.remoteFs, p)));
      assert.deepEqual(await s.deleteRemote('keep', { confirmed: oddCheck }), { status: 'deleted', files: 1 });
      assert.ok(!existsSync(join(env.remoteFs, 'keep')));

      if (env.name !== 'local') { // (root reads everything: only a server's user meets an unreadable folder)
        writeFile(env.remoteFs, 'locked/inner/x.txt', 'x', T12, env.owner);
        chmodSync(join(env.remoteFs, 'locked', 'inner'), 0o000);
        try {
          await assert.rejects(s.deleteRemote('locked'), /Nothing deleted: "locked\/inner" below "locked" could not be read/);
        } finally {
          chmodSync(join(env.remoteFs, 'locked', 'inner'), 0o755);
        }
        assert.ok(existsSync(join(env.remoteFs, 'locked', 'inner', 'x.txt')));
      }
    } finally {
      await s.close();
    }
  });

  t('server check: only the server is listed; server changes, deletions and conflicts found, local-only changes not', async (env) => {
    writeFile(env.local, 'a.txt', 'a', T12);
    writeFile(env.local, 'b.txt', 'b', T12);
    writeFile(env.local, 'c.txt', 'c', T12);
    writeFile(env.local, 'd/e.txt', 'e', T12);
    writeFile(env.local, 'mine.txt', 'm', T12);
    const s = session(env, { exclude: ['*.log'] });
    try {
      await s.run({ mode: 'sync' });
      assert.deepEqual((await s.checkServer()).actions, [], 'nothing changed');
      writeFile(env.remoteFs, 'a.txt', 'a changed on the server', T13, env.owner);
      writeFile(env.remoteFs, 'new/x.txt', 'new', T13, env.owner);
      writeFile(env.remoteFs, 'skip.log', 'excluded', T13, env.owner);
      writeFile(env.remoteFs, 'b.txt', 'b changed on the server', T13, env.owner);
      writeFile(env.local, 'b.txt', 'b changed here too', T13);
      writeFile(env.local, 'mine.txt', 'changed only here', T13);
      rmSync(join(env.remoteFs, 'c.txt'));
      const found = await s.checkServer();
      assert.deepEqual(found.actions.map((a) => [a.kind, a.path]), [
        ['download', 'a.txt'], ['conflict', 'b.txt'], ['delete-local', 'c.txt'], ['mkdir-local', 'new'], ['download', 'new/x.txt'],
      ]);
      assert.equal(found.remoteFiles, 5);
      // the same as a sync's plan finds on the server side
      const plan = await s.plan({ mode: 'sync' });
      assert.deepEqual(plan.actions.filter((a) => ['download', 'mkdir-local', 'delete-local', 'conflict'].includes(a.kind)).map((a) => [a.kind, a.path]).sort(),
        found.actions.map((a) => [a.kind, a.path]).sort());
    } finally {
      await s.close();
    }
  });
}
