// Active-mode FTP (EPRT/PORT, the server connects back) against real daemons on loopback: plain FTP
// and explicit FTPS on pure-ftpd, implicit FTPS on ProFTPD (test/harness/ftpd.ts).
//   node --import tsx --test test/integration/ftp-active.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';
import { FtpTarget } from '../../src/core/targets/ftp.js';
import { eprtArgument, portArgument } from '../../src/core/targets/ftp-active.js';
import type { Logger } from '../../src/core/types.js';
import { startFtpd } from '../harness/ftpd.js';
import { drain, FTP_MODES, ftpSpec } from '../harness/ftp-modes.js';
import { skipOrFail } from '../harness/env.js';
import { ensureTestUser } from '../harness/users.js';

test('EPRT and PORT arguments', () => {
  assert.equal(eprtArgument('127.0.0.1', 5282), '|1|127.0.0.1|5282|');
  assert.equal(eprtArgument('::1', 5282), '|2|::1|5282|');
  assert.equal(portArgument('127.0.0.1', 5282), '127,0,0,1,20,162');
});

for (const mode of FTP_MODES) {
  test(`active mode over ${mode.protocol} (${mode.tls} TLS): list, upload, download, many files`, { timeout: 120_000 }, async (t) => {
    const server = await startFtpd({ tls: mode.tls });
    if ('skip' in server) { const r = skipOrFail(server.skip); t.skip(r.skip); return; }
    t.diagnostic(`daemon: ${server.daemon} on port ${server.port}`);
    const lines: string[] = [];
    const log: Logger = { error: (m) => lines.push(m), warn: (m) => lines.push(m), info: (m) => lines.push(m), debug: (m) => lines.push(m) };
    const dir = server.makeRemoteDir('active');
    const u = ensureTestUser();
    const big = randomBytes(3 * 1024 * 1024 + 17);
    mkdirSync(path.join(dir.absolute, 'sub'));
    writeFileSync(path.join(dir.absolute, 'sub', 'big.bin'), big);
    writeFileSync(path.join(dir.absolute, 'a.txt'), 'hello');
    if (!('skip' in u)) for (const p of ['sub', 'sub/big.bin', 'a.txt']) chownSync(path.join(dir.absolute, p), u.uid, u.gid);
    const target = new FtpTarget({ ...ftpSpec(mode, server, dir.ftpPath), ftpActive: true }, { log, concurrency: 3 });
    try {
      const listing = await target.list();
      assert.deepEqual([...listing.keys()].sort(), ['a.txt', 'sub', 'sub/big.bin']);
      assert.ok(lines.some((l) => /active mode: (EPRT|PORT) 127\.0\.0\.1:\d+ accepted/.test(l)), 'EPRT/PORT sent: ' + lines.join(' / '));
      assert.ok(lines.some((l) => /active mode: data connection from 127\.0\.0\.1/.test(l)), 'the server connected back');

      assert.ok((await drain(await target.read('sub/big.bin'))).equals(big), 'a 3 MiB download arrives whole');
      const up = randomBytes(2 * 1024 * 1024 + 5);
      const e = await target.write('up.bin', Readable.from([up]), { size: up.length });
      assert.equal(e.size, up.length);
      assert.ok(readFileSync(path.join(dir.absolute, 'up.bin')).equals(up), 'the upload arrives whole');
      await target.write('empty.txt', Readable.from([]), {});
      assert.equal(readFileSync(path.join(dir.absolute, 'empty.txt')).length, 0);
      // several transfers at once, each with its own data connection
      await Promise.all(Array.from({ length: 12 }, (_, i) => target.write(`n${i}.txt`, Readable.from([Buffer.from(`file ${i}`)]), {})));
      for (let i = 0; i < 12; i++) assert.equal(readFileSync(path.join(dir.absolute, `n${i}.txt`), 'utf8'), `file ${i}`);
      // a refused transfer (no such file) leaves the connection usable
      await assert.rejects(async () => drain(await target.read('missing.txt')));
      assert.equal((await drain(await target.read('a.txt'))).toString(), 'hello');
      // every data connection was one the server opened to us: list (2 folders), 16 transfers (not the refused one)
      const connections = lines.filter((l) => /active mode: data connection from/.test(l)).length;
      assert.ok(connections >= 18, `${connections} active data connections`);
    } finally {
      await target.close();
      await server.stop();
    }
  });
}
