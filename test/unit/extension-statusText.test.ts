import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ActivityModel, ProgressCounter, progressDetail } from '../../src/extension/activity.js';
import { saveSummary, statusView, summarize, type StatusInput } from '../../src/extension/statusText.js';
import type { Action, Plan, SyncResult } from '../../src/core/types.js';

const base: StatusInput = { folderName: 'site', multiRoot: false, target: 'prod', uploadOnSave: true, running: [], conflicts: 0 };

test('idle: the target, and whether saves upload', () => {
  assert.equal(statusView(base).text, '$(cloud-upload) prod');
  assert.equal(statusView({ ...base, uploadOnSave: false }).text, '$(cloud) prod');
  assert.match(statusView(base).tooltip, /Upload on save: on/);
  assert.equal(statusView({ ...base, multiRoot: true }).text, '$(cloud-upload) site: prod');
});

test('running: spinner with the running count', () => {
  const v = statusView({ ...base, running: [{ id: 1, folder: 'f', label: 'Upload', done: 3, total: 10 }] });
  assert.equal(v.text, '$(sync~spin) prod · Upload 3/10');
  assert.equal(v.level, 'ok');
});

test('last result, conflicts and errors set the icon and level', () => {
  const last = { folder: 'f', label: 'Upload on save', text: '↑ index.html', level: 'ok' as const, at: 0 };
  assert.equal(statusView({ ...base, last }).text, '$(cloud-upload) prod · ↑ index.html');
  const warn = statusView({ ...base, last, conflicts: 2 });
  assert.equal(warn.text, '$(warning) prod · ↑ index.html · 2 conflicts');
  assert.equal(warn.level, 'warning');
  const err = statusView({ ...base, last: { ...last, text: 'upload failed', level: 'error' } });
  assert.equal(err.text, '$(error) prod · upload failed');
});

test('the conflict count is the pending one, not an older result\'s (after a Skip: 1, not 2)', () => {
  const last = { folder: 'f', label: 'Bidirectional', text: '↑1 · 2 conflicts', level: 'warning' as const, at: 0 };
  assert.equal(statusView({ ...base, last, conflicts: 1 }).text, '$(warning) prod · ↑1 · 1 conflict');
  const resolved = statusView({ ...base, last, conflicts: 0 });
  assert.equal(resolved.text, '$(cloud-upload) prod · ↑1');
  assert.equal(resolved.level, 'ok');
  const onlyConflicts = statusView({ ...base, last: { ...last, text: 'conflict: a.txt' }, conflicts: 0 });
  assert.equal(onlyConflicts.text, '$(cloud-upload) prod');
  assert.equal(statusView({ ...base, last: { ...last, text: 'conflict: a.txt' }, conflicts: 1 }).text, '$(warning) prod · conflict: a.txt', 'a save\'s conflict names the file');
  assert.match(statusView({ ...base, last, conflicts: 1 }).tooltip, /click to open the next one/);
});

test('running: the target once, the operation, and bytes/rate for a big transfer', () => {
  const v = statusView({ ...base, running: [{ id: 1, folder: 'f', label: 'Upload', done: 0, total: 2, detail: '37% · 12 MB/s', line: '0/2 · 37% · 540 MB of 1.5 GB · 12 MB/s · big.iso' }] });
  assert.equal(v.text, '$(sync~spin) prod · Upload 0/2 · 37% · 12 MB/s');
  assert.equal(v.text.split('prod').length, 2, 'the target appears once');
  assert.match(v.tooltip, /540 MB of 1\.5 GB/);
});

test('an invalid config is shown, with the cause in the tooltip', () => {
  const v = statusView({ ...base, configError: 'targets.prod.port: must be a number' });
  assert.equal(v.level, 'error');
  assert.match(v.tooltip, /targets\.prod\.port/);
});

function result(partial: Partial<SyncResult['stats']>, extra: Partial<SyncResult> = {}): SyncResult {
  const stats = { uploaded: 0, downloaded: 0, deletedLocal: 0, deletedRemote: 0, foldersCreated: 0, bytesUp: 0, bytesDown: 0,
    conflicts: 0, skipped: 0, errors: 0, inSync: 5, elapsedMs: 420, ...partial };
  const plan = { mode: 'sync', local: '', remote: '', actions: [], inSync: 5, stateOnly: [], badNames: [],
    counts: { localFiles: 0, remoteFiles: 0, stateFiles: 0, hadState: true } } as Plan;
  return { plan, stats, conflicts: [], errors: [], done: [], cancelled: false, ...extra };
}

