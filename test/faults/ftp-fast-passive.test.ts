// EPSV pipelined with the transfer command (src/core/targets/ftp-fast.ts): listings (MLSD) and
// uploads (STOR) send "EPSV" and the command in one write. Against the crafted server
// (crafted-ftp.ts): one that answers EPSV gets every listing and upload that way, with the size
// checks and the atomic replace intact; one that lists EPSV in FEAT but refuses it is driven the
// basic-ftp way (PASV) after the first refusal — everything is copied, nothing is lost, no temp is left.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCraftedFtp, type CraftedFtp } from './crafted-ftp.js';
import { runOnce, type SyncEnv } from '../harness/env.js';
import { writeFile, T12, T13 } from '../harness/fixture.js';
import { hashesOf } from './names-helpers.js';

const servers: CraftedFtp[] = [];
after(async () => { for (const s of servers) await s.stop(); });

async function env(refuseEpsv: boolean): Promise<SyncEnv & { server: CraftedFtp }> {
  const server = await startCraftedFtp({ refuseEpsv });
  servers.push(server);
  server.mkdir('/site');
  server.mkdir('/site/d0');
  server.put('/site/old.txt', 'the old content on the server', T12);
  server.put('/site/d0/remote-only.txt', 'only on the server', T12);
  const base = mkdtempSync(join(tmpdir(), 'rs-fast-passive-'));
  const local = join(base, 'local');
  mkdirSync(local);
  return {
    name: 'crafted-ftp', local, remoteFs: '/site', server,
    spec: { protocol: 'ftp', host: server.host, port: server.port, user: server.user, password: server.password, path: '/site' },
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}

function files(): Record<string, string> {
  const out: Record<string, string> = { 'old.txt': 'new content replacing the old one', 'empty.txt': '' };
  for (let i = 0; i < 12; i++) out[`d${i % 3}/f${i}.txt`] = `file ${i} `.repeat(i * 50 + 1);
  return out;
}

for (const refuseEpsv of [false, true]) {
  test(`sync with ${refuseEpsv ? 'a server that lists EPSV but refuses it (PASV after the first refusal)' : 'EPSV sent together with MLSD and STOR'}: every file, verified, no temps`, async () => {
    const e = await env(refuseEpsv);
    try {
      const want = files();
      for (const [p, c] of Object.entries(want)) writeFile(e.local, p, c, T13);
      const r = await runOnce(e, { mode: 'sync', resolve: 'local' }); // old.txt: on both sides, no state yet
      assert.deepEqual(r.errors, []);
      assert.equal(r.stats.uploaded, Object.keys(want).length, JSON.stringify(r.stats));
      assert.equal(r.stats.downloaded, 1, 'the listing found the server-only file');
      assert.deepEqual(hashesOf(e.server.files('/site')), hashesOf({ ...want, 'd0/remote-only.txt': 'only on the server' }), 'the server holds exactly the files, no temps');
      const epsvStor = e.server.passiveWithTransfer.get('EPSV+STOR') ?? 0;
      const epsvMlsd = e.server.passiveWithTransfer.get('EPSV+MLSD') ?? 0;
      if (refuseEpsv) {
        // one refused pipelined EPSV turns the fast path off for the target; basic-ftp then settles on PASV
        assert.ok(epsvStor + epsvMlsd >= 1 && epsvStor + epsvMlsd <= 2, `EPSV sent together only until refused (${epsvStor} + ${epsvMlsd})`);
        assert.ok((e.server.commands.get('PASV') ?? 0) >= Object.keys(want).length, 'the transfers went through PASV');
      } else {
        assert.equal(epsvStor, Object.keys(want).length, 'every upload sent EPSV and STOR together');
        assert.equal(epsvMlsd, 2, 'both folders the server had were listed with EPSV and MLSD together');
        assert.equal(e.server.commands.get('PASV') ?? 0, 0);
      }
      // the listing and the recorded state agree: nothing left to do
      const again = await runOnce(e, { mode: 'sync' });
      assert.deepEqual(again.plan.actions.filter((a) => a.kind !== 'skip').map((a) => `${a.kind} ${a.path}`), []);
      assert.deepEqual(again.errors, []);
    } finally {
      e.cleanup();
    }
  });
}
