// Unit tests for the safety checks (safety.ts), the filters (filter.ts) and the last-sync state
// store (state.ts; temp dirs only).

import { test, describe, after, mock } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { maxDeleteLimit, checkSafety } from '../../src/core/safety.js';
import { Filter, splitPatterns } from '../../src/core/filter.js';
import { StateStore, stateFileFor } from '../../src/core/state.js';
import { buildPlan } from '../../src/core/planner.js';
import { SyncError } from '../../src/core/errors.js';
import type { Action, ActionKind, Entry, PathState, Plan } from '../../src/core/types.js';

const isSyncError = (code: string, re?: RegExp) => (e: unknown) => {
  assert.ok(e instanceof SyncError, `not a SyncError: ${String(e)}`);
  assert.equal(e.code, code);
  if (re) assert.match(e.message, re);
  return true;
};

// ------------------------------------------------------------------------------------------------
describe('maxDeleteLimit', () => {
  const ok: [number | string | undefined, number, number][] = [
    ['50%', 10, 5], ['50%', 7, 4], [undefined, 10, 5], [undefined, 0, 0], ['10', 100, 10], [10, 100, 10], [10, 3, 10],
    ['12.5%', 8, 1], ['12.5%', 10, 2], ['100%', 3, 3], ['0', 10, 0], ['0%', 10, 0], ['7.9', 100, 7], [' 20 % ', 10, 2],
  ];
  for (const [spec, total, want] of ok) {
    test(`${JSON.stringify(spec)} of ${total} files → ${want}`, () => assert.equal(maxDeleteLimit(spec, total), want));
  }
  for (const bad of ['abc', '', '-1', '5%%', '%', '1e3', '50 percent', '10 files', '.5']) {
    test(`${JSON.stringify(bad)} → SyncError usage naming the input`, () => {
      assert.throws(() => maxDeleteLimit(bad, 10), isSyncError('usage', new RegExp(`"${bad.replace(/[.%]/g, '\\$&')}"`)));
    });
  }
});

