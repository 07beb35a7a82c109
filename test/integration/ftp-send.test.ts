// FTP uploads that read the local file themselves (src/core/targets/ftp-send.ts: the local target's
// read is a file range, sent through reused buffers; a small file's read is its one buffer, sent as
// is) against the real daemons, pure-ftpd and ProFTPD:
// byte-exact through the copy step, a resumable upload continued from an offset (APPE), and a data
// connection reset mid-file: an error for that try, nothing under the real name, the copy step's
// retry completes it.
// Run: node --import tsx --test test/integration/ftp-send.test.ts
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FtpTarget } from '../../src/core/targets/ftp.js';
import { LocalTarget } from '../../src/core/targets/local.js';
import { copyVerified } from '../../src/core/transfer/copy.js';
import { bufferOf, fileRangeOf } from '../../src/core/transfer/fd-pump.js';
import type { Entry, RemoteSpec } from '../../src/core/types.js';
import { startFtpd, type FtpDaemon } from '../harness/ftpd.js';
import { skipOrFail } from '../harness/env.js';
import { FaultProxy } from '../faults/proxy.js';

const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

for (const daemon of ['pure-ftpd', 'proftpd'] as FtpDaemon[]) {
  test(`FTP upload from a local file range, ${daemon}`, async (t) => {
    const server = await startFtpd({ tls: 'none', daemon });
    if ('skip' in server) { skipOrFail(server.skip); t.skip(server.skip); return; }
    const local = mkdtempSync(path.join(tmpdir(), 'rs-send-'));
    const closers: Array<() => Promise<void>> = [];
    t.after(async () => {
      for (const c of closers) await c();
      await server.stop();
      rmSync(local, { recursive: true, force: true });
    });
    let n = 0;
    /** a server folder, a target on it (through `proxy` when given), and a fresh local folder */
    const setup = (proxy?: FaultProxy) => {
      const dir = server.makeRemoteDir(`s${++n}`);
      const from = path.join(local, `l${n}`);
      const localTarget = new LocalTarget(from);
      const spec: RemoteSpec = { protocol: 'ftp', host: server.host, port: proxy?.port ?? server.port, user: server.user, password: server.password, path: dir.ftpPath, timeoutSeconds: 10 };
      const target = new FtpTarget(spec, { concurrency: 2 });
      closers.push(() => target.close());
      return { dir: dir.absolute, target, from, localTarget };
    };
    /** the local file as the plan would list it (the copy step checks it again before a retry) */
    const entryOf = async (l: LocalTarget, p: string): Promise<Entry> => (await l.stat(p))!;
    const write = (dir: string, files: Record<string, Buffer>) => {
      for (const [name, body] of Object.entries(files)) writeFileSync(path.join(dir, name), body);
    };

    await step(t, 'the copy step uploads a local file range byte-exact (big, small, empty), replaced atomically', async () => {
      const files = { 'big.bin': randomBytes(13 * MiB + 4321), 'mid.bin': randomBytes(300_000), 'empty.txt': Buffer.alloc(0) };
      const { dir, target, from, localTarget } = setup();
      await localTarget.mkdir('');
      write(from, files);
      const probe = await localTarget.read('big.bin');
      assert.ok(fileRangeOf(probe), 'a big local read is a file range');
      probe.destroy();
      for (const [name, body] of Object.entries(files)) {
        let last = 0;
        const e = await copyVerified(name, localTarget, target, await entryOf(localTarget, name), { onProgress: (b) => { last = b; } });
        assert.equal(e.size, body.length);
        assert.equal(sha(readFileSync(path.join(dir, name))), sha(body), name);
        assert.equal(last, body.length, `${name}: progress reached the whole size`);
      }
      assert.deepEqual(readdirSync(dir).sort(), ['big.bin', 'empty.txt', 'mid.bin'], 'no temps left');
    });

    await step(t, 'a small local file is sent as its one buffer (fd-pump.ts bufferOf), byte-exact; a data connection cut in it fails that try, nothing under the real name, the retry completes', async () => {
      const body = randomBytes(60_000);
      let cuts = 0;
      const proxy = await FaultProxy.start({
        target: { host: server.host, port: server.port }, ftp: true,
        fault: (c) => (c.kind === 'data' && cuts > 0 ? (cuts--, { direction: 'up', after: 20_000, action: 'reset' }) : undefined),
      });
      closers.push(() => proxy.stop());
      const { dir, target, from, localTarget } = setup(proxy);
      await localTarget.mkdir('');
      write(from, { 'small.bin': body, 'other.txt': Buffer.from('text\n') });
      const probe = await localTarget.read('small.bin');
      assert.ok(bufferOf(probe), 'a small local read offers its buffer');
      probe.destroy();
      const e1 = await copyVerified('other.txt', localTarget, target, await entryOf(localTarget, 'other.txt'));
      assert.equal(e1.size, 5);
      assert.equal(readFileSync(path.join(dir, 'other.txt'), 'utf8'), 'text\n');
      cuts = 1;
      await assert.rejects(target.write('small.bin', await localTarget.read('small.bin'), { size: body.length }));
      assert.equal(proxy.fired.length, 1, 'the data connection was cut');
      assert.deepEqual(readdirSync(dir), ['other.txt'], 'nothing under the real name, no temp');
      cuts = 1;
      const e = await copyVerified('small.bin', localTarget, target, await entryOf(localTarget, 'small.bin'), { retry: { retries: 2, sleepMs: 10 } });
      assert.equal(proxy.fired.length, 2, 'the copy step\'s first try was cut');
      assert.equal(e.size, body.length);
      assert.equal(sha(readFileSync(path.join(dir, 'small.bin'))), sha(body));
      assert.deepEqual(readdirSync(dir).sort(), ['other.txt', 'small.bin']);
    });

    // (the harness's ProFTPD refuses APPE: "451 Append/Restart not permitted", its AllowStoreRestart default)
    if (daemon === 'pure-ftpd') await step(t, 'a resumable upload continues a partial on the server from an offset (APPE) exactly', async () => {
      const body = randomBytes(11 * MiB + 99);
      const { dir, target, from, localTarget } = setup();
      await localTarget.mkdir('');
      write(from, { 'f.bin': body });
      const tmp = '.rs-tmp-part-test';
      const half = 5 * MiB + 7;
      // the first part the way a cut transfer leaves it
      const first = await target.writePartial(tmp, await localTarget.read('f.bin', undefined, 0, half), 0);
      assert.equal(first, half);
      const rest = await target.writePartial(tmp, await localTarget.read('f.bin', undefined, half), half);
      assert.equal(rest, body.length - half);
      const e = await target.commitPartial(tmp, 'f.bin', { size: body.length });
      assert.equal(e.size, body.length);
      assert.equal(sha(readFileSync(path.join(dir, 'f.bin'))), sha(body));
      assert.deepEqual(readdirSync(dir), ['f.bin']);
    });

    await step(t, 'a data connection reset mid-upload fails that try (nothing under the real name); the copy step\'s retry completes it', async () => {
      const body = randomBytes(9 * MiB);
      /** data connections still to cut after 3 MiB */
      let cuts = 1;
      const proxy = await FaultProxy.start({
        target: { host: server.host, port: server.port }, ftp: true,
        fault: (c) => (c.kind === 'data' && cuts > 0 ? (cuts--, { direction: 'up', after: 3 * MiB, action: 'reset' }) : undefined),
      });
      closers.push(() => proxy.stop());
      const { dir, target, from, localTarget } = setup(proxy);
      await localTarget.mkdir('');
      write(from, { 'big.bin': body });
      // one try: an error, and no file under the real name, no temp
      await assert.rejects(target.write('big.bin', await localTarget.read('big.bin'), { size: body.length }));
      assert.deepEqual(readdirSync(dir), []);
      assert.equal(proxy.fired.length, 1);
      // the copy step: its first try is cut too, the next one (a fresh read of the file) completes
      cuts = 1;
      const e = await copyVerified('big.bin', localTarget, target, await entryOf(localTarget, 'big.bin'), { retry: { retries: 2, sleepMs: 10 } });
      assert.equal(proxy.fired.length, 2, 'the copy step\'s first try was cut');
      assert.equal(e.size, body.length);
      assert.equal(sha(readFileSync(path.join(dir, 'big.bin'))), sha(body));
    });
  });
}

async function step(t: TestContext, name: string, fn: () => Promise<void>): Promise<void> {
  await t.test(name, fn);
}
