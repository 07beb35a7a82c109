// Several folders listed on one connection in one write (src/core/targets/ftp-mlsd-batch.ts, used by
// ftp-list.ts): against the crafted server (crafted-ftp.ts), a tree of many folders is listed with
// several MLSDs per packet, and the listing is exactly the server's: every file downloaded, nothing
// more. A folder whose MLSD is refused in the middle of a batch is that folder's problem only (left
// alone on both sides, reported; the connection stays in step for the folders after it), and a server
// that refuses EPSV gets every folder listed the plain way; one that loses the listings sent after the
// first (the batch stalls) gets every folder listed alone after one timeout.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCraftedFtp, type CraftedFtp } from './crafted-ftp.js';
import { runOnce, type SyncEnv } from '../harness/env.js';
import { T12, snapshot } from '../harness/fixture.js';
import { hashesOf } from './names-helpers.js';

const servers: CraftedFtp[] = [];
after(async () => { for (const s of servers) await s.stop(); });

const FOLDERS = 11;
const REFUSED = 'd4';

async function env(refuseEpsv: boolean, loseAfterListing = false): Promise<SyncEnv & { server: CraftedFtp; want: Record<string, string> }> {
  const server = await startCraftedFtp({ refuseEpsv, loseAfterListing, refuseList: new Set([`/site/${REFUSED}`]) });
  servers.push(server);
  server.mkdir('/site');
  const want: Record<string, string> = { 'top.txt': 'at the top' };
  server.put('/site/top.txt', want['top.txt'], T12);
  for (let d = 0; d < FOLDERS; d++) {
    server.mkdir(`/site/d${d}`);
    for (let f = 0; f < 3; f++) {
      const content = `folder ${d} file ${f} `.repeat(d + f + 1);
      server.put(`/site/d${d}/f${f}.txt`, content, T12);
      if (`d${d}` !== REFUSED) want[`d${d}/f${f}.txt`] = content;
    }
  }
  server.mkdir('/site/d2/sub');
  server.put('/site/d2/sub/deep.txt', 'one level down', T12);
  want['d2/sub/deep.txt'] = 'one level down';
  const base = mkdtempSync(join(tmpdir(), 'rs-list-batch-'));
  const local = join(base, 'local');
  mkdirSync(local);
  return {
    name: 'crafted-ftp', local, remoteFs: '/site', server, want,
    spec: { protocol: 'ftp', host: server.host, port: server.port, user: server.user, password: server.password, path: '/site', timeoutSeconds: 2 },
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}

for (const refuseEpsv of [false, true]) {
  test(`a tree of ${FOLDERS} folders, one refused, ${refuseEpsv ? 'EPSV refused (every folder listed the plain way)' : 'several folders listed per write'}: exactly the server's files, the refused folder left alone`, async () => {
    const e = await env(refuseEpsv);
    try {
      const r = await runOnce(e, { mode: 'sync' });
      assert.equal(r.stats.downloaded, Object.keys(e.want).length, JSON.stringify(r.stats));
      const files = Object.fromEntries(Object.entries(snapshot(e.local)).filter((kv): kv is [string, string] => kv[1] !== null));
      assert.deepEqual(hashesOf(files), hashesOf(e.want), 'every file of the listed folders, nothing of the refused one');
      assert.equal(existsSync(join(e.local, REFUSED)), false);
      assert.equal(r.errors.length, 1, JSON.stringify(r.errors));
      assert.equal(r.errors[0].path, REFUSED);
      assert.match(r.errors[0].message, /Could not read this server folder/);
      if (refuseEpsv) {
        assert.equal(e.server.batchedListings, 0, 'no listing was sent together with another');
        assert.ok((e.server.commands.get('PASV') ?? 0) >= FOLDERS, 'the folders were listed through PASV');
      } else {
        assert.ok(e.server.batchedListings >= 2, `folders were listed several per write (${e.server.batchedListings} packets)`);
        assert.equal(e.server.commands.get('PASV') ?? 0, 0);
        // the refused folder was asked for again alone, and refused again: once in a batch, once alone
        assert.ok((e.server.commands.get('MLSD') ?? 0) >= FOLDERS + 3);
      }
      // the next run agrees with the server: nothing to do, the refused folder still left alone on both sides
      const again = await runOnce(e, { mode: 'sync' });
      assert.deepEqual(again.plan.actions.filter((a) => a.kind !== 'skip').map((a) => `${a.kind} ${a.path}`), []);
      assert.equal(e.server.files(`/site/${REFUSED}`).size, 3, 'the server copy of the refused folder is untouched');
    } finally {
      e.cleanup();
    }
  });
}

test('a server that loses the listings sent after the first one: the batch times out, every folder is then listed alone, nothing is missed', async () => {
  const e = await env(false, true);
  try {
    const started = Date.now();
    const r = await runOnce(e, { mode: 'sync' });
    assert.ok(Date.now() - started < 15_000, 'one timeout (2 s), not one per folder');
    assert.equal(r.stats.downloaded, Object.keys(e.want).length, JSON.stringify(r.stats));
    const files = Object.fromEntries(Object.entries(snapshot(e.local)).filter((kv): kv is [string, string] => kv[1] !== null));
    assert.deepEqual(hashesOf(files), hashesOf(e.want));
    assert.deepEqual(r.errors.map((x) => x.path), [REFUSED]);
    assert.equal(e.server.batchedListings, 1, 'after the batch that stalled, no listings were sent together');
  } finally {
    e.cleanup();
  }
});
