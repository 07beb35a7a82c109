// Sync status of a path (remote explorer, decorations): pure, from the two sides and the last-sync state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Entry, PathState } from '../../src/core/types.js';
import { pathStatus, rollUp, withFolders, STATUS_BADGE, type SyncStatus } from '../../src/core/status/status.js';
import { folderItems, onTheWay } from '../../src/core/status/folder.js';
import { checkRemoteDelete, notConfirmed, problemsBelow } from '../../src/core/status/remote-delete.js';

const f = (path: string, size: number, mtime: number): Entry => ({ path, type: 'file', size, mtime });
const d = (path: string): Entry => ({ path, type: 'dir', size: 0, mtime: 1 });
const st = (l: [number, number], r: [number, number]): PathState => ({ type: 'file', local: { size: l[0], mtime: l[1] }, remote: { size: r[0], mtime: r[1] } });
const S = st([3, 100], [3, 5000]);

test('pathStatus: each side is compared with what the same side reported at the last sync', () => {
  assert.equal(pathStatus({ local: f('a', 3, 100), remote: f('a', 3, 5000), state: S, hasState: true }), 'in-sync');
  assert.equal(pathStatus({ local: f('a', 4, 100), remote: f('a', 3, 5000), state: S, hasState: true }), 'local-changed');
  assert.equal(pathStatus({ local: f('a', 3, 100), remote: f('a', 3, 6000), state: S, hasState: true }), 'server-changed');
  assert.equal(pathStatus({ local: f('a', 3, 101), remote: f('a', 3, 6000), state: S, hasState: true }), 'conflict');
  // the local mtime equal to the remote's one is not "in sync": only the same side's record counts
  assert.equal(pathStatus({ local: f('a', 3, 5000), remote: f('a', 3, 5000), state: S, hasState: true }), 'local-changed');
});

test('pathStatus: deletions, one-sided files and never-synced pairs', () => {
  assert.equal(pathStatus({ local: f('a', 3, 100), state: S, hasState: true }), 'server-changed', 'deleted on the server');
  assert.equal(pathStatus({ local: f('a', 9, 100), state: S, hasState: true }), 'conflict', 'deleted on the server, changed here');
  assert.equal(pathStatus({ remote: f('a', 3, 5000), state: S, hasState: true }), 'local-changed', 'deleted locally');
  assert.equal(pathStatus({ remote: f('a', 3, 7000), state: S, hasState: true }), 'conflict', 'deleted locally, changed on the server');
  assert.equal(pathStatus({ local: f('a', 1, 1), hasState: true }), 'local-only');
  assert.equal(pathStatus({ remote: f('a', 1, 1), hasState: false }), 'server-only');
  assert.equal(pathStatus({ local: f('a', 1, 1), remote: f('a', 1, 2), hasState: false }), 'unsynced');
  assert.equal(pathStatus({ local: f('a', 1, 1), remote: f('a', 1, 2), hasState: true }), 'unsynced');
  assert.equal(pathStatus({ state: S, hasState: true }), undefined, 'gone on both sides');
  assert.equal(pathStatus({ hasState: true }), undefined);
  assert.equal(pathStatus({ local: f('a', 1, 1), remote: f('a', 1, 2), hasState: true, excluded: true }), 'excluded');
  // a file on one side, a folder on the other
  const dirState: PathState = { type: 'dir', local: { size: 0, mtime: 1 }, remote: { size: 0, mtime: 1 } };
  assert.equal(pathStatus({ local: d('a'), remote: d('a'), state: dirState, hasState: true }), 'in-sync');
  assert.equal(pathStatus({ local: d('a'), remote: f('a', 1, 1), state: dirState, hasState: true }), 'server-changed');
  assert.equal(pathStatus({ local: d('a'), remote: f('a', 1, 1), state: S, hasState: true }), 'conflict');
});

test('rollUp and withFolders: a folder shows its most urgent child; in-sync and excluded children add nothing', () => {
  assert.equal(rollUp([]), 'in-sync');
  assert.equal(rollUp(['in-sync', 'excluded', undefined]), 'in-sync');
  assert.equal(rollUp(['local-only', 'server-changed', 'local-changed']), 'server-changed');
  assert.equal(rollUp(['in-sync', 'conflict', 'server-only']), 'conflict');
  const files = new Map<string, SyncStatus>([
    ['a/b/c.txt', 'local-changed'], ['a/b/d.txt', 'conflict'], ['a/e.txt', 'in-sync'], ['x/y.txt', 'server-only'], ['z/q.txt', 'excluded'],
  ]);
  const all = withFolders(files);
  assert.equal(all.get('a/b'), 'conflict');
  assert.equal(all.get('a'), 'conflict');
  assert.equal(all.get('x'), 'server-only');
  assert.equal(all.has('z'), false);
  assert.equal(all.get('a/e.txt'), 'in-sync');
  for (const s of Object.keys(STATUS_BADGE) as SyncStatus[]) assert.ok(STATUS_BADGE[s].text.length > 5);
  assert.equal(STATUS_BADGE['in-sync'].letter, '', 'in-sync files carry no badge (nothing to paint)');
});

