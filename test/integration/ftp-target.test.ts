// FtpTarget against real daemons (test/harness/ftpd.ts): pure-ftpd with plain FTP and explicit FTPS,
// ProFTPD with implicit FTPS (pure-ftpd cannot do implicit TLS). Each skips with the reason when its
// daemon is not installed. Run: node --import tsx --test test/integration/ftp-target.test.ts
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { FtpTarget } from '../../src/core/targets/ftp.js';
import { SyncError } from '../../src/core/errors.js';
import type { Entry, RemoteSpec } from '../../src/core/types.js';
import type { TargetOptions } from '../../src/core/targets/index.js';
import { startFtpd, type FtpDaemon, type FtpdServer } from '../harness/ftpd.js';
import { drain, FTP_MODES, ftpSpec } from '../harness/ftp-modes.js';
import { ensureTestUser } from '../harness/users.js';

const MiB = 1024 * 1024;
const LONG = `${'n'.repeat(196)}.txt`; // 200 characters
const T2020 = Date.UTC(2020, 0, 2, 3, 4, 5);

function fixture(root: string, files: Record<string, string | Buffer>, mtime?: number): void {
  const u = ensureTestUser();
  const own = (p: string) => { if (!('skip' in u)) chownSync(p, u.uid, u.gid); };
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = path.join(root, ...parts.slice(0, i));
      if (!existsSync(d)) { mkdirSync(d); own(d); }
    }
    if (rel.endsWith('/')) continue;
    writeFileSync(abs, content);
    own(abs);
    if (mtime !== undefined) utimesSync(abs, mtime / 1000, mtime / 1000);
  }
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const noTemps = (dir: string) => readdirSync(dir, { recursive: true }).map(String).filter((n) => path.basename(n).startsWith('.rs-tmp-'));
const src = (b: Buffer | string) => Readable.from([Buffer.from(b)]);

async function rejectsWith(p: Promise<unknown>, code: string, detail?: RegExp): Promise<SyncError> {
  try { await p; } catch (e) {
    assert.ok(e instanceof SyncError, `expected a SyncError, got ${String(e)}`);
    assert.equal(e.code, code, e.toString());
    if (detail) assert.match(e.toString(), detail);
    return e;
  }
  assert.fail(`expected a rejection with ${code}`);
}

for (const mode of FTP_MODES) {
  test(`FtpTarget over ${mode.protocol}, ${mode.tls === 'none' ? 'no' : mode.tls} TLS`, async (t) => {
    const server = await startFtpd({ tls: mode.tls, daemon: process.env.RS_FTPD as FtpDaemon | undefined });
    if ('skip' in server) { t.skip(server.skip); return; }
    t.diagnostic(`daemon: ${server.daemon} on port ${server.port}`);
    const targets: FtpTarget[] = [];
    t.after(async () => { for (const x of targets) await x.close(); await server.stop(); });
    let n = 0;
    const setup = (files: Record<string, string | Buffer> = {}, spec: Partial<RemoteSpec> = {}, opts: TargetOptions = {}, mtime?: number) => {
      const dir = server.makeRemoteDir(`t${++n}`);
      fixture(dir.absolute, files, mtime);
      const target = new FtpTarget({ ...ftpSpec(mode, server, dir.ftpPath), ...spec }, opts);
      targets.push(target);
      return { dir: dir.absolute, target };
    };
    await runAll(t, server, setup);
    await step(t, 'a server that allows 2 connections per IP: the pool shrinks to what it gets and waits', async () => {
      const limited = await startFtpd({ tls: mode.tls, daemon: server.daemon, maxClientsPerIp: 2 });
      assert.ok(!('skip' in limited));
      t.after(() => limited.stop());
      const dir = limited.makeRemoteDir('limited');
      const target = new FtpTarget(ftpSpec(mode, limited, dir.ftpPath), { concurrency: 4 });
      targets.push(target);
      const bodies = Array.from({ length: 12 }, (_, i) => randomBytes(64 * 1024 + i));
      await Promise.all(bodies.map((b, i) => target.write(`f${i}`, src(b))));
      bodies.forEach((b, i) => assert.equal(sha(readFileSync(path.join(dir.absolute, `f${i}`))), sha(b)));
      // the daemon may also count its own refused sessions that have not exited yet: 1 or 2
      assert.ok([1, 2].includes(target.capabilities.maxConcurrency), `maxConcurrency ${target.capabilities.maxConcurrency}`);
      assert.ok((target as unknown as { pool: { size: number } }).pool.size <= 2);
    });
  });
}

type Setup = (files?: Record<string, string | Buffer>, spec?: Partial<RemoteSpec>, opts?: TargetOptions, mtime?: number) =>
  { dir: string; target: FtpTarget };

