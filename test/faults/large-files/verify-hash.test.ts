// Issue 11 item 2: "verify": "hash" compares a content hash of both sides after each transfer, with
// the server's own hashing where it has one (ProFTPD's mod_digest: HASH / XSHA256; OpenSSH: sha256sum
// over an exec channel), else by reading the file back (pure-ftpd); the result says which method
// each side used. --checksum on a first sync finds an edit of the same size with a restored mtime.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RemoteSpec } from '../../../src/core/types.js';
import { SyncSession } from '../../../src/core/session.js';
import { createTarget, remoteId } from '../../../src/core/targets/index.js';
import { FtpTarget } from '../../../src/core/targets/ftp.js';
import { skipOrFail } from '../../harness/env.js';
import { startFtpd, type FtpdServer } from '../../harness/ftpd.js';
import { ensureTestUser } from '../../harness/users.js';
import { hashesOf, hashTree, makeEnv, writeTree, type FaultEnv } from '../env.js';

const MiB = 1024 * 1024;

function session(local: string, spec: RemoteSpec): SyncSession {
  return new SyncSession({
    local: createTarget({ protocol: 'local', path: local }), remote: createTarget(spec, { concurrency: 2 }),
    localRoot: local, remoteId: remoteId(spec),
  });
}

let digestFtpd: Promise<FtpdServer | { skip: string }> | undefined;
after(async () => { const s = await digestFtpd; if (s && !('skip' in s)) await s.stop(); });

/** ProFTPD with mod_digest, and a local folder */
async function digestEnv(): Promise<{ local: string; remoteFs: string; spec: RemoteSpec; owner: { uid: number; gid: number }; cleanup(): void } | { skip: string }> {
  digestFtpd ??= startFtpd({ tls: 'none', daemon: 'proftpd', digest: true });
  const s = await digestFtpd;
  if ('skip' in s) return skipOrFail(s.skip);
  const user = ensureTestUser();
  if ('skip' in user) return skipOrFail(user.skip);
  const base = mkdtempSync(join(tmpdir(), 'rs-digest-'));
  const local = join(base, 'local');
  mkdirSync(local);
  const dir = s.makeRemoteDir(`digest-${randomBytes(3).toString('hex')}`);
  return {
    local, remoteFs: dir.absolute, owner: { uid: user.uid, gid: user.gid },
    spec: { protocol: 'ftp', host: s.host, port: s.port, user: s.user, password: s.password, path: dir.ftpPath },
    cleanup: () => { rmSync(base, { recursive: true, force: true }); rmSync(dir.absolute, { recursive: true, force: true }); },
  };
}

test('ftp (ProFTPD mod_digest): FEAT offers HASH / XSHA256; verify "hash" uses the server\'s hash, uploads and downloads', async (t) => {
  const env = await digestEnv();
  if ('skip' in env) { t.skip(env.skip); return; }
  try {
    const ftp = new FtpTarget(env.spec);
    try {
      writeTree(env.remoteFs, { 'probe.txt': 'abc' }, env.owner);
      const h = await ftp.serverHash('probe.txt', ['sha256']);
      assert.ok(h, 'the server hashes');
      assert.equal(h.hex, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
      assert.match(h.method, /^FTP (HASH|XSHA256)$/);
    } finally {
      await ftp.close();
    }
    const files = { 'up.bin': randomBytes(3 * MiB) };
    writeTree(env.local, files);
    writeTree(env.remoteFs, { 'down.bin': randomBytes(MiB) }, env.owner);
    const s = session(env.local, env.spec);
    try {
      const r = await s.run({ mode: 'sync', transfer: { verify: 'hash' } });
      assert.deepEqual(r.errors, []);
      assert.equal(r.stats.uploaded + r.stats.downloaded, 3, 'probe.txt, down.bin down; up.bin up');
      assert.ok(r.hashMethods);
      assert.ok(r.hashMethods.remote.every((m) => /^FTP (HASH|XSHA256)$/.test(m)), r.hashMethods.remote.join());
      assert.deepEqual(r.hashMethods.local, ['read']);
    } finally {
      await s.close();
    }
    assert.deepEqual(hashTree(env.local), hashTree(env.remoteFs, false));
  } finally {
    env.cleanup();
  }
});

function envTest(name: string, kind: 'sftp' | 'ftp', fn: (env: FaultEnv) => Promise<void>) {
  test(`${kind}: ${name}`, async (t) => {
    const env = await makeEnv(kind, name.replace(/\W+/g, '-').slice(0, 24));
    if ('skip' in env) { t.skip(env.skip); return; }
    try { await fn(env); } finally { await env.cleanup(); }
  });
}

/** uploads one 1 MiB file with verify "hash" (no errors): the files and how each side was hashed */
async function uploadVerifyingHash(env: FaultEnv) {
  const files = { 'a.bin': randomBytes(MiB) };
  writeTree(env.local, files);
  const s = session(env.local, env.spec);
  try {
    const r = await s.run({ mode: 'upload', transfer: { verify: 'hash' } });
    assert.deepEqual(r.errors, []);
    return { files, hashMethods: r.hashMethods };
  } finally {
    await s.close();
  }
}

envTest('pure-ftpd offers no hash: verify "hash" reads the file back', 'ftp', async (env) => {
  const { files, hashMethods } = await uploadVerifyingHash(env);
  assert.deepEqual(hashMethods, { local: ['read'], remote: ['read back'] });
  assert.deepEqual(hashTree(env.remoteFs, false), hashesOf(files));
});

envTest('OpenSSH: verify "hash" runs sha256sum over an exec channel', 'sftp', async (env) => {
  const { hashMethods } = await uploadVerifyingHash(env);
  assert.deepEqual(hashMethods, { local: ['read'], remote: ['sha256sum over SSH'] });
});

for (const kind of ['sftp', 'ftp'] as const) {
  envTest('--checksum finds an edit of the same size with a restored mtime on a first sync (without it, it is taken as equal)', kind, async (env) => {
    const t = new Date('2026-01-02T03:04:05Z');
    writeTree(env.local, { 'same.txt': 'the same text', 'edited.txt': 'version one!' });
    writeTree(env.remoteFs, { 'same.txt': 'the same text', 'edited.txt': 'version two!' }, env.owner);
    for (const root of [env.local, env.remoteFs]) for (const f of ['same.txt', 'edited.txt']) utimesSync(join(root, f), t, t);
    const plain = session(env.local, env.spec);
    try {
      const p = await plain.plan({ mode: 'sync' });
      assert.deepEqual(p.actions.filter((a) => a.kind === 'conflict'), [], 'equal size and time: taken as equal');
    } finally {
      await plain.close();
    }
    const s = session(env.local, env.spec);
    try {
      const r = await s.run({ mode: 'sync', checksum: true });
      assert.deepEqual(r.conflicts.map((c) => `${c.path}: ${c.reason}`), ['edited.txt: on both sides, never synced (contents differ); skipped (--resolve skip)']);
      assert.deepEqual(r.plan.stateOnly.map((a) => a.path), ['same.txt'], 'the identical file is recorded as equal');
    } finally {
      await s.close();
    }
  });
}