describe('checkSafety', () => {
  const del = (kind: ActionKind, path: string, fileCount?: number): Action =>
    ({ kind, path, type: fileCount === undefined ? 'file' : 'dir', reason: 'r', localClass: 'unmodified', remoteClass: 'deleted', bytes: 0, fileCount });
  const plan = (counts: Partial<Plan['counts']>, actions: Action[] = []): Plan => ({
    mode: 'sync', local: '/home/me/site', remote: 'sftp://me@h/www', actions, inSync: 0, stateOnly: [], badNames: [],
    counts: { localFiles: 10, remoteFiles: 10, stateFiles: 10, hadState: true, ...counts },
  });

  test('a side that lists no files after a sync aborts, naming the side, where, and the count', () => {
    assert.throws(() => checkSafety(plan({ localFiles: 0, stateFiles: 7 }), { scoped: false }),
      isSyncError('safety', /local folder \/home\/me\/site lists no files, but 7 files were synced last time/));
    assert.throws(() => checkSafety(plan({ remoteFiles: 0 }), { scoped: false }),
      isSyncError('safety', /server folder sftp:\/\/me@h\/www lists no files/));
  });
  test('not on the first run (no state), nor when the state held no files', () => {
    checkSafety(plan({ localFiles: 0, stateFiles: 0, hadState: false }), { scoped: false });
    checkSafety(plan({ remoteFiles: 0, stateFiles: 0, hadState: true }), { scoped: false });
  });
  test('not when the run is scoped to some paths', () => {
    checkSafety(plan({ localFiles: 0 }), { scoped: true });
  });
  test('over the limit aborts with the counts in the message', () => {
    const actions = Array.from({ length: 6 }, (_, i) => del('delete-remote', `f${i}`));
    assert.throws(() => checkSafety(plan({}, actions), { scoped: false }),
      isSyncError('safety', /delete 6 of 10 files on the server, more than the limit of 5/));
  });
  test('at the limit passes (5 of 10 with the default 50%)', () => {
    checkSafety(plan({}, Array.from({ length: 5 }, (_, i) => del('delete-remote', `f${i}`))), { scoped: false });
  });
  test('a folder deletion counts its fileCount (6 → over); an empty folder counts 0', () => {
    assert.throws(() => checkSafety(plan({}, [del('delete-local', 'd', 6)]), { scoped: false }),
      isSyncError('safety', /delete 6 of 10 files locally/));
    checkSafety(plan({}, [del('delete-local', 'e', 0), del('delete-local', 'd', 5)]), { scoped: false });
  });
  test('sides are counted separately; conflicts and skips do not count', () => {
    const actions = [...Array.from({ length: 5 }, (_, i) => del('delete-remote', `r${i}`)), ...Array.from({ length: 5 }, (_, i) => del('delete-local', `l${i}`)),
      { ...del('conflict', 'c'), conflict: 'modified-deleted' as const }, del('skip', 's')];
    checkSafety(plan({}, actions), { scoped: false });
  });
  test('maxDelete count and percentage; bad maxDelete is a usage error', () => {
    assert.throws(() => checkSafety(plan({}, [del('delete-remote', 'a')]), { scoped: false, maxDelete: 0 }), isSyncError('safety'));
    checkSafety(plan({}), { scoped: false, maxDelete: '0' });
    checkSafety(plan({}, Array.from({ length: 9 }, (_, i) => del('delete-remote', `f${i}`))), { scoped: false, maxDelete: '90%' });
    assert.throws(() => checkSafety(plan({}), { scoped: false, maxDelete: 'lots' }), isSyncError('usage'));
  });

  test('a folder replaced by a file counts the files it removes against --max-delete',
    async () => {
      // 'site' (a folder with 8 synced files) became a file locally: the upload +replace removes the 8 files on the server
      const files = Array.from({ length: 8 }, (_, i): Entry => ({ path: `site/f${i}`, type: 'file', size: 1, mtime: 1 }));
      const dirE: Entry = { path: 'site', type: 'dir', size: 0, mtime: 1 };
      const st = new Map<string, PathState>([dirE, ...files].map((e) => [e.path, { type: e.type, local: { size: e.size, mtime: 1 }, remote: { size: e.size, mtime: 1 } }]));
      const p = await buildPlan({
        mode: 'sync', localDisplay: 'L', remoteDisplay: 'R',
        local: new Map([['site', { path: 'site', type: 'file', size: 5, mtime: 9 }]]),
        remote: new Map<string, Entry>([dirE, ...files].map((e) => [e.path, e])),
        state: { hasState: true, get: (x) => st.get(x), paths: () => st.keys(), countFiles: () => 8 },
        isExcluded: () => false, excludedSeen: { local: [], remote: [] }, mtimeResolutionMs: 1000, sameContent: async () => true,
      });
      assert.deepEqual(p.actions.map((a) => `${a.kind} ${a.path}${a.replace ? ' +replace' : ''}`), ['upload site +replace']);
      assert.throws(() => checkSafety(p, { scoped: false }), isSyncError('safety', /delete 8 of 8 files on the server/));
    });
});

