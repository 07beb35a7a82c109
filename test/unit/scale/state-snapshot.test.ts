// The compact last-sync state (src/core/state/table.ts, state/snapshot-parse.ts): the fast scanner
// reads exactly what JSON.parse reads from every snapshot 0.2.0 wrote (and falls back to it for any
// other valid JSON), reports a bad file as before, and what compact() writes is still the 0.2.0 format.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateStore, stateFileFor } from '../../../src/core/state.js';
import { StateTable } from '../../../src/core/state/table.js';
import { SnapshotFormatError, parseGeneric, parseSnapshot } from '../../../src/core/state/snapshot-parse.js';
import type { PathState } from '../../../src/core/types.js';

type Rec = [string, number, number, number, number, string?];
const T = 1_704_067_200_000;
/** paths that test the scanner: escapes, non-ASCII, integer-like keys (JSON.stringify puts them first) */
const ENTRIES: Record<string, Rec> = {
  'a': ['d', 0, T + 1, 0, T],
  'a/b.txt': ['f', 12, T, 12, T - 1000, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  'a/bin.dat': ['f', 1 << 20, T, 1 << 20, T, 'binary'],
  'a/quote"and\\back': ['f', 1, T, 1, T],
  'é/ünï cødé 日本.txt': ['f', 3, T, 3, T, 'large'],
  '123': ['f', 0, 0, 0, 0],
  'tab\there\nnewline': ['f', 5, -1000, 5, 1],
  'big': ['f', 2 ** 40, 8_640_000_000_000, 2 ** 40, 8_640_000_000_000],
};

/** a snapshot as 0.2.0 wrote it: JSON.stringify of the whole object */
const v020 = (entries: Record<string, Rec>, space?: number) => Buffer.from(JSON.stringify(
  { version: 1, local: '/home/me/site "x"', remote: 'sftp://me@h:22/var/www', updated: '2026-01-01T00:00:00.000Z', entries }, null, space));

function dump(t: StateTable): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [p, ...rest] of t.records()) out[p] = rest;
  return out;
}
const expected = (entries: Record<string, Rec>) => Object.fromEntries(Object.entries(entries).map(([p, r]) => [p, [r[0], r[1], r[2], r[3], r[4], r[5]]]));

describe('state snapshot: fast scanner, fallback, errors', () => {
  test('a 0.2.0 snapshot: every record read, equal to what JSON.parse gives', () => {
    const t = parseSnapshot(v020(ENTRIES));
    assert.deepEqual(dump(t), expected(ENTRIES));
    assert.deepEqual(dump(t), dump(parseGeneric(v020(ENTRIES).toString('utf8'))));
    assert.equal(t.size, 8);
    assert.equal(t.fileCount, 7);
    assert.deepEqual(t.get('a/b.txt'), { type: 'file', local: { size: 12, mtime: T }, remote: { size: 12, mtime: T - 1000 }, base: ENTRIES['a/b.txt'][5] });
    assert.deepEqual(t.get('a'), { type: 'dir', local: { size: 0, mtime: T + 1 }, remote: { size: 0, mtime: T } });
  });

  test('other valid JSON (indented, fractional or exponent numbers, fields reordered, empty) reads the same through JSON.parse', () => {
    assert.deepEqual(dump(parseSnapshot(v020(ENTRIES, 2))), expected(ENTRIES));
    const odd = { x: ['f', 1.5, 2e3, 0, 1] as Rec };
    assert.deepEqual(dump(parseSnapshot(v020(odd))), { x: ['f', 1.5, 2000, 0, 1, undefined] });
    const reordered = Buffer.from(JSON.stringify({ entries: { y: ['f', 1, 2, 3, 4] }, version: 1 }));
    assert.deepEqual(dump(parseSnapshot(reordered)), { y: ['f', 1, 2, 3, 4, undefined] });
    assert.equal(parseSnapshot(v020({})).size, 0);
    // a repeated key: JSON.parse's rule, the last one wins
    const twice = Buffer.from('{"version":1,"entries":{"k":["f",1,1,1,1],"k":["f",2,2,2,2]}}');
    assert.deepEqual(dump(parseSnapshot(twice)), { k: ['f', 2, 2, 2, 2, undefined] });
  });

  test('a bad file is an error naming the problem, never a silent empty state', () => {
    const bad = (b: Buffer | string, re: RegExp) => assert.throws(() => parseSnapshot(Buffer.from(b)), (e: unknown) => e instanceof SnapshotFormatError && re.test((e as Error).message));
    bad(v020({ p: ['f', 1, 2, 3] as unknown as Rec }), /bad record for "p"/);
    bad(v020({ p: ['f', 1, '2', 3, 4] as unknown as Rec }), /bad record for "p"/);
    bad(JSON.stringify({ version: 2, entries: {} }), /unknown format version 2/);
    bad(JSON.stringify({ version: 1 }), /unknown format version/);
    bad(v020(ENTRIES).subarray(0, 300), /JSON|Unterminated|Unexpected|end/i);
    bad('', /JSON|Unexpected|end/i);
  });

  test('the table: delete frees a slot for reuse; counts and lookups stay right', () => {
    const t = new StateTable();
    for (let i = 0; i < 200; i++) t.setRaw(`f${i}`, i % 10 === 0, i, i, i, i);
    assert.equal(t.size, 200);
    assert.equal(t.fileCount, 180);
    for (let i = 0; i < 200; i += 2) assert.ok(t.delete(`f${i}`));
    assert.equal(t.delete('f0'), false);
    assert.equal(t.size, 100);
    assert.equal(t.fileCount, 100, 'the folders were all at even numbers');
    t.setRaw('new', false, 7, 8, 9, 10, 'binary');
    assert.equal(t.fileCount, 101);
    t.setRaw('f1', true, 0, 0, 0, 0); // a file becomes a folder
    t.setRaw('f3', false, 3, 3, 3, 3); // the same again
    assert.equal(t.fileCount, 100);
    assert.equal(t.size, 101);
    assert.deepEqual(t.get('new'), { type: 'file', local: { size: 7, mtime: 8 }, remote: { size: 9, mtime: 10 }, base: 'binary' });
    assert.equal(t.get('f0'), undefined);
    assert.equal(t.get('f3')!.local.size, 3);
    const e = (type: 'file' | 'dir', size: number, mtime: number) => ({ path: '', type, size, mtime });
    assert.equal(t.unchangedPair('new', e('file', 7, 8), e('file', 9, 10)), true);
    assert.equal(t.unchangedPair('new', e('file', 7, 8), e('file', 9, 11)), false);
    assert.equal(t.unchangedPair('new', e('file', 7, 9), e('file', 9, 10)), false);
    assert.equal(t.unchangedPair('new', e('dir', 0, 0), e('file', 9, 10)), false);
    assert.equal(t.unchangedPair('f1', e('dir', 0, 5), e('dir', 0, 6)), true);
    assert.equal(t.unchangedPair('f0', e('file', 0, 0), e('file', 0, 0)), false);
  });
});

