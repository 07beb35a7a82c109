// Two SFTP downloads at once on two connections in one process (a group run, a multi-root window),
// each of a file that grew after its open: both pumps (targets/sftp-read.ts) read past the size fstat
// gave with "probe" requests. sftp-direct-data.ts copies a DATA reply into the request's buffer packet
// by packet, over several socket reads, so a probe buffer shared by the two pumps got both servers'
// bytes interleaved — a file of the right size with another server's bytes, under its real name. Each
// pump has its own: both files arrive byte for byte.
//   node --import tsx --test test/integration/sftp-probe-race.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalTarget } from '../../src/core/targets/local.js';
import { SftpTarget } from '../../src/core/targets/sftp.js';
import type { RemoteSpec } from '../../src/core/types.js';
import { skipOrFail } from '../harness/env.js';
import { startSshd } from '../harness/sshd.js';

const MiB = 1024 * 1024;
/** what the server file holds when the download opens it (fstat's size); the rest comes after */
const AT_OPEN = 64 * 1024;
const SIZE = 2 * MiB;
/** the race showed in every round before the fix; a few rounds keep a lucky one from hiding it */
const ROUNDS = 4;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('SFTP: two connections probing past the opened size at once each get their own server\'s bytes', { timeout: 120_000 }, async (t) => {
  const s = await startSshd();
  if ('skip' in s) { t.skip(skipOrFail(s.skip).skip); return; } // under CI: fails
  const localA = mkdtempSync(join(tmpdir(), 'rs-probe-race-a-'));
  const localB = mkdtempSync(join(tmpdir(), 'rs-probe-race-b-'));
  const remoteA = s.makeRemoteDir('probe-race-a');
  const remoteB = s.makeRemoteDir('probe-race-b');
  const spec = (path: string): RemoteSpec => ({ protocol: 'sftp', host: s.host, port: s.port, user: s.user, path, identity: s.keyFile, knownHosts: s.knownHostsFile, agent: false });
  const a = new SftpTarget(spec(remoteA));
  const b = new SftpTarget(spec(remoteB));
  const la = new LocalTarget(localA);
  const lb = new LocalTarget(localB);
  try {
    await Promise.all([a.open(), b.open()]);
    const wrong: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const name = `data${round}.bin`;
      const fileA = randomBytes(SIZE);
      const fileB = randomBytes(SIZE);
      // the server files hold their first 64 KiB when the downloads open them...
      writeFileSync(join(remoteA, name), fileA.subarray(0, AT_OPEN));
      writeFileSync(join(remoteB, name), fileB.subarray(0, AT_OPEN));
      s.chownToUser(remoteA);
      s.chownToUser(remoteB);
      const [ra, rb] = await Promise.all([a.read(name), b.read(name)]);
      // ...and the rest right after: both pumps read it with probes past the opened size, at once
      appendFileSync(join(remoteA, name), fileA.subarray(AT_OPEN));
      appendFileSync(join(remoteB, name), fileB.subarray(AT_OPEN));
      await Promise.all([la.write(name, ra, { size: SIZE }), lb.write(name, rb, { size: SIZE })]);
      const gotA = readFileSync(join(localA, name));
      const gotB = readFileSync(join(localB, name));
      if (!gotA.equals(fileA)) wrong.push(`round ${round}: A's file (${gotA.length} bytes) differs from the server's`);
      if (!gotB.equals(fileB)) wrong.push(`round ${round}: B's file (${gotB.length} bytes) differs from the server's`);
      // (what the local files were compared with is what the servers hold)
      assert.equal(sha(readFileSync(join(remoteA, name))), sha(fileA));
      assert.equal(sha(readFileSync(join(remoteB, name))), sha(fileB));
    }
    assert.deepEqual(wrong, [], 'every downloaded file is byte for byte its own server\'s file');
  } finally {
    await Promise.allSettled([a.close(), b.close()]);
    rmSync(localA, { recursive: true, force: true });
    rmSync(localB, { recursive: true, force: true });
    await s.stop();
  }
});
