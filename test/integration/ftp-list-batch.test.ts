// The recursive FTP listing with several folders per connection in one pipelined write
// (src/core/targets/ftp-mlsd-batch.ts) against the real daemons: pure-ftpd and ProFTPD (plain FTP,
// where the pipelined path is used). The listing must be exactly the tree on the server's disk
// (every file, its size and its time), the pipelined path must have stayed on (no fallback), and
// the tree is listed over a quarter of the pool's connections.
// Run: node --import tsx --test test/integration/ftp-list-batch.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FtpTarget } from '../../src/core/targets/ftp.js';
import { startFtpd, type FtpDaemon } from '../harness/ftpd.js';

const FOLDERS = 40;
const FILES = 30;
const T2021 = Date.UTC(2021, 5, 7, 8, 9, 10);

for (const daemon of ['pure-ftpd', 'proftpd'] as FtpDaemon[]) {
  test(`${daemon}: a tree of ${FOLDERS} folders listed several folders per write is exactly the tree on disk`, async (t) => {
    const server = await startFtpd({ tls: 'none', daemon, pasvPorts: 1000 });
    if ('skip' in server) { t.skip(server.skip); return; }
    const dir = server.makeRemoteDir('batch');
    const { uid, gid } = statSync(dir.absolute);
    const want = new Map<string, { size: number; mtime: number }>();
    const put = (rel: string, size: number, mtime: number) => {
      const abs = path.join(dir.absolute, rel);
      writeFileSync(abs, 'x'.repeat(size));
      chownSync(abs, uid, gid);
      utimesSync(abs, mtime / 1000, mtime / 1000);
      want.set(rel, { size, mtime });
    };
    for (let d = 0; d < FOLDERS; d++) {
      mkdirSync(path.join(dir.absolute, `d${d}`));
      chownSync(path.join(dir.absolute, `d${d}`), uid, gid);
      for (let f = 0; f < FILES; f++) put(`d${d}/f${f}.txt`, d * 37 + f, T2021 + (d * FILES + f) * 1000);
    }
    mkdirSync(path.join(dir.absolute, 'd3/sub'));
    chownSync(path.join(dir.absolute, 'd3/sub'), uid, gid);
    put('d3/sub/deep.txt', 5, T2021);
    const target = new FtpTarget({ protocol: 'ftp', host: server.host, port: server.port, user: server.user, password: server.password, path: dir.ftpPath });
    t.after(async () => { await target.close(); await server.stop(); });
    const listed = await target.list();
    const files = new Map([...listed.values()].filter((e) => e.type === 'file').map((e) => [e.path, { size: e.size, mtime: e.mtime }]));
    assert.deepEqual(files, want, 'every file, with its size and time');
    assert.equal([...listed.values()].filter((e) => e.type === 'dir').length, FOLDERS + 1);
    assert.deepEqual(target.unreadable, []);
    const internals = target as unknown as { fast: { on: boolean }; pool: { size: number } };
    assert.equal(internals.fast.on, true, 'the pipelined path stayed on (no fallback after a refusal)');
    assert.equal(internals.pool.size, 2, 'a quarter of the 8 connections listed the tree');
  });
}
