// Symbolic links (server side and local: to outside folders, loops), names a side cannot hold, and
// entries that cannot be read — against the real sshd, the real pure-ftpd and a local folder. Each
// test checks the sha256 of every file on both sides, that nothing outside the roots changed, that
// the server holds only the user's files, and that a further fault-free run has nothing to do.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, lchownSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { runOnce } from '../harness/env.js';
import { SyncSession } from '../../src/core/session.js';
import { LocalTarget } from '../../src/core/targets/local.js';
import { remoteId } from '../../src/core/targets/index.js';
import { writeFile, T12, T13 } from '../harness/fixture.js';
import { exitCodeForResult } from '../../src/cli/exit-codes.js';
import { filesOnly, hashesOf, sha, treeHashes } from './names-helpers.js';
import { envTest, ftpEnv, linkEnvKinds, localEnv, sftpEnv, type LinkEnv } from './names-envs.js';

const PRECIOUS = sha('precious, outside the sync\n');
const kinds = linkEnvKinds;

const t = envTest;

function serverLink(env: LinkEnv, rel: string, target: string): void {
  symlinkSync(target, join(env.remoteFs, rel));
  if (env.owner) lchownSync(join(env.remoteFs, rel), env.owner.uid, env.owner.gid);
}

function assertOutsideIntact(env: LinkEnv): void {
  assert.deepEqual(treeHashes(env.outside), { 'precious.txt': PRECIOUS }, 'nothing outside the roots touched');
}

const nothingToDo = async (env: LinkEnv, what = 'nothing to do') => {
  const again = await runOnce(env, { mode: 'sync' });
  assert.deepEqual(again.plan.actions.map((a) => `${a.kind} ${a.path}`), [], what);
  return again;
};