describe('StateStore: compaction writes the 0.2.0 format; journal and snapshot read back', () => {
  const base = mkdtempSync(join(tmpdir(), 'rs-state-snap-'));
  after(() => rmSync(base, { recursive: true, force: true }));

  test('record → compact → a fresh store (and 0.2.0\'s own checks) read the same records', () => {
    const root = join(base, 'r1');
    mkdirSync(root);
    const id = 'sftp://u@h/x';
    const a = new StateStore(stateFileFor(root, id), root, id);
    a.load();
    for (const [p, r] of Object.entries(ENTRIES)) {
      const st: PathState = { type: r[0] === 'd' ? 'dir' : 'file', local: { size: r[1], mtime: r[2] }, remote: { size: r[3], mtime: r[4] } };
      if (r[5]) st.base = r[5];
      a.record(p, st);
    }
    a.record('gone', null);
    a.compact();
    a.closeJournal();
    const text = readFileSync(a.file, 'utf8');
    // what 0.2.0's load() checked, record by record
    const snap = JSON.parse(text) as { version: number; local: string; remote: string; entries: Record<string, unknown[]> };
    assert.equal(snap.version, 1);
    assert.equal(snap.local, root);
    assert.equal(snap.remote, id);
    for (const [p, rec] of Object.entries(snap.entries)) {
      assert.ok(Array.isArray(rec) && (rec.length === 5 || rec.length === 6) && rec.slice(1, 5).every((n) => typeof n === 'number'), p);
    }
    assert.deepEqual(Object.fromEntries(Object.entries(snap.entries).map(([p, r]) => [p, [...r, ...(r.length === 5 ? [undefined] : [])]])), expected(ENTRIES));
    const b = new StateStore(stateFileFor(root, id), root, id);
    b.load();
    for (const p of Object.keys(ENTRIES)) assert.deepEqual(b.get(p), a.get(p), p);
    assert.equal(b.countFiles(), 7);
    assert.equal(b.hasState, true);
  });

  test('a 0.2.0 snapshot plus a journal (a torn last line, a foreign line) loads as before', () => {
    const root = join(base, 'r2');
    mkdirSync(join(root, '.remote-sync'), { recursive: true, mode: 0o700 });
    const id = 'ftp://u@h/y';
    const file = stateFileFor(root, id);
    writeFileSync(file, v020(ENTRIES), { mode: 0o600 });
    const st = (n: number): PathState => ({ type: 'file', local: { size: n, mtime: n }, remote: { size: n, mtime: n } });
    writeFileSync(file.replace(/\.json$/, '.journal'), [
      JSON.stringify({ p: 'a/b.txt', s: st(99) }), JSON.stringify({ p: '123', s: null }), JSON.stringify({ p: 'odd', s: { type: 'file' } }),
      JSON.stringify({ p: 'n', s: st(1) }), '{"p":"torn","s":{"ty',
    ].join('\n'), { mode: 0o600 });
    const s = new StateStore(file, root, id);
    s.load();
    assert.deepEqual(s.get('a/b.txt'), st(99));
    assert.equal(s.get('123'), undefined);
    assert.equal(s.get('odd'), undefined);
    assert.deepEqual(s.get('n'), st(1));
    assert.equal(s.get('torn'), undefined);
    assert.equal(s.size, 8);
  });

  test('a corrupt snapshot: the SyncError names the file and says what to do', () => {
    const root = join(base, 'r3');
    mkdirSync(join(root, '.remote-sync'), { recursive: true, mode: 0o700 });
    const id = 'ftp://u@h/z';
    const file = stateFileFor(root, id);
    writeFileSync(file, v020({ p: ['f', 1, 2] as unknown as Rec }), { mode: 0o600 });
    const s = new StateStore(file, root, id);
    assert.throws(() => s.load(), (e: unknown) => {
      const err = e as { message: string; path?: string; detail?: string; hint?: string };
      return /unreadable/.test(err.message) && err.path === file && /bad record for "p"/.test(err.detail ?? '') && /Move it away/.test(err.hint ?? '');
    });
  });
});
