// Removing a folder over FTP never walks through a symbolic link: a path that is itself a link (to a
// folder outside the sync) is removed as a link, and links below a removed folder go as links. Against
// the real pure-ftpd (MLST shows a link as `OS.unix=slink`) and the real ProFTPD (its MLST follows the
// link and says `dir`; only the parent's listing tells), with links the chrooted server can follow.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, existsSync, lchownSync, lstatSync, mkdirSync, readdirSync, symlinkSync, writeFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { skipOrFail } from '../harness/env.js';
import { startFtpd, type FtpDaemon, type FtpdServer } from '../harness/ftpd.js';
import { createTarget } from '../../src/core/targets/index.js';
import type { Target } from '../../src/core/types.js';

const servers = new Map<FtpDaemon, Promise<FtpdServer | { skip: string }>>();
after(async () => { for (const p of servers.values()) { const s = await p; if (!('skip' in s)) await s.stop(); } });

for (const daemon of ['pure-ftpd', 'proftpd'] as const) {
  test(`${daemon}: removing a folder that is a server-side link removes the link only; links below a removed folder too`, async (t) => {
    if (!servers.has(daemon)) servers.set(daemon, startFtpd({ tls: 'none', daemon }));
    const s = await servers.get(daemon)!;
    if ('skip' in s) { const r = skipOrFail(s.skip); t.skip(r.skip); return; }
    const dir = s.makeRemoteDir(`links-${randomBytes(3).toString('hex')}`);
    const { uid, gid } = lstatSync(dir.absolute);
    // "outside": a sibling of the root, inside the chroot, reached through relative links
    const outsideName = `outside-${randomBytes(3).toString('hex')}`;
    const outside = join(dirname(dir.absolute), outsideName);
    mkdirSync(join(outside, 'sub'), { recursive: true });
    writeFileSync(join(outside, 'precious.txt'), 'precious\n');
    writeFileSync(join(outside, 'sub', 'deep.txt'), 'deep\n');
    for (const p of [outside, join(outside, 'sub'), join(outside, 'precious.txt'), join(outside, 'sub', 'deep.txt')]) chownSync(p, uid, gid);
    const link = (rel: string, to: string) => { symlinkSync(to, join(dir.absolute, rel)); lchownSync(join(dir.absolute, rel), uid, gid); };
    link('shared', `../${outsideName}`);
    mkdirSync(join(dir.absolute, 'dir'));
    chownSync(join(dir.absolute, 'dir'), uid, gid);
    writeFileSync(join(dir.absolute, 'dir', 'f.txt'), 'f\n');
    chownSync(join(dir.absolute, 'dir', 'f.txt'), uid, gid);
    link('dir/inner', `../../${outsideName}`);
    const target: Target = createTarget({ protocol: 'ftp', host: s.host, port: s.port, user: s.user, password: s.password, path: dir.ftpPath });
    try {
      await target.removeDir('shared');
      assert.throws(() => lstatSync(join(dir.absolute, 'shared')), /ENOENT/, 'the link itself is removed');
      assert.deepEqual(readdirSync(outside).sort(), ['precious.txt', 'sub'], 'nothing it points to is touched');
      assert.ok(existsSync(join(outside, 'sub', 'deep.txt')));

      await target.removeDir('dir');
      assert.ok(!existsSync(join(dir.absolute, 'dir')), 'the folder went, with the link in it');
      assert.deepEqual(readdirSync(outside).sort(), ['precious.txt', 'sub'], 'nothing outside touched');
      assert.ok(existsSync(join(outside, 'sub', 'deep.txt')));
      await target.removeDir('shared'); // already gone: no error
    } finally {
      await target.close();
      rmSync(dir.absolute, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    }
  });
}
