// The SSH socket's reads into one reused buffer (targets/ssh/socket-reads.ts): ssh2 gets views of it
// only while its decipher copies what it decrypts — which is the case in the bundle (no native
// add-on), so the downloads here run through the `remote-sync` command (dist/cli.js when built, as
// under CI; else the source, where the add-on's decipher gets copies). With each cipher family the
// server may choose (AES-GCM, AES-CTR + HMAC, ChaCha20-Poly1305, which must get copies) the files
// arrive byte for byte. (A key exchange in the middle of a transfer — sshd's RekeyLimit — is
// sftp-rekey.test.ts.)
//   npm run build && node --import tsx --test test/integration/sftp-socket-reads.test.ts
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
  ['AES-CTR with HMAC-SHA2-256 (encrypt-then-MAC)', ['Ciphers aes128-ctr', 'MACs hmac-sha2-256-etm@openssh.com']],
  ['ChaCha20-Poly1305 (its decipher keeps a packet until the MAC: copies)', ['Ciphers chacha20-poly1305@openssh.com']],
];

for (const [name, extraConfig] of CASES) {
  test(`SFTP download with ${name}: byte for byte (${useBundle ? 'bundled CLI' : 'CLI from the source'})`, { timeout: 180_000 }, async (t) => {
    const s = await startSshd({ extraConfig });
    if ('skip' in s) { t.skip(skipOrFail(s.skip).skip); return; } // under CI: fails
    const scratch = mkdtempSync(join(tmpdir(), 'rs-socket-reads-'));
    try {
      const remote = s.makeRemoteDir('reads');
      const files = { 'big.bin': randomBytes(9 * MiB + 1234), 'small.txt': randomBytes(3000) };
      for (const [n, b] of Object.entries(files)) writeFileSync(join(remote, n), b);
      s.chownToUser(remote);
      const local = join(scratch, 'local');
      mkdirSync(local);
      const r = runCliProcess(['download', local, `sftp://${s.user}@127.0.0.1:${s.port}${remote}`, '--identity', s.keyFile, '--known-hosts', s.knownHostsFile, '-q'],
        { cwd: scratch, env: { HOME: scratch, SSH_AUTH_SOCK: '' } });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      for (const [n, b] of Object.entries(files)) assert.equal(sha(readFileSync(join(local, n))), sha(b), n);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
      await s.stop();
    }
  });
}
