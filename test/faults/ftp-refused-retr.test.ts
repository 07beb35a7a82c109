// A download the server refuses (RETR → 550: the file went away since the listing, or the FTP user
// may not read it) on the pipelined download path (ftp-read.ts fast(), ftp-retr.ts): the connection
// goes back to the pool. It once did not (withOwnedClient leaves that to the read, and the fast way's
// refusal never gave it back): every refused download lost a pool slot, and a run with as many
// unreadable server files as connections waited forever. Each test has a short timeout of its own, so
// that such a hang fails here instead of stopping the suite.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FtpTarget } from '../../src/core/targets/ftp.js';
import type { SyncResult } from '../../src/core/types.js';
import { startCraftedFtp, type CraftedFtp } from './crafted-ftp.js';
import { makeEnv, sessionFor, writeTree } from './env.js';

const servers: CraftedFtp[] = [];
after(async () => { for (const s of servers) await s.stop(); });

/** `p`, or a rejection naming `what` once `ms` passed (a download waiting for a pool slot that never comes back) */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: still waiting after ${ms} ms (a pool connection was lost)`)), ms); });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

async function readAll(s: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const c of s) out += String(c);
  return out;
}

test('refused downloads on the pipelined path give their connection back (crafted server, pool of 2)', { timeout: 20_000 }, async () => {
  const server = await startCraftedFtp();
  servers.push(server);
  server.mkdir('/site');
  server.put('/site/there.txt', 'hello');
  const t = new FtpTarget({ protocol: 'ftp', host: server.host, port: server.port, user: server.user, password: server.password, path: '/site' }, { concurrency: 2 });
  try {
    await t.list();
    // one after another: more refusals than connections
    for (let i = 0; i < 4; i++) {
      const refusal = await within(t.read('gone.txt').then(() => undefined, (e: Error) => e), 3000, `read #${i + 1} of a missing file`);
      assert.match(String(refusal?.message), /gone\.txt/, 'refused (the file does not exist)');
    }
    // at the same time: twice as many as connections
    const refused = await within(Promise.allSettled(Array.from({ length: 4 }, (_, i) => t.read(`gone${i}.txt`))), 3000, 'four reads of missing files at once');
    assert.deepEqual(refused.map((r) => r.status), ['rejected', 'rejected', 'rejected', 'rejected']);
    // the pool still has its connections: a readable file downloads
    assert.equal(await within(t.read('there.txt').then(readAll), 3000, 'then a read of an existing file'), 'hello');
    assert.ok((server.passiveWithTransfer.get('EPSV+RETR') ?? 0) >= 9, `the reads took the pipelined way (${JSON.stringify([...server.passiveWithTransfer])})`);
  } finally {
    await t.close();
  }
});

test('a refused EPSV on the pipelined path: the same connection goes on the basic-ftp way and is given back once (crafted server, pool of 2)', { timeout: 20_000 }, async () => {
  const server = await startCraftedFtp({ refuseEpsv: true });
  servers.push(server);
  server.mkdir('/site');
  server.put('/site/a.txt', 'first');
  server.put('/site/b.txt', 'second');
  const t = new FtpTarget({ protocol: 'ftp', host: server.host, port: server.port, user: server.user, password: server.password, path: '/site' }, { concurrency: 2 });
  try {
    // (no listing first: its EPSV+MLSD would meet the refusal and turn the pipelined way off before the read)
    // the first download tries EPSV+RETR (refused EPSV: PassiveFastPathError), then PASV+RETR on the same connection: 550
    const refusal = await within(t.read('gone.txt').then(() => undefined, (e: Error) => e), 3000, 'a read of a missing file');
    assert.match(String(refusal?.message), /gone\.txt/);
    assert.equal(server.passiveWithTransfer.get('EPSV+RETR'), 1, 'the pipelined way was tried once');
    assert.equal(server.commands.get('PASS'), 1, 'on the same connection, PASV+RETR (not closed, no second login)');
    assert.equal(server.commands.get('PASV'), 1);
    // given back twice, the connection would be lent to both of these at once (a task while another runs)
    const got = await within(Promise.all(['a.txt', 'b.txt', 'gone.txt', 'a.txt'].map((n) => t.read(n).then(readAll, (e: Error) => `refused: ${/gone\.txt/.test(e.message)}`))), 3000, 'reads at once');
    assert.deepEqual(got, ['first', 'second', 'refused: true', 'first']);
    assert.ok((server.commands.get('PASS') ?? 0) <= 2, `no connection was lent twice, failed and replaced (${server.commands.get('PASS')} logins)`);
  } finally {
    await t.close();
  }
});

test('a download run with more unreadable server files than connections finishes (pure-ftpd: 6 of 20 files chmod 000, 4 connections)', { timeout: 30_000 }, async (t) => {
  const env = await makeEnv('ftp', 'unreadretr');
  if ('skip' in env) { t.skip(env.skip); return; }
  const s = sessionFor(env); // (4 connections)
  const stop = new AbortController();
  try {
    const files: Record<string, string> = {};
    for (let i = 0; i < 20; i++) files[`f${String(i).padStart(2, '0')}.txt`] = `content ${i}`;
    writeTree(env.remoteFs, files, env.owner);
    const unreadable = Array.from({ length: 6 }, (_, i) => `f${String(i * 3).padStart(2, '0')}.txt`);
    for (const n of unreadable) chmodSync(join(env.remoteFs, n), 0o000);
    let r: SyncResult;
    try {
      r = await within(s.run({ mode: 'download', signal: stop.signal }), 10_000, 'the download run');
    } catch (e) {
      stop.abort(); // (a hung run: its downloads waiting for a connection give up, the test ends)
      throw e;
    }
    assert.equal(r.stats.downloaded, 14, JSON.stringify(r.stats));
    assert.deepEqual(r.errors.map((e) => e.path).sort(), unreadable, 'one error per unreadable file');
    assert.deepEqual(readdirSync(env.local).filter((n) => n.endsWith('.txt')).sort(), Object.keys(files).filter((n) => !unreadable.includes(n)).sort());
  } finally {
    await s.close();
    await env.cleanup();
  }
});
