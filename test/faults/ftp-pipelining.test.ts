// Pipelined FTP commands (src/core/targets/ftp-pipeline.ts, ftp-replace.ts): the replace step of an
// upload sends MLST+MFMT and RNFR+RNTO+MLST together (the latter with the next file's first command
// where one follows on the connection). Against the crafted server (crafted-ftp.ts):
// one that reads commands sent together gets them pipelined, with every check of a transfer intact;
// a naive one that reads only the first command of a packet fails the probe and is driven one
// command at a time — the run still copies everything, nothing is lost, no temp is left.
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

async function env(noPipelining: boolean): Promise<SyncEnv & { server: CraftedFtp }> {
  const server = await startCraftedFtp({ noPipelining });
  servers.push(server);
  server.mkdir('/site');
  server.put('/site/old.txt', 'the old content on the server', T12);
  const base = mkdtempSync(join(tmpdir(), 'rs-pipelining-'));
  const local = join(base, 'local');
  mkdirSync(local);
  return {
    name: 'crafted-ftp', local, remoteFs: '/site', server,
    spec: { protocol: 'ftp', host: server.host, port: server.port, user: server.user, password: server.password, path: '/site' },
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}

function files(): Record<string, string> {
  const out: Record<string, string> = { 'old.txt': 'new content replacing the old one' };
  for (let i = 0; i < 12; i++) out[`d${i % 3}/f${i}.txt`] = `file ${i} `.repeat(i + 1);
  return out;
}

for (const noPipelining of [false, true]) {
  test(`upload with ${noPipelining ? 'a server that loses commands sent together (one at a time after the probe)' : 'pipelined commands'}: every file, replaced atomically, mtimes kept, no temps`, async () => {
    const e = await env(noPipelining);
    try {
      const want = files();
      for (const [p, c] of Object.entries(want)) writeFile(e.local, p, c, T13);
      const r = await runOnce(e, { mode: 'upload', resolve: 'local' }); // old.txt: on both sides, no state yet
      assert.deepEqual(r.errors, []);
      assert.equal(r.stats.uploaded, Object.keys(want).length, JSON.stringify(r.stats));
      assert.deepEqual(hashesOf(e.server.files('/site')), hashesOf(want), 'the server holds exactly the files, no temps');
      if (noPipelining) assert.ok(e.server.pipelinedPackets <= 1, `only the probe was sent together (${e.server.pipelinedPackets})`);
      else assert.ok(e.server.pipelinedPackets >= 2 * Object.keys(want).length, `two pipelined exchanges per file (${e.server.pipelinedPackets})`);
      // a rename rides with the next file's first command on its connection (ftp-context.ts ride()); never without pipelining
      if (noPipelining) assert.equal(e.server.renamesWithNext, 0);
      else assert.ok(e.server.renamesWithNext >= 1, `renames sent with the next command (${e.server.renamesWithNext})`);
      // the mtimes reached the server (MFMT on the temp, kept through the rename): nothing left to do
      const again = await runOnce(e, { mode: 'sync' });
      assert.deepEqual(again.plan.actions.filter((a) => a.kind !== 'skip').map((a) => `${a.kind} ${a.path}`), []);
      assert.deepEqual(again.errors, []);
    } finally {
      e.cleanup();
    }
  });
}
