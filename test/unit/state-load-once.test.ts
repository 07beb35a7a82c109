// StateStore.load() reads the files only when they changed (src/core/state.ts): a run loads at open,
// at plan and before executing; the second and third must not parse a 100k-entry file again — but a
// change by another process (CLI vs. editor), or a corrupt file, must still be seen.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateStore, stateFileFor } from '../../src/core/state.js';
import type { PathState } from '../../src/core/types.js';

describe('StateStore.load: once unless the files changed', () => {
  const base = mkdtempSync(join(tmpdir(), 'rs-state-once-'));
  after(() => rmSync(base, { recursive: true, force: true }));
  let n = 0;
  const pair = () => {
    const root = join(base, String(n++));
    mkdirSync(root);
    const id = `ftp://u@h/${n}`;
    return { a: new StateStore(stateFileFor(root, id), root, id), b: new StateStore(stateFileFor(root, id), root, id) };
  };
  const ps = (size: number): PathState => ({ type: 'file', local: { size, mtime: 1000 }, remote: { size, mtime: 2000 } });

  test('unchanged files: the second load parses nothing; our own records and compaction keep it in step', () => {
    const { a } = pair();
    a.load();
    for (let i = 0; i < 50; i++) a.record(`f${i}`, ps(i));
    a.compact();
    a.load();
    const parsed = a.parses;
    a.load(); a.load();
    assert.equal(a.parses, parsed, 'no re-read after compact');
    a.record('x', ps(7));
    a.record('f1', null);
    a.load();
    assert.equal(a.parses, parsed, 'no re-read after our own journal lines');
    assert.deepEqual(a.get('x'), ps(7));
    assert.equal(a.get('f1'), undefined);
    assert.equal(a.size, 50);
    a.closeJournal();
  });

  test('another process journals or compacts: the next load sees it', () => {
    const { a, b } = pair();
    a.load(); a.record('one', ps(1)); a.compact();
    b.load();
    assert.deepEqual(b.get('one'), ps(1));
    a.record('two', ps(2)); a.closeJournal(); // journal only
    b.load();
    assert.deepEqual(b.get('two'), ps(2), 'journal line of the other process');
    b.record('three', ps(3)); b.compact(); // snapshot replaced by b
    a.load();
    assert.deepEqual(a.get('three'), ps(3), 'snapshot replaced by the other process');
    assert.deepEqual(a.get('two'), ps(2));
  });

  test('our journal line after someone else\'s: the next load re-reads and has both', () => {
    const { a, b } = pair();
    a.load(); b.load();
    b.record('theirs', ps(5)); b.closeJournal();
    a.record('ours', ps(6));
    a.load();
    assert.deepEqual(a.get('theirs'), ps(5));
    assert.deepEqual(a.get('ours'), ps(6));
    a.closeJournal();
  });

  test('someone else\'s line between ours (the journal identity taken once after our lines): the next load re-reads and has all', () => {
    const { a, b } = pair();
    a.load(); a.record('base', ps(1)); a.compact();
    a.load(); b.load();
    const parsed = a.parses;
    a.record('ours1', ps(2));
    b.record('theirs', ps(3)); b.closeJournal();
    a.record('ours2', ps(4));
    a.record('ours3', ps(5));
    a.load();
    assert.ok(a.parses > parsed, 're-read: the journal is longer than our lines made it');
    for (const [p, size] of [['base', 1], ['ours1', 2], ['theirs', 3], ['ours2', 4], ['ours3', 5]] as const) assert.deepEqual(a.get(p), ps(size), p);
    // in step again after that load: our next lines alone keep it so
    const again = a.parses;
    a.record('ours4', ps(6)); a.record('ours5', ps(7));
    a.load();
    assert.equal(a.parses, again, 'no re-read after only our own lines');
    assert.deepEqual(a.get('ours5'), ps(7));
    a.closeJournal();
    a.load();
    assert.equal(a.parses, again, 'no re-read after closing the journal either');
  });

  test('a snapshot made corrupt after loading is still reported on the next load', () => {
    const { a } = pair();
    a.load(); a.record('k', ps(1)); a.compact(); a.load();
    writeFileSync(a.file, '{"version":1,"entries":');
    assert.throws(() => a.load(), /unreadable/);
  });

  test('a torn journal line appended by a killed process is ignored, the rest read', () => {
    const { a } = pair();
    a.load(); a.record('k', ps(1)); a.closeJournal();
    appendFileSync(a.journalFile, '{"p":"torn","s":{"ty');
    a.load();
    assert.deepEqual(a.get('k'), ps(1));
    assert.equal(a.get('torn'), undefined);
  });
});
