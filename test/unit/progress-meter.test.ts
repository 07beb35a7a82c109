// Transfer progress for people: bytes of files in flight, percent, rate over a window, time left,
// and the CLI's --progress line with rate and ETA.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { Action, Plan } from '../../src/core/types.js';
import { TransferMeter, bytesLine, formatDuration, formatRate } from '../../src/core/progress/meter.js';
import { Output } from '../../src/cli/output.js';

const up = (path: string, bytes: number) => ({ kind: 'upload', path, bytes, type: 'file' }) as Action;
const GB = 1_000_000_000;

test('one big file: bytes in flight move the numbers before the file is done', () => {
  let now = 0;
  const m = new TransferMeter(() => now);
  const big = up('video.mp4', 1.5 * GB);
  m.feed({ type: 'plan', plan: { actions: [big, up('a.txt', 500_000_000), { kind: 'conflict', path: 'c', bytes: 0 } as Action] } as Plan });
  m.feed({ type: 'action-start', action: big });
  let p = m.snapshot();
  assert.deepEqual([p.filesDone, p.filesTotal, p.bytesDone, p.bytesTotal, p.percent, p.rate, p.etaMs], [0, 2, 0, 2 * GB, 0, 0, undefined]);
  for (let s = 1; s <= 10; s++) {
    now = s * 1000;
    m.feed({ type: 'bytes', path: 'video.mp4', bytes: s * 50_000_000, total: big.bytes });
  }
  p = m.snapshot();
  assert.equal(p.bytesDone, 500_000_000);
  assert.equal(p.percent, 25);
  assert.equal(p.current, 'video.mp4');
  assert.equal(Math.round(p.rate), 50_000_000, 'rate over the window: 50 MB/s');
  assert.equal(Math.round(p.etaMs!), 30_000, '1.5 GB left at 50 MB/s');
  assert.equal(bytesLine(p), '25% · 500 MB of 2.0 GB · 50 MB/s · 30 s left');
  now = 11_000;
  m.feed({ type: 'action-done', action: big });
  m.feed({ type: 'stats', filesDone: 1, filesTotal: 2, bytesDone: 1.5 * GB, bytesTotal: 2 * GB });
  p = m.snapshot();
  assert.equal(p.filesDone, 1);
  assert.equal(p.bytesDone, 1.5 * GB, 'the finished file counts once, not twice');
});

test('the rate forgets old samples (a stall shows as a falling rate), and needs a second of history', () => {
  let now = 0;
  const m = new TransferMeter(() => now, 3000);
  const a = up('a', 100_000_000);
  m.feed({ type: 'plan', plan: { actions: [a] } as Plan });
  now = 500;
  m.feed({ type: 'bytes', path: 'a', bytes: 10_000_000, total: a.bytes });
  assert.equal(m.snapshot().rate, 0, 'under a second: no rate yet');
  now = 2000;
  m.feed({ type: 'bytes', path: 'a', bytes: 20_000_000, total: a.bytes });
  assert.equal(Math.round(m.snapshot().rate), 10_000_000);
  now = 10_000;
  m.feed({ type: 'bytes', path: 'a', bytes: 20_000_000, total: a.bytes });
  now = 14_000;
  m.feed({ type: 'bytes', path: 'a', bytes: 20_000_000, total: a.bytes });
  assert.equal(m.snapshot().rate, 0, 'nothing moved in the window');
  assert.equal(m.snapshot().etaMs, undefined);
});

test('no bytes to move (deletions, folders): percent by files', () => {
  const m = new TransferMeter(() => 0);
  const d = { kind: 'delete-remote', path: 'x', bytes: 0 } as Action;
  m.feed({ type: 'plan', plan: { actions: [d, { ...d, path: 'y' }] } as Plan });
  m.feed({ type: 'action-done', action: d });
  assert.equal(m.snapshot().percent, 50);
  assert.equal(bytesLine(m.snapshot()), '');
});

test('formats', () => {
  assert.equal(formatRate(12_345_678), '12 MB/s');
  assert.equal(formatDuration(45_400), '45 s');
  assert.equal(formatDuration(200_000), '3 min 20 s');
  assert.equal(formatDuration(3_900_000), '1 h 05 min');
});

test('CLI --progress line: rate and time left once known', () => {
  const stderr = Object.assign(new PassThrough(), { isTTY: false });
  let text = '';
  stderr.on('data', (b: Buffer) => { text += b.toString(); });
  let t = 0;
  const out = new Output({ verbosity: 0, json: false, progress: true, stdout: new PassThrough(), stderr, now: () => (t += 2000) });
  out.progress(0, 2, 500_000_000, 2 * GB, false, { rate: 50_000_000, etaMs: 30_000 });
  out.progress(0, 2, 0, 2 * GB, false, { rate: 0 });
  assert.equal(text, 'progress: 0/2 files, 500 MB/2.0 GB, 50 MB/s, 30 s left\nprogress: 0/2 files, 0 B/2.0 GB\n');
});
