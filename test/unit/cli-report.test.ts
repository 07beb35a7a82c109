// What the CLI prints: action lines, the summary line, the --json report, exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { Action, SyncResult, Plan, Stats } from '../../src/core/types.js';
import { SyncError } from '../../src/core/errors.js';
import { actionLine, errorLine, summaryLine, countsOf, formatSeconds, buildReport, failureSummary, ZERO_STATS } from '../../src/cli/report.js';
import { EXIT, exitCodeForError, exitCodeForResult } from '../../src/cli/exit-codes.js';
import { Output, formatBytes, LEVEL } from '../../src/cli/output.js';
import { describeConflict, makeConflictAsker } from '../../src/cli/interactive.js';

const act = (kind: Action['kind'], path: string, extra: Partial<Action> = {}): Action => ({
  kind, path, type: 'file', reason: 'why', localClass: 'modified', remoteClass: 'unmodified', bytes: 10, ...extra,
});

function plan(actions: Action[], inSync = 0): Plan {
  return { mode: 'sync', local: '/l', remote: '/r', actions, inSync, stateOnly: [], counts: { localFiles: 1, remoteFiles: 1, stateFiles: 1, hadState: true }, badNames: [] };
}
function result(actions: Action[], over: Partial<SyncResult> = {}, stats: Partial<Stats> = {}): SyncResult {
  return {
    plan: plan(actions, stats.inSync ?? 0),
    stats: { ...ZERO_STATS, ...stats },
    conflicts: actions.filter((a) => a.kind === 'conflict'),
    errors: [],
    done: actions.filter((a) => a.kind !== 'conflict' && a.kind !== 'skip'),
    cancelled: false,
    ...over,
  };
}

test('action lines', () => {
  assert.equal(actionLine(act('upload', 'a/b.txt', { reason: 'modified locally' })), '↑ upload  a/b.txt (modified locally)');
  assert.equal(actionLine(act('download', 'x', { reason: 'new on the server' })), '↓ download x (new on the server)');
  assert.equal(actionLine(act('delete-remote', 'old', { type: 'dir', reason: 'deleted locally' })), '✗ delete remote old/ (deleted locally)');
  assert.equal(actionLine(act('delete-local', 'f', { reason: 'r' })), '✗ delete local f (r)');
  assert.equal(actionLine(act('mkdir-remote', 'd', { type: 'dir', reason: 'only locally' })), '+ mkdir remote d/ (only locally)');
  assert.equal(actionLine(act('conflict', 'c.txt', { reason: 'modified on both sides', conflict: 'both-modified' })), '! conflict c.txt — modified on both sides [both-modified]');
  assert.equal(actionLine(act('equal', 'e', { reason: 'same size and time' })), '= equal   e (same size and time)');
  assert.equal(actionLine(act('upload', 'r', { reason: 'modified on both sides', resolvedBy: 'local' })), '↑ upload  r (modified on both sides; conflict resolved: local)');
  assert.equal(errorLine({ path: 'a.txt', kind: 'upload', message: 'Permission denied' }), '✗ failed   a.txt (upload): Permission denied');
});

test('summary line: exactly the documented forms', () => {
  const base = { uploaded: 3, downloaded: 3, deleted: 4, conflicts: 9, errors: 0, inSync: 0, elapsedMs: 400, dryRun: false, cancelled: false };
  assert.equal(summaryLine(base), 'Uploaded 3, downloaded 3, deleted 4, 9 conflicts skipped, 0 errors in 0.4 s');
  assert.equal(summaryLine({ ...base, conflicts: 1, errors: 1 }), 'Uploaded 3, downloaded 3, deleted 4, 1 conflict skipped, 1 error in 0.4 s');
  assert.equal(summaryLine({ ...base, dryRun: true }), 'Dry run: would upload 3, download 3, delete 4, 9 conflicts skipped, 0 errors in 0.4 s');
  assert.equal(summaryLine({ ...base, cancelled: true }), 'Cancelled: uploaded 3, downloaded 3, deleted 4, 9 conflicts skipped, 0 errors in 0.4 s');
  const none = { ...base, uploaded: 0, downloaded: 0, deleted: 0, conflicts: 0, inSync: 123, elapsedMs: 300 };
  assert.equal(summaryLine(none), 'Nothing to do: 123 files in sync (0.3 s)');
  assert.equal(summaryLine({ ...none, inSync: 1, dryRun: true }), 'Nothing to do: 1 file in sync (0.3 s)');
  assert.equal(formatSeconds(0), '0.0 s');
  assert.equal(formatSeconds(12_345), '12.3 s');
  assert.equal(formatSeconds(125_000), '2 min 5 s');
  assert.equal(failureSummary(new SyncError('safety', 'x'), 200), 'Stopped by a safety check, nothing changed (0.2 s)');
  assert.equal(failureSummary(new SyncError('connect', 'x'), 1200), 'Failed after 1.2 s');
});