for (const [kind, make] of kinds) {
  t(kind, make, 'deleting a folder that is a server-side link (or holds one) removes the link only', async (env) => {
    writeFile(env.remoteFs, 'plain.txt', 'plain\n', T12, env.owner);
    writeFile(env.remoteFs, 'dir/f.txt', 'f\n', T12, env.owner);
    serverLink(env, 'shared', env.outside);
    serverLink(env, 'dir/link', env.outside);
    const first = await runOnce(env, { mode: 'sync' });
    assert.deepEqual(first.errors, []);
    const followed = kind !== 'ftp'; // pure-ftpd shows links as links: they are left out
    assert.equal(existsSync(join(env.local, 'shared/precious.txt')), followed);
    assert.equal(existsSync(join(env.local, 'dir/link/precious.txt')), followed);

    rmSync(join(env.local, 'shared'), { recursive: true, force: true });
    rmSync(join(env.local, 'dir'), { recursive: true });
    const r = await runOnce(env, { mode: 'sync', maxDelete: '100%' });
    assert.deepEqual(r.errors, []);
    assertOutsideIntact(env);
    assert.equal(existsSync(join(env.remoteFs, 'dir')), false, 'the folder went, with the link in it');
    if (followed) assert.throws(() => lstatSync(join(env.remoteFs, 'shared')), /ENOENT/, 'the link itself removed');
    else assert.ok(lstatSync(join(env.remoteFs, 'shared')).isSymbolicLink(), 'a link never synced is left alone');
    assert.deepEqual(filesOnly(treeHashes(env.local)), hashesOf({ 'plain.txt': 'plain\n' }));
    assert.deepEqual(filesOnly(treeHashes(env.remoteFs)), hashesOf({ 'plain.txt': 'plain\n' }));
    await nothingToDo(env);
    assertOutsideIntact(env);
  });

  t(kind, make, 'a server-side link loop is never followed', async (env) => {
    writeFile(env.remoteFs, 'a.txt', 'a\n', T12, env.owner);
    writeFile(env.remoteFs, 'sub/b.txt', 'b\n', T12, env.owner);
    serverLink(env, 'sub/loop', '..');
    const r = await runOnce(env, { mode: 'sync' });
    // SFTP and local folders report the loop (an entry not synced); pure-ftpd shows links as links (left out)
    assert.deepEqual(r.errors.map((e) => e.path), kind === 'ftp' ? [] : ['sub/loop']);
    if (kind !== 'ftp') assert.match(r.errors[0].message, /loop/);
    assert.deepEqual(filesOnly(treeHashes(env.local)), hashesOf({ 'a.txt': 'a\n', 'sub/b.txt': 'b\n' }));
    await nothingToDo(env);
  });

  t(kind, make, 'local links: a loop is reported and never uploaded (nor the state folder); a link to an outside folder is followed, and deleting it removes the link only', async (env) => {
    writeFile(env.local, 'a.txt', 'a\n', T12);
    symlinkSync('.', join(env.local, 'loop'));
    symlinkSync(env.outside, join(env.local, 'ext'));
    const r = await runOnce(env, { mode: 'sync' });
    assert.deepEqual(r.errors.map((e) => e.path), ['loop']);
    assert.match(r.errors[0].message, /loop/);
    assert.equal(exitCodeForResult(r), 1);
    const server = { 'a.txt': 'a\n', 'ext/precious.txt': 'precious, outside the sync\n' };
    assert.deepEqual(filesOnly(treeHashes(env.remoteFs)), hashesOf(server), 'nothing but the user\'s files on the server');
    const again = await nothingToDo(env, 'second run: nothing to do (no .remote-sync uploads)');
    assert.equal(again.errors.length, 1, 'the loop is still reported');

    rmSync(join(env.remoteFs, 'ext'), { recursive: true });
    const del = await runOnce(env, { mode: 'sync', maxDelete: '100%' });
    assert.deepEqual(del.done.map((a) => `${a.kind} ${a.path}`), ['delete-local ext']);
    assert.equal(existsSync(join(env.local, 'ext')), false);
    assertOutsideIntact(env);
    const excluded = await runOnce(env, { mode: 'sync' }, { exclude: ['loop'] });
    assert.deepEqual(excluded.errors, [], 'excluded by a filter: not reported');
    assert.deepEqual(excluded.plan.actions, []);
  });

  t(kind, make, 'a local name no server can hold (back\\slash.txt) is reported, exit 1; excluded, it is not', async (env) => {
    writeFile(env.local, 'back\\slash.txt', 'b\n', T12);
    writeFile(env.local, 'ok.txt', 'ok\n', T12);
    const r = await runOnce(env, { mode: 'sync' });
    assert.deepEqual(r.errors.map((e) => e.path), ['back\\slash.txt']);
    assert.match(r.errors[0].message, /not a plain file name.*Rename it, or exclude it/);
    assert.equal(exitCodeForResult(r), 1);
    const dry = await runOnce(env, { mode: 'sync', dryRun: true });
    assert.equal(dry.errors.length, 1, 'a dry run reports it too');
    assert.deepEqual(filesOnly(treeHashes(env.remoteFs)), hashesOf({ 'ok.txt': 'ok\n' }));
    const excluded = await runOnce(env, { mode: 'sync' }, { exclude: ['*slash*'] });
    assert.deepEqual(excluded.errors, []);
    assert.equal(exitCodeForResult(excluded), 0);
  });

  t(kind, make, 'a nested .remote-sync folder (another pair\'s state) and a server file named .remote-sync are never synced', async (env) => {
    writeFile(env.local, 'sub/.remote-sync/0123456789abcdef.json', '{"secret":"state of another pair"}', T12);
    writeFile(env.local, 'sub/page.html', 'page\n', T12);
    writeFile(env.remoteFs, '.remote-sync', 'a server file with the reserved name\n', T12, env.owner);
    writeFile(env.remoteFs, 'deep/.remote-sync', 'another\n', T12, env.owner);
    const r = await runOnce(env, { mode: 'sync' });
    assert.deepEqual(r.errors, []);
    assert.deepEqual(filesOnly(treeHashes(env.remoteFs, { keepState: true })), hashesOf({
      '.remote-sync': 'a server file with the reserved name\n', 'deep/.remote-sync': 'another\n', 'sub/page.html': 'page\n',
    }), 'the server got only the user\'s files');
    assert.ok(!existsSync(join(env.local, 'deep/.remote-sync')));
    await nothingToDo(env);
  });
}