// ------------------------------------------------------------------------------------------------
describe('Filter (gitignore-like)', () => {
  type Case = [path: string, type: 'file' | 'dir', excluded: boolean];
  const check = (name: string, options: ConstructorParameters<typeof Filter>[0], cases: Case[]) => {
    test(`${name}: ${JSON.stringify(options)}`, () => {
      const f = new Filter(options);
      for (const [p, t, want] of cases) {
        assert.equal(f.isExcluded(p, t), want, `${p} (${t}) should be ${want ? 'excluded' : 'included'}`);
        assert.equal(f.includes(p, t), !want);
      }
    });
  };
  check('unanchored name matches at any depth', { exclude: ['*.log', 'node_modules'] }, [
    ['a.log', 'file', true], ['d/e/a.log', 'file', true], ['.hidden.log', 'file', true], ['a.log.txt', 'file', false],
    ['node_modules', 'dir', true], ['x/node_modules', 'dir', true], ['node_modules2', 'dir', false],
  ]);
  check('leading slash anchors at the root', { exclude: ['/build'] }, [['build', 'dir', true], ['build', 'file', true], ['src/build', 'dir', false]]);
  check('an inner slash anchors at the root', { exclude: ['docs/*.md'] }, [['docs/a.md', 'file', true], ['x/docs/a.md', 'file', false], ['docs/sub/a.md', 'file', false]]);
  check('trailing slash = folders only (still unanchored)', { exclude: ['cache/'] }, [['cache', 'dir', true], ['a/cache', 'dir', true], ['cache', 'file', false]]);
  check('trailing slash with an inner slash: anchored folders only', { exclude: ['a/b/'] }, [['a/b', 'dir', true], ['a/b', 'file', false], ['x/a/b', 'dir', false]]);
  check('** spans folders', { exclude: ['docs/**/*.md', '**/tmp/**'] }, [
    ['docs/a.md', 'file', true], ['docs/x/y/a.md', 'file', true], ['z/docs/a.md', 'file', false],
    ['tmp/y', 'file', true], ['x/tmp/y/z', 'file', true],
  ]);
  check('negation re-includes (last match wins)', { exclude: ['*.log', '!keep.log'] }, [['a.log', 'file', true], ['keep.log', 'file', false], ['d/keep.log', 'file', false]]);
  check('a later pattern overrides a negation', { exclude: ['!keep.log', '*.log'] }, [['keep.log', 'file', true]]);
  check('comma-separated and repeated lists', { exclude: ['*.log,*.tmp', ' build/ , dist'] }, [
    ['a.log', 'file', true], ['a.tmp', 'file', true], ['build', 'dir', true], ['dist', 'file', true], ['src', 'dir', false],
  ]);
  check('match applies to files only (folders are always walked)', { match: ['*.txt'] }, [
    ['a.txt', 'file', false], ['d/e/a.txt', 'file', false], ['a.md', 'file', true], ['d', 'dir', false], ['d.md', 'dir', false],
  ]);
  check('exclude wins over match', { match: ['*.txt'], exclude: ['secret.txt'] }, [['secret.txt', 'file', true], ['a.txt', 'file', false]]);
  check('comments and blank patterns are ignored; patterns are trimmed', { exclude: ['#comment', '', '  spaced.txt  '] }, [['#comment', 'file', false], ['spaced.txt', 'file', true]]);
  check('case-sensitive', { exclude: ['Build'] }, [['build', 'dir', false], ['Build', 'dir', true]]);

  test('built-in excludes always apply, even against negations', () => {
    const f = new Filter({ exclude: ['!.git/', '!.DS_Store', '!/.remote-sync/'], match: ['*.txt'] });
    for (const [p, t] of [['.git', 'dir'], ['sub/.git', 'dir'], ['.hg', 'dir'], ['a/.svn', 'dir'], ['.DS_Store', 'file'], ['x/.DS_Store', 'file'], ['.remote-sync', 'dir']] as const) {
      assert.equal(f.isExcluded(p, t), true, p);
      assert.equal(f.isBuiltinExcluded(p, t), true, p);
    }
    assert.equal(new Filter().isBuiltinExcluded('.gitignore', 'file'), false);
    assert.equal(new Filter().isBuiltinExcluded('.git', 'file'), false, '.git/ is folders only (worktree .git files are user files)');
    // the state folder's name is reserved at any depth, file or folder (a nested .remote-sync/ holds another pair's state)
    assert.equal(new Filter().isBuiltinExcluded('sub/.remote-sync', 'dir'), true, 'nested state folders are never synced');
    assert.equal(new Filter().isBuiltinExcluded('a/b/.remote-sync', 'file'), true, 'nor a file with that name');
    assert.equal(new Filter({ exclude: ['*.log'] }).isBuiltinExcluded('a.log', 'file'), false, 'user patterns are not built-ins');
  });

  test('splitPatterns', () => {
    assert.deepEqual(splitPatterns(['a,b', ' c ', '', ',d,']), ['a', 'b', 'c', 'd']);
    assert.deepEqual(splitPatterns(undefined), []);
  });

  test('a negation does not bypass --match (files must match one)',
    () => {
      const f = new Filter({ match: ['*.txt'], exclude: ['*.log', '!keep.log'] });
      assert.equal(f.isExcluded('keep.log', 'file'), true);
    });

  test('brace patterns survive the comma split',
    () => {
      assert.equal(new Filter({ exclude: ['*.{log,tmp}'] }).isExcluded('a.log', 'file'), true);
    });
});