test('counts: from the stats after a run, from the plan in a dry run', () => {
  const actions = [act('upload', 'a'), act('upload', 'd', { type: 'dir' }), act('download', 'b'), act('delete-local', 'c', { type: 'dir' }), act('conflict', 'x')];
  const r = result(actions, {}, { uploaded: 1, downloaded: 1, deletedLocal: 1, deletedRemote: 2, inSync: 5 });
  assert.deepEqual(countsOf(r, false, 100), { uploaded: 1, downloaded: 1, deleted: 3, conflicts: 1, errors: 0, inSync: 5, elapsedMs: 100, dryRun: false, cancelled: false });
  assert.deepEqual(countsOf(result(actions), true, 100), { uploaded: 1, downloaded: 1, deleted: 1, conflicts: 1, errors: 0, inSync: 0, elapsedMs: 100, dryRun: true, cancelled: false });
});

test('exit codes', () => {
  assert.deepEqual(EXIT, { OK: 0, ERROR: 1, USAGE: 2, ABORTED: 3, CONFLICTS: 4, TIME_UP: 5 });
  assert.equal(exitCodeForResult(result([act('upload', 'a')])), 0);
  assert.equal(exitCodeForResult(result([act('conflict', 'a')])), 4);
  assert.equal(exitCodeForResult(result([act('conflict', 'a')], { errors: [{ path: 'b', kind: 'upload', message: 'x' }] })), 1);
  assert.equal(exitCodeForResult(result([act('conflict', 'a')], { cancelled: true })), 3);
  // the time limit left work for the next run: 5, unless something failed
  const timeUp = { by: 'max-duration' as const, left: [act('upload', 'z')], leftBytes: 1 };
  assert.equal(exitCodeForResult(result([act('conflict', 'a')], { timeUp })), 5);
  assert.equal(exitCodeForResult(result([], { timeUp, errors: [{ path: 'b', kind: 'upload', message: 'x' }] })), 1);
  assert.equal(exitCodeForError(new SyncError('usage', 'x')), 2);
  assert.equal(exitCodeForError(new SyncError('safety', 'x')), 3);
  assert.equal(exitCodeForError(new SyncError('aborted', 'x')), 3);
  for (const code of ['config', 'connect', 'auth', 'hostkey', 'not-found', 'io', 'bad-name'] as const) {
    assert.equal(exitCodeForError(new SyncError(code, 'x')), 1, code);
  }
  const abort = new Error('x');
  abort.name = 'AbortError';
  assert.equal(exitCodeForError(abort), 3);
  assert.equal(exitCodeForError(new TypeError('bug')), 1);
});

test('--json report shape', () => {
  const up = act('upload', 'a.txt', { reason: 'new locally', bytes: 5 });
  const failed = act('download', 'b.txt');
  const c = act('conflict', 'c.txt', { reason: 'both', conflict: 'both-modified', local: { path: 'c.txt', type: 'file', size: 1, mtime: 0 }, remote: { path: 'c.txt', type: 'file', size: 2, mtime: 1000 } });
  const r = result([up, failed, c], { done: [up], errors: [{ path: 'b.txt', kind: 'download', message: 'Permission denied' }] }, { uploaded: 1 });
  const rep = buildReport({ mode: 'sync', local: '/l', remote: 'sftp://u@h:22/x', dryRun: false, result: r, exitCode: 1, summary: 's', elapsedMs: 9 });
  assert.deepEqual(Object.keys(rep), ['mode', 'local', 'remote', 'dryRun', 'actions', 'conflicts', 'errors', 'stats', 'summary', 'exitCode']);
  assert.deepEqual(rep.actions, [
    { path: 'a.txt', kind: 'upload', type: 'file', reason: 'new locally', bytes: 5, status: 'done' },
    { path: 'b.txt', kind: 'download', type: 'file', reason: 'why', bytes: 10, status: 'error', error: 'Permission denied' },
    { path: 'c.txt', kind: 'conflict', type: 'file', reason: 'both', bytes: 10, status: 'skipped', conflict: 'both-modified' },
  ]);
  assert.deepEqual(rep.conflicts, [{
    path: 'c.txt', kind: 'both-modified', type: 'file', reason: 'both',
    local: { size: 1, mtime: '1970-01-01T00:00:00.000Z' }, remote: { size: 2, mtime: '1970-01-01T00:00:01.000Z' },
  }]);
  assert.deepEqual(rep.errors, [{ path: 'b.txt', kind: 'download', message: 'Permission denied' }]);
  assert.equal(rep.stats.uploaded, 1);
  assert.equal(rep.exitCode, 1);
  JSON.parse(JSON.stringify(rep));

  const dry = buildReport({ mode: 'upload', local: '/l', remote: '/r', dryRun: true, result: result([up], { done: [] }), exitCode: 0, summary: 's', elapsedMs: 1 });
  assert.equal(dry.actions[0].status, 'planned');
  const err = buildReport({ mode: 'sync', local: '/l', remote: '/r', dryRun: false, error: new SyncError('auth', 'Login refused', { path: '', hint: 'Check the password' }), exitCode: 1, summary: 's', elapsedMs: 1 });
  assert.deepEqual(err.actions, []);
  assert.deepEqual(err.errors, [{ path: '', code: 'auth', message: 'Login refused. Check the password' }]);
  assert.deepEqual(err.stats, { ...ZERO_STATS, elapsedMs: 1 });
});