t('ftp', ftpEnv, 'pure-ftpd: names it would rewrite (`note ` → `note_`, TAB → `_`) are errors before anything is written; the real note_ survives', async (env) => {
  writeFile(env.remoteFs, 'note_', 'the real note_ on the server\n', T12, env.owner);
  writeFile(env.local, 'note_', 'the real note_ on the server\n', T12);
  await runOnce(env, { mode: 'sync' });
  writeFile(env.local, 'note ', 'trailing space\n', T13);
  writeFile(env.local, 'tab\there.txt', 'tab\n', T13);
  writeFile(env.local, ' lead.txt', 'a leading space is kept as written\n', T13);
  const r = await runOnce(env, { mode: 'sync' });
  assert.deepEqual(r.errors.map((e) => e.path).sort(), ['note ', 'tab\there.txt']);
  assert.ok(r.errors.every((e) => /cannot be stored on the server under this name/.test(e.message)));
  assert.deepEqual(filesOnly(treeHashes(env.remoteFs)), hashesOf({ ' lead.txt': 'a leading space is kept as written\n', note_: 'the real note_ on the server\n' }));
  const again = await runOnce(env, { mode: 'sync' });
  assert.equal(again.done.length, 0);
  assert.deepEqual(again.plan.actions.filter((a) => a.kind !== 'skip'), [], 'nothing to do but to report them again');
  assert.equal(readFileSync(join(env.local, 'note_'), 'utf8'), 'the real note_ on the server\n');
});

for (const [kind, make] of [['sftp', sftpEnv], ['ftp', ftpEnv]] as const) {
t(kind, make, 'a server folder that cannot be read is left alone: nothing local below it is deleted; the run goes on', async (env) => {
  writeFile(env.remoteFs, 'locked/inside.txt', 'inside\n', T12, env.owner);
  writeFile(env.remoteFs, 'open.txt', 'open\n', T12, env.owner);
  await runOnce(env, { mode: 'sync' });
  chmodSync(join(env.remoteFs, 'locked'), 0o000);
  try {
    writeFile(env.local, 'new.txt', 'new\n', T13);
    const r = await runOnce(env, { mode: 'sync' });
    assert.deepEqual(r.errors.map((e) => e.path), ['locked']);
    assert.match(r.errors[0].message, /Could not read this server folder/);
    assert.equal(readFileSync(join(env.local, 'locked/inside.txt'), 'utf8'), 'inside\n', 'not taken as deleted');
    assert.ok(existsSync(join(env.remoteFs, 'new.txt')), 'the rest of the run went on');
  } finally {
    chmodSync(join(env.remoteFs, 'locked'), 0o755);
  }
  await nothingToDo(env);
  assert.deepEqual(filesOnly(treeHashes(env.local)), filesOnly(treeHashes(env.remoteFs)));
});
}

t('local', localEnv, 'a local path over PATH_MAX is an error for that path; the rest of the run goes on and nothing is deleted because of it', async (env) => {
  const seg = 'd'.repeat(200);
  const rel = Array.from({ length: 22 }, () => seg).join('/'); // ~4400 characters
  // made with relative steps (absolute paths that long are refused)
  execFileSync('bash', ['-c', `cd "${env.local}" && for i in $(seq 22); do mkdir ${seg} && cd ${seg}; done && echo deep > deep.txt`]);
  writeFile(env.local, 'ok.txt', 'ok\n', T12);
  try {
    const r = await runOnce(env, { mode: 'sync' });
    assert.equal(r.errors.length, 1, JSON.stringify(r.errors.map((e) => e.message)));
    assert.ok(rel.startsWith(r.errors[0].path) && r.errors[0].path.length > 4000, 'the error names the deep path');
    assert.match(r.errors[0].message, /Could not read this local (folder|entry) \(ENAMETOOLONG\)/);
    assert.equal(readFileSync(join(env.remoteFs, 'ok.txt'), 'utf8'), 'ok\n', 'the rest of the run went on');
    await nothingToDo(env);
  } finally {
    execFileSync('rm', ['-rf', join(env.local, seg), join(env.remoteFs, seg)]); // rm walks with relative steps
  }
});

