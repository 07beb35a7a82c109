// Saves append to the last-sync state's journal; the journal is compacted into the snapshot when
// saves pause (SessionOptions.idleCompactMs), not on a save's path (src/core/session.ts). Local
// folders on both sides (real files, no server needed).
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SyncSession } from '../../src/core/session.js';
import { createTarget, remoteId } from '../../src/core/targets/index.js';
import type { RemoteSpec } from '../../src/core/types.js';

describe('saves: journal compacted when saves pause', () => {
  const base = mkdtempSync(join(tmpdir(), 'rs-idle-compact-'));
  after(() => rmSync(base, { recursive: true, force: true }));

  function pair(name: string, files: number, idleCompactMs: number) {
    const local = join(base, name, 'local');
    const remote = join(base, name, 'remote');
    mkdirSync(local, { recursive: true });
    mkdirSync(remote, { recursive: true });
    const paths: string[] = [];
    for (let i = 0; i < files; i++) {
      const p = `f${i}.txt`;
      writeFileSync(join(local, p), `content ${i}`);
      paths.push(p);
    }
    const spec: RemoteSpec = { protocol: 'local', path: remote } as RemoteSpec;
    const s = new SyncSession({
      local: createTarget({ protocol: 'local', path: local } as RemoteSpec), remote: createTarget(spec),
      localRoot: local, remoteId: remoteId(spec), idleCompactMs,
    });
    return { s, paths, remote };
  }

  test('600 saves: nothing compacted on the save path; compacted once saves pause; nothing lost', async () => {
    const { s, paths, remote } = pair('a', 600, 150);
    try {
      const out = await s.saveFiles(paths);
      assert.equal([...out.values()].filter((o) => o.status === 'uploaded').length, 600);
      assert.equal(s.state.pending, 600, 'the save returned before any compaction');
      assert.ok(existsSync(s.state.journalFile));
      // another save before the pause ends puts the compaction off again
      await sleep(50);
      writeFileSync(join(base, 'a', 'local', 'f0.txt'), 'changed content');
      assert.equal((await s.saveFiles(['f0.txt'])).get('f0.txt')?.status, 'uploaded');
      assert.equal(s.state.pending, 601);
      // (the compaction ends with fsyncs, which take seconds on a machine busy writing back)
      for (let i = 0; i < 500 && s.state.pending > 0; i++) await sleep(20);
      assert.equal(s.state.pending, 0, 'compacted after the pause');
      assert.equal(existsSync(s.state.journalFile), false, 'the journal is folded into the snapshot');
      const snap = JSON.parse(readFileSync(s.state.file, 'utf8')) as { entries: Record<string, unknown> };
      assert.equal(Object.keys(snap.entries).length, 600);
      assert.equal(readFileSync(join(remote, 'f0.txt'), 'utf8'), 'changed content');
    } finally {
      await s.close();
    }
  });

  test('under the mark: no compaction until close, which compacts', async () => {
    const { s, paths } = pair('b', 20, 20);
    try {
      await s.saveFiles(paths);
      await sleep(120);
      assert.equal(s.state.pending, 20);
    } finally {
      await s.close();
    }
    assert.equal(existsSync(s.state.journalFile), false);
  });

  test('a save that comes while the idle compaction runs interrupts it and is not held up; the compaction comes back later', { timeout: 30_000 }, async () => {
    const { s, paths } = pair('c', 600, 30);
    try {
      await s.saveFiles(paths);
      const real = s.state.compactInSteps.bind(s.state);
      let started = false;
      let calls = 0;
      s.state.compactInSteps = async (stop, giveUp) => {
        if (++calls > 1) return real(stop, giveUp);
        started = true;
        await giveUp; // a compaction that would take forever, unless given up
        return false;
      };
      for (let i = 0; i < 1000 && !started; i++) await sleep(10); // (the idle timer does not keep the process alive)
      assert.ok(started, 'the idle compaction started');
      writeFileSync(join(base, 'c', 'local', 'f1.txt'), 'saved during the compaction');
      const t = Date.now();
      assert.equal((await s.saveFiles(['f1.txt'])).get('f1.txt')?.status, 'uploaded');
      // (the compaction above never ends unless given up: a save that waited for it would not be done in
      // 10 s; the save's own writes take seconds on a machine busy writing back)
      assert.ok(Date.now() - t < 10_000, 'the save did not wait for the compaction');
      for (let i = 0; i < 500 && s.state.pending > 0; i++) await sleep(20);
      assert.equal(calls, 2, 'tried again once saves paused');
      assert.equal(s.state.pending, 0);
    } finally {
      await s.close();
    }
  });
});