/** a subtest whose SyncErrors report their detail and hint too (the runner prints only `message`) */
function step(t: TestContext, name: string, fn: (tt: TestContext) => Promise<void>): Promise<void> {
  return t.test(name, async (tt) => {
    try { await fn(tt); } catch (e) {
      if (e instanceof SyncError) e.message = e.toString();
      throw e;
    }
  });
}

async function runAll(t: TestContext, server: FtpdServer, setup: Setup): Promise<void> {
  await step(t, 'login: password in the spec, from the credentials callback (asked once), wrong one → auth', async () => {
    const { target } = setup();
    await target.open();
    assert.match(target.display, new RegExp(`^ftps?://rstest@127\\.0\\.0\\.1:${server.port}/`));
    assert.doesNotMatch(target.display, /Pa55/);
    assert.equal(target.capabilities.mtimeResolutionMs, 1000, 'pure-ftpd offers MLSD');
    let asked = 0;
    const { target: viaCallback } = setup({ 'a/x': '1', 'b/x': '2', 'c/x': '3', 'd/x': '4' }, { password: undefined },
      { credentials: { password: async () => { asked++; return server.password; } } });
    assert.equal((await viaCallback.list()).size, 8);
    assert.equal(asked, 1);
    const { target: wrong } = setup({}, { password: 'nope' });
    const err = await rejectsWith(wrong.open(), 'auth', /530/);
    assert.ok(err.hint);
    await rejectsWith(wrong.list(), 'auth');
  });

  await step(t, 'connect errors: refused port, unverified certificate', async () => {
    const port = await new Promise<number>((r) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => r(p)); }); });
    const started = Date.now();
    await rejectsWith(setup({}, { port }).target.open(), 'connect', /ECONNREFUSED/);
    assert.ok(Date.now() - started < 2000, 'a refused first connection is not retried');
    if (server.tls !== 'none') {
      await rejectsWith(setup({}, { allowUnauthorizedTls: false, tlsFingerprint: undefined }).target.open(), 'connect', /certificate/i);
    }
  });

  await step(t, 'list: nested, unicode, spaces, 200-char names, empty files, exact UTC mtimes, temps, bad names, include', async () => {
    const { target } = setup({
      'ünïcödé/日本語 ファイル.txt': 'jp',
      'with space/ leading space.txt': 'lead',
      'with space/deeper/still deeper/empty.txt': '',
      [`long/${LONG}`]: 'long',
      [`${LONG.slice(0, 190)}-dir/x`]: 'x',
      '.hidden': 'dot',
      '.rs-tmp-0123456789ab': 'stale',
      'ünïcödé/.rs-tmp-aaaaaaaaaaaa': 'stale 2',
      'back\\slash': 'bad',
      'skip-me/inner/file': 'excluded',
      'empty-dir/': '',
    }, {}, {}, T2020);
    const seen: string[] = [];
    const list = await target.list({ include: (p) => { seen.push(p); return p !== 'skip-me'; } });
    const want: Record<string, [string, number]> = {
      'ünïcödé': ['dir', 0], 'ünïcödé/日本語 ファイル.txt': ['file', 2], 'with space': ['dir', 0],
      'with space/ leading space.txt': ['file', 4], 'with space/deeper': ['dir', 0], 'with space/deeper/still deeper': ['dir', 0],
      'with space/deeper/still deeper/empty.txt': ['file', 0], long: ['dir', 0], [`long/${LONG}`]: ['file', 4],
      [`${LONG.slice(0, 190)}-dir`]: ['dir', 0], [`${LONG.slice(0, 190)}-dir/x`]: ['file', 1], '.hidden': ['file', 3], 'empty-dir': ['dir', 0],
    };
    assert.deepEqual([...list.keys()].sort(), Object.keys(want).sort());
    for (const [p, [type, size]] of Object.entries(want)) {
      const e = list.get(p)!;
      assert.deepEqual([e.path, e.type, e.size], [p, type, size], p);
      if (type === 'file') assert.equal(e.mtime, T2020, `${p}: MLSD modify is exact UTC`);
    }
    assert.deepEqual([...target.staleTemps].sort(), ['.rs-tmp-0123456789ab', 'ünïcödé/.rs-tmp-aaaaaaaaaaaa']);
    assert.deepEqual(target.badNames.map((b) => [b.path, b.name]), [['', 'back\\slash']]);
    assert.ok(!seen.some((p) => p.startsWith('skip-me/')), 'an excluded folder is not walked');
  });

  await step(t, 'list over LIST (no MLSD): same tree, minute resolution', async () => {
    const { target } = setup({ 'a b/c.txt': 'abc', 'ü/ä.txt': '' });
    await target.open();
    (target as unknown as { mlsd: boolean }).mlsd = false; // as if the server had no MLST/MLSD
    const list = await target.list();
    assert.deepEqual([...list.keys()].sort(), ['a b', 'a b/c.txt', 'ü', 'ü/ä.txt']);
    assert.equal(list.get('a b/c.txt')!.size, 3);
    assert.ok(Math.abs(list.get('a b/c.txt')!.mtime - Date.now()) < 120_000);
  });

  await step(t, 'write: atomic replace, MFMT mtime, unicode + 200-char names, progress, no temps left', async () => {
    const { dir, target } = setup({ 'old.txt': 'old content' });
    await target.open();
    assert.equal(target.capabilities.setMtime, true, 'pure-ftpd offers MFMT');
    const mtime = Date.UTC(2021, 5, 7, 8, 9, 10, 500);
    const entry = await target.write('old.txt', src('new content!'), { mtime });
    const { mode: written, ...rest } = entry;
    assert.deepEqual(rest, { path: 'old.txt', type: 'file', size: 12, mtime: Date.UTC(2021, 5, 7, 8, 9, 10) });
    assert.ok(written === undefined || written === 0o644, `the replaced file kept its mode (${written?.toString(8)})`);
    assert.equal(readFileSync(path.join(dir, 'old.txt'), 'utf8'), 'new content!');
    assert.equal(statSync(path.join(dir, 'old.txt')).mtimeMs, Date.UTC(2021, 5, 7, 8, 9, 10), 'the server file has the mtime (whole seconds)');
    assert.deepEqual(await target.stat('old.txt'), { ...rest, mode: 0o644 }, 'stat also says the mode (MLST UNIX.mode), which the replaced file kept');
    for (const name of ['ünï cödé 日本.txt', LONG, ' lead.txt', 'empty']) {
      const body = name === 'empty' ? '' : `body of ${name}`;
      const e = await target.write(name, src(body), { mtime: T2020 });
      const { mode: _m, ...shown } = e;
      assert.deepEqual(shown, { path: name, type: 'file', size: Buffer.byteLength(body), mtime: T2020 });
      assert.equal(readFileSync(path.join(dir, name), 'utf8'), body);
      assert.equal((await drain(await target.read(name))).toString(), body);
    }
    const big = randomBytes(3 * MiB);
    const progress: number[] = [];
    await target.write('big.bin', src(big), { onProgress: (b) => progress.push(b) });
    assert.equal(progress.at(-1), big.length);
    assert.equal(sha(readFileSync(path.join(dir, 'big.bin'))), sha(big));
    assert.deepEqual(noTemps(dir), []);
  });

  await step(t, 'write: aborted or failing uploads leave the old content and no temp', async () => {
    const old = 'old content, must survive';
    const { dir, target } = setup({ 'f.bin': old, 'sub/': '' });
    const ac = new AbortController();
    async function* slow() {
      for (let i = 0; i < 400; i++) {
        if (i === 20) ac.abort();
        yield randomBytes(64 * 1024);
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    await rejectsWith(target.write('f.bin', Readable.from(slow()), { signal: ac.signal }), 'aborted');
    async function* broken() { yield randomBytes(MiB); throw new Error('disk read failed'); }
    await rejectsWith(target.write('f.bin', Readable.from(broken())), 'io', /disk read failed/);
    await rejectsWith(target.write('missing/f.bin', src('x')), 'not-found', /55[03] |does not exist/);
    await new Promise((r) => setTimeout(r, 300)); // let the server finish with the dropped sessions
    assert.equal(readFileSync(path.join(dir, 'f.bin'), 'utf8'), old);
    assert.deepEqual(noTemps(dir), []);
    await target.write('sub/ok.txt', src('fine')); // the target still works
    assert.equal(readFileSync(path.join(dir, 'sub/ok.txt'), 'utf8'), 'fine');
  });

  await step(t, 'read: streams 20 MiB with the right bytes, bounded buffering; missing file; early destroy', async (tt) => {
    const data = randomBytes(20 * MiB);
    const { target } = setup({ 'big.bin': data });
    const r = await target.read('big.bin');
    const chunks: Buffer[] = [];
    let first = true;
    const started = Date.now();
    for await (const c of r) {
      chunks.push(c as Buffer);
      if (first) { first = false; await new Promise((res) => setTimeout(res, 300)); assert.ok(r.readableLength < MiB, `buffered ${r.readableLength}`); }
    }
    const ms = Date.now() - started - 300;
    assert.equal(sha(Buffer.concat(chunks)), sha(data));
    tt.diagnostic(`read 20 MiB in ${ms} ms (${(20 / (ms / 1000)).toFixed(0)} MiB/s)`);
    await rejectsWith(target.read('nope.bin'), 'not-found', /550|does not exist/);
    const early = await target.read('big.bin');
    for await (const _ of early) break; // destroys the stream after the first chunk
    assert.equal((await target.stat('big.bin'))?.size, data.length);
    assert.equal(sha(await drain(await target.read('big.bin'))), sha(data));
    const ac = new AbortController();
    const aborted = await target.read('big.bin', ac.signal);
    ac.abort();
    await assert.rejects(drain(aborted), (e: unknown) => e instanceof SyncError && e.code === 'aborted');
    assert.equal((await target.stat('big.bin'))?.size, data.length);
  });

  await step(t, 'mkdir -p, removeFile, removeDir (recursive, tolerant of missing), rename over existing', async () => {
    const { dir, target } = setup({ 'tree/a/b/c.txt': 'c', 'tree/a/.rs-tmp-000000000000': 't', 'tree/a/ü x/y': 'y', 'tree/e/': '', 'tree/.dot': 'd', 'x.txt': 'x', 'y.txt': 'y' });
    await target.mkdir('m/n/o');
    await target.mkdir('m/n/o');
    assert.equal((await target.stat('m/n/o'))?.type, 'dir');
    await rejectsWith(target.mkdir('x.txt/sub'), 'io');
    await target.removeDir('tree');
    assert.equal(existsSync(path.join(dir, 'tree')), false);
    await target.removeDir('tree');
    await target.removeFile('nope.txt');
    await target.rename('x.txt', 'y.txt');
    assert.equal(readFileSync(path.join(dir, 'y.txt'), 'utf8'), 'x');
    assert.equal(existsSync(path.join(dir, 'x.txt')), false);
    await target.rename('m', 'm2');
    assert.equal((await target.stat('m2/n/o'))?.type, 'dir');
    await target.removeFile('y.txt');
    assert.equal(await target.stat('y.txt'), undefined);
    const fresh = setup({}, {}, {});
    await fresh.target.write('r.txt', src('r'));
    const { target: relative } = setup({}, { path: fresh.target.display.replace(/^.*?:\d+\//, '') });
    assert.equal((await relative.stat('r.txt'))?.size, 1, 'a relative path is below the login folder');
    const deep = `${fresh.target.display.replace(/^.*?:\d+/, '')}/not/yet`;
    const { target: newRoot } = setup({}, { path: deep });
    assert.equal((await newRoot.list()).size, 0, 'a root that does not exist lists as empty');
    await newRoot.mkdir('');
    await newRoot.write('f', src('f'));
    assert.equal((await newRoot.list()).size, 1);
  });

  await step(t, 'parallel writes use the pool (4 connections)', async (tt) => {
    const { dir, target } = setup({}, {}, { concurrency: 4 });
    const bodies = Array.from({ length: 24 }, () => randomBytes(512 * 1024));
    const started = Date.now();
    const entries = await Promise.all(bodies.map((b, i) => target.write(`p${i}.bin`, src(b))));
    tt.diagnostic(`24 × 512 KiB in parallel: ${Date.now() - started} ms`);
    entries.forEach((e: Entry, i) => assert.equal(e.size, bodies[i].length));
    bodies.forEach((b, i) => assert.equal(sha(readFileSync(path.join(dir, `p${i}.bin`))), sha(b)));
    assert.equal((target as unknown as { pool: { size: number } }).pool.size, 4);
    const small = Array.from({ length: 200 }, (_, i) => [`s/${i}.txt`, `${i}`] as const);
    await target.mkdir('s');
    const t0 = Date.now();
    await Promise.all(small.map(([p, b]) => target.write(p, src(b), { mtime: T2020 })));
    tt.diagnostic(`200 small files: ${Date.now() - t0} ms (${((Date.now() - t0) / 200).toFixed(1)} ms/file with 4 connections)`);
    assert.equal((await target.list()).size, 24 + 1 + 200);
  });

  await step(t, 'reconnect: the server drops every session; the next operations succeed', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 60; i++) files[`d${i}/f.txt`] = `${i}`;
    const { dir, target } = setup(files, {}, { concurrency: 3 });
    assert.equal((await target.list()).size, 120);
    assert.ok(server.dropSessions() > 0);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await target.stat('d1/f.txt'))?.size, 1);
    server.dropSessions(); // dropped again, now without time to notice: the first command fails and is retried
    assert.equal((await target.list()).size, 120);
    server.dropSessions();
    await target.write('d2/new.txt', src('after reconnect'));
    assert.equal(readFileSync(path.join(dir, 'd2/new.txt'), 'utf8'), 'after reconnect');
    server.dropSessions();
    assert.equal((await drain(await target.read('d2/new.txt'))).toString(), 'after reconnect');
    const listing = target.list();
    setTimeout(() => server.dropSessions(), 15); // in the middle of the parallel walk
    assert.equal((await listing).size, 121);
  });
}
