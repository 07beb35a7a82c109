// A server without atomic rename-over (crafted-ftp.ts `noRenameOver`: RNTO onto an existing file is
// refused, so the old file is removed first) whose rename then fails (`failRenameTo`): the temp holds
// the only copy of the new content. It is kept and named in the error, never removed as a stale temp,
// and the next run finishes the rename before it plans anything: nothing is lost on either side.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCraftedFtp, type CraftedFtp } from './crafted-ftp.js';
import { runOnce, type SyncEnv } from '../harness/env.js';
import { writeFile, T12, T13 } from '../harness/fixture.js';
import { exitCodeForResult } from '../../src/cli/exit-codes.js';

const servers: CraftedFtp[] = [];
after(async () => { for (const s of servers) await s.stop(); });

for (const resumable of [false, true]) {
  test(`no atomic rename-over: a rename that fails after the old file was removed keeps the temp, and the next run finishes it${resumable ? ' (resumable upload)' : ''}`, async () => {
    const failRenameTo = new Set<string>();
    const server = await startCraftedFtp({ noRenameOver: true, failRenameTo });
    servers.push(server);
    server.mkdir('/site');
    const base = mkdtempSync(join(tmpdir(), 'rs-kept-'));
    const local = join(base, 'local');
    mkdirSync(local);
    const env: SyncEnv = {
      name: 'crafted-ftp', local, remoteFs: '/site', cleanup: () => rmSync(base, { recursive: true, force: true }),
      spec: { protocol: 'ftp', host: server.host, port: server.port, user: server.user, password: server.password, path: '/site' },
    };
    const transfer = { retries: 0, resumeAbove: resumable ? 1024 : null };
    const v2 = resumable ? 'v2 '.repeat(2000) : 'v2, the new content\n';
    try {
      writeFile(local, 'a.txt', 'v1\n', T12);
      writeFile(local, 'b.txt', 'b\n', T12);
      assert.equal((await runOnce(env, { mode: 'sync', transfer })).stats.errors, 0);
      writeFile(local, 'a.txt', v2, T13);
      failRenameTo.add('/site/a.txt');
      const r = await runOnce(env, { mode: 'sync', transfer });
      assert.deepEqual(r.errors.map((e) => e.path), ['a.txt']);
      assert.match(r.errors[0].message, /kept as \/site\/\.rs-tmp-\S+/);
      assert.match(r.errors[0].message, /next run finishes the rename/);
      assert.equal(exitCodeForResult(r), 1);
      const files = server.files('/site');
      assert.equal(files.has('a.txt'), false, 'the old file was removed by the server-less-rename fallback');
      const temps = [...files.keys()].filter((n) => n.startsWith('.rs-tmp-'));
      assert.equal(temps.length, 1, 'the temp is kept');
      assert.equal(files.get(temps[0])?.toString(), v2, 'the temp holds the new content');

      // still broken: the next run keeps the temp (never cleaned up as stale), and plans nothing from the missing file
      const again = await runOnce(env, { mode: 'sync', transfer });
      assert.ok(!again.plan.actions.some((a) => a.kind === 'delete-local'), JSON.stringify(again.plan.actions.map((a) => `${a.kind} ${a.path}`)));
      assert.equal(server.files('/site').get(temps[0])?.toString(), v2, 'still kept');
      assert.equal(readFileSync(join(local, 'a.txt'), 'utf8'), v2, 'the local file is untouched');

      // the server renames again: the next run finishes the rename, then has nothing to do
      failRenameTo.clear();
      const fixed = await runOnce(env, { mode: 'sync', transfer });
      assert.deepEqual(fixed.errors, []);
      assert.deepEqual(fixed.plan.actions.map((a) => `${a.kind} ${a.path}`), []);
      assert.deepEqual([...server.files('/site').keys()].sort(), ['a.txt', 'b.txt'], 'no temp left');
      assert.equal(server.files('/site').get('a.txt')?.toString(), v2);
      const last = await runOnce(env, { mode: 'sync', transfer });
      assert.deepEqual(last.plan.actions, []);
    } finally {
      env.cleanup();
    }
  });
}
