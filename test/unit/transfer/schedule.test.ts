// Durations, times of day, time limits and the order of transfers (pure logic).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, nextClockTime, orderTransfers, parseDuration, timeLimit } from '../../../src/core/transfer/schedule.js';
import type { Action } from '../../../src/core/types.js';

test('durations as rclone writes them', () => {
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('1d'), 86_400_000);
  assert.equal(parseDuration('45'), 45_000);
  for (const bad of ['', 'h', '2x', '1h 30m', '-2h']) assert.equal(parseDuration(bad), undefined, bad);
  assert.equal(formatDuration(7_500_000), '2h 05m');
  assert.equal(formatDuration(200_000), '3m 20s');
  assert.equal(formatDuration(12_300), '12s');
});

test('--stop-at: the next time the clock shows it (today, else tomorrow); the earlier limit wins', () => {
  const now = new Date(2026, 10, 30, 22, 15);
  assert.deepEqual(nextClockTime('06:00', now), new Date(2026, 11, 1, 6, 0));
  assert.deepEqual(nextClockTime('23:00', now), new Date(2026, 10, 30, 23, 0));
  assert.equal(nextClockTime('6h', now), undefined);
  const start = now.getTime();
  assert.deepEqual(timeLimit({ maxDurationMs: 3_600_000, stopAt: '23:00' }, start), { deadline: start + 2_700_000, by: 'stop-at' });
  assert.deepEqual(timeLimit({ maxDurationMs: 60_000, stopAt: '23:00' }, start), { deadline: start + 60_000, by: 'max-duration' });
  assert.equal(timeLimit({}, start), undefined);
  assert.throws(() => timeLimit({ stopAt: 'dawn' }, start), /--stop-at: 'dawn' is not a time of day/);
});

const copy = (path: string, bytes: number, mtime: number, kind: 'upload' | 'download' = 'upload'): Action => {
  const e = { path, type: 'file' as const, size: bytes, mtime };
  return { kind, path, type: 'file', reason: '', bytes, localClass: 'new', remoteClass: 'missing', ...(kind === 'upload' ? { local: e } : { remote: e }) };
};

test('--order: newest, oldest, smallest, largest, name; by default big files first, else the plan order', () => {
  const a = [copy('b.txt', 10, 3000), copy('a.iso', 9e6, 1000), copy('c.log', 500, 2000, 'download')];
  const names = (o?: Parameters<typeof orderTransfers>[1]) => orderTransfers(a, o).map((x) => x.path);
  assert.deepEqual(names('newest'), ['b.txt', 'c.log', 'a.iso']);
  assert.deepEqual(names('oldest'), ['a.iso', 'c.log', 'b.txt']);
  assert.deepEqual(names('smallest'), ['b.txt', 'c.log', 'a.iso']);
  assert.deepEqual(names('largest'), ['a.iso', 'c.log', 'b.txt']);
  assert.deepEqual(names('name'), ['a.iso', 'b.txt', 'c.log']);
  assert.deepEqual(names(), ['a.iso', 'b.txt', 'c.log']);
});
