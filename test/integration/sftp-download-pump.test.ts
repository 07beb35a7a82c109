// An SFTP download straight into a local file (targets/sftp-read.ts: the read stream's fd pump, which
// writeToFd takes): reads into a few reused buffers written in order. The same bytes as the stream
// way, from an offset too; a file that shrinks or grows while it is read, a dropped connection and a
// cancel are errors, never a file of the wrong size under the real name; a stream already read the
// stream way is not taken over by the pump; a bandwidth limit paces it.
//   node --import tsx --test test/integration/sftp-download-pump.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SyncError } from '../../src/core/errors.js';
import { LocalTarget } from '../../src/core/targets/local.js';
import { SftpTarget } from '../../src/core/targets/sftp.js';
import { fdPumpOf } from '../../src/core/transfer/fd-pump.js';
import { writeToFd } from '../../src/core/transfer/file-sink.js';
import { BandwidthLimiter, parseBandwidth, throttled } from '../../src/core/transfer/bandwidth.js';
import type { RemoteSpec } from '../../src/core/types.js';
import { skipOrFail } from '../harness/env.js';
import { startSshd } from '../harness/sshd.js';

const MiB = 1024 * 1024;
const T = { timeout: 120_000 };
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const temps = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('.rs-tmp'));

test('SFTP downloads through the fd pump', async (t) => {
  const s = await startSshd();
  if ('skip' in s) { t.skip(skipOrFail(s.skip).skip); return; } // under CI: fails
  const local = mkdtempSync(join(tmpdir(), 'rs-sftp-pump-'));
  const remote = s.makeRemoteDir('pump');
  const spec: RemoteSpec = { protocol: 'sftp', host: s.host, port: s.port, user: s.user, path: remote, identity: s.keyFile, knownHosts: s.knownHostsFile, agent: false };
  const tg = new SftpTarget(spec);
  const lt = new LocalTarget(local);
  const put = (name: string, data: Buffer) => { writeFileSync(join(remote, name), data); s.chownToUser(join(remote, name)); };
  try {
    await t.test('a download into a local file takes the pump; the same bytes, also from an offset', T, async () => {
      const data = randomBytes(5 * MiB + 12_345);
      put('five.bin', data);
      const r = await tg.read('five.bin');
      assert.equal(typeof fdPumpOf(r), 'function', 'the read stream offers its pump');
      const e = await lt.write('five.bin', r, { size: data.length });
      assert.equal(e.size, data.length);
      assert.equal(sha(readFileSync(join(local, 'five.bin'))), sha(data));
      // a resumed download: from an offset, appended at the file's position
      const from = 3 * MiB + 7;
      const file = join(local, 'resumed.bin');
      writeFileSync(file, data.subarray(0, from));
      const fd = openSync(file, 'a');
      try {
        assert.equal(await writeToFd(await tg.read('five.bin', undefined, from), fd, { size: data.length - from }), data.length - from);
      } finally { closeSync(fd); }
      assert.equal(sha(readFileSync(file)), sha(data));
    });

    await t.test('a stream already read the stream way is not taken over by the pump', T, async () => {
      const data = randomBytes(3 * MiB);
      put('started.bin', data);
      const r = await tg.read('started.bin');
      await new Promise((res) => r.once('readable', res)); // reading began (no 'data' yet)
      assert.equal(fdPumpOf(r), undefined);
      await lt.write('started.bin', r, { size: data.length });
      assert.equal(sha(readFileSync(join(local, 'started.bin'))), sha(data));
    });

    await t.test('a file cut short on the server while it is pumped: an error naming the size, no file under its name', T, async () => {
      const size = 16 * MiB;
      put('shrinks.bin', randomBytes(size));
      let cut = false;
      await assert.rejects(lt.write('shrinks.bin', await tg.read('shrinks.bin'), {
        size, onProgress: () => { if (!cut) { cut = true; truncateSync(join(remote, 'shrinks.bin'), MiB); } },
      }), (e: unknown) => e instanceof SyncError && /shrinks\.bin/.test(e.message) && new RegExp(String(size)).test(e.message));
      assert.equal(existsSync(join(local, 'shrinks.bin')), false);
      assert.deepEqual(temps(local), []);
    });

    await t.test('a file that grows while it is pumped: the bytes past the size it had are read too, and the size check fails', T, async () => {
      const size = 4 * MiB;
      put('grows.bin', randomBytes(size));
      let grown = false;
      await assert.rejects(lt.write('grows.bin', await tg.read('grows.bin'), {
        size, onProgress: () => { if (!grown) { grown = true; appendFileSync(join(remote, 'grows.bin'), randomBytes(100_000)); } },
      }), (e: unknown) => e instanceof SyncError && /grows\.bin/.test(e.message) && new RegExp(String(size + 100_000)).test(e.message));
      assert.equal(existsSync(join(local, 'grows.bin')), false);
      assert.deepEqual(temps(local), []);
    });

    await t.test('a connection dropped in the middle: the download fails as a lost connection, nothing under its name', T, async () => {
      const size = 32 * MiB;
      put('dropped.bin', randomBytes(size));
      let killed = false;
      await assert.rejects(lt.write('dropped.bin', await tg.read('dropped.bin'), {
        size, onProgress: (n) => { if (!killed && n >= 2 * MiB) { killed = true; s.killConnections(); } },
      }), (e: unknown) => e instanceof SyncError && e.code === 'connect');
      assert.ok(killed);
      assert.equal(existsSync(join(local, 'dropped.bin')), false);
      assert.deepEqual(temps(local), []);
      // the target reconnects for the next transfer
      const data = randomBytes(MiB);
      put('after.bin', data);
      await lt.write('after.bin', await tg.read('after.bin'), { size: data.length });
      assert.equal(sha(readFileSync(join(local, 'after.bin'))), sha(data));
    });

    await t.test('cancelled in the middle: an abort, nothing under its name', T, async () => {
      const size = 32 * MiB;
      put('cancelled.bin', randomBytes(size));
      const ac = new AbortController();
      await assert.rejects(lt.write('cancelled.bin', await tg.read('cancelled.bin', ac.signal), {
        size, signal: ac.signal, onProgress: (n) => { if (n >= MiB) ac.abort(); },
      }), (e: unknown) => e instanceof SyncError && e.code === 'aborted');
      assert.equal(existsSync(join(local, 'cancelled.bin')), false);
      assert.deepEqual(temps(local), []);
    });

    await t.test('under a bandwidth limit the pump is paced', T, async () => {
      const data = randomBytes(2 * MiB);
      put('paced.bin', data);
      const limiter = new BandwidthLimiter(parseBandwidth('4M')); // ~0.5 s for 2 MiB
      const paced = throttled(await tg.read('paced.bin'), limiter);
      assert.equal(typeof fdPumpOf(paced), 'function', 'the limit keeps the pump');
      const t0 = Date.now();
      await lt.write('paced.bin', paced, { size: data.length });
      const ms = Date.now() - t0;
      assert.ok(ms >= 300, `${ms} ms for 2 MiB at 4 MiB/s`);
      assert.equal(sha(readFileSync(join(local, 'paced.bin'))), sha(data));
    });
  } finally {
    await tg.close();
    rmSync(local, { recursive: true, force: true });
    await s.stop();
  }
});
