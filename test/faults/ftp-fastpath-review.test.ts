// Review of the FTP fast paths (ftp-retr.ts pump, the pipelined replace of ftp-replace.ts) against a
// crafted server (crafted-ftp.ts) that misbehaves on purpose:
// - a resumed download whose partial already has every byte reads the last 64 KiB again and compares
//   them (transfer/overlap.ts); a data connection closed within them, still answered 226, wrote
//   nothing, which the size check (partial + bytes written) took for complete: the partial, its tail
//   never compared, was renamed onto the real name (here: content the server does not have);
// - a pipelined rename lost with the connection before the server read it: the retry (one command at
//   a time) re-checked a file planned as unchanged, but not a name planned empty (newOnly), so a file
//   that appeared there meanwhile was replaced; and with a server that hides the temp (a dot name)
//   from MLST, neither re-check ran on the retry (the temp "gone" read as "renamed already"): SIZE tells;
// - short or long RETR data still answered 226, at the pump's buffer sizes: always a size error.
// Run: node --import tsx --test --test-concurrency=1 test/faults/ftp-fastpath-review.test.ts
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FtpTarget } from '../../src/core/targets/ftp.js';
import { LocalTarget } from '../../src/core/targets/local.js';
import { PartialStore } from '../../src/core/transfer/partials.js';
import { copyResumable } from '../../src/core/transfer/resume.js';
import { startCraftedFtp, type CraftedFtpOptions } from './crafted-ftp.js';

const MiB = 1024 * 1024;
const stops: Array<() => Promise<void> | void> = [];
after(async () => { for (const s of stops.reverse()) await s(); });

async function setup(opts: CraftedFtpOptions, port?: (server: { port: number }) => Promise<number>) {
  const server = await startCraftedFtp(opts);
  stops.push(() => server.stop());
  server.mkdir('/site');
  const t = new FtpTarget({ protocol: 'ftp', host: server.host, port: port ? await port(server) : server.port, user: server.user, password: server.password, path: '/site', timeoutSeconds: 5 }, { concurrency: 2 });
  stops.push(() => t.close());
  const dir = mkdtempSync(join(tmpdir(), 'rs-fastpath-'));
  stops.push(() => rmSync(dir, { recursive: true, force: true }));
  return { server, t, dir, local: new LocalTarget(dir) };
}

const outcome = (p: Promise<{ size: number }>) => p.then((e) => `ok ${e.size}`, (e: Error) => `${e.name}: ${e.message}`);

test('a resumed download whose partial has every byte: a transfer cut within the compared tail (226) is not taken as complete', async () => {
  let send: (sent: Buffer) => Buffer = (b) => b;
  const { server, t, dir, local } = await setup({ retrBytes: (_p, b) => send(b) });
  const SIZE = 300_000;
  server.put('/site/big.bin', Buffer.alloc(SIZE, 1), Date.UTC(2020, 0, 1));
  const src = (await t.stat('big.bin'))!;
  const store = new PartialStore(dir, 'review');
  const rec = { v: 1 as const, remoteId: 'review', direction: 'download' as const, path: 'big.bin', size: src.size, mtime: src.mtime, partial: store.partialName('download', 'big.bin'), created: Date.now() };
  // the partial of an earlier run: all of its bytes, but its end is not the server's (the tail check must say so)
  const plant = () => { store.put(rec); mkdirSync(store.dir, { recursive: true }); writeFileSync(store.localPartial(rec), Buffer.alloc(SIZE, 2), { mode: 0o600 }); };
  for (const [what, cut] of [['nothing', 0], ['1000 bytes of 65536', 1000], ['65535 bytes of 65536', 65_535]] as const) {
    plant();
    send = (b) => b.subarray(0, cut);
    const r = await outcome(copyResumable('download', 'big.bin', t, local, src, { store, above: 1000 }, {}));
    assert.match(r, /^SizeMismatchError: Transfer of big\.bin incomplete/, `the source sent ${what} of the tail: ${r}`);
    assert.equal(existsSync(join(dir, 'big.bin')), false, `${what}: nothing under the real name`);
  }
  // the whole tail sent (the same partial): compared, found different, started over: the server's content
  plant();
  send = (b) => b;
  assert.equal(await outcome(copyResumable('download', 'big.bin', t, local, src, { store, above: 1000 }, {})), `ok ${SIZE}`);
  assert.ok(readFileSync(join(dir, 'big.bin')).equals(Buffer.alloc(SIZE, 1)), 'the server\'s content');
  assert.ok((server.commands.get('REST') ?? 0) >= 4, 'each try resumed (REST)');
});

