// The small SFTP requests of one turn sent in one SSH packet (src/core/targets/ssh/sftp-coalesce.ts),
// against the real OpenSSH sshd: a tree listed whole and right in far fewer packets than requests;
// more requests in one turn than one packet holds, cut at the channel's packet size and all answered;
// a WRITE's big data between small requests of the same turn, in order (the bytes land where each
// write put them); requests followed by the channel's close in the same turn are sent before it.
//   node --import tsx --test test/integration/sftp-coalesce.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SFTPWrapper, Stats } from 'ssh2';
import { openSftpConnection, type SftpConnection } from '../../src/core/targets/sftp-connect.js';
import { coalesceRequests, SMALL, type CoalesceStats } from '../../src/core/targets/ssh/sftp-coalesce.js';
import { walkSftp } from '../../src/core/targets/sftp-list.js';
import { nullLogger } from '../../src/core/types.js';
import type { RemoteSpec } from '../../src/core/types.js';
import { skipOrFail } from '../harness/env.js';
import { startSshd } from '../harness/sshd.js';

const T = { timeout: 60_000 };

/** the counts of a channel, taken from a fresh start (the connection's own requests before are left out) */
function counter(sftp: object): () => CoalesceStats {
  const stats = coalesceRequests(sftp, () => undefined);
  assert.ok(stats, 'the coalescer is installed on an ssh2 1.x channel');
  const p0 = stats.packets, n0 = stats.payloads;
  return () => ({ packets: stats.packets - p0, payloads: stats.payloads - n0 });
}

const cb = <T>(f: (done: (err: Error | null | undefined, v?: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => f((err, v) => (err ? reject(err) : resolve(v as T))));

test('SFTP requests of one turn in one packet', async (t) => {
  const s = await startSshd();
  if ('skip' in s) { t.skip(skipOrFail(s.skip).skip); return; } // under CI: fails
  const remote = s.makeRemoteDir('coalesce');
  const spec: RemoteSpec = { protocol: 'sftp', host: s.host, port: s.port, user: s.user, path: remote, identity: s.keyFile, knownHosts: s.knownHostsFile, agent: false };
  const open = () => openSftpConnection({ spec, credentials: {}, log: nullLogger, secrets: { passphrases: new Map() } });
  let c: SftpConnection | undefined;
  try {
    // 40 folders of 30 files, and 5 files at the top
    const want = new Map<string, number>();
    for (let d = 0; d < 40; d++) {
      mkdirSync(join(remote, `d${d}`));
      want.set(`d${d}`, 0);
      for (let f = 0; f < 30; f++) {
        const size = (d * 31 + f) % 97;
        writeFileSync(join(remote, `d${d}`, `f${f}.txt`), randomBytes(size));
        want.set(`d${d}/f${f}.txt`, size);
      }
    }
    for (let f = 0; f < 5; f++) { writeFileSync(join(remote, `top${f}`), 'x'.repeat(f)); want.set(`top${f}`, f); }
    s.chownToUser(remote);
    c = await open();
    const conn = c;

    await t.test('a tree is listed whole and right, in far fewer packets than requests', T, async () => {
      const count = counter(conn.sftp);
      const { out } = await walkSftp(conn, {}, { spec, log: nullLogger });
      const got = new Map<string, number>();
      for (const [p, e] of out.entries()) got.set(p, e.type === 'dir' ? 0 : e.size);
      assert.deepEqual([...got].sort(), [...want].sort());
      const { packets, payloads } = count();
      // per folder OPENDIR, three READDIRs and CLOSE: 41 folders, 205 requests
      assert.ok(payloads >= 41 * 5, `requests sent: ${payloads}`);
      assert.ok(packets * 3 <= payloads, `${payloads} requests went out in ${packets} packets`);
    });

    await t.test('more requests in one turn than a packet holds: cut at the packet size, all answered', T, async () => {
      const sftp = conn.sftp as SFTPWrapper & { outgoing: { packetSize: number } };
      const packetSize = sftp.outgoing.packetSize;
      const path = `${remote}/d1/${'f1.txt'}`;
      // each STAT request is 4 + 1 + 4 + 4 + path bytes; enough of them for three packets and more
      const n = Math.ceil((3 * packetSize) / (13 + Buffer.byteLength(path))) + 7;
      const count = counter(sftp);
      const stats = await Promise.all(Array.from({ length: n }, () => cb<Stats>((done) => sftp.stat(path, done))));
      assert.equal(stats.length, n);
      for (const st of stats) assert.equal(st.size, want.get('d1/f1.txt'));
      const { packets, payloads } = count();
      assert.equal(payloads, n);
      assert.ok(packets >= 4 && packets <= 6, `${n} requests of one turn in ${packets} packets (packet size ${packetSize})`);
    });

    await t.test('a big WRITE between small ones of the same turn: in order, each where it was put', T, async () => {
      const sftp = conn.sftp;
      const name = `${remote}/order.bin`;
      const handle = await cb<Buffer>((done) => sftp.open(name, 'w', done));
      const small1 = randomBytes(100), big = randomBytes(SMALL * 3), small2 = randomBytes(200);
      // the same bytes range is written three times: the server applies them in the order sent
      const first = randomBytes(SMALL * 3);
      const count = counter(sftp);
      await Promise.all([
        cb<void>((done) => sftp.write(handle, first, 0, first.length, 0, done)), // big: alone
        cb<void>((done) => sftp.write(handle, small1, 0, small1.length, 10, done)), // small: queued
        cb<void>((done) => sftp.write(handle, big, 0, big.length, 0, done)), // big: the queued one first, then this
        cb<void>((done) => sftp.write(handle, small2, 0, small2.length, 50, done)), // small: after the big one
      ]);
      await cb<void>((done) => sftp.close(handle, done));
      const expect = Buffer.from(big);
      small2.copy(expect, 50);
      const got = readFileSync(join(remote, 'order.bin'));
      assert.equal(got.length, expect.length);
      assert.ok(got.equals(expect), 'the writes landed in the order they were made');
      assert.equal(count().payloads, 5, 'four writes and the close');
    });

    await t.test('requests then the close in the same turn: the requests go first', T, async () => {
      const sftp = conn.sftp;
      const name = `${remote}/last.txt`;
      const handle = await cb<Buffer>((done) => sftp.open(name, 'w', done));
      const body = Buffer.from('written right before the channel closed\n');
      const wrote = cb<void>((done) => sftp.write(handle, body, 0, body.length, 0, done)).catch((e: Error) => e);
      sftp.close(handle, () => undefined);
      sftp.end(); // the channel's close, in the same turn as the two requests
      await wrote;
      // the server got the WRITE before the close of the channel (sftp-server closes its handles then)
      for (let i = 0; i < 500 && readFileSync(join(remote, 'last.txt')).length < body.length; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(readFileSync(join(remote, 'last.txt'), 'utf8'), body.toString());
    });
  } finally {
    c?.client.end();
    await s.stop();
  }
});