test('onTheWay: only the path down to a folder and its direct children are walked', () => {
  assert.ok(onTheWay('', 'a'));
  assert.ok(!onTheWay('', 'a/b'));
  assert.ok(onTheWay('a/b', 'a'));
  assert.ok(onTheWay('a/b', 'a/b'));
  assert.ok(onTheWay('a/b', 'a/b/c'));
  assert.ok(!onTheWay('a/b', 'a/b/c/d'));
  assert.ok(!onTheWay('a/b', 'a/c'));
  assert.ok(!onTheWay('a/b', 'ab'));
  assert.ok(!onTheWay('a/b', 'a/bc'));
});

test('folderItems: the server\'s children with their status, folders first, excluded marked', () => {
  const state = new Map<string, PathState>([['a.txt', S], ['gone.txt', S]]);
  const items = folderItems({
    dir: '',
    local: new Map([['a.txt', f('a.txt', 3, 100)], ['mine.txt', f('mine.txt', 1, 1)], ['gone.txt', f('gone.txt', 3, 100)]]),
    remote: new Map([['a.txt', f('a.txt', 3, 9000)], ['new.txt', f('new.txt', 1, 1)], ['sub', d('sub')], ['x.log', f('x.log', 1, 1)]]),
    state: { get: (p) => state.get(p), hasState: true },
    isExcluded: (p) => p.endsWith('.log'),
  });
  assert.deepEqual(items.map((i) => [i.name, i.status]), [
    ['sub', 'server-only'], ['a.txt', 'server-changed'], ['new.txt', 'server-only'], ['x.log', 'excluded'],
  ]);
});

test('checkRemoteDelete: counts the files and names every server change nobody has seen', () => {
  const state = new Map<string, PathState>([['dir/a', S], ['dir/b', S], ['dir', { type: 'dir', local: { size: 0, mtime: 1 }, remote: { size: 0, mtime: 1 } }]]);
  const view = { get: (p: string) => state.get(p), hasState: true };
  const unchanged = checkRemoteDelete(new Map([['dir', d('dir')], ['dir/a', f('dir/a', 3, 5000)], ['dir/b', f('dir/b', 3, 5000)]]), view);
  assert.deepEqual(unchanged, { files: 2, changed: [], notSynced: [], entries: { dir: 'dir', 'dir/a': 'file 3 5000', 'dir/b': 'file 3 5000' } });
  const changed = checkRemoteDelete(new Map([['dir', d('dir')], ['dir/a', f('dir/a', 3, 5001)], ['dir/b', f('dir/b', 3, 5000)], ['dir/new', f('dir/new', 1, 1)]]), view,
    [{ path: 'dir/x\\y', message: 'not a plain file name' }]);
  assert.deepEqual({ ...changed, entries: undefined }, { files: 3, changed: ['dir/a', 'dir/new'], notSynced: [{ path: 'dir/x\\y', message: 'not a plain file name' }], entries: undefined });
});

test('notConfirmed: anything there now that the confirmation did not show (added, changed since, left out by the sync)', () => {
  const view = { get: () => undefined, hasState: true };
  const confirmed = checkRemoteDelete(new Map([['dir', d('dir')], ['dir/a', f('dir/a', 3, 5000)]]), view, [{ path: 'dir/odd\\name', message: 'm' }]);
  assert.deepEqual(notConfirmed(confirmed, confirmed), []);
  const now = checkRemoteDelete(new Map([['dir', d('dir')], ['dir/a', f('dir/a', 3, 6000)], ['dir/new', f('dir/new', 1, 1)]]), view,
    [{ path: 'dir/odd\\name', message: 'm' }, { path: 'dir/.rs-tmp-0123456789ab', message: 't' }]);
  assert.deepEqual(notConfirmed(now, confirmed), ['dir/.rs-tmp-0123456789ab', 'dir/a', 'dir/new']);
  // gone since the confirmation: nothing to refuse
  assert.deepEqual(notConfirmed(checkRemoteDelete(new Map([['dir', d('dir')]]), view), confirmed), []);
});

