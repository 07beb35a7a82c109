// The facts asked of MLSD / MLST (OPTS MLST, ftp-access.ts MLST_FACTS): only those the listing and
// the checks read. On ProFTPD, which honours the option, a line then carries exactly them (no owner
// or group, by number or name), and the listing still gives every size, time and mode it gave.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FtpTarget } from '../../src/core/targets/ftp.js';
import { accessFtp, MLST_FACTS } from '../../src/core/targets/ftp-access.js';
import { newFtpClient } from '../../src/core/targets/ftp-context.js';
import { skipOrFail } from '../harness/env.js';
import { startFtpd, type FtpdServer } from '../harness/ftpd.js';
import { ensureTestUser } from '../harness/users.js';
import { writeTree } from '../faults/env.js';

let proftpd: Promise<FtpdServer | { skip: string }> | undefined;
after(async () => { const s = await proftpd; if (s && !('skip' in s)) await s.stop(); });

const T = Date.UTC(2026, 10, 30, 10, 15, 30);

test('ftp (ProFTPD): MLST and MLSD lines carry only the facts asked; the listing reads sizes, times and modes from them', async (t) => {
  proftpd ??= startFtpd({ tls: 'none', daemon: 'proftpd' });
  const s = await proftpd;
  if ('skip' in s) { skipOrFail(s.skip); t.skip(s.skip); return; }
  const user = ensureTestUser();
  if ('skip' in user) { skipOrFail(user.skip); t.skip(user.skip); return; }
  const dir = s.makeRemoteDir(`facts-${randomBytes(3).toString('hex')}`);
  try {
    writeTree(dir.absolute, { 'a.txt': 'hello', 'sub/b.bin': Buffer.alloc(1234, 7) }, { uid: user.uid, gid: user.gid }, T);
    chmodSync(join(dir.absolute, 'a.txt'), 0o640);
    chmodSync(join(dir.absolute, 'sub/b.bin'), 0o604);

    const c = newFtpClient(10_000);
    try {
      await accessFtp(c, { host: s.host, port: s.port, secure: false, secureOptions: {}, user: s.user, password: s.password });
      const reply = (await c.send(`MLST ${dir.ftpPath}/a.txt`)).message;
      const line = reply.split(/\r?\n/).find((l) => l.startsWith(' '));
      assert.ok(line, `an MLST fact line in ${JSON.stringify(reply)}`);
      const names = line.trim().split(' ')[0].split(';').filter(Boolean).map((f) => f.split('=')[0].toLowerCase()).sort();
      // what the listing (ftp-mlsd.ts) and the checks (ftp-util.ts parseFacts) read, and nothing else
      const read = ['modify', 'size', 'type', 'unique', 'unix.mode'];
      assert.deepEqual(MLST_FACTS.split(';').filter(Boolean).sort(), read);
      assert.deepEqual(names, read, `the facts of ${JSON.stringify(line)}`);
    } finally {
      c.close();
    }

    const target = new FtpTarget({ protocol: 'ftp', host: s.host, port: s.port, user: s.user, password: s.password, path: dir.ftpPath });
    try {
      const listing = await target.list();
      assert.deepEqual(listing.get('a.txt'), { path: 'a.txt', type: 'file', size: 5, mtime: T, mode: 0o640 });
      assert.deepEqual(listing.get('sub/b.bin'), { path: 'sub/b.bin', type: 'file', size: 1234, mtime: T, mode: 0o604 });
      assert.equal(listing.get('sub')?.type, 'dir');
    } finally {
      await target.close();
    }
  } finally {
    rmSync(dir.absolute, { recursive: true, force: true });
  }
});