test('RETR data short or long by a byte around the pump\'s 1 MiB buffers, answered 226: a size error, nothing under the real name', async () => {
  let delta = 0;
  const { server, t, dir, local } = await setup({ retrBytes: (_p, b) => (delta < 0 ? b.subarray(0, b.length + delta) : Buffer.concat([b, Buffer.alloc(delta, 9)])) });
  for (const size of [0, 1, MiB - 1, MiB, MiB + 1, 4 * MiB, 5 * MiB]) {
    server.put(`/site/s${size}.bin`, Buffer.alloc(size, 7));
    for (const d of size === 0 ? [1] : [-1, 1]) {
      delta = d;
      const r = await outcome(local.write(`s${size}.bin`, await t.read(`s${size}.bin`), { size }));
      assert.equal(r, `SizeMismatchError: Transfer of s${size}.bin incomplete: the source reported ${size} bytes but ${size + d} bytes arrived`);
      assert.equal(existsSync(join(dir, `s${size}.bin`)), false);
    }
    delta = 0;
    assert.equal(await outcome(local.write(`s${size}.bin`, await t.read(`s${size}.bin`), { size })), `ok ${size}`);
  }
  assert.ok((server.passiveWithTransfer.get('EPSV+RETR') ?? 0) >= 20, 'the pipelined RETR (the pump) was used');
});

/** a proxy to `port` that drops both sides, without forwarding it, at the first client chunk matching `match` (then calls `onDrop`) */
async function dropProxy(port: number, match: RegExp, onDrop: () => void): Promise<number> {
  let dropped = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const up = net.connect(port, '127.0.0.1');
    for (const s of [client, up]) { sockets.add(s); s.on('error', () => undefined); s.on('close', () => sockets.delete(s)); }
    up.pipe(client);
    client.on('data', (d: Buffer) => {
      if (!dropped && match.test(d.toString('latin1'))) { dropped = true; onDrop(); client.destroy(); up.destroy(); return; }
      up.write(d);
    });
    client.on('close', () => up.destroy());
    up.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  stops.push(() => { for (const s of sockets) s.destroy(); return new Promise<void>((r) => server.close(() => r())); });
  return (server.address() as net.AddressInfo).port;
}

test('a pipelined rename lost before the server read it: the retry does not rename onto a file that appeared at a name planned empty', async () => {
  let appear = () => undefined as void;
  const { server, t } = await setup({}, (s) => dropProxy(s.port, /^RNFR /m, () => appear()));
  let drops = 0;
  // (the drop comes with the rename's exchange: the checks before it found the name empty)
  appear = () => { drops++; server.put('/site/new.txt', 'someone else\'s file', Date.UTC(2021, 0, 1)); };
  const body = Buffer.from('our new file');
  const r = await outcome(t.write('new.txt', Readable.from([body]), { size: body.length, mtime: Date.UTC(2024, 0, 1), newOnly: true }));
  assert.equal(drops, 1, 'the connection dropped with the rename unread');
  assert.match(r, /appeared on the server/);
  assert.equal(server.files('/site').get('new.txt')?.toString(), 'someone else\'s file', 'not replaced');
  assert.deepEqual(server.entries('/site'), ['new.txt'], 'no temp left');
});

test('the same with a server that hides the temp (a dot name) from MLST: SIZE shows it, so the retry still re-checks', async () => {
  let appear = () => undefined as void;
  const hidden = (p: string, cmd: 'MLST' | 'SIZE') => cmd === 'MLST' && /\/\.rs-tmp-[^/]*$/.test(p);
  const { server, t } = await setup({ hidden }, (s) => dropProxy(s.port, /^RNFR /m, () => appear()));
  // a name planned empty: a file appears there
  appear = () => { server.put('/site/new.txt', 'someone else\'s file', Date.UTC(2021, 0, 1)); };
  const body = Buffer.from('our new file');
  assert.match(await outcome(t.write('new.txt', Readable.from([body]), { size: body.length, mtime: Date.UTC(2024, 0, 1), newOnly: true })), /appeared on the server/);
  assert.equal(server.files('/site').get('new.txt')?.toString(), 'someone else\'s file', 'not replaced');
});

test('a server that hides the temp from MLST: a retried rename does not replace a file changed since the plan', async () => {
  let appear = () => undefined as void;
  const hidden = (p: string, cmd: 'MLST' | 'SIZE') => cmd === 'MLST' && /\/\.rs-tmp-[^/]*$/.test(p);
  const { server, t } = await setup({ hidden }, (s) => dropProxy(s.port, /^RNFR /m, () => appear()));
  server.put('/site/old.txt', 'as the plan saw it', Date.UTC(2020, 0, 1));
  const planned = (await t.stat('old.txt'))!;
  appear = () => { server.put('/site/old.txt', 'edited on the server meanwhile', Date.UTC(2022, 0, 1)); };
  const body = Buffer.from('our new content');
  const r = await outcome(t.write('old.txt', Readable.from([body]), { size: body.length, mtime: Date.UTC(2024, 0, 1), expect: planned }));
  assert.doesNotMatch(r, /^ok/, r);
  assert.equal(server.files('/site').get('old.txt')?.toString(), 'edited on the server meanwhile', 'the server\'s edit is kept');
  assert.deepEqual(server.entries('/site'), ['old.txt'], 'no temp left');
});
