// Three-way merge scenarios (issue 9), for any target kind: clean merges end identical on both
// sides; overlapping edits, binary files and pairs never synced stay conflicts, both sides untouched.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { exitCodeForResult, EXIT } from '../../src/cli/exit-codes.js';
import { runOnce, scenarioTest, session, type EnvFactory, type SyncEnv } from '../harness/env.js';
import { writeFile, snapshot, T12, T13 } from '../harness/fixture.js';

const BASE = 'line 1\nline 2\nline 3\nline 4\nline 5\n';
const BIN = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02, 0x0a]);

/** the same files on both sides, then a first sync that records them (and keeps their common versions) */
async function synced(env: SyncEnv, files: Record<string, string | Buffer>): Promise<void> {
  for (const [p, c] of Object.entries(files)) {
    writeFile(env.local, p, c, T12);
    writeFile(env.remoteFs, p, c, T12, env.owner);
  }
  const first = await runOnce(env, { mode: 'sync' });
  assert.equal(first.plan.actions.length, 0, 'identical trees: the first sync only records state');
}

const edit = (env: SyncEnv, side: 'local' | 'remote', p: string, c: string | Buffer, mtime = side === 'local' ? T13 : T13 + 5000) =>
  writeFile(side === 'local' ? env.local : env.remoteFs, p, c, mtime, side === 'remote' ? env.owner : undefined);

const bytes = (root: string, p: string) => readFileSync(join(root, p));

