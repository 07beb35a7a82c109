// The end of a run (StateStore.settle, src/core/state.ts): a few changed paths beside a large
// snapshot are kept in the (flushed) journal for the next load to replay, instead of the whole
// snapshot being rewritten; a journal that has grown (this run's lines plus the ones replayed at
// load), or one without a snapshot, is compacted. Either way a fresh store reads the same records.
// Real files in a temp folder.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateStore, stateFileFor } from '../../src/core/state.js';
import type { PathState } from '../../src/core/types.js';

describe('StateStore.settle: keep a short journal, compact a long one', () => {
  const base = mkdtempSync(join(tmpdir(), 'rs-state-settle-'));
  after(() => rmSync(base, { recursive: true, force: true }));
  let n = 0;
  const pair = () => {
    const root = join(base, String(n++));
    mkdirSync(root);
    const id = `ftp://u@h/${n}`;
    const file = stateFileFor(root, id);
    return { file, journal: file.replace(/\.json$/, '.journal'), open: () => { const s = new StateStore(file, root, id); s.load(); return s; } };
  };
  const ps = (i: number): PathState => ({ type: 'file', local: { size: i, mtime: 1000 + i }, remote: { size: i, mtime: 2000 + i } });
  const all = (s: StateStore) => new Map([...s.paths()].map((p) => [p, s.get(p)]));
  /** a compacted state of `count` entries (no journal) */
  const seeded = (count: number) => {
    const p = pair();
    const s = p.open();
    for (let i = 0; i < count; i++) s.record(`d${i % 20}/f${i}`, ps(i));
    s.compact();
    s.closeJournal();
    assert.ok(existsSync(p.file) && !existsSync(p.journal));
    return p;
  };

  test('a few changes beside 2,000 entries: the snapshot is not rewritten, the journal is kept and replayed', () => {
    const p = seeded(2000);
    const snapBefore = readFileSync(p.file, 'utf8');
    const s = p.open();
    s.record('d1/f1', ps(99_001));
    s.record('new/file', ps(5));
    s.record('d2/f2', null);
    s.settle();
    assert.equal(readFileSync(p.file, 'utf8'), snapBefore, 'snapshot untouched');
    assert.equal(readFileSync(p.journal, 'utf8').trim().split('\n').length, 3, 'three journal lines kept');
    const again = p.open();
    assert.deepEqual(all(again), all(s));
    assert.deepEqual(again.get('d1/f1'), ps(99_001));
    assert.equal(again.get('d2/f2'), undefined);
    assert.equal(again.size, 2000);
  });

  test('a journal over a sixteenth of the entries (this run\'s lines plus those replayed) is compacted', () => {
    const p = seeded(2000); // threshold: 2000 / 16 = 125 lines
    const first = p.open();
    for (let i = 0; i < 70; i++) first.record(`d3/f${i}`, ps(50_000 + i));
    first.settle();
    assert.ok(existsSync(p.journal), '70 lines: kept');
    const second = p.open();
    for (let i = 0; i < 70; i++) second.record(`d4/f${i}`, ps(60_000 + i));
    second.settle();
    assert.ok(!existsSync(p.journal), '70 replayed + 70 new: compacted');
    const snap = JSON.parse(readFileSync(p.file, 'utf8')) as { entries: Record<string, unknown[]> };
    assert.deepEqual(snap.entries['d3/f5'], ['f', 50_005, 51_005, 50_005, 52_005]);
    assert.deepEqual(snap.entries['d4/f5'], ['f', 60_005, 61_005, 60_005, 62_005]);
    assert.deepEqual(all(p.open()), all(second));
  });

  test('a small state still keeps up to 64 lines; no snapshot yet: always compacted', () => {
    const p = seeded(10);
    const s = p.open();
    for (let i = 0; i < 64; i++) s.record(`x/f${i}`, ps(i));
    s.settle();
    assert.ok(existsSync(p.journal), '64 lines beside 10 entries: kept');
    s.record('x/one-more', ps(1));
    s.settle();
    assert.ok(!existsSync(p.journal), '65: compacted');

    const fresh = pair();
    const f = fresh.open();
    f.record('only', ps(1));
    f.settle();
    assert.ok(existsSync(fresh.file) && !existsSync(fresh.journal), 'the first run writes the snapshot');
    assert.deepEqual(fresh.open().get('only'), ps(1));
  });

  test('nothing recorded: settle writes nothing', () => {
    const p = seeded(100);
    const before = readFileSync(p.file, 'utf8');
    const s = p.open();
    s.settle();
    assert.equal(readFileSync(p.file, 'utf8'), before);
    assert.ok(!existsSync(p.journal));
  });
});
