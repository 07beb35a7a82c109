// pyftpsync's fixture table and the runs around it, for any target kind.

import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SyncResult } from '../../src/core/types.js';
import { createBase, applyEdits, snapshot, writeFile, EXPECTED_DEFAULT_SYNC, T12, T13 } from '../harness/fixture.js';
import { runOnce, scenarioTest, type EnvFactory, type SyncEnv } from '../harness/env.js';

function byKind(r: SyncResult): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const a of [...r.plan.actions, ...r.plan.stateOnly]) (out[a.kind] ??= []).push(a.path);
  for (const k of Object.keys(out)) out[k].sort();
  return out;
}

async function fixture(env: SyncEnv): Promise<void> {
  createBase(env.local, env.remoteFs, env.owner);
  const first = await runOnce(env, { mode: 'sync' });
  assert.equal(first.plan.actions.length, 0, 'identical trees: the first sync only records state');
  applyEdits(env.local, env.remoteFs, env.owner);
}

export function fixtureScenarios(make: EnvFactory, opts: { skip?: string } = {}): void {
  const t = scenarioTest(make, opts);

  t('fixture: default bidirectional sync does what pyftpsync does, plus folder4/folder7 conflicts', async (env) => {
    await fixture(env);
    const r = await runOnce(env, { mode: 'sync' });
    const k = byKind(r);
    for (const kind of ['upload', 'download', 'delete-remote', 'delete-local', 'conflict'] as const) {
      assert.deepEqual(k[kind] ?? [], [...EXPECTED_DEFAULT_SYNC[kind]].sort(), kind);
    }
    assert.deepEqual(k.equal, ['new_file3.txt'], 'new_file3 is recorded as equal');
    assert.equal(r.stats.conflicts, 9);
    assert.equal(r.errors.length, 0, JSON.stringify(r.errors));
    const L = snapshot(env.local);
    const R = snapshot(env.remoteFs);
    assert.equal(R['file2.txt'], 'file2.txt local 13:00\n');
    assert.equal(L['file4.txt'], 'file4.txt remote 13:00\n');
    assert.equal(R['new_file1.txt'], 'new_file1.txt local 13:00\n');
    assert.equal(L['new_file2.txt'], 'new_file2.txt remote 13:00\n');
    assert.equal(R['file3.txt'], undefined);
    assert.equal(R['folder3'], undefined);
    assert.equal(L['file5.txt'], undefined);
    assert.equal(L['folder6'], undefined);
    // the conflicts were left alone on both sides
    assert.equal(R['folder4/file4_1.txt'], 'folder4/file4_1.txt remote 13:00\n');
    assert.equal(L['folder7/file7_1.txt'], 'folder7/file7_1.txt local 13:00\n');
    assert.equal(L['file6.txt'], 'file6.txt local  13:00\n');
    assert.equal(R['file6.txt'], 'file6.txt remote 13:00:05\n');
    // run again: nothing to transfer, the same 9 conflicts
    const again = await runOnce(env, { mode: 'sync' });
    assert.deepEqual(again.plan.actions.filter((a) => a.kind !== 'conflict'), []);
    assert.equal(again.stats.conflicts, 9);
    assert.equal(again.done.length, 0);
  });

  for (const side of ['local', 'remote'] as const) {
    t(`fixture: resolve=${side} leaves both trees identical, and a second run has nothing to do`, async (env) => {
      await fixture(env);
      const r = await runOnce(env, { mode: 'sync', resolve: side, maxDelete: '100%' });
      assert.equal(r.errors.length, 0, JSON.stringify(r.errors));
      assert.equal(r.conflicts.length, 0);
      const L = snapshot(env.local);
      assert.deepEqual(L, snapshot(env.remoteFs));
      if (side === 'local') {
        assert.equal(L['file6.txt'], 'file6.txt local  13:00\n');
        assert.equal(L['file8.txt'], undefined, 'deleted locally wins');
        assert.equal(L['folder4'], undefined);
        assert.equal(L['folder7/file7_1.txt'], 'folder7/file7_1.txt local 13:00\n');
      } else {
        assert.equal(L['file6.txt'], 'file6.txt remote 13:00:05\n');
        assert.equal(L['file8.txt'], 'file8.txt remote 13:00\n');
        assert.equal(L['folder4/file4_1.txt'], 'folder4/file4_1.txt remote 13:00\n');
        assert.equal(L['folder7'], undefined);
      }
      const again = await runOnce(env, { mode: 'sync' });
      assert.deepEqual(again.plan.actions, [], 'second run changes nothing');
    });
  }

  t('fixture: resolve=new and resolve=old pick by time, and skip what has no time with a reason', async (env) => {
    await fixture(env);
    const r = await runOnce(env, { mode: 'sync', resolve: 'new', dryRun: true });
    const left = Object.fromEntries(r.conflicts.map((c) => [c.path, c.reason]));
    assert.match(left['file8.txt'], /deletion has no time/);
    assert.match(left['folder4'], /deletion has no time/);
    assert.match(left['new_file4.txt'], /same modification time/);
    const ups = r.plan.actions.filter((a) => a.kind === 'upload').map((a) => a.path);
    const downs = r.plan.actions.filter((a) => a.kind === 'download').map((a) => a.path);
    assert.ok(ups.includes('file7.txt') && ups.includes('new_file6.txt'), 'local is newer: upload');
    assert.ok(downs.includes('file6.txt') && downs.includes('new_file5.txt'), 'remote is newer: download');
    const old = await runOnce(env, { mode: 'sync', resolve: 'old', dryRun: true });
    assert.ok(old.plan.actions.some((a) => a.kind === 'upload' && a.path === 'file6.txt'), 'old: the older local file6 wins');
  });

  t('fixture: dry-run changes nothing, not even the state', async (env) => {
    await fixture(env);
    const before = [snapshot(env.local), snapshot(env.remoteFs)];
    const stateDir = join(env.local, '.remote-sync');
    const stateBefore = snapshot(stateDir); // the state files and the common versions in base/
    const r = await runOnce(env, { mode: 'sync', dryRun: true, resolve: 'local' });
    assert.ok(r.plan.actions.length > 10);
    assert.equal(r.done.length, 0);
    assert.deepEqual([snapshot(env.local), snapshot(env.remoteFs)], before);
    assert.deepEqual(snapshot(stateDir), stateBefore);
  });

  t('first run without state: one-sided entries copied, equal pairs recorded, differing pairs are conflicts', async (env) => {
    writeFile(env.local, 'only-local.txt', 'L', T12);
    writeFile(env.remoteFs, 'only-remote/r.txt', 'R', T12, env.owner);
    writeFile(env.local, 'same-time.txt', 'same', T12);
    writeFile(env.remoteFs, 'same-time.txt', 'same', T12, env.owner);
    writeFile(env.local, 'same-bytes.txt', 'bytes', T12);
    writeFile(env.remoteFs, 'same-bytes.txt', 'bytes', T13, env.owner);
    writeFile(env.local, 'differ.txt', 'local!', T12);
    writeFile(env.remoteFs, 'differ.txt', 'remote', T13, env.owner);
    const r = await runOnce(env, { mode: 'sync' });
    const k = byKind(r);
    assert.deepEqual(k.upload, ['only-local.txt']);
    assert.deepEqual(k.download, ['only-remote/r.txt']);
    assert.deepEqual(k.conflict, ['differ.txt'], 'never a silent "newer wins"');
    assert.deepEqual(k.equal, ['same-bytes.txt', 'same-time.txt']);
    assert.equal(snapshot(env.local)['differ.txt'], 'local!');
    assert.equal(snapshot(env.remoteFs)['differ.txt'], 'remote');
    const resolved = await runOnce(env, { mode: 'sync', resolve: 'remote' });
    assert.deepEqual(byKind(resolved).download, ['differ.txt']);
    assert.equal(snapshot(env.local)['differ.txt'], 'remote');
    const again = await runOnce(env, { mode: 'sync' });
    assert.deepEqual(again.plan.actions, []);
    // a later one-sided edit of an equal pair is an upload, not a conflict
    writeFile(env.local, 'same-bytes.txt', 'bytes, edited', T13 + 60_000);
    const edit = await runOnce(env, { mode: 'sync' });
    assert.deepEqual(byKind(edit).upload, ['same-bytes.txt']);
  });

  t('upload and download, with and without --delete', async (env) => {
    await fixture(env);
    const up = await runOnce(env, { mode: 'upload', resolve: 'skip' });
    const ku = byKind(up);
    // the server's deletions are restored, its own edits are skipped (not overwritten) without --force
    assert.deepEqual(ku.upload, ['file2.txt', 'file5.txt', 'file9.txt', 'folder2/file2_1.txt', 'folder6/file6_1.txt', 'folder7/file7_1.txt', 'new_file1.txt']);
    assert.deepEqual(ku['mkdir-remote'], ['folder6', 'folder7']);
    assert.ok(ku.skip.includes('file4.txt') && ku.skip.includes('file3.txt'));
    assert.ok(!ku['delete-remote'], 'no deletes without --delete');
    assert.ok(!ku.download && !ku['delete-local'], 'upload never changes the local side');
    assert.equal(snapshot(env.remoteFs)['file3.txt'], 'file3.txt 12:00\n', 'deleted locally, kept on the server');
    const upDel = await runOnce(env, { mode: 'upload', delete: true, resolve: 'skip', maxDelete: '100%' });
    assert.ok(byKind(upDel)['delete-remote']?.includes('file3.txt'));
    assert.equal(snapshot(env.remoteFs)['file3.txt'], undefined);
    const down = await runOnce(env, { mode: 'download', resolve: 'skip' });
    assert.ok(!byKind(down).upload && !byKind(down)['delete-remote'], 'download never changes the server');
    assert.equal(snapshot(env.local)['file4.txt'], 'file4.txt remote 13:00\n');
    const downDel = await runOnce(env, { mode: 'download', delete: true, resolve: 'remote', maxDelete: '100%' });
    assert.equal(downDel.errors.length, 0);
    assert.deepEqual(snapshot(env.local), snapshot(env.remoteFs), 'download --delete --resolve remote mirrors the server');
  });
}