export function mergeScenarios(make: EnvFactory, opts: { skip?: string } = {}): void {
  const t = scenarioTest(make, opts);

  t('merge: changes to different lines merge, both sides end identical, a second run has nothing to do', async (env) => {
    await synced(env, { 'doc.txt': BASE, 'sub/crlf.txt': BASE.replace(/\n/g, '\r\n') });
    assert.equal(readdirSync(join(env.local, '.remote-sync', 'base')).length, 2, 'a common version per distinct text');
    edit(env, 'local', 'doc.txt', BASE.replace('line 1', 'line 1 (local)'));
    edit(env, 'remote', 'doc.txt', BASE.replace('line 5', 'line 5 (server)'));
    edit(env, 'local', 'sub/crlf.txt', 'header\r\n' + BASE.replace(/\n/g, '\r\n'));
    edit(env, 'remote', 'sub/crlf.txt', BASE.replace(/\n/g, '\r\n').replace('line 4', 'line four'));
    const r = await runOnce(env, { mode: 'sync', resolve: 'merge' });
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.conflicts, []);
    assert.equal(r.stats.merged, 2);
    assert.deepEqual(r.done.map((a) => `${a.kind} ${a.path}`).sort(), ['merged doc.txt', 'merged sub/crlf.txt']);
    assert.equal(exitCodeForResult(r), EXIT.OK);
    const want = 'line 1 (local)\nline 2\nline 3\nline 4\nline 5 (server)\n';
    assert.equal(bytes(env.local, 'doc.txt').toString(), want);
    assert.equal(bytes(env.remoteFs, 'doc.txt').toString(), want);
    const crlf = 'header\r\nline 1\r\nline 2\r\nline 3\r\nline four\r\nline 5\r\n';
    assert.equal(bytes(env.local, 'sub/crlf.txt').toString(), crlf);
    assert.equal(bytes(env.remoteFs, 'sub/crlf.txt').toString(), crlf);
    const again = await runOnce(env, { mode: 'sync' });
    assert.deepEqual(again.plan.actions.map((a) => `${a.kind} ${a.path}`), []);
    assert.equal(again.plan.stateOnly.length, 0);

    // the merged content is the new common version: a later edit on each side merges again
    edit(env, 'local', 'doc.txt', want.replace('line 2', 'line 2 (local)'), T13 + 60_000);
    edit(env, 'remote', 'doc.txt', want.replace('line 4', 'line 4 (server)'), T13 + 65_000);
    const third = await runOnce(env, { mode: 'sync', resolve: 'merge' });
    assert.equal(third.stats.merged, 1);
    assert.equal(bytes(env.remoteFs, 'doc.txt').toString(), 'line 1 (local)\nline 2 (local)\nline 3\nline 4 (server)\nline 5 (server)\n');
  });

  t('merge: overlapping edits and binary files stay conflicts, both sides untouched (exit 4)', async (env) => {
    await synced(env, { 'doc.txt': BASE, 'img.bin': BIN });
    edit(env, 'local', 'doc.txt', BASE.replace('line 3', 'line 3 (local)'));
    edit(env, 'remote', 'doc.txt', BASE.replace('line 3', 'line 3 (server)'));
    edit(env, 'local', 'img.bin', Buffer.concat([BIN, Buffer.from([1])]));
    edit(env, 'remote', 'img.bin', Buffer.concat([BIN, Buffer.from([2, 2])]));
    const before = { l: snapshot(env.local), r: snapshot(env.remoteFs) };
    const oneWay = await runOnce(env, { mode: 'upload', resolve: 'merge' });
    assert.match(oneWay.conflicts.find((c) => c.path === 'doc.txt')!.reason, /not merged: a one-way upload never changes its source/);
    const r = await runOnce(env, { mode: 'sync', resolve: 'merge' });
    assert.deepEqual(r.errors, []);
    const reasons = Object.fromEntries(r.conflicts.map((c) => [c.path, c.reason]));
    assert.match(reasons['doc.txt'], /not merged: overlapping changes in 1 place$/);
    assert.match(reasons['img.bin'], /not merged: not text$/);
    assert.equal(r.stats.merged ?? 0, 0);
    assert.equal(exitCodeForResult(r), EXIT.CONFLICTS);
    assert.deepEqual(snapshot(env.local), before.l);
    assert.deepEqual(snapshot(env.remoteFs), before.r);
    // still the same two conflicts next time
    const again = await runOnce(env, { mode: 'sync', resolve: 'merge' });
    assert.deepEqual(again.conflicts.map((c) => c.path).sort(), ['doc.txt', 'img.bin']);
  });

  t('merge: a first sync has no common version: a conflict, nothing written', async (env) => {
    writeFile(env.local, 'doc.txt', BASE.replace('line 1', 'mine'), T12);
    writeFile(env.remoteFs, 'doc.txt', BASE.replace('line 5', 'theirs'), T13, env.owner);
    const r = await runOnce(env, { mode: 'sync', resolve: 'merge' });
    assert.equal(r.conflicts.length, 1);
    assert.match(r.conflicts[0].reason, /not merged: no common version \(never synced\)$/);
    assert.equal(exitCodeForResult(r), EXIT.CONFLICTS);
    assert.equal(bytes(env.local, 'doc.txt').toString(), BASE.replace('line 1', 'mine'));
    assert.equal(bytes(env.remoteFs, 'doc.txt').toString(), BASE.replace('line 5', 'theirs'));
  });

  t('merge: a lost common version is "no common version", never an error; ask → merge; save merges', async (env) => {
    await synced(env, { 'a.txt': BASE, 'b.txt': BASE.replaceAll('line', 'row'), 'c.txt': 'c1\nc2\nc3\n' });
    edit(env, 'local', 'a.txt', BASE.replace('line 1', 'L'));
    edit(env, 'remote', 'a.txt', BASE.replace('line 5', 'R'));
    rmSync(join(env.local, '.remote-sync', 'base'), { recursive: true });
    const lost = await runOnce(env, { mode: 'sync', resolve: 'merge' });
    assert.deepEqual(lost.errors, []);
    assert.match(lost.conflicts[0].reason, /not merged: no common version \(the kept copy is missing or damaged\)$/);

    // a download re-keeps the common version for b.txt; then ask answers "merge"
    edit(env, 'remote', 'b.txt', BASE.replaceAll('line', 'row').replace('row 2', 'row two'));
    const down = await runOnce(env, { mode: 'sync' });
    assert.deepEqual(down.done.map((a) => a.kind), ['download']);
    edit(env, 'local', 'b.txt', BASE.replaceAll('line', 'row').replace('row 2', 'row two').replace('row 4', 'local'), T13 + 20_000);
    edit(env, 'remote', 'b.txt', 'top\n' + BASE.replaceAll('line', 'row').replace('row 2', 'row two'), T13 + 25_000);
    const asked: string[] = [];
    const r = await runOnce(env, { mode: 'sync', resolve: 'ask', ask: async (c) => { asked.push(c.path); return c.path === 'b.txt' ? 'merge' : 'skip'; } });
    assert.deepEqual(asked.sort(), ['a.txt', 'b.txt']);
    assert.equal(r.stats.merged, 1);
    assert.equal(bytes(env.remoteFs, 'b.txt').toString(), 'top\nrow 1\nrow two\nrow 3\nlocal\nrow 5\n');
    assert.equal(bytes(env.local, 'b.txt').toString(), 'top\nrow 1\nrow two\nrow 3\nlocal\nrow 5\n');

    // upload on save with the merge policy: the server copy changed too, merged and written to both
    edit(env, 'remote', 'b.txt', 'top\nrow 1\nrow two\nrow 3\nlocal\nrow 5\nbottom\n', T13 + 40_000);
    edit(env, 'local', 'b.txt', 'TOP\nrow 1\nrow two\nrow 3\nlocal\nrow 5\n', T13 + 45_000);
    const s = session(env);
    try {
      const out = await s.saveFiles(['b.txt'], { merge: true });
      assert.equal(out.get('b.txt')?.status, 'merged', JSON.stringify(out.get('b.txt')));
      // without the policy an overlapping save is the conflict it always was
      edit(env, 'remote', 'c.txt', 'c1\nserver\nc3\n', T13 + 50_000);
      edit(env, 'local', 'c.txt', 'c1\nlocal\nc3\n', T13 + 55_000);
      const c = await s.saveFiles(['c.txt'], { merge: true });
      assert.equal(c.get('c.txt')?.status, 'conflict');
    } finally {
      await s.close();
    }
    const both = 'TOP\nrow 1\nrow two\nrow 3\nlocal\nrow 5\nbottom\n';
    assert.equal(bytes(env.local, 'b.txt').toString(), both);
    assert.equal(bytes(env.remoteFs, 'b.txt').toString(), both);
    assert.equal(bytes(env.remoteFs, 'c.txt').toString(), 'c1\nserver\nc3\n');
    assert.equal(bytes(env.local, 'c.txt').toString(), 'c1\nlocal\nc3\n');
    const after = await runOnce(env, { mode: 'sync' });
    assert.deepEqual(after.plan.actions.map((a) => `${a.kind} ${a.path}`).sort(), ['conflict a.txt', 'conflict c.txt']);
  });
}
