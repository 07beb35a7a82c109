// Unit tests for the classifier (src/core/classify.ts): classifySide for every class, and decide()
// for the full matrix of each mode. Table-driven: every row's test name shows the row.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { classifySide, decide, deletesOn, type Decision, type DecisionKind } from '../../src/core/classify.js';
import type { ConflictKind, Entry, EntryClass, EntryType, PathState, SyncMode } from '../../src/core/types.js';

const T = 1_700_000_000_000;
const file = (size = 10, mtime = T): Entry => ({ path: 'p', type: 'file', size, mtime });
const dir = (mtime = T): Entry => ({ path: 'p', type: 'dir', size: 0, mtime });
const stateOf = (type: EntryType, l = { size: 10, mtime: T }, r = { size: 10, mtime: T + 5 }): PathState => ({ type, local: l, remote: r });

/** a reason is one short human sentence: non-empty, trimmed, no "undefined" leaking in */
function assertSentence(reason: string | undefined): void {
  assert.equal(typeof reason, 'string');
  assert.ok(reason!.trim().length > 3, `reason too short: ${JSON.stringify(reason)}`);
  assert.equal(reason, reason!.trim());
  assert.doesNotMatch(reason!, /undefined|null|NaN|\[object/);
}

describe('classifySide', () => {
  const st = stateOf('file', { size: 10, mtime: T }, { size: 20, mtime: T + 1000 });
  const cases: [string, Entry | undefined, PathState | undefined, 'local' | 'remote', boolean, EntryClass][] = [
    ['absent, state for the path → deleted', undefined, st, 'local', true, 'deleted'],
    ['absent, no state for the path, pair has state → missing', undefined, undefined, 'local', true, 'missing'],
    ['absent, no state at all (first run) → missing', undefined, undefined, 'remote', false, 'missing'],
    ['present, no path state, pair has state → new', file(), undefined, 'local', true, 'new'],
    ['present, no state at all (first run) → existing', file(), undefined, 'local', false, 'existing'],
    ['folder present, no state at all → existing', dir(), undefined, 'remote', false, 'existing'],
    ['local: same size+mtime as the local state → unmodified', file(10, T), st, 'local', true, 'unmodified'],
    ['remote: same size+mtime as the remote state → unmodified', file(20, T + 1000), st, 'remote', true, 'unmodified'],
    ['local compared with the LOCAL half only (remote values → modified)', file(20, T + 1000), st, 'local', true, 'modified'],
    ['remote compared with the REMOTE half only (local values → modified)', file(10, T), st, 'remote', true, 'modified'],
    ['size differs → modified', file(11, T), st, 'local', true, 'modified'],
    ['mtime differs by 1 ms → modified', file(10, T + 1), st, 'local', true, 'modified'],
    ['type change file → folder counts as modified', dir(), st, 'local', true, 'modified'],
    ['type change folder → file counts as modified', file(0, 0), stateOf('dir', { size: 0, mtime: 0 }, { size: 0, mtime: 0 }), 'remote', true, 'modified'],
    ['folder ignores mtime → unmodified', dir(T + 99_999), stateOf('dir', { size: 0, mtime: T }, { size: 0, mtime: T }), 'local', true, 'unmodified'],
    ['folder ignores size too → unmodified', { path: 'p', type: 'dir', size: 4096, mtime: 1 }, stateOf('dir', { size: 0, mtime: 0 }, { size: 0, mtime: 0 }), 'remote', true, 'unmodified'],
  ];
  for (const [name, entry, state, side, hasState, want] of cases) {
    test(`${side}: ${name}`, () => assert.equal(classifySide(entry, state, side, hasState), want));
  }
});

// ---------------------------------------------------------------------------------------------
// decide(): rows are [local class, remote class, flags] → [kind, conflict?, replace?]

type Cls = EntryClass;
interface Row {
  lc: Cls; rc: Cls;
  /** entry types present on each side (default file) */
  lt?: EntryType; rt?: EntryType;
  /** default: a state entry exists iff a class is unmodified/modified/deleted */
  pathState?: boolean;
  delete?: boolean; force?: boolean;
  want: DecisionKind | undefined;
  conflict?: ConflictKind;
  replace?: boolean;
  /** the reason must contain this */
  says?: RegExp;
}

const present = (c: Cls) => c !== 'missing' && c !== 'deleted';
const withState = (c: Cls) => c === 'unmodified' || c === 'modified' || c === 'deleted';

function run(mode: SyncMode, r: Row): Decision | undefined {
  const local = present(r.lc) ? (r.lt === 'dir' ? dir() : file()) : undefined;
  const remote = present(r.rc) ? (r.rt === 'dir' ? dir() : file(12, T + 3000)) : undefined;
  return decide({
    mode, local, remote, localClass: r.lc, remoteClass: r.rc,
    hasPathState: r.pathState ?? (withState(r.lc) || withState(r.rc)),
    delete: r.delete, force: r.force,
  });
}

function label(mode: SyncMode, r: Row): string {
  const t = (c: Cls, ty?: EntryType) => (present(c) && ty === 'dir' ? `${c}(dir)` : c);
  const flags = [r.delete && '--delete', r.force && '--force'].filter(Boolean).join(' ');
  const out = r.want === undefined ? 'in sync (nothing)' : `${r.want}${r.conflict ? `(${r.conflict})` : ''}${r.replace ? ' +replace' : ''}`;
  return `${mode} | L=${t(r.lc, r.lt)} R=${t(r.rc, r.rt)}${flags ? ' ' + flags : ''} → ${out}`;
}

function table(mode: SyncMode, rows: Row[]): void {
  for (const r of rows) {
    test(label(mode, r), () => {
      const d = run(mode, r);
      if (r.want === undefined) { assert.equal(d, undefined, JSON.stringify(d)); return; }
      assert.ok(d, 'expected a decision');
      assert.equal(d.kind, r.want, d.reason);
      assert.equal(d.conflict, r.conflict, 'conflict kind');
      assert.equal(d.replace === true, r.replace === true, 'replace flag');
      assertSentence(d.reason);
      if (r.says) assert.match(d.reason, r.says);
    });
  }
}

describe('decide: sync, files with a state entry ({unmodified, modified, deleted}²)', () => {
  table('sync', [
    { lc: 'unmodified', rc: 'unmodified', want: undefined },
    { lc: 'modified', rc: 'unmodified', want: 'upload', says: /modified locally/ },
    { lc: 'unmodified', rc: 'modified', want: 'download', says: /modified on the server/ },
    { lc: 'modified', rc: 'modified', want: 'compare', conflict: 'both-modified', says: /both sides/ },
    { lc: 'deleted', rc: 'unmodified', want: 'delete-remote', says: /deleted locally/ },
    { lc: 'unmodified', rc: 'deleted', want: 'delete-local', says: /deleted on the server/ },
    { lc: 'deleted', rc: 'modified', want: 'conflict', conflict: 'modified-deleted', says: /modified on the server, deleted locally/ },
    { lc: 'modified', rc: 'deleted', want: 'conflict', conflict: 'modified-deleted', says: /modified locally, deleted on the server/ },
    { lc: 'deleted', rc: 'deleted', want: 'forget', says: /gone on both sides/ },
  ]);
});

describe('decide: sync, files without a state entry ({new|existing, missing}²)', () => {
  table('sync', [
    { lc: 'new', rc: 'new', want: 'compare', conflict: 'both-new', says: /created on both sides/ },
    { lc: 'existing', rc: 'existing', want: 'compare', conflict: 'both-new', says: /never synced/ },
    { lc: 'new', rc: 'missing', want: 'upload', says: /new locally/ },
    { lc: 'missing', rc: 'new', want: 'download', says: /new on the server/ },
    { lc: 'existing', rc: 'missing', want: 'upload', says: /only locally/ },
    { lc: 'missing', rc: 'existing', want: 'download', says: /only on the server/ },
    { lc: 'missing', rc: 'missing', want: undefined },
  ]);
});

describe('decide: sync, folders (mtime never matters)', () => {
  table('sync', [
    { lc: 'unmodified', rc: 'unmodified', lt: 'dir', rt: 'dir', want: undefined },
    { lc: 'new', rc: 'new', lt: 'dir', rt: 'dir', want: 'equal', says: /folder/ },
    { lc: 'existing', rc: 'existing', lt: 'dir', rt: 'dir', want: 'equal' },
    { lc: 'new', rc: 'missing', lt: 'dir', want: 'mkdir-remote' },
    { lc: 'missing', rc: 'new', rt: 'dir', want: 'mkdir-local' },
    { lc: 'existing', rc: 'missing', lt: 'dir', want: 'mkdir-remote' },
    { lc: 'unmodified', rc: 'deleted', lt: 'dir', want: 'delete-local' },
    { lc: 'deleted', rc: 'unmodified', rt: 'dir', want: 'delete-remote' },
    { lc: 'deleted', rc: 'deleted', want: 'forget' },
    // state says file, both sides are folders now: record the folder
    { lc: 'modified', rc: 'modified', lt: 'dir', rt: 'dir', want: 'equal' },
  ]);
});

describe('decide: sync, type mismatches (file on one side, folder on the other)', () => {
  table('sync', [
    // state = file
    { lc: 'modified', rc: 'unmodified', lt: 'dir', want: 'mkdir-remote', replace: true, says: /replaced by a folder locally/ },
    { lc: 'unmodified', rc: 'modified', rt: 'dir', want: 'mkdir-local', replace: true, says: /replaced by a folder on the server/ },
    { lc: 'modified', rc: 'modified', lt: 'dir', want: 'conflict', conflict: 'type-mismatch', says: /a folder locally, a file on the server/ },
    { lc: 'modified', rc: 'modified', rt: 'dir', want: 'conflict', conflict: 'type-mismatch', says: /a file locally, a folder on the server/ },
    // state = folder
    { lc: 'modified', rc: 'unmodified', rt: 'dir', want: 'upload', replace: true, says: /replaced by a file locally/ },
    { lc: 'unmodified', rc: 'modified', lt: 'dir', want: 'download', replace: true, says: /replaced by a file on the server/ },
    // no state for the path
    { lc: 'new', rc: 'new', lt: 'dir', want: 'conflict', conflict: 'type-mismatch' },
    { lc: 'existing', rc: 'existing', rt: 'dir', want: 'conflict', conflict: 'type-mismatch' },
    // a folder on one side replaced a deleted file of the other: still "modified vs deleted"
    { lc: 'modified', rc: 'deleted', lt: 'dir', want: 'conflict', conflict: 'modified-deleted' },
  ]);
});

// One-way runs: rows written for upload (src = local, dst = remote); download is the mirror image.
const oneWay: Row[] = [
  // with a state entry
  { lc: 'unmodified', rc: 'unmodified', want: undefined },
  { lc: 'modified', rc: 'unmodified', want: 'upload', says: /modified locally/ },
  { lc: 'unmodified', rc: 'modified', want: 'skip', says: /--force/ },
  { lc: 'unmodified', rc: 'modified', force: true, want: 'upload', says: /--force/ },
  { lc: 'modified', rc: 'modified', want: 'compare', conflict: 'both-modified' },
  { lc: 'modified', rc: 'modified', force: true, want: 'compare', conflict: 'both-modified' },
  { lc: 'unmodified', rc: 'deleted', want: 'upload', says: /restoring/ },
  { lc: 'modified', rc: 'deleted', want: 'upload', says: /restoring/ },
  { lc: 'deleted', rc: 'unmodified', want: 'skip', says: /--delete/ },
  { lc: 'deleted', rc: 'unmodified', delete: true, want: 'delete-remote', says: /deleted locally/ },
  { lc: 'deleted', rc: 'modified', want: 'skip', says: /--delete/ },
  { lc: 'deleted', rc: 'modified', delete: true, want: 'conflict', conflict: 'modified-deleted', says: /deleted locally, modified on the server/ },
  { lc: 'deleted', rc: 'modified', delete: true, force: true, want: 'delete-remote' },
  { lc: 'deleted', rc: 'deleted', want: 'forget' },
  { lc: 'deleted', rc: 'deleted', delete: true, want: 'forget' },
  // without a state entry
  { lc: 'new', rc: 'new', want: 'compare', conflict: 'both-new', says: /created on both sides/ },
  { lc: 'existing', rc: 'existing', want: 'compare', conflict: 'both-new', says: /never synced/ },
  { lc: 'new', rc: 'missing', want: 'upload', says: /new locally/ },
  { lc: 'existing', rc: 'missing', want: 'upload' },
  { lc: 'missing', rc: 'new', want: undefined },
  { lc: 'missing', rc: 'new', delete: true, want: 'delete-remote', says: /not locally/ },
  { lc: 'missing', rc: 'existing', delete: true, want: 'delete-remote' },
  { lc: 'missing', rc: 'missing', delete: true, want: undefined },
  // folders
  { lc: 'unmodified', rc: 'unmodified', lt: 'dir', rt: 'dir', want: undefined },
  { lc: 'new', rc: 'new', lt: 'dir', rt: 'dir', want: 'equal' },
  { lc: 'new', rc: 'missing', lt: 'dir', want: 'mkdir-remote' },
  { lc: 'deleted', rc: 'unmodified', rt: 'dir', delete: true, want: 'delete-remote' },
  // type mismatches (state = file unless the classes say otherwise)
  { lc: 'modified', rc: 'unmodified', lt: 'dir', want: 'mkdir-remote', replace: true, says: /replaced by a folder locally/ },
  { lc: 'unmodified', rc: 'modified', rt: 'dir', want: 'skip', says: /--force/ },
  { lc: 'unmodified', rc: 'modified', rt: 'dir', force: true, want: 'upload', replace: true },
  { lc: 'modified', rc: 'modified', rt: 'dir', want: 'conflict', conflict: 'type-mismatch', says: /a file locally, a folder on the server/ },
  { lc: 'modified', rc: 'modified', rt: 'dir', force: true, want: 'upload', replace: true },
  { lc: 'new', rc: 'new', lt: 'dir', want: 'conflict', conflict: 'type-mismatch', says: /a folder locally, a file on the server/ },
  { lc: 'new', rc: 'new', lt: 'dir', force: true, want: 'mkdir-remote', replace: true },
];

const mirrorKind = (k: DecisionKind | undefined): DecisionKind | undefined => ({
  upload: 'download', download: 'upload', 'mkdir-remote': 'mkdir-local', 'mkdir-local': 'mkdir-remote',
  'delete-remote': 'delete-local', 'delete-local': 'delete-remote',
} as Record<string, DecisionKind>)[k ?? ''] ?? k;
const mirrorSays = (re?: RegExp): RegExp | undefined => re && new RegExp(re.source
  .replace(/locally/g, '\u0001').replace(/on the server/g, 'locally').replace(/\u0001/g, 'on the server')
  .replace(/a file locally, a folder on the server/, 'a folder locally, a file on the server'));

describe('decide: upload (local → server)', () => table('upload', oneWay));

describe('decide: download (server → local), the mirror image', () => {
  table('download', oneWay.map((r) => {
    // the type-mismatch wording always names local first, so it is not a mirror: fix it up
    const says = r.conflict === 'type-mismatch' ? (r.lt === 'dir' ? /a file locally, a folder on the server/ : /a folder locally, a file on the server/) : mirrorSays(r.says);
    return { ...r, lc: r.rc, rc: r.lc, lt: r.rt, rt: r.lt, want: mirrorKind(r.want), says };
  }));
});

describe('decide: one-way runs never write to their source', () => {
  const classes: Cls[] = ['new', 'existing', 'unmodified', 'modified', 'deleted', 'missing'];
  for (const mode of ['upload', 'download'] as const) {
    const src = mode === 'upload' ? 'local' : 'remote';
    test(`${mode}: no combination × type × --delete × --force gives a write on the ${src} side`, () => {
      let n = 0;
      for (const lc of classes) for (const rc of classes) for (const lt of ['file', 'dir'] as const) for (const rt of ['file', 'dir'] as const) {
        for (const del of [false, true]) for (const force of [false, true]) {
          // skip impossible pairs: state is per path, so both sides agree on whether there is one
          if ((lc === 'new' || lc === 'existing' || lc === 'missing') !== (rc === 'new' || rc === 'existing' || rc === 'missing')) continue;
          if ((lc === 'new') !== (rc === 'new') && lc !== 'missing' && rc !== 'missing') continue;
          const d = run(mode, { lc, rc, lt, rt, delete: del, force, want: undefined });
          if (!d) continue;
          n++;
          for (const k of ['upload', 'download', 'mkdir-local', 'mkdir-remote', 'delete-local', 'delete-remote'] as const) {
            const writesLocal = k === 'download' || k === 'mkdir-local' || k === 'delete-local';
            if (d.kind === k) assert.equal(writesLocal, src === 'remote', `${lc}/${rc} ${lt}/${rt} del=${del} force=${force} → ${d.kind}`);
          }
          assertSentence(d.reason);
        }
      }
      assert.ok(n > 50, `checked ${n} decisions`);
    });
  }
});

describe('deletesOn', () => {
  test('delete-local deletes on local only, delete-remote on remote only', () => {
    assert.equal(deletesOn('delete-local', 'local'), true);
    assert.equal(deletesOn('delete-local', 'remote'), false);
    assert.equal(deletesOn('delete-remote', 'remote'), true);
    assert.equal(deletesOn('upload', 'remote'), false);
    assert.equal(deletesOn('compare', 'local'), false);
  });
});