function capture(stream: PassThrough): () => string {
  const chunks: string[] = [];
  stream.on('data', (d: Buffer) => chunks.push(d.toString()));
  return () => chunks.join('');
}

test('output levels: -q only the summary, --json sends human text to stderr', () => {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const o = capture(stdout);
  const e = capture(stderr);
  const quiet = new Output({ verbosity: -1, json: false, progress: false, stdout, stderr });
  quiet.line('change');
  quiet.line('summary', LEVEL.summary);
  quiet.warn('w');
  quiet.error('err');
  assert.equal(o(), 'summary\n');
  assert.equal(e(), 'err\n');

  const out2 = new PassThrough();
  const err2 = new PassThrough();
  const o2 = capture(out2);
  const e2 = capture(err2);
  const j = new Output({ verbosity: 0, json: true, progress: false, stdout: out2, stderr: err2 });
  j.line('change');
  j.json({ a: 1 });
  assert.equal(o2(), '{\n  "a": 1\n}\n');
  assert.equal(e2(), 'change\n');
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(1500), '1.5 kB');
  assert.equal(formatBytes(12_000_000), '12 MB');
});

test('progress: a redrawn line on a terminal, cleared before other output', () => {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
  const e = capture(stderr);
  let t = 0;
  const out = new Output({ verbosity: 0, json: true, progress: true, stdout, stderr, now: () => (t += 1000) });
  out.progress(1, 4, 1000, 4000);
  out.line('↑ upload  a');
  out.clearProgress();
  assert.equal(e(), '\r\x1b[K1/4 files, 1.0 kB/4.0 kB\r\x1b[K↑ upload  a\n\r\x1b[K1/4 files, 1.0 kB/4.0 kB\r\x1b[K');
});

test('conflict questions: both sides shown; l/r/s, and L/R/S for all remaining', async () => {
  const c = act('conflict', 'c.txt', { reason: 'modified on both sides', conflict: 'both-modified', local: { path: 'c.txt', type: 'file', size: 2048, mtime: Date.UTC(2024, 0, 2) }, remote: undefined });
  const text = describeConflict(c);
  assert.match(text, /^! conflict c\.txt — modified on both sides \[both-modified\]\n {4}local: {2}2\.0 kB, modified 2024-01-0\d \d\d:00:00\n {4}remote: deleted/);
  const input = new PassThrough();
  const output = new PassThrough();
  const shown = capture(output);
  const askFor = makeConflictAsker({ input, output });
  const answer = async (typed: string) => {
    const p = askFor(c);
    setImmediate(() => input.write(typed));
    return p;
  };
  assert.equal(await answer('x\nl\n'), 'local'); // a wrong answer asks again
  assert.equal(await answer('r\n'), 'remote');
  assert.equal(await answer('\n'), 'skip');
  assert.equal(await answer('m\n'), 'merge');
  assert.equal(await answer('R\n'), 'remote');
  assert.equal(await askFor(c), 'remote'); // remembered: not asked again
  assert.match(shown(), /Keep \[l\]ocal, \[r\]emote, \[m\]erge or \[s\]kip\? \(L\/R\/M\/S: the same for all remaining\)/);
});
