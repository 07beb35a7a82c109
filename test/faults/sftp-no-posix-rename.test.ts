// SFTP servers without posix-rename@openssh.com (OpenSSH's `sftp-server -P posix-rename` drops it from
// its list): a file is replaced with the protocol's rename, which refuses an existing name, then
// remove + rename — every overwrite and save still goes through, nothing is left behind. One refusing
// renames altogether leaves the old file whole. Against the real sshd with `internal-sftp -P …`.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startSshd, type SshdServer } from '../harness/sshd.js';
import { skipOrFail, session, type SyncEnv } from '../harness/env.js';
import { writeFile, T12, T13 } from '../harness/fixture.js';

const servers: SshdServer[] = [];
after(async () => { for (const s of servers) await s.stop(); });

async function envWith(denied: string, label: string): Promise<SyncEnv | { skip: string }> {
  const s = await startSshd({ sftpSubsystem: `internal-sftp -P ${denied}` });
  if ('skip' in s) return skipOrFail(s.skip);
  servers.push(s);
  const base = mkdtempSync(join(tmpdir(), `rs-noposix-${label}-`));
  const local = join(base, 'local');
  mkdirSync(local);
  const remoteFs = s.makeRemoteDir(label);
  return {
    name: 'sftp', local, remoteFs, owner: { uid: s.uid, gid: s.gid },
    spec: { protocol: 'sftp', host: s.host, port: s.port, user: s.user, path: remoteFs, identity: s.keyFile, knownHosts: s.knownHostsFile, agent: false },
    cleanup: () => { rmSync(base, { recursive: true, force: true }); rmSync(remoteFs, { recursive: true, force: true }); },
  };
}

test('no posix-rename: overwrites and saves go through with remove + rename, again and again', async (ctx) => {
  const env = await envWith('posix-rename', 'posix');
  if ('skip' in env) { ctx.skip(env.skip); return; }
  const s = session(env);
  try {
    writeFile(env.local, 'a.txt', 'one\n', T12);
    writeFile(env.local, 'b.txt', 'one\n', T12);
    assert.deepEqual((await s.run({ mode: 'sync' })).errors, []);
    for (const [i, text] of ['two\n', 'three\n'].entries()) {
      writeFile(env.local, 'a.txt', text, T13 + i * 1000);
      writeFile(env.local, 'b.txt', text, T13 + i * 1000);
      const r = await s.run({ mode: 'sync' });
      assert.deepEqual(r.errors, []);
      assert.equal(r.stats.uploaded, 2);
      assert.equal(readFileSync(join(env.remoteFs, 'a.txt'), 'utf8'), text);
      assert.equal(readFileSync(join(env.remoteFs, 'b.txt'), 'utf8'), text);
    }
    // a save goes the same way
    writeFile(env.local, 'a.txt', 'saved\n', T13 + 5000);
    await s.saveFiles(['a.txt']);
    assert.equal(readFileSync(join(env.remoteFs, 'a.txt'), 'utf8'), 'saved\n');
    assert.deepEqual(readdirSync(env.remoteFs).filter((n) => n.startsWith('.rs-tmp')), [], 'no temp left');
  } finally {
    await s.close();
    env.cleanup();
  }
});

test('both renames refused: the upload fails, the old file on the server stays whole, no temp is left', async (ctx) => {
  const env = await envWith('posix-rename,rename', 'norename');
  if ('skip' in env) { ctx.skip(env.skip); return; }
  const s = session(env);
  try {
    writeFile(env.remoteFs, 'a.txt', 'server copy\n', T12, env.owner);
    writeFile(env.local, 'a.txt', 'server copy\n', T12);
    writeFile(env.local, 'keep.txt', 'k\n', T12);
    writeFile(env.remoteFs, 'keep.txt', 'k\n', T12, env.owner);
    assert.deepEqual((await s.run({ mode: 'sync' })).errors, []);
    writeFile(env.local, 'a.txt', 'new local copy\n', T13);
    const r = await s.run({ mode: 'sync' });
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0].path, 'a.txt');
    assert.match(r.errors[0].message, /denied|permission/i);
    assert.equal(readFileSync(join(env.remoteFs, 'a.txt'), 'utf8'), 'server copy\n', 'the old file is whole');
    assert.deepEqual(readdirSync(env.remoteFs).filter((n) => n.startsWith('.rs-tmp')), [], 'no temp left');
  } finally {
    await s.close();
    env.cleanup();
  }
});
