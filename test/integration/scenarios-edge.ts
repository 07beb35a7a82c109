// Names, depths, filters, type changes, safety checks and a SIGKILL mid-transfer, for any target kind.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync, chownSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { snapshot, writeFile, remove, mkdirs, T12, T13 } from '../harness/fixture.js';
import { runOnce, scenarioTest, type EnvFactory, type SyncEnv } from '../harness/env.js';
import { SyncError } from '../../src/core/errors.js';

const LONG = 'L'.repeat(196) + '.txt'; // 200 characters

function tempsIn(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d, { withFileTypes: true })) {
      if (n.name.startsWith('.rs-tmp-')) out.push(join(d, n.name));
      if (n.isDirectory()) walk(join(d, n.name));
    }
  };
  walk(root);
  return out;
}

export function edgeScenarios(make: EnvFactory, opts: { skip?: string } = {}): void {
  const t = scenarioTest(make, opts);

  t('unicode, spaces, 200-character names, empty files and a 30-level tree round-trip; a second run does nothing', async (env) => {
    writeFile(env.local, 'ünïcödé 日本語/naïve café.txt', 'ü', T12);
    writeFile(env.local, 'with space/and  two  spaces.txt', 'spaces', T12);
    writeFile(env.local, LONG, 'long', T12);
    writeFile(env.local, 'empty.txt', '', T12);
    const deep = Array.from({ length: 30 }, (_, i) => `d${i}`).join('/');
    writeFile(env.local, `${deep}/bottom.txt`, 'deep', T12);
    writeFile(env.remoteFs, 'from server/émoji 🎉.txt', 'party', T13, env.owner);
    const r = await runOnce(env, { mode: 'sync' });
    assert.equal(r.errors.length, 0, JSON.stringify(r.errors));
    assert.deepEqual(snapshot(env.local), snapshot(env.remoteFs));
    assert.equal(snapshot(env.remoteFs)[`${deep}/bottom.txt`], 'deep');
    assert.equal(snapshot(env.remoteFs)['empty.txt'], '');
    const again = await runOnce(env, { mode: 'sync' });
    assert.deepEqual(again.plan.actions, [], 'second run: nothing to do');
    assert.equal(again.done.length, 0);
  });

  t('ignore rules: excluded entries are never uploaded, downloaded or deleted — not even by --delete', async (env) => {
    writeFile(env.local, 'keep.txt', 'k', T12);
    writeFile(env.local, 'debug.log', 'log', T12);
    writeFile(env.local, 'node_modules/x/index.js', 'x', T12);
    writeFile(env.local, 'build/out.bin', 'b', T12);
    writeFile(env.local, 'src/build/kept.txt', 'anchored pattern does not match here', T12);
    writeFile(env.local, '.git/HEAD', 'ref', T12);
    writeFile(env.remoteFs, 'server.log', 'remote log', T12, env.owner);
    const exclude = ['*.log,node_modules/', '/build'];
    const r = await runOnce(env, { mode: 'upload', delete: true, maxDelete: '100%' }, { exclude });
    assert.equal(r.errors.length, 0);
    const R = snapshot(env.remoteFs);
    assert.deepEqual(Object.keys(R).sort(), ['keep.txt', 'server.log', 'src', 'src/build', 'src/build/kept.txt']);
    assert.equal(R['server.log'], 'remote log', 'excluded on the server: not deleted by --delete');
    const withUnmatched = await runOnce(env, { mode: 'upload', deleteUnmatched: true, maxDelete: '100%' }, { exclude });
    assert.ok(withUnmatched.done.some((a) => a.kind === 'delete-remote' && a.path === 'server.log'));
    // --match: only matching files take part
    writeFile(env.local, 'a.css', 'css', T12);
    writeFile(env.local, 'a.js', 'js', T12);
    const m = await runOnce(env, { mode: 'upload', dryRun: true }, { match: ['*.css'] });
    assert.deepEqual(m.plan.actions.filter((a) => a.type === 'file').map((a) => a.path), ['a.css']);
  });

  t('a file replaced by a folder (and back) is carried over; a folder vs file clash is a conflict, not a crash', async (env) => {
    writeFile(env.local, 'thing', 'a file', T12);
    writeFile(env.local, 'other/x.txt', 'x', T12);
    await runOnce(env, { mode: 'sync' });
    remove(env.local, 'thing');
    writeFile(env.local, 'thing/inside.txt', 'now a folder', T13);
    remove(env.local, 'other');
    writeFile(env.local, 'other', 'now a file', T13);
    // replacing removes what was there: it counts against --max-delete (2 of 2 files here)
    await assert.rejects(runOnce(env, { mode: 'sync' }), /would delete 2 of 2 files on the server/);
    const r = await runOnce(env, { mode: 'sync', maxDelete: '100%' });
    assert.equal(r.errors.length, 0, JSON.stringify(r.errors));
    assert.deepEqual(snapshot(env.remoteFs), snapshot(env.local));
    assert.equal(snapshot(env.remoteFs)['thing/inside.txt'], 'now a folder');
    // clash: both changed type differently since the last sync
    writeFile(env.local, 'clash', 'file here', T12);
    mkdirs(env.remoteFs, 'clash', env.owner);
    const c = await runOnce(env, { mode: 'sync' });
    assert.deepEqual(c.conflicts.map((a) => [a.path, a.conflict]), [['clash', 'type-mismatch']]);
    const fixed = await runOnce(env, { mode: 'sync', resolve: 'local' });
    assert.equal(fixed.errors.length, 0, JSON.stringify(fixed.errors));
    assert.equal(snapshot(env.remoteFs)['clash'], 'file here');
  });

  t('safety: a side that lists empty after a sync aborts with nothing changed; so does a plan over --max-delete', async (env) => {
    for (let i = 0; i < 10; i++) writeFile(env.local, `f${i}.txt`, `${i}`, T12);
    await runOnce(env, { mode: 'sync' });
    for (const n of readdirSync(env.remoteFs)) rmSync(join(env.remoteFs, n), { recursive: true });
    await assert.rejects(runOnce(env, { mode: 'sync' }), (e: unknown) => e instanceof SyncError && e.code === 'safety' && /lists no files/.test(e.message));
    assert.equal(readdirSync(env.local).filter((n) => n.endsWith('.txt')).length, 10, 'nothing deleted locally');
    // restore the server, then delete 6 of 10 locally: over the default 50%
    await runOnce(env, { mode: 'upload', force: true });
    for (let i = 0; i < 6; i++) remove(env.local, `f${i}.txt`);
    await assert.rejects(runOnce(env, { mode: 'sync' }), (e: unknown) => e instanceof SyncError && e.code === 'safety' && /would delete 6 of 10/.test(e.message));
    assert.equal(Object.keys(snapshot(env.remoteFs)).length, 10);
    const ok = await runOnce(env, { mode: 'sync', maxDelete: 6 });
    assert.equal(ok.stats.deletedRemote, 6);
  });

  t('a first upload to a server folder that does not exist yet creates it', async (env) => {
    rmSync(env.remoteFs, { recursive: true, force: true });
    writeFile(env.local, 'index.html', '<h1>hi</h1>', T12);
    writeFile(env.local, 'css/site.css', 'body{}', T12);
    const dry = await runOnce(env, { mode: 'upload', dryRun: true });
    assert.equal(dry.plan.actions.length, 3);
    assert.ok(!existsSync(env.remoteFs), 'dry run creates nothing');
    const r = await runOnce(env, { mode: 'upload' });
    assert.equal(r.errors.length, 0, JSON.stringify(r.errors));
    assert.deepEqual(snapshot(env.remoteFs), snapshot(env.local));
  });

  t('cancelled mid-run (AbortSignal): stops cleanly, keeps state consistent, and the next run finishes the job', async (env) => {
    for (let i = 0; i < 40; i++) writeFile(env.local, `c/f${i}.txt`, `file ${i}`, T12);
    writeFile(env.remoteFs, 'from-server.txt', 'server', T12, env.owner);
    const ac = new AbortController();
    let done = 0;
    const r = await runOnce(env, {
      mode: 'sync', signal: ac.signal, concurrency: 2,
      onProgress: (e) => { if (e.type === 'action-done' && ++done === 5) ac.abort(); },
    });
    assert.equal(r.cancelled, true);
    assert.ok(r.done.length >= 5 && r.done.length < 42, `stopped early (${r.done.length} done)`);
    assert.deepEqual(tempsIn(env.remoteFs), []);
    const next = await runOnce(env, { mode: 'sync' });
    assert.equal(next.errors.length, 0, JSON.stringify(next.errors));
    assert.equal(next.stats.conflicts, 0, 'what the cancelled run did is recorded: no false conflicts');
    assert.deepEqual(snapshot(env.local), snapshot(env.remoteFs));
    assert.deepEqual((await runOnce(env, { mode: 'sync' })).plan.actions, []);
  });

  t('a name that is not one plain path segment is reported and never written locally', async (env) => {
    if (env.name === 'ftp') return; // FTP servers cannot list a backslash name distinctly; covered by the SFTP and local runs
    writeFile(env.remoteFs, 'good.txt', 'g', T12, env.owner);
    writeFileSync(join(env.remoteFs, 'bad\\name.txt'), 'b');
    if (env.owner) chownSync(join(env.remoteFs, 'bad\\name.txt'), env.owner.uid, env.owner.gid);
    const r = await runOnce(env, { mode: 'download' });
    assert.ok(r.errors.some((e) => e.path.includes('bad\\name.txt')), JSON.stringify(r.errors));
    assert.deepEqual(Object.keys(snapshot(env.local)), ['good.txt']);
  });

  t('killed with SIGKILL mid-transfer, then run again: nothing lost, no temp file left, same result', async (env) => {
    const big = randomBytes(48 * 1024 * 1024);
    mkdirSync(env.local, { recursive: true });
    writeFileSync(join(env.local, 'big.bin'), big);
    for (let i = 0; i < 50; i++) writeFile(env.local, `small/s${i}.txt`, `small ${i}`, T12);
    writeFile(env.remoteFs, 'remote-only.txt', 'r', T12, env.owner);
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../harness/sync-child.ts'), JSON.stringify({ local: env.local, spec: env.spec })], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && tempsIn(env.remoteFs).length === 0 && child.exitCode === null) await new Promise((r) => setTimeout(r, 2));
    const killedMidway = child.exitCode === null;
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    assert.ok(killedMidway, `the child finished before it could be killed: ${err}`);
    const r = await runOnce(env, { mode: 'sync' });
    assert.equal(r.errors.length, 0, JSON.stringify(r.errors));
    assert.deepEqual(tempsIn(env.remoteFs), [], 'no temp file left on the server');
    assert.deepEqual(tempsIn(env.local), [], 'no temp file left locally');
    const L = snapshot(env.local);
    assert.deepEqual(L, snapshot(env.remoteFs));
    assert.equal(L['remote-only.txt'], 'r');
    assert.ok(existsSync(join(env.remoteFs, 'big.bin')));
    assert.equal(Buffer.compare(big, require('node:fs').readFileSync(join(env.remoteFs, 'big.bin'))), 0);
    const again = await runOnce(env, { mode: 'sync' });
    assert.deepEqual(again.plan.actions, []);
  });
}
