// A local folder the user cannot read (permission denied), with a synced copy on the other side:
// the run reports that folder as an error, leaves it alone on both sides (its files on the other
// side are NOT deleted), and goes on with the rest. Runs the remote-sync command as the unprivileged
// test user (root reads everything); dist/cli.js when built, else the source through tsx.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliArgs } from '../harness/cli.js';
import { ensureTestUser } from '../harness/users.js';
import { skipOrFail } from '../harness/env.js';
import { writeFile, T12, T13 } from '../harness/fixture.js';
import { filesOnly, hashesOf, treeHashes } from './names-helpers.js';


test('a local folder that cannot be read (permission denied): an error for that folder, nothing deleted on the server, the rest synced', async (ctx) => {
  const user = ensureTestUser();
  if ('skip' in user) { const s = skipOrFail(user.skip); ctx.skip(s.skip); return; }
  const base = mkdtempSync(join(tmpdir(), 'rs-unreadable-'));
  const owner = { uid: user.uid, gid: user.gid };
  chownSync(base, owner.uid, owner.gid);
  const local = join(base, 'local');
  const remote = join(base, 'remote');
  const cli = (...args: string[]) => spawnSync(process.execPath, [...cliArgs, ...args], {
    cwd: base, uid: owner.uid, gid: owner.gid, encoding: 'utf8', timeout: 60_000,
    env: { PATH: process.env.PATH, HOME: base, REMOTE_SYNC_PASSWORD: '', NETRC: '/nonexistent' },
  });
  try {
    writeFile(local, 'private/inside.txt', 'inside\n', T12, owner);
    writeFile(local, 'open.txt', 'open\n', T12, owner);
    writeFile(remote, 'open.txt', 'open\n', T12, owner);
    chownSync(local, owner.uid, owner.gid);
    chownSync(remote, owner.uid, owner.gid);
    const first = cli('sync', local, remote);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(readFileSync(join(remote, 'private/inside.txt'), 'utf8'), 'inside\n');

    chmodSync(join(local, 'private'), 0o000);
    writeFile(local, 'new.txt', 'new\n', T13, owner);
    const r = cli('sync', local, remote, '--json');
    chmodSync(join(local, 'private'), 0o755);
    assert.equal(r.status, 1, r.stderr);
    const report = JSON.parse(r.stdout) as { errors: { path: string; message: string }[] };
    assert.deepEqual(report.errors.map((e) => e.path), ['private']);
    assert.match(report.errors[0].message, /Could not read this local folder \(EACCES\)/);
    assert.deepEqual(filesOnly(treeHashes(remote)), hashesOf({ 'new.txt': 'new\n', 'open.txt': 'open\n', 'private/inside.txt': 'inside\n' }),
      'the server copy of the unreadable folder is kept; the rest went on');

    const again = cli('sync', local, remote, '--json');
    assert.equal(again.status, 0, again.stderr);
    const j = JSON.parse(again.stdout) as { actions: unknown[]; errors: unknown[] };
    assert.deepEqual([j.actions, j.errors], [[], []], 'readable again: nothing to do');
    assert.deepEqual(filesOnly(treeHashes(local)), filesOnly(treeHashes(remote)));
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
