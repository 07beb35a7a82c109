// A server that re-keys during a transfer (OpenSSH's RekeyLimit; by default after 1–4 GB, here every
// MiB so that a 9 MiB file sees several key exchanges mid-file). ssh2 asks the host verifier again on
// each one; an asynchronous answer there let ssh2 send a window adjust with the old keys before its
// NEWKEYS and OpenSSH dropped the connection ("No response from server", every download here). The
// re-key is now answered at once (targets/ssh/session-host-key.ts). `--retries 0`: a retry must not
// hide a cut. Each cipher family, both directions, byte for byte.
//   node --import tsx --test test/integration/sftp-rekey.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliProcess, useBundle } from '../harness/cli.js';
import { skipOrFail } from '../harness/env.js';
import { startSshd } from '../harness/sshd.js';

const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const CASES: [string, string[]][] = [
  ['AES-GCM (the default)', []],
  ['ChaCha20-Poly1305', ['Ciphers chacha20-poly1305@openssh.com']],
];

for (const [name, ciphers] of CASES) {
  test(`SFTP with a re-key every MiB, ${name}: download and upload of 9 MiB complete byte for byte (${useBundle ? 'bundled CLI' : 'CLI from the source'})`, { timeout: 180_000 }, async (t) => {
    const s = await startSshd({ extraConfig: ['RekeyLimit 1M', ...ciphers] });
    if ('skip' in s) { t.skip(skipOrFail(s.skip).skip); return; } // under CI: fails
    const scratch = mkdtempSync(join(tmpdir(), 'rs-rekey-'));
    try {
      const auth = ['--identity', s.keyFile, '--known-hosts', s.knownHostsFile, '--retries', '0', '-q'];
      const env = { HOME: scratch, SSH_AUTH_SOCK: '' };
      // down
      const remote = s.makeRemoteDir('rekey-down');
      const down = randomBytes(9 * MiB + 777);
      writeFileSync(join(remote, 'big.bin'), down);
      s.chownToUser(remote);
      const local = join(scratch, 'down');
      mkdirSync(local);
      const r = runCliProcess(['download', local, `sftp://${s.user}@127.0.0.1:${s.port}${remote}`, ...auth], { cwd: scratch, env });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(sha(readFileSync(join(local, 'big.bin'))), sha(down), 'downloaded bytes');
      // up
      const src = join(scratch, 'up');
      mkdirSync(src);
      const up = randomBytes(9 * MiB + 333);
      writeFileSync(join(src, 'big.bin'), up);
      const target = s.makeRemoteDir('rekey-up');
      const u = runCliProcess(['upload', src, `sftp://${s.user}@127.0.0.1:${s.port}${target}`, ...auth], { cwd: scratch, env });
      assert.equal(u.code, 0, u.stdout + u.stderr);
      assert.equal(sha(readFileSync(join(target, 'big.bin'))), sha(up), 'uploaded bytes');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
      await s.stop();
    }
  });
}