test('problemsBelow: what the listing left out below the path (never beside it)', () => {
  const listed = {
    badNames: [{ path: 'dir/sub', name: 'a\\b', message: 'bad' }, { path: 'other', name: 'c\\d', message: 'bad' }],
    unreadable: [{ path: 'dir/locked', message: 'denied' }, { path: 'dirt', message: 'denied' }],
    staleTemps: ['dir/.rs-tmp-0123456789ab', '.rs-tmp-ba9876543210'],
  };
  assert.deepEqual(problemsBelow(listed, 'dir'), {
    unreadable: [{ path: 'dir/locked', message: 'denied' }],
    notSynced: [{ path: 'dir/sub/a\\b', message: 'bad' }, { path: 'dir/.rs-tmp-0123456789ab', message: 'a temporary file of an interrupted upload' }],
  });
});

test('downloadsHeldBack: a download leaves a local change alone, and the explorer offers it as a conflict', async () => {
  const { downloadsHeldBack } = await import('../../src/core/status/download.js');
  const base = { type: 'file' as const, bytes: 0, reason: 'r' };
  const held = downloadsHeldBack([
    { ...base, kind: 'skip', path: 'mine.txt', local: f('mine.txt', 9, 9), remote: f('mine.txt', 3, 5000), localClass: 'modified', remoteClass: 'unmodified' },
    { ...base, kind: 'skip', path: 'gone-here.txt', remote: f('gone-here.txt', 3, 5000), localClass: 'deleted', remoteClass: 'unmodified' },
    { ...base, kind: 'download', path: 'theirs.txt', local: f('theirs.txt', 3, 100), remote: f('theirs.txt', 4, 6000), localClass: 'unmodified', remoteClass: 'modified' },
  ]);
  assert.deepEqual(held.map((a) => a.path), ['mine.txt']);
});

test('decideOnOpen: download a server change over an unchanged local copy; a change on both sides is a conflict', async () => {
  const { decideOnOpen } = await import('../../src/core/status/open.js');
  assert.equal(decideOnOpen(f('a', 3, 100), f('a', 3, 5000), S), 'none');
  assert.equal(decideOnOpen(f('a', 3, 100), f('a', 5, 6000), S), 'download');
  assert.equal(decideOnOpen(f('a', 4, 100), f('a', 5, 6000), S), 'conflict');
  assert.equal(decideOnOpen(f('a', 4, 100), f('a', 3, 5000), S), 'none', 'only a local change: nothing to download');
  assert.equal(decideOnOpen(f('a', 3, 100), undefined, S), 'deleted');
  assert.equal(decideOnOpen(f('a', 3, 100), d('a'), S), 'conflict', 'a folder on the server now');
  assert.equal(decideOnOpen(f('a', 3, 100), f('a', 5, 6000), undefined), 'none', 'never synced: no record to compare with');
});

test('serverChanges: only what changed on the server counts (and conflicts); downloads never include conflicts or deletions', async () => {
  const { serverChanges, downloadablePaths, nextCheckDelay } = await import('../../src/core/status/server-watch.js');
  const a = (kind: string, path: string, type: 'file' | 'dir' = 'file', fileCount?: number) =>
    ({ kind, path, type, reason: 'r', bytes: 0, localClass: 'unmodified', remoteClass: 'modified', fileCount }) as import('../../src/core/types.js').Action;
  const c = serverChanges([a('upload', 'mine.txt'), a('download', 'theirs.txt'), a('mkdir-local', 'newdir', 'dir'), a('download', 'newdir/x'),
    a('delete-local', 'gone', 'dir', 3), a('conflict', 'both.txt'), a('delete-remote', 'deleted-here.txt')]);
  assert.deepEqual(c.serverOnly.map((x) => x.path), ['theirs.txt', 'newdir', 'newdir/x', 'gone']);
  assert.deepEqual(c.conflicts.map((x) => x.path), ['both.txt']);
  assert.equal(c.count, 1 + 1 + 3 + 1);
  assert.deepEqual(downloadablePaths(c), ['theirs.txt', 'newdir/x']);
  assert.equal(serverChanges([]).count, 0);
  // back off in the background and after errors, bounded
  assert.equal(nextCheckDelay(60, { focused: true, errors: 0 }), 60_000);
  assert.equal(nextCheckDelay(60, { focused: false, errors: 0 }), 240_000);
  assert.equal(nextCheckDelay(60, { focused: true, errors: 1 }), 120_000);
  assert.equal(nextCheckDelay(60, { focused: true, errors: 10 }), 960_000);
  assert.equal(nextCheckDelay(3600, { focused: true, errors: 10 }), 3_600_000 * 2);
});
