// A host key accepted on first use is appended to the "knownHosts" file, which a config may name
// freely: never to an authorized_keys file (by name, or by its lines), where a line for a host named
// like an option ("restrict ssh-ed25519 AAAA…") would be a key allowed to log in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendHostKey, checkHostKey, notAKnownHostsFile, verifyHostKey } from '../../src/core/targets/hostkeys.js';

// an ed25519 public key blob: string "ssh-ed25519" + string(32 bytes)
const blob = (() => {
  const type = Buffer.from('ssh-ed25519');
  const key = Buffer.alloc(32, 7);
  const len = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
  return Buffer.concat([len(type.length), type, len(key.length), key]);
})();

test('a known_hosts file (hashed, plain, markers, comments) is appended to', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-kh-'));
  try {
    const file = join(dir, 'known_hosts');
    writeFileSync(file, '# comment\n|1|abc=|def= ssh-ed25519 AAAAC3Nz\nexample.com,1.2.3.4 ecdsa-sha2-nistp256 AAAAE2Vj\n@cert-authority *.example.com ssh-rsa AAAAB3\n[h]:2222 ssh-rsa AAAAB3');
    appendHostKey(file, 'restrict', 22, blob);
    assert.equal(checkHostKey(file, 'restrict', 22, blob).status, 'known');
    assert.match(readFileSync(file, 'utf8'), /AAAAB3\nrestrict ssh-ed25519 /, 'on a line of its own');
    assert.equal(notAKnownHostsFile(join(dir, 'new_known_hosts'), ''), undefined, 'a new file');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an authorized_keys file (by its name or by its lines) is never appended to', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-kh-'));
  try {
    const byName = join(dir, 'authorized_keys');
    await assert.rejects(verifyHostKey(blob, { knownHostsFile: byName, host: 'restrict', port: 22, acceptNew: true }), /Cannot record the host key of restrict.*/);
    assert.throws(() => appendHostKey(join(dir, 'authorized_keys2'), 'restrict', 22, blob), /is an authorized_keys file, not a known_hosts file/);
    for (const line of ['ssh-ed25519 AAAAC3Nz user@laptop', 'restrict,command="ls" ssh-ed25519 AAAAC3Nz me', 'no-pty ssh-rsa AAAAB3 x', 'from="10.0.0.1" ecdsa-sha2-nistp256 AAAAE2 y', 'sk-ssh-ed25519@openssh.com AAAA z']) {
      const file = join(dir, 'keys');
      writeFileSync(file, `# mine\n${line}\n`);
      assert.throws(() => appendHostKey(file, 'restrict', 22, blob), /line 2 is an authorized_keys entry, not a known_hosts one; nothing was written to it/, line);
      assert.equal(readFileSync(file, 'utf8'), `# mine\n${line}\n`, 'unchanged');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
