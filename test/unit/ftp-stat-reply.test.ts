// statAbs (src/core/targets/ftp-ops.ts), the one-command-at-a-time stat behind the re-check before
// overwrite: only a refusal (550) means "nothing there"; a positive MLST reply without its facts line
// is an error, never an empty name (a stand-in client: pure logic, no connection).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FTPError, type Client } from 'basic-ftp';
import { statAbs } from '../../src/core/targets/ftp-ops.js';

const client = (reply: () => Promise<{ code: number; message: string }>) => ({ send: reply }) as unknown as Client;

test('an MLST reply with facts gives the entry; a 550 gives nothing', async () => {
  const ok = client(async () => ({ code: 250, message: '250-Listing\n type=file;size=1234;modify=20240102030405; /site/a.txt\n250 End' }));
  assert.deepEqual(await statAbs(ok, '/site/a.txt', 'a.txt', true), { path: 'a.txt', type: 'file', size: 1234, mtime: Date.UTC(2024, 0, 2, 3, 4, 5) });
  const gone = client(async () => { throw new FTPError({ code: 550, message: '550 No such file' } as never); });
  assert.equal(await statAbs(gone, '/site/a.txt', 'a.txt', true), undefined);
});

test('a positive reply without facts (another command\'s, a broken server) is an error, not "nothing there"', async () => {
  for (const message of ['250 End', '213 Modify=20240102030405; /site/a.txt', '250']) {
    const odd = client(async () => ({ code: parseInt(message, 10), message }));
    await assert.rejects(statAbs(odd, '/site/a.txt', 'a.txt', true), /Unexpected reply to MLST \/site\/a\.txt/);
  }
});
