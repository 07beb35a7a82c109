// A server without MLST/MLSD/MFMT (old or embedded: LIST only, in its local time zone; MDTM in UTC),
// the crafted FTP server's `listOnly`. What a write records and what a re-check compares with the plan
// must be the listing's values: else every uploaded file looks modified on the server on the next run
// (downloaded back, or a conflict after a local edit) and every upload over a file or remote delete
// fails its re-check ("Changed on the server while the sync ran") on every run.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCraftedFtp, type CraftedFtp, type CraftedFtpOptions } from './crafted-ftp.js';
import { runOnce, type SyncEnv } from '../harness/env.js';
import { writeFile, T12 } from '../harness/fixture.js';
import { hashesOf, treeHashes } from './names-helpers.js';

const servers: CraftedFtp[] = [];
after(async () => { for (const s of servers) await s.stop(); });

async function listOnlyEnv(listOnly: NonNullable<CraftedFtpOptions['listOnly']>): Promise<SyncEnv & { server: CraftedFtp }> {
  const server = await startCraftedFtp({ listOnly });
  servers.push(server);
  server.mkdir('/site');
  const base = mkdtempSync(join(tmpdir(), 'rs-listonly-'));
  const local = join(base, 'local');
  mkdirSync(local);
  return {
    name: 'crafted-ftp-list-only', local, remoteFs: '/site', server,
    spec: { protocol: 'ftp', host: server.host, port: server.port, user: server.user, password: server.password, path: '/site' },
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}

const kinds = (r: Awaited<ReturnType<typeof runOnce>>) => r.done.map((a) => `${a.kind} ${a.path}`).sort();

for (const [format, tzOffsetMin, mfmt, resumeAbove] of [['unix', 120, false, null], ['dos', -300, false, null], ['unix', 60, true, null], ['unix', -120, true, 0]] as const) {
  test(`LIST-only server (${format}, UTC${tzOffsetMin >= 0 ? '+' : ''}${tzOffsetMin / 60}${mfmt ? ', with MFMT' : ''}${resumeAbove === 0 ? ', resumable uploads' : ''}): an upload is in sync on the next run; a later edit uploads, a local delete deletes`, async () => {
    const env = await listOnlyEnv({ format, tzOffsetMin, mfmt });
    try {
      writeFile(env.local, 'a.txt', 'v1\n', T12);
      writeFile(env.local, 'my file.txt', 'spaces\n', T12);
      const run = () => runOnce(env, { mode: 'sync', transfer: { resumeAbove } });
      const first = await run();
      assert.deepEqual(first.errors, []);
      assert.deepEqual(kinds(first), ['upload a.txt', 'upload my file.txt']);
      const second = await run();
      assert.deepEqual(kinds(second), [], 'nothing changed: nothing to do (not "modified on the server")');
      writeFile(env.local, 'a.txt', 'v2, edited locally\n', Date.now());
      rmSync(join(env.local, 'my file.txt'));
      const third = await run();
      assert.deepEqual(third.errors.map((e) => `${e.path}: ${e.message}`), []);
      assert.deepEqual(kinds(third), ['delete-remote my file.txt', 'upload a.txt']);
      assert.deepEqual(hashesOf(env.server.files('/site')), treeHashes(env.local));
      assert.deepEqual(hashesOf(env.server.files('/site')), hashesOf({ 'a.txt': 'v2, edited locally\n' }));
      assert.deepEqual(kinds(await run()), []);
    } finally { env.cleanup(); }
  });
}

for (const format of ['iso', 'de'] as const) {
  test(`LIST-only server, dates as ${format === 'iso' ? '"2025-11-22 02:15"' : 'German month names ("Dez 22 02:15")'}: a server edit that keeps the size is seen, never overwritten by a later upload`, async () => {
    const env = await listOnlyEnv({ format });
    try {
      // (every month: the German names differ from the English ones in some of them only)
      for (let m = 0; m < 12; m++) env.server.put(`/site/m${m}.txt`, `month ${m}\n`, Date.UTC(2026, m, 10, 12, 0));
      env.server.put('/site/doc.txt', 'version A from server\n', Date.now() - 86400_000);
      assert.deepEqual((await runOnce(env, { mode: 'sync' })).errors, []);
      assert.deepEqual(kinds(await runOnce(env, { mode: 'sync' })), []);
      env.server.put('/site/doc.txt', 'version B from server\n', Date.now()); // someone else's edit, same size
      for (let m = 0; m < 12; m++) env.server.put(`/site/m${m}.txt`, `MONTH ${m}\n`, Date.UTC(2026, m, 11, 12, 0));
      const second = await runOnce(env, { mode: 'sync' });
      assert.deepEqual(kinds(second), ['download doc.txt', ...Array.from({ length: 12 }, (_, m) => `download m${m}.txt`)].sort());
      assert.deepEqual(treeHashes(env.local), hashesOf(env.server.files('/site')));
      assert.deepEqual(kinds(await runOnce(env, { mode: 'sync' })), []);
    } finally { env.cleanup(); }
  });
}

test('parseListDate: ISO and day-first LIST dates are read (not 0)', async () => {
  const { parseListDate } = await import('../../src/core/targets/ftp-util.js');
  const now = Date.UTC(2026, 11, 1);
  assert.equal(parseListDate('2024-01-02 03:04', now), Date.UTC(2024, 0, 2, 3, 4));
  assert.equal(parseListDate('22 Nov 02:15', now), Date.UTC(2026, 10, 22, 2, 15));
  assert.equal(parseListDate('22 Nov 2024', now), Date.UTC(2024, 10, 22));
  assert.equal(parseListDate('Nov 22 02:15', now), Date.UTC(2026, 10, 22, 2, 15));
});
