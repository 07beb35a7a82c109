// FTP downloads on our own data connection (src/core/targets/ftp-retr.ts) against the real daemons,
// pure-ftpd and ProFTPD (plain FTP: the path needs pipelined EPSV): the bytes arrive exactly, by the
// pump into a local file (the copy step's way) and as a stream; a download from an offset (resume);
// a cancelled download leaves nothing under the real name; writes on the thread pool (a slow disk) and
// the switch to it mid-file; a data connection the server side drops
// (reset or closed early, through the fault proxy) is an error, never a success.
// Run: node --import tsx --test test/integration/ftp-retr.test.ts
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { chownSync, closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FtpTarget } from '../../src/core/targets/ftp.js';
import { retrWrites } from '../../src/core/targets/ftp-retr.js';
import { LocalTarget } from '../../src/core/targets/local.js';
import { SyncError } from '../../src/core/errors.js';
import { copyVerified } from '../../src/core/transfer/copy.js';
import { writeToFd } from '../../src/core/transfer/file-sink.js';
import { fdPumpOf } from '../../src/core/transfer/fd-pump.js';
import { isSizeMismatch } from '../../src/core/transfer/verify.js';
import type { Entry, RemoteSpec } from '../../src/core/types.js';
import { startFtpd, type FtpDaemon, type FtpdServer } from '../harness/ftpd.js';
import { drain } from '../harness/ftp-modes.js';
import { ensureTestUser } from '../harness/users.js';
import { skipOrFail } from '../harness/env.js';
import { FaultProxy, type Fault } from '../faults/proxy.js';

const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

