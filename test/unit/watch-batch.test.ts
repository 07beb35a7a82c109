// Files changed outside the editor: batching, the delete switch and the maxDelete limit, and
// "Upload Changed Files" picking exactly what the state says changed locally.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WatchBatch, decideWatchBatch, changedLocally } from '../../src/core/watch/batch.js';
import type { Action, Plan } from '../../src/core/types.js';

test('WatchBatch: the last event per path wins, in arrival order', () => {
  const b = new WatchBatch();
  b.add('dist/a.js', 'changed');
  b.add('dist/b.js', 'changed');
  b.add('dist/a.js', 'deleted');
  b.add('dist/c.js', 'deleted');
  b.add('dist/c.js', 'changed');
  assert.equal(b.size, 3);
  assert.deepEqual(b.take(), { changed: ['dist/b.js', 'dist/c.js'], deleted: ['dist/a.js'] });
  assert.equal(b.size, 0);
});

test('decideWatchBatch: deletions only with delete: true, and never over maxDelete (nothing done)', () => {
  const batch = { changed: ['a', 'b'], deleted: ['x', 'y', 'z'] };
  const base = { upload: true, delete: false, syncedFiles: 100, where: 'sftp://h/x' };
  assert.deepEqual(decideWatchBatch(batch, base), { upload: ['a', 'b'], delete: [], notDeleted: '3 deleted file(s) left on the server ("watch": { "delete": false })' });
  assert.deepEqual(decideWatchBatch(batch, { ...base, delete: true }), { upload: ['a', 'b'], delete: ['x', 'y', 'z'] });
  assert.deepEqual(decideWatchBatch(batch, { ...base, upload: false, delete: true }).upload, []);
  assert.throws(() => decideWatchBatch(batch, { ...base, delete: true, maxDelete: 2 }),
    /The plan would delete 3 of 100 files on the server sftp:\/\/h\/x, more than the limit of 2\. Nothing was changed/);
  assert.throws(() => decideWatchBatch({ changed: [], deleted: Array.from({ length: 51 }, (_, i) => `f${i}`) }, { ...base, delete: true }), /more than the limit of 50/);
});

test('changedLocally: modified, new-since and deleted files (with their folders), not never-synced ones or server changes', () => {
  const a = (kind: Action['kind'], path: string, localClass: Action['localClass'], type: 'file' | 'dir' = 'file'): Action =>
    ({ kind, path, type, reason: 'r', bytes: 0, localClass, remoteClass: 'unmodified' });
  const plan: Plan = {
    mode: 'upload', local: 'l', remote: 'r', inSync: 3, stateOnly: [a('equal', 'e', 'existing')], badNames: [],
    counts: { localFiles: 5, remoteFiles: 5, stateFiles: 5, hadState: true },
    actions: [a('upload', 'mod.txt', 'modified'), a('mkdir-remote', 'newdir', 'new', 'dir'), a('upload', 'newdir/n.txt', 'new'),
      a('upload', 'never.txt', 'existing'), a('delete-remote', 'gone.txt', 'deleted'), a('skip', 'theirs.txt', 'unmodified'), a('conflict', 'both.txt', 'modified')],
  };
  assert.deepEqual(changedLocally(plan).actions.map((x) => x.path), ['mod.txt', 'newdir', 'newdir/n.txt', 'gone.txt', 'both.txt']);
  assert.deepEqual(changedLocally(plan).stateOnly, []);
});
