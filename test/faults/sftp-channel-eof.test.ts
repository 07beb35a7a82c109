// The SFTP channel when the server's subsystem exits (a killed or crashed sftp-server: CHANNEL_EOF,
// then CHANNEL_CLOSE), and READ replies longer than asked, against the crafted server. ssh2 fails the
// requests pending at the EOF (its cleanupRequests) but not the ones made after it: they went out and
// were never answered, their callbacks never called. Here every request made after the EOF must fail
// at once (a lost connection for the target's retries), each callback called once; and a DATA reply
// with more bytes than its READ asked for must fail the read, never be cut to the asked length.
//   node --import tsx --test --test-concurrency=1 test/faults/sftp-channel-eof.test.ts
import './ssh2-without-addon.js';
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { SFTPWrapper } from 'ssh2';
import { startCraftedSftp, type CraftedSftpOptions } from './crafted-sftp.js';
import { SftpTarget } from '../../src/core/targets/sftp.js';
import { LocalTarget } from '../../src/core/targets/local.js';
import { isConnectionLost, openSftpConnection } from '../../src/core/targets/sftp-connect.js';
import { channelOpen } from '../../src/core/targets/sftp-stream.js';
import { nullLogger } from '../../src/core/types.js';

const KiB = 1024;
const stops: Array<() => Promise<void>> = [];
after(async () => { for (const s of stops.reverse()) await s(); });

