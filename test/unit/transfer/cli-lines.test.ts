// What the CLI prints for issue 11: the progress suffix (percent, rate, time left, current file),
// the time-up summary with what is left, the hash methods line, and the --json fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashMethodsLine, progressSuffix, timeUpLines, transferJson } from '../../../src/cli/transfer-report.js';
import type { Action, SyncResult } from '../../../src/core/types.js';

const act = (path: string, bytes: number): Action => ({ kind: 'upload', path, type: 'file', reason: '', bytes, localClass: 'new', remoteClass: 'missing' });
const result = (over: Partial<SyncResult>): SyncResult => ({
  plan: { mode: 'upload', local: '', remote: '', actions: [], inSync: 0, stateOnly: [], counts: { localFiles: 0, remoteFiles: 0, stateFiles: 0, hadState: false }, badNames: [] },
  stats: { uploaded: 0, downloaded: 0, deletedLocal: 0, deletedRemote: 0, foldersCreated: 0, bytesUp: 0, bytesDown: 0, conflicts: 0, skipped: 0, errors: 0, inSync: 0, elapsedMs: 0 },
  conflicts: [], errors: [], done: [], cancelled: false, ...over,
});

test('progress: percent, rate, time left and the file in transfer; nothing made up before there is a rate', () => {
  assert.equal(progressSuffix({ bytesDone: 0, bytesTotal: 0 }), '');
  assert.equal(progressSuffix({ bytesDone: 50, bytesTotal: 200 }), ', 25%');
  const s = progressSuffix({ bytesDone: 1024 * 1024, bytesTotal: 4 * 1024 * 1024, rate: 2 * 1024 * 1024, etaSeconds: 1.5, current: 'big.iso' });
  assert.equal(s, ', 25%, 2.1 MB/s, 2s left, big.iso');
});

test('time up: the summary says how much is left and that the next run goes on; -v lists it; --json has it', () => {
  const r = result({ timeUp: { by: 'stop-at', left: [act('a.bin', 1024 * 1024), act('b.bin', 1024 * 1024)], leftBytes: 2 * 1024 * 1024 } });
  const lines = timeUpLines(r)!;
  assert.equal(lines.summary, 'Time is up (--stop-at): 2 actions (2.1 MB) not started; the next run goes on with them');
  assert.deepEqual(lines.paths, ['  left: upload a.bin', '  left: upload b.bin']);
  assert.deepEqual(transferJson(r), { timeUp: { by: 'stop-at', leftBytes: 2 * 1024 * 1024, left: [{ path: 'a.bin', kind: 'upload', bytes: 1024 * 1024 }, { path: 'b.bin', kind: 'upload', bytes: 1024 * 1024 }] } });
  assert.equal(timeUpLines(result({})), undefined);
  assert.deepEqual(transferJson(result({})), {});
});

test('hash methods: one line naming each side\'s method', () => {
  const r = result({ hashMethods: { local: ['read'], remote: ['FTP HASH'] } });
  assert.equal(hashMethodsLine(r), 'verified by hash: local read, remote FTP HASH');
  assert.deepEqual(transferJson(r), { hashMethods: { local: ['read'], remote: ['FTP HASH'] } });
  assert.equal(hashMethodsLine(result({})), undefined);
});
