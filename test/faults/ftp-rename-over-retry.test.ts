// A server that will not rename onto an existing file (crafted-ftp.ts `noRenameOver`): the replace
// deletes the old file, then renames the temp. Here the control connection drops in the middle of
// that fallback, the server having done the command (fault proxy `match`): after the DELE, or after
// the second RNTO. The retry must look at what the first try did (DELE and RNTO cannot be repeated):
// before, a retry after the DELE found nothing to replace, gave up and removed the temp (both
// versions gone from the server), and a retry after the RNTO deleted the new file it found.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { startCraftedFtp, type CraftedFtp } from './crafted-ftp.js';
import { FaultProxy } from './proxy.js';
import { FtpTarget } from '../../src/core/targets/ftp.js';

const stops: Array<() => Promise<void>> = [];
after(async () => { for (const s of stops) await s(); });

const OLD = 'OLD content on the server';
const NEW = Buffer.from('NEW content from the local side!');

const drops = [
  { what: 'after the old file was deleted (DELE done, its reply lost)', match: /^DELE \/site\/f\.txt\r\n$/ },
  // (the fallback's RNTO goes alone; the first, refused one went with its RNFR)
  { what: 'after the rename went through (the fallback\'s RNTO done, its reply lost)', match: /^RNTO \/site\/f\.txt\r\n$/ },
];

for (const pipelined of [true, false]) {
  for (const drop of drops) {
    test(`no rename-over, ${pipelined ? 'pipelined replace' : 'one command at a time'}: the connection drops ${drop.what}: the new file is on the server, no temp left`, async () => {
      const server = await startCraftedFtp({ noRenameOver: true });
      stops.push(() => server.stop());
      const proxy = await FaultProxy.start({
        target: { host: server.host, port: server.port }, ftp: true,
        fault: (c) => (c.kind === 'control' ? { direction: 'up', match: drop.match, action: 'close', once: true } : undefined),
      });
      stops.push(() => proxy.stop());
      server.mkdir('/site');
      server.put('/site/f.txt', OLD, Date.UTC(2020, 0, 1));
      const t = new FtpTarget({ protocol: 'ftp', host: proxy.host, port: proxy.port, user: server.user, password: server.password, path: '/site', timeoutSeconds: 3 }, { concurrency: 2 });
      try {
        await t.open();
        if (!pipelined) (t as unknown as { pipelining: boolean }).pipelining = false;
        const old = await t.stat('f.txt');
        assert.ok(old);
        const entry = await t.write('f.txt', Readable.from([NEW]), { size: NEW.length, mtime: Date.UTC(2024, 0, 1), expect: old });
        assert.equal(proxy.fired.length, 1, 'the connection dropped once, at the planned command');
        assert.equal(entry.size, NEW.length);
        const files = server.files('/site');
        assert.deepEqual([...files.keys()], ['f.txt'], 'the file and nothing else (no temp)');
        assert.equal(files.get('f.txt')!.toString(), NEW.toString(), 'the new content');
      } finally {
        await t.close();
      }
    });
  }
}