async function server(opts: CraftedSftpOptions) {
  const s = await startCraftedSftp({ ident: 'OpenSSH_9.6', ...opts });
  stops.push(() => s.stop());
  s.mkdir('/site');
  return s;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** requests on the channel: each callback's calls, and when the first came */
function tracker(sftp: SFTPWrapper) {
  const calls = new Map<string, { n: number; err?: unknown; at?: number; sent: number }>();
  const ask = (name: string, fn: (s: SFTPWrapper, cb: (err?: unknown) => void) => void) => {
    const rec = { n: 0, err: undefined as unknown, at: undefined as number | undefined, sent: Date.now() };
    calls.set(name, rec);
    fn(sftp, (err) => { rec.n++; if (rec.n === 1) { rec.err = err; rec.at = Date.now(); } });
  };
  return { calls, ask };
}

test('requests made after the server ends the SFTP channel fail at once as a lost connection, each callback once', async () => {
  // the CLOSE is sent when the test says (a CLOSE 300 ms after the EOF was not "well after" the EOF's round trip on a loaded machine)
  const s = await server({ exitOn: (req, p) => req === 'STAT' && p === '/site/exit', closeAfterMs: null });
  s.put('/site/a', 'a');
  const conn = await openSftpConnection({ spec: s.spec, credentials: {}, log: nullLogger, secrets: { passphrases: new Map() } });
  stops.push(async () => { conn.client.end(); });
  const { sftp } = conn;
  const { calls, ask } = tracker(sftp);
  let openAtEnd: boolean | undefined;
  sftp.once('end', () => {
    openAtEnd = channelOpen(sftp);
    // in the turn of the EOF: the first request goes at once, the next ones wait in the coalescer
    ask('stat after EOF', (x, cb) => x.stat('/site/a', cb));
    ask('opendir after EOF', (x, cb) => x.opendir('/site', cb));
    ask('rename after EOF', (x, cb) => x.rename('/site/a', '/site/b', cb));
  });
  const closed = new Promise<void>((r) => sftp.once('close', () => r()));
  // pending at the EOF (ssh2 fails it), and one made from its callback, before 'end' is emitted
  ask('stat at EOF', (x, cb) => x.stat('/site/exit', (err) => { cb(err); ask('lstat from its callback', (y, cb2) => y.lstat('/site/a', cb2)); }));
  for (let i = 0; i < 500 && openAtEnd === undefined; i++) await wait(20);
  assert.equal(openAtEnd, false, 'channelOpen() after the EOF');
  ask('readdir between EOF and CLOSE', (x, cb) => x.readdir('/site', cb));
  // every one fails without the CLOSE (the ones made after the EOF went unanswered in ssh2)
  for (let i = 0; i < 500 && [...calls.values()].some((r) => r.n === 0); i++) await wait(20);
  s.closeExited();
  await closed;
  ask('stat after CLOSE', (x, cb) => x.stat('/site/a', cb));
  await wait(200);
  assert.equal(calls.size, 7);
  for (const [name, r] of calls) {
    assert.equal(r.n, 1, `${name}: called once (${r.n})`);
    assert.ok(isConnectionLost(r.err), `${name}: a lost connection (${String(r.err)})`);
    assert.ok(r.at! - r.sent < 5000, `${name}: at once, not after a time-out (${r.at! - r.sent} ms)`); // (the first: the EOF's round trip)
  }
  assert.equal(s.requests.get('AFTER_EXIT') ?? 0, 0, 'nothing sent on the channel after its EOF');
  assert.equal(conn.dead, true);
});

test('a download read the stream way, idle when the server ends the channel without closing it: fails, then the target reconnects', async () => {
  const s = await server({});
  const content = randomBytes(4 * 1024 * KiB);
  s.put('/site/big.bin', content);
  const target = new SftpTarget({ ...s.spec, timeoutSeconds: 60 });
  stops.push(() => target.close());
  const stream = await target.read('big.bin') as Readable & { waiting: boolean };
  const first = await new Promise<Buffer>((r) => stream.once('data', (c: Buffer) => { stream.pause(); r(c); }));
  assert.ok(first.length > 0);
  for (let i = 0; i < 500 && stream.waiting; i++) await wait(20); // every request answered: nothing pending
  assert.equal(stream.waiting, false);
  s.exitSftp(null); // EOF, never a CLOSE
  await wait(100);
  const outcome = await Promise.race([
    (async () => { for await (const _ of stream) { /* drained */ } return 'ended'; })().catch((e: unknown) => e),
    wait(3000).then(() => 'hung'),
  ]);
  assert.ok(outcome instanceof Error, `the read fails (${String(outcome)})`);
  assert.match(outcome.message, /lost|not connected/i);
  // the next step reconnects
  assert.equal((await target.stat('big.bin'))?.size, content.length);
});

test('a step whose request the exit left unanswered is retried on a new connection', async () => {
  let exits = 0;
  const s = await server({ exitOn: (req, p) => req === 'STAT' && p === '/site/a' && exits++ === 0 });
  s.put('/site/a', 'abc');
  const warnings: string[] = [];
  const target = new SftpTarget(s.spec, { log: { ...nullLogger, warn: (m: string) => warnings.push(m) } });
  stops.push(() => target.close());
  await target.open();
  assert.equal((await target.stat('a'))?.size, 3);
  assert.equal(exits, 2);
  assert.ok(warnings.some((w) => /reconnecting/.test(w)), warnings.join('\n'));
});

// ---- READ replies longer than asked ---------------------------------------------------------------

async function overlong(size: number, reply: (offset: number, length: number, data: Buffer) => Buffer) {
  let crafted = 0;
  const s = await server({
    read: (_p, offset, length, data) => {
      if (offset >= data.length || offset < 260096 || crafted) return undefined; // (the 2nd request of the file)
      crafted++;
      return reply(offset, length, data);
    },
  });
  const content = randomBytes(size);
  s.put('/site/f.bin', content);
  const target = new SftpTarget(s.spec);
  stops.push(() => target.close());
  const dir = mkdtempSync(join(tmpdir(), 'rs-overlong-'));
  stops.push(async () => rmSync(dir, { recursive: true, force: true }));
  const local = new LocalTarget(dir);
  await assert.rejects(local.write('f.bin', await target.read('f.bin'), { size }), /more data than (it )?(was )?(requested|asked)/i, 'file way');
  assert.equal(existsSync(join(dir, 'f.bin')), false);
  assert.deepEqual(readdirSync(dir), []);
  crafted = 0;
  const parts: Buffer[] = [];
  await assert.rejects(async () => { for await (const c of await target.read('f.bin')) parts.push(Buffer.from(c as Buffer)); }, /more data than (it )?(was )?(requested|asked)/i, 'stream way');
  assert.ok(Buffer.concat(parts).equals(content.subarray(0, Buffer.concat(parts).length)), 'nothing shifted was delivered');
}

test('a READ reply with a byte too many in front: the read fails, nothing shifted is written', async () => {
  await overlong(3 * 260096, (offset, length, data) => Buffer.concat([Buffer.from('!'), data.subarray(offset, offset + length)]));
});

test('a READ reply with bytes past what was asked: the read fails (never cut to the asked length)', async () => {
  await overlong(3 * 260096 + 5, (offset, length, data) => data.subarray(offset, offset + length + 5));
});