// ------------------------------------------------------------------------------------------------
describe('StateStore', () => {
  const base = mkdtempSync(join(tmpdir(), 'rs-state-'));
  after(() => rmSync(base, { recursive: true, force: true }));
  let n = 0;
  const fresh = () => {
    const root = join(base, String(n++));
    mkdirSync(root);
    return new StateStore(stateFileFor(root, `sftp://u@h/${n}`), root, `sftp://u@h/${n}`);
  };
  const reopen = (s: StateStore) => { s.closeJournal(); const t = new StateStore(s.file, dirname(dirname(s.file)), 'id'); t.load(); return t; };
  const ps = (size: number, mtime = 1000, type: 'file' | 'dir' = 'file'): PathState => ({ type, local: { size, mtime }, remote: { size: size + 1, mtime: mtime + 1 } });
  const all = (s: StateStore) => Object.fromEntries([...s.paths()].sort().map((p) => [p, s.get(p)]));
  const tempsIn = (s: StateStore) => readdirSync(dirname(s.file)).filter((f) => f.endsWith('.tmp'));

  test('stateFileFor: <root>/.remote-sync/<16 hex>.json, one per remote', () => {
    const a = stateFileFor('/r', 'sftp://u@h/x');
    assert.match(a, /^\/r\/\.remote-sync\/[0-9a-f]{16}\.json$/);
    assert.equal(a, stateFileFor('/r', 'sftp://u@h/x'));
    assert.notEqual(a, stateFileFor('/r', 'sftp://u@h/y'));
  });

  test('fresh store: no state; record + compact + load round-trips (files, folders, forgets)', () => {
    const s = fresh();
    s.load();
    assert.equal(s.hasState, false);
    s.record('a', ps(1)); s.record('d', ps(0, 5, 'dir')); s.record('gone', ps(9)); s.record('gone', null);
    s.recordPair('b', 'file', { path: 'b', type: 'file', size: 3, mtime: 30 } as Entry, { path: 'b', type: 'file', size: 4, mtime: 40 } as Entry);
    assert.equal(s.hasState, true);
    assert.equal(s.pending, 5);
    s.compact();
    assert.equal(existsSync(s.journalFile), false, 'compaction drops the journal');
    assert.equal(s.pending, 0);
    const t = reopen(s);
    assert.equal(t.hasState, true);
    assert.deepEqual(all(t), { a: ps(1), b: { type: 'file', local: { size: 3, mtime: 30 }, remote: { size: 4, mtime: 40 } }, d: ps(0, 5, 'dir') });
    assert.equal(t.countFiles(), 2);
    assert.equal(t.size, 3);
  });

  test('an empty state that was compacted still counts as "synced before"', () => {
    const s = fresh();
    s.load(); s.compact(true);
    assert.equal(reopen(s).hasState, true);
  });

  test('the journal alone (killed before compaction) is applied on load', () => {
    const s = fresh();
    s.load(); s.record('a', ps(1)); s.record('b', ps(2)); s.record('a', null);
    assert.equal(existsSync(s.file), false);
    const t = reopen(s);
    assert.equal(t.hasState, true);
    assert.deepEqual(all(t), { b: ps(2) });
  });

  test('the journal is applied on top of the snapshot', () => {
    const s = fresh();
    s.load(); s.record('a', ps(1)); s.record('b', ps(2)); s.compact();
    s.record('b', ps(20)); s.record('c', ps(3)); s.record('a', null);
    assert.deepEqual(all(reopen(s)), { b: ps(20), c: ps(3) });
  });

  test('a torn last journal line is ignored', () => {
    const s = fresh();
    s.load(); s.record('a', ps(1)); s.closeJournal();
    fs.appendFileSync(s.journalFile, '{"p":"b","s":{"type":"fi');
    assert.deepEqual(all(reopen(s)), { a: ps(1) });
  });

  test('records written after a torn journal line survive the next load',
    () => {
      const s = fresh();
      s.load(); s.record('a', ps(1)); s.closeJournal();
      fs.appendFileSync(s.journalFile, '{"p":"x","s":{"ty');
      const t = reopen(s);
      t.record('b', ps(2));
      assert.deepEqual(all(reopen(t)), { a: ps(1), b: ps(2) });
    });

  for (const [what, content] of [
    ['invalid JSON', '{"version":1,"entr'], ['an empty file', ''], ['an unknown version', '{"version":99,"entries":{}}'], ['JSON null', 'null'],
  ]) {
    test(`a corrupt snapshot (${what}) → SyncError io naming the file; never starts over`, () => {
      const s = fresh();
      mkdirSync(dirname(s.file), { recursive: true });
      writeFileSync(s.file, content);
      assert.throws(() => s.load(), (e: unknown) => {
        assert.ok(e instanceof SyncError, String(e));
        assert.equal(e.code, 'io');
        assert.equal(e.path, s.file);
        assert.ok(e.toString().includes(s.file));
        assert.match(e.toString(), /Move it away/);
        return true;
      });
      assert.equal(readFileSync(s.file, 'utf8'), content, 'the file is left for the user');
    });
  }

  for (const [what, content] of [['entries: null', '{"version":1,"entries":null}'], ['an entry that is not a tuple', '{"version":1,"entries":{"a":5}}']]) {
    test(`a corrupt snapshot (${what}) → SyncError io naming the file`,
      () => {
        const s = fresh();
        mkdirSync(dirname(s.file), { recursive: true });
        writeFileSync(s.file, content);
        assert.throws(() => s.load(), isSyncError('io'));
      });
  }

  test('forgetTree removes the path and everything below it (not siblings sharing a prefix), journaled', () => {
    const s = fresh();
    s.load();
    for (const p of ['a', 'a/b', 'a/b/c', 'ab', 'x']) s.record(p, ps(1));
    const before = s.pending;
    s.forgetTree('a');
    assert.deepEqual([...s.paths()].sort(), ['ab', 'x']);
    assert.equal(s.pending, before + 3);
    s.forgetTree('nothing-here');
    assert.equal(s.pending, before + 3, 'nothing to forget → nothing journaled');
    assert.deepEqual([...reopen(s).paths()].sort(), ['ab', 'x']);
  });

  test('compaction leaves no temp file and writes the snapshot by rename from the same folder', () => {
    const s = fresh();
    s.load(); s.record('a', ps(1)); s.compact();
    const old = readFileSync(s.file, 'utf8');
    s.record('b', ps(2));
    const realRename = fs.renameSync;
    const rename = mock.method(fs, 'renameSync', (from: fs.PathLike, to: fs.PathLike) => {
      assert.equal(dirname(String(from)), dirname(s.file), 'temp in the same folder (atomic rename)');
      assert.equal(String(to), s.file);
      assert.equal(readFileSync(s.file, 'utf8'), old, 'the real name still holds the old snapshot');
      assert.deepEqual(Object.keys(JSON.parse(readFileSync(from, 'utf8')).entries), ['a', 'b'], 'the temp holds the complete new snapshot');
      realRename(from, to);
    });
    try { s.compact(); } finally { rename.mock.restore(); }
    assert.equal(rename.mock.callCount(), 1, 'state.ts must rename (mock not reached?)');
    assert.deepEqual(tempsIn(s), []);
  });

  test('a compaction that fails mid-write leaves the old snapshot under the real name and the journal intact', () => {
    const s = fresh();
    s.load(); s.record('a', ps(1)); s.compact();
    const old = readFileSync(s.file, 'utf8');
    s.record('b', ps(2));
    const realWrite = fs.writeSync;
    const w = mock.method(fs, 'writeSync', (fd: number, data: string) => { realWrite(fd, String(data).slice(0, 10)); throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }); }, { times: 1 });
    try {
      assert.throws(() => s.compact(), /ENOSPC/);
    } finally { w.mock.restore(); }
    assert.equal(w.mock.callCount(), 1, 'state.ts must write with writeSync (mock not reached?)');
    assert.equal(readFileSync(s.file, 'utf8'), old, 'old content, not a partial file');
    assert.deepEqual(all(reopen(s)), { a: ps(1), b: ps(2) }, 'nothing lost: the journal still has b');
  });

  test('a failed compaction removes its temp file',
    () => {
      const s = fresh();
      s.load(); s.record('a', ps(1));
      const w = mock.method(fs, 'fsyncSync', () => { throw new Error('EIO'); }, { times: 1 });
      try { assert.throws(() => s.compact(), /EIO/); } finally { w.mock.restore(); }
      assert.deepEqual(tempsIn(s), []);
    });
});
