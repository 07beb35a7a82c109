// Issue 14 item 3: known_hosts holds only a key of another type for the host, and the server presents
// a key of a type it does not hold. OpenSSH calls that "REMOTE HOST IDENTIFICATION HAS CHANGED"; so do
// we: no prompt, and --accept-new-host-key (acceptNewHostKey) does not add it.
//   node --import tsx --test test/integration/security/hostkey-other-type.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SyncError } from '../../../src/core/errors.js';
import { SftpTarget } from '../../../src/core/targets/sftp.js';
import { checkHostKey } from '../../../src/core/targets/hostkeys.js';
import type { HostKeyInfo, RemoteSpec } from '../../../src/core/types.js';
import { startSshd } from '../../harness/sshd.js';
import * as fake from '../../unit/extension-fake-vscode.js';
import { sourceCliArgs as cliArgs } from '../../harness/cli.js';
import { skipOrFail } from '../../harness/env.js';
import { serveFakeVscode } from '../../unit/fake-vscode-hook.js';

serveFakeVscode();
const { Secrets } = require('../../../src/extension/secrets.js') as typeof import('../../../src/extension/secrets.js');

function keygen(file: string, type: string): string {
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'rs-other', '-f', file], { stdio: 'pipe' });
  return readFileSync(file + '.pub', 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
}

test('a host key of another type than the recorded ones is a changed key', { timeout: 90_000 }, async (t) => {
  const scratch = mkdtempSync(join(tmpdir(), 'rs-hk-'));
  // the real server's key (ecdsa) is recorded; the server answering now has a second key of another type
  const ecdsaKey = join(scratch, 'ssh_host_ecdsa_key');
  const ecdsaLine = keygen(ecdsaKey, 'ecdsa');
  const started = await startSshd({ hostKeyType: 'ed25519', extraConfig: [`HostKey ${ecdsaKey}`] });
  if ('skip' in started) { rmSync(scratch, { recursive: true, force: true }); t.skip(skipOrFail(started.skip).skip); return; }
  const s = started;
  const spec = (knownHosts: string, extra: Partial<RemoteSpec> = {}): RemoteSpec => ({
    protocol: 'sftp', host: s.host, port: s.port, user: s.user, path: s.makeRemoteDir('hk'),
    identity: s.keyFile, knownHosts, agent: false, ...extra,
  });
  try {
    await t.test('the server has the recorded ecdsa key too: it is asked for first, login works', async () => {
      const kh = join(scratch, 'kh-ecdsa');
      writeFileSync(kh, `[127.0.0.1]:${s.port} ${ecdsaLine}\n`, { mode: 0o600 });
      const tg = new SftpTarget(spec(kh));
      try { await tg.open(); } finally { await tg.close(); }
      assert.equal(readFileSync(kh, 'utf8'), `[127.0.0.1]:${s.port} ${ecdsaLine}\n`);
    });

    await t.test('only an rsa key recorded (a type the server lacks), it presents ed25519: refused, nothing added, no prompt', async () => {
      // a third key, of a type this server does not have: as a man in the middle holding only ed25519 sees it
      const otherLine = keygen(join(scratch, 'other_rsa'), 'rsa');
      const kh = join(scratch, 'kh-rsa');
      const before = `[127.0.0.1]:${s.port} ${otherLine}\n`;
      writeFileSync(kh, before, { mode: 0o600 });
      const asked: HostKeyInfo[] = [];
      const tg = new SftpTarget(spec(kh, { acceptNewHostKey: true }), {
        credentials: { confirmHostKey: async (info) => { asked.push(info); return true; } },
      });
      try {
        await assert.rejects(tg.open(), (e: unknown) => {
          assert.ok(e instanceof SyncError, String(e));
          assert.equal(e.code, 'hostkey');
          assert.match(e.message, /REMOTE HOST IDENTIFICATION HAS CHANGED/);
          assert.match(e.message, /has a ssh-rsa key for it and no ssh-ed25519 key/);
          assert.ok(e.message.includes(s.hostKeyFingerprint), e.message);
          return true;
        });
      } finally { await tg.close(); }
      assert.equal(asked.length, 0, 'a changed key is never offered for trust');
      assert.equal(readFileSync(kh, 'utf8'), before, 'known_hosts unchanged');
    });

    await t.test('the CLI with --accept-new-host-key: exit 1, the changed-key message, known_hosts unchanged', () => {
      const kh = join(scratch, 'kh-cli');
      const before = `[127.0.0.1]:${s.port} ${keygen(join(scratch, 'cli_rsa'), 'rsa')}\n`;
      writeFileSync(kh, before, { mode: 0o600 });
      const local = join(scratch, 'cli-local');
      mkdirSync(local);
      const r = spawnSync(process.execPath, [...cliArgs, 'download', local, `sftp://${s.user}@127.0.0.1:${s.port}${s.makeRemoteDir('cli')}`,
        '--identity', s.keyFile, '--known-hosts', kh, '--accept-new-host-key'], {
        encoding: 'utf8', timeout: 60_000, input: '', env: { ...process.env, SSH_AUTH_SOCK: '', REMOTE_SYNC_PASSWORD: '', NETRC: '/nonexistent' },
      });
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /REMOTE HOST IDENTIFICATION HAS CHANGED/);
      assert.equal(readFileSync(kh, 'utf8'), before);
    });

    await t.test('the extension: no "Trust and Connect" dialog for it, the connection fails', async () => {
      const kh = join(scratch, 'kh-ext');
      writeFileSync(kh, `[127.0.0.1]:${s.port} ${keygen(join(scratch, 'ext_rsa'), 'rsa')}\n`, { mode: 0o600 });
      fake.host.reset();
      fake.host.answer = (m) => m.items[0]; // would trust anything it is asked about
      const secrets = new Secrets(new Map() as unknown as import('vscode').SecretStorage, { error() {}, warn() {}, info() {}, debug() {} });
      const tg = new SftpTarget(spec(kh), { credentials: secrets.forLogin('ws').credentials });
      try {
        await assert.rejects(tg.open(), /REMOTE HOST IDENTIFICATION HAS CHANGED/);
      } finally { await tg.close(); }
      assert.deepEqual(fake.host.messages, [], 'no dialog offered trust');
    });

    await t.test('checkHostKey: unknown only when no key at all is recorded for the host', () => {
      const kh = join(scratch, 'kh-unit');
      const blob = Buffer.from(s.hostKeyLine.split(' ')[1], 'base64');
      writeFileSync(kh, `other.example ${ecdsaLine}\n`);
      assert.deepEqual(checkHostKey(kh, s.host, s.port, blob), { status: 'unknown' });
      writeFileSync(kh, `other.example ${ecdsaLine}\n[127.0.0.1]:${s.port} ${ecdsaLine}\n`);
      assert.deepEqual(checkHostKey(kh, s.host, s.port, blob), { status: 'changed', line: 2, keyType: 'ecdsa-sha2-nistp256' });
    });
  } finally {
    await s.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
});