test('a Windows local side (name rules by platform): CON, NUL.txt, a:b, "dot." are reported, never written under another name', async () => {
  const env = await localEnv('win32');
  if ('skip' in env) return;
  try {
    for (const n of ['CON', 'NUL.txt', 'a:b', 'dot.', 'fine.txt']) writeFile(env.remoteFs, n, `${n}\n`, T12);
    writeFile(env.remoteFs, 'aux/inside.txt', 'inside\n', T12);
    const s = new SyncSession({
      local: new LocalTarget(env.local, 'win32'), remote: new LocalTarget(env.remoteFs, 'linux'),
      localRoot: env.local, remoteId: remoteId(env.spec),
    });
    try {
      const r = await s.run({ mode: 'sync' });
      assert.deepEqual(r.errors.map((e) => e.path).sort(), ['CON', 'NUL.txt', 'a:b', 'aux', 'dot.']);
      assert.ok(r.errors.every((e) => /cannot be stored locally under this name/.test(e.message)), JSON.stringify(r.errors));
      assert.deepEqual(filesOnly(treeHashes(env.local)), hashesOf({ 'fine.txt': 'fine.txt\n' }), 'nothing else written, nothing aliased');
      const again = await s.run({ mode: 'sync' });
      assert.equal(again.done.length, 0);
      assert.equal(again.errors.length, 5, 'still reported');
    } finally { await s.close(); }
    assert.deepEqual(Object.keys(filesOnly(treeHashes(env.remoteFs))).sort(), ['CON', 'NUL.txt', 'a:b', 'aux/inside.txt', 'dot.', 'fine.txt'], 'the server keeps them all');
  } finally { env.cleanup(); }
});

// A synced server link whose target can no longer be read (permission denied) is not "deleted on
// the server": the local folder it was synced to stays, and the entry is reported.
t('sftp', sftpEnv, 'a server link whose target cannot be read is left alone, never taken as deleted', async (env) => {
  const target = join(env.outside, 'shared');
  mkdirSync(target);
  writeFile(target, 'doc.txt', 'doc\n', T12);
  execFileSync('chown', ['-R', `${env.owner!.uid}:${env.owner!.gid}`, target]);
  serverLink(env, 'docs', target);
  for (const n of ['a.txt', 'b.txt']) writeFile(env.remoteFs, n, `${n}\n`, T12, env.owner);
  const first = await runOnce(env, { mode: 'sync' });
  assert.deepEqual(first.errors, []);
  assert.equal(readFileSync(join(env.local, 'docs/doc.txt'), 'utf8'), 'doc\n');
  chmodSync(env.outside, 0o000); // the link's target: permission denied for the server's user
  try {
    const r = await runOnce(env, { mode: 'sync' });
    assert.deepEqual(r.plan.actions.filter((a) => a.kind.startsWith('delete')).map((a) => a.path), [], 'nothing deleted');
    assert.ok(r.errors.some((e) => e.path === 'docs' && /symbolic link/.test(e.message)), JSON.stringify(r.errors));
    assert.equal(readFileSync(join(env.local, 'docs/doc.txt'), 'utf8'), 'doc\n', 'the local copy is kept');
  } finally {
    chmodSync(env.outside, 0o755);
  }
});

// An entry that cannot be read is reported and left alone even when a match filter leaves out
// files of its name (it may be a folder): never taken as deleted on the other side.
t('local', localEnv, 'an unreadable entry under a match filter is left alone, never taken as deleted', async (env) => {
  writeFile(env.local, 'lib/a.php', '<?php\n', T12);
  for (const n of ['index.php', 'about.php']) writeFile(env.local, n, '<?php\n', T12);
  const filter = { match: ['**/*.php'] };
  const first = await runOnce(env, { mode: 'sync' }, filter);
  assert.deepEqual(first.errors, []);
  assert.ok(existsSync(join(env.remoteFs, 'lib/a.php')));
  rmSync(join(env.local, 'lib'), { recursive: true });
  symlinkSync('lib', join(env.local, 'lib')); // a link to itself: ELOOP, unreadable
  const r = await runOnce(env, { mode: 'sync' }, filter);
  assert.deepEqual(r.plan.actions.filter((a) => a.kind.startsWith('delete')).map((a) => a.path), [], 'nothing deleted on the server');
  assert.ok(existsSync(join(env.remoteFs, 'lib/a.php')), 'the server copy is kept');
  assert.ok(r.errors.some((e) => e.path === 'lib'), JSON.stringify(r.errors));
});
