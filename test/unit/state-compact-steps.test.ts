// The state's compaction for when saves pause (StateStore.compactInSteps, src/core/state.ts) and the
// journal's flush off the event loop (flushJournal): the same snapshot compact() writes; given up —
// journal kept, nothing lost, no temp file left — when a save records meanwhile, when asked to stop,
// or when told to give up while the file is being flushed. Real files in a temp folder.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StateStore, stateFileFor } from '../../src/core/state.js';
import type { PathState } from '../../src/core/types.js';

describe('StateStore: compaction in steps, journal flush', () => {
  const base = mkdtempSync(join(tmpdir(), 'rs-state-steps-'));
  after(() => rmSync(base, { recursive: true, force: true }));
  let n = 0;
  const store = () => {
    const root = join(base, String(n++));
    mkdirSync(root);
    const id = `sftp://u@h/${n}`;
    return { root, id, s: new StateStore(stateFileFor(root, id), root, id) };
  };
  const ps = (i: number, base?: string): PathState => ({ type: i % 10 === 0 ? 'dir' : 'file', local: { size: i, mtime: 1000 + i }, remote: { size: i, mtime: 2000 + i }, ...(base ? { base } : {}) });
  const never = new Promise<void>(() => undefined);
  const tmps = (root: string) => readdirSync(join(root, '.remote-sync')).filter((f) => f.endsWith('.tmp'));
  const fill = (s: StateStore, count: number) => {
    s.load();
    for (let i = 0; i < count; i++) s.record(`d${i % 37}/f "${i}".txt`, ps(i, i % 3 ? undefined : 'a'.repeat(64)));
  };
  const entriesOf = (root: string, id: string) => {
    const again = new StateStore(stateFileFor(root, id), root, id);
    again.load();
    return new Map([...again.paths()].map((p) => [p, again.get(p)]));
  };

  test('writes what compact() writes, drops the journal, and the files load back to the same entries', async () => {
    const a = store();
    const b = store();
    fill(a.s, 5000);
    fill(b.s, 5000);
    assert.equal(await a.s.compactInSteps(() => false, never, 1), true);
    b.s.compact();
    assert.equal(existsSync(a.s.journalFile), false);
    assert.equal(a.s.pending, 0);
    const snapA = JSON.parse(readFileSync(a.s.file, 'utf8'));
    const snapB = JSON.parse(readFileSync(b.s.file, 'utf8'));
    assert.deepEqual(snapA.entries, snapB.entries);
    assert.equal(Object.keys(snapA.entries).length, 5000);
    assert.deepEqual(entriesOf(a.root, a.id), new Map([...a.s.paths()].map((p) => [p, a.s.get(p)])));
    assert.deepEqual(tmps(a.root), []);
    // nothing journaled: nothing to do
    assert.equal(await a.s.compactInSteps(() => false, never), true);
  });

  test('a record between two slices gives it up: journal kept with every line, no temp file', async () => {
    const { root, id, s } = store();
    fill(s, 20000);
    const compacting = s.compactInSteps(() => false, never, 0.5);
    await new Promise<void>((r) => setImmediate(r)); // the first slice is done
    s.record('late.txt', ps(3));
    assert.equal(await compacting, false);
    assert.equal(existsSync(s.file), false, 'no snapshot written');
    assert.equal(s.pending, 20001);
    s.closeJournal();
    const back = entriesOf(root, id);
    assert.equal(back.size, new Set([...s.paths()]).size);
    assert.deepEqual(back.get('late.txt'), ps(3));
    await sleep(50);
    assert.deepEqual(tmps(root), []);
  });

  test('asked to stop, or told to give up during the write: journal kept, no snapshot, temp removed', async () => {
    const a = store();
    fill(a.s, 3000);
    let asked = 0;
    assert.equal(await a.s.compactInSteps(() => ++asked > 1, never, 0.2), false);
    assert.equal(existsSync(a.s.file), false);
    assert.ok(existsSync(a.s.journalFile));

    const b = store();
    fill(b.s, 3000);
    let giveUp!: () => void;
    const gaveUp = new Promise<void>((r) => { giveUp = r; });
    const compacting = b.s.compactInSteps(() => false, gaveUp, 1000); // one slice: then the write
    giveUp();
    assert.equal(await compacting, false);
    assert.equal(existsSync(b.s.file), false, 'not renamed over the snapshot');
    assert.equal(b.s.pending, 3000);
    // (the step in flight may be the temp's fsync, which takes seconds on a machine busy writing back)
    for (let i = 0; i < 500 && tmps(b.root).length; i++) await sleep(20);
    assert.deepEqual(tmps(b.root), [], 'the temp is removed once the step in flight ends');
    // and a later one goes through
    assert.equal(await b.s.compactInSteps(() => false, never), true);
    assert.equal(entriesOf(b.root, b.id).size, new Set([...b.s.paths()]).size);
    a.s.closeJournal();
  });

  test('flushJournal keeps the journal open for the next line; a close meanwhile waits for the flush', async () => {
    const { root, id, s } = store();
    fill(s, 10);
    await s.flushJournal();
    s.record('after-flush.txt', ps(1));
    const flushing = s.flushJournal();
    s.closeJournal(); // the descriptor is closed when the flush ends, not under it
    await flushing;
    s.record('after-close.txt', ps(2));
    s.closeJournal();
    const back = entriesOf(root, id);
    assert.deepEqual(back.get('after-flush.txt'), ps(1));
    assert.deepEqual(back.get('after-close.txt'), ps(2));
    assert.equal(back.size, 12);
  });
});