test('summaries: counts, nothing to do, conflicts and errors', () => {
  const none = summarize(result({}));
  assert.equal(none.nothingToDo, true);
  assert.equal(none.short, 'in sync');
  assert.equal(none.line, 'Nothing to do: 5 paths in sync (0.4 s)');
  const a = { path: 'x', kind: 'upload' } as Action;
  const some = summarize(result({ uploaded: 3, downloaded: 1, deletedRemote: 2 }, { done: [a], conflicts: [a] }));
  assert.equal(some.short, '↑3 ↓1 ✕2 · 1 conflict');
  assert.equal(some.line, 'Uploaded 3, downloaded 1, deleted 2, 1 conflict left, 0 errors in 0.4 s');
  assert.equal(some.level, 'warning');
  const bad = summarize(result({}, { errors: [{ path: 'x', kind: 'upload', message: 'denied' }] }));
  assert.equal(bad.level, 'error');
  assert.equal(bad.nothingToDo, false);
});

test('save summaries name a single file', () => {
  assert.deepEqual(saveSummary(['a/index.html'], []), { text: '↑ index.html', level: 'ok' });
  assert.deepEqual(saveSummary(['a', 'b'], ['c']), { text: '↑ 2 files · conflict: c', level: 'warning' });
  assert.equal(saveSummary([], []), undefined);
});

test('activity: begin/update/end, last result, cancel', () => {
  const m = new ActivityModel();
  let changes = 0;
  m.onChange(() => changes++);
  const c = new AbortController();
  const id = m.begin('f', 'Upload', c);
  m.update(id, 1, 4);
  assert.deepEqual(m.running('f'), [{ id, folder: 'f', label: 'Upload', done: 1, total: 4 }]);
  assert.equal(m.cancelAll(), 1);
  assert.equal(c.signal.aborted, true);
  assert.equal(m.cancelAll(), 0);
  m.end(id, { label: 'Upload', text: 'cancelled', level: 'warning' }, 1000);
  assert.deepEqual(m.running(), []);
  assert.equal(m.last('f')?.text, 'cancelled');
  m.record('g', { label: 'Save', text: '↑ a', level: 'ok' }, 2000);
  assert.equal(m.last()?.folder, 'g');
  assert.ok(changes >= 4);
});

test('progress counter: running count, throttled, stats events win, bytes move it', () => {
  let now = 0;
  const p = new ProgressCounter(100, () => now);
  const plan = { actions: [{ kind: 'upload', path: 'a.txt', bytes: 0 }, { kind: 'upload', path: 'b', bytes: 0 }, { kind: 'conflict' }] } as unknown as Plan;
  assert.deepEqual(p.feed({ type: 'plan', plan }), { message: '0/2', increment: undefined });
  now = 10;
  assert.equal(p.feed({ type: 'action-start', action: { path: 'a.txt' } as Action }), undefined); // throttled
  now = 200;
  assert.deepEqual(p.feed({ type: 'action-done', action: { path: 'a.txt', kind: 'upload', bytes: 0 } as Action }), { message: '1/2 · a.txt', increment: 50 });
  now = 210;
  assert.deepEqual(p.feed({ type: 'stats', filesDone: 2, filesTotal: 2, bytesDone: 0, bytesTotal: 0 }), { message: '2/2 · a.txt', increment: 50 });
  const big = new ProgressCounter(100, () => now);
  big.feed({ type: 'plan', plan: { actions: [{ kind: 'upload', path: 'big.iso', bytes: 2_000_000_000 }] } as unknown as Plan });
  now = 5000;
  const u = big.feed({ type: 'bytes', path: 'big.iso', bytes: 500_000_000, total: 2_000_000_000 });
  assert.equal(u?.increment, 25);
  assert.match(u!.message, /^0\/1 · 25% · 500 MB of 2\.0 GB · .* · big\.iso$/);
  assert.match(progressDetail(big.snapshot())!, /^25% · .*B\/s · big\.iso$/, 'the status bar: percent, rate, the file');
});