for (const daemon of ['pure-ftpd', 'proftpd'] as FtpDaemon[]) {
  test(`FTP download on our own data connection, ${daemon}`, async (t) => {
    const server = await startFtpd({ tls: 'none', daemon });
    if ('skip' in server) { skipOrFail(server.skip); t.skip(server.skip); return; }
    const user = ensureTestUser();
    if ('skip' in user) { skipOrFail(user.skip); t.skip(user.skip); return; }
    const local = mkdtempSync(path.join(tmpdir(), 'rs-retr-'));
    const closers: Array<() => Promise<void>> = [];
    t.after(async () => {
      for (const c of closers) await c();
      await server.stop();
      rmSync(local, { recursive: true, force: true });
    });
    let n = 0;
    /** a server folder holding `files`, a target on it (through `proxy` when given), and a fresh local folder */
    const setup = (files: Record<string, Buffer>, proxy?: FaultProxy) => {
      const dir = server.makeRemoteDir(`r${++n}`);
      for (const [name, body] of Object.entries(files)) {
        writeFileSync(path.join(dir.absolute, name), body);
        chownSync(path.join(dir.absolute, name), user.uid, user.gid);
      }
      const spec: RemoteSpec = { protocol: 'ftp', host: server.host, port: proxy?.port ?? server.port, user: server.user, password: server.password, path: dir.ftpPath, timeoutSeconds: 10 };
      const target = new FtpTarget(spec, { concurrency: 2 });
      closers.push(() => target.close());
      const into = path.join(local, `l${n}`);
      const localTarget = new LocalTarget(into);
      return { dir: dir.absolute, target, into, localTarget, spec };
    };
    const entryOf = (p: string, body: Buffer): Entry => ({ path: p, type: 'file', size: body.length, mtime: Date.UTC(2021, 0, 1) });
    const namesIn = (dir: string) => readdirSync(dir).sort();

    await step(t, 'the copy step pumps the download into the local file: byte-exact, also empty and small files', async () => {
      const files = { 'big.bin': randomBytes(13 * MiB + 12345), 'small.txt': Buffer.from('small'), 'empty.txt': Buffer.alloc(0) };
      const { target, localTarget, into } = setup(files);
      await localTarget.mkdir('');
      // the fast path is in use: the stream offers its pump
      const probe = await target.read('small.txt');
      assert.ok(fdPumpOf(probe), 'the download stream offers the fd pump (our own data connection)');
      assert.equal(sha(await drain(probe)), sha(files['small.txt']), 'read as a stream');
      for (const [name, body] of Object.entries(files)) {
        let last = 0;
        const e = await copyVerified(name, target, localTarget, entryOf(name, body), { onProgress: (b) => { last = b; } });
        assert.equal(e.size, body.length);
        assert.equal(sha(readFileSync(path.join(into, name))), sha(body), name);
        assert.equal(last, body.length, `${name}: progress reached the whole size`);
      }
      assert.deepEqual(namesIn(into), ['big.bin', 'empty.txt', 'small.txt'], 'no temps left');
      // the connections went back to the pool in step: more transfers on them work
      assert.equal(sha(await drain(await target.read('big.bin'))), sha(files['big.bin']), 'the big file as a stream');
    });

    await step(t, 'many downloads at once, by pump and as streams (they share the first read\'s scratch memory): every byte exact', async () => {
      const files: Record<string, Buffer> = {};
      for (let i = 0; i < 24; i++) files[`f${i}.bin`] = randomBytes((i * 37_511) % (1.5 * MiB) + i);
      const { target, localTarget, into, spec } = setup(files);
      await localTarget.mkdir('');
      const more = new FtpTarget(spec, { concurrency: 3 });
      closers.push(() => more.close());
      await Promise.all(Object.entries(files).map(async ([name, body], i) => {
        if (i % 2) {
          assert.equal(sha(await drain(await (i % 4 === 1 ? target : more).read(name))), sha(body), `${name} as a stream`);
        } else {
          await copyVerified(name, i % 4 === 0 ? target : more, localTarget, entryOf(name, body));
          assert.equal(sha(readFileSync(path.join(into, name))), sha(body), `${name} by pump`);
        }
      }));
    });

    await step(t, 'writes on the thread pool (a slow disk), and the switch to it in the middle of a file: every byte exact, in order', async () => {
      // the pump writes on this thread until the average write passes retrWrites.slowMs, then on the
      // thread pool for good; a slow disk cannot be made on demand, so the limit is set here
      const files = { 'a.bin': randomBytes(11 * MiB + 4321), 'b.bin': randomBytes(6 * MiB + 1), 'c.txt': Buffer.from('c') };
      const { target, localTarget, into } = setup(files);
      await localTarget.mkdir('');
      const saved = { ...retrWrites };
      try {
        // the switch mid-file: with a limit of 0 the first write (1 MiB, on this thread) flips it; the rest go to the pool
        Object.assign(retrWrites, { inline: true, avgMs: 0, slowMs: 0 });
        let writes = 0;
        const e = await copyVerified('a.bin', target, localTarget, entryOf('a.bin', files['a.bin']), { onProgress: () => { writes++; } });
        assert.equal(e.size, files['a.bin'].length);
        assert.equal(retrWrites.inline, false, 'switched to the thread pool during the file');
        assert.ok(writes > 1);
        assert.equal(sha(readFileSync(path.join(into, 'a.bin'))), sha(files['a.bin']), 'a.bin after the switch');
        // from then on: the thread pool only, also for files at once and a resumed download
        await Promise.all(['b.bin', 'c.txt'].map((name) => copyVerified(name, target, localTarget, entryOf(name, files[name as keyof typeof files]))));
        for (const name of ['b.bin', 'c.txt'] as const) assert.equal(sha(readFileSync(path.join(into, name))), sha(files[name]), name);
        const file = path.join(local, 'partial-pool');
        writeFileSync(file, files['b.bin'].subarray(0, 2 * MiB + 5));
        const fd = openSync(file, 'a');
        try {
          assert.equal(await writeToFd(await target.read('b.bin', undefined, 2 * MiB + 5), fd, { size: files['b.bin'].length - 2 * MiB - 5 }), files['b.bin'].length - 2 * MiB - 5);
        } finally {
          closeSync(fd);
        }
        assert.equal(sha(readFileSync(file)), sha(files['b.bin']), 'resumed on the thread pool');
        assert.equal(retrWrites.inline, false);
      } finally {
        Object.assign(retrWrites, saved);
      }
      assert.deepEqual(namesIn(into), ['a.bin', 'b.bin', 'c.txt'], 'no temps left');
    });

    await step(t, 'a download from an offset (REST) continues a partial file exactly, by pump and as a stream', async () => {
      const body = randomBytes(9 * MiB + 777);
      const { target } = setup({ 'f.bin': body });
      for (const offset of [1, 5 * MiB + 3, body.length - 10]) {
        const file = path.join(local, `partial-${offset}`);
        writeFileSync(file, body.subarray(0, offset));
        const fd = openSync(file, 'a');
        try {
          const r = await target.read('f.bin', undefined, offset);
          assert.ok(fdPumpOf(r));
          const moved = await writeToFd(r, fd, { size: body.length - offset });
          assert.equal(moved, body.length - offset);
        } finally {
          closeSync(fd);
        }
        assert.equal(sha(readFileSync(file)), sha(body), `resumed at ${offset}`);
        const tail = await drain(await target.read('f.bin', undefined, offset));
        assert.equal(sha(tail), sha(body.subarray(offset)), `stream from ${offset}`);
      }
    });

    await step(t, 'a download cancelled mid-file leaves nothing under the real name, and the target goes on', async () => {
      const body = randomBytes(48 * MiB);
      const { target, localTarget, into } = setup({ 'big.bin': body, 'after.txt': Buffer.from('after') });
      await localTarget.mkdir('');
      const ac = new AbortController();
      let seen = 0;
      await assert.rejects(
        localTarget.write('big.bin', await target.read('big.bin', ac.signal), {
          size: body.length, signal: ac.signal, onProgress: (b) => { seen = b; if (b >= 2 * MiB) ac.abort(); },
        }),
        (e: unknown) => e instanceof SyncError && e.code === 'aborted',
      );
      assert.ok(seen >= 2 * MiB && seen < body.length, `cancelled after ${seen} bytes`);
      assert.deepEqual(namesIn(into), [], 'no file under the real name, no temp');
      const e = await copyVerified('after.txt', target, localTarget, entryOf('after.txt', Buffer.from('after')));
      assert.equal(e.size, 5);
      assert.equal(readFileSync(path.join(into, 'after.txt'), 'utf8'), 'after');
    });

    for (const action of ['reset', 'close'] as const) {
      await step(t, `a data connection the server side drops mid-file (${action}) is an error, never a success`, async () => {
        const body = randomBytes(12 * MiB);
        const fault: Fault = { direction: 'down', after: 3 * MiB, action };
        const proxy = await FaultProxy.start({ target: { host: server.host, port: server.port }, ftp: true, fault: (c) => (c.kind === 'data' ? fault : undefined) });
        closers.push(() => proxy.stop());
        const { target, localTarget, into } = setup({ 'big.bin': body }, proxy);
        await localTarget.mkdir('');
        // the copy step's way: the pump. The server's word ("426": ProFTPD) fails it, or the bytes that
        // arrived are counted and the size check fails it (pure-ftpd sends no final reply after a cut)
        const started = Date.now();
        await assert.rejects(localTarget.write('big.bin', await target.read('big.bin'), { size: body.length }),
          (e: unknown) => e instanceof SyncError && (isSizeMismatch(e)
            ? e.actual < body.length && (action === 'reset' || e.actual === 3 * MiB) // a reset may lose what was in flight
            : /\b4[25]\d\b|reset|closed|ECONNRESET/i.test(e.toString())));
        assert.ok(Date.now() - started < 8000, `failed at once, not after a timeout (${Date.now() - started} ms)`);
        assert.deepEqual(namesIn(into), [], 'no file under the real name, no temp');
        // the stream way: it errors, or ends short (a reset may come as an end of data and a 4xx reply)
        let got: Buffer | undefined;
        try { got = await drain(await target.read('big.bin')); } catch (e) { assert.ok(e instanceof Error); }
        if (got) assert.ok(got.length < body.length, `the stream ended short (${got.length} bytes), never the whole file`);
        assert.ok(proxy.fired.length >= 2, 'the faults hit');
      });
    }
  });
}

async function step(t: TestContext, name: string, fn: () => Promise<void>): Promise<void> {
  await t.test(name, fn);
}
