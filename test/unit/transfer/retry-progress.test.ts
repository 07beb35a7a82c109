// Retry waits (exponential, jittered, capped) and the progress figures (rate over a window, ETA).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs, MAX_RETRY_SLEEP_MS, sleepFor } from '../../../src/core/transfer/retry.js';
import { RateMeter } from '../../../src/core/transfer/progress.js';

test('backoff: doubles from --retries-sleep, jittered ±50%, never beyond the cap', () => {
  const p = { retries: 5, sleepMs: 1000 };
  assert.equal(backoffMs(p, 1, () => 0.5), 1000);
  assert.equal(backoffMs(p, 2, () => 0.5), 2000);
  assert.equal(backoffMs(p, 3, () => 0.5), 4000);
  assert.equal(backoffMs(p, 1, () => 0), 500);
  assert.equal(backoffMs(p, 1, () => 0.999), 1499);
  assert.equal(backoffMs(p, 30, () => 0.5), MAX_RETRY_SLEEP_MS);
  assert.equal(backoffMs({ retries: 3, sleepMs: 0 }, 3), 0);
});

test('a wait is cut short by the cancel', async () => {
  const c = new AbortController();
  const t = Date.now();
  setTimeout(() => c.abort(), 20);
  await assert.rejects(sleepFor(10_000, c.signal), /Cancelled/);
  assert.ok(Date.now() - t < 2000);
});

test('progress: percent, the rate over the last seconds, and the time left at that rate', () => {
  let now = 0;
  const m = new RateMeter(5000, () => now);
  assert.deepEqual(m.update(0, 1000), { bytesDone: 0, bytesTotal: 1000, percent: 0, rate: 0 });
  now = 1000;
  const f = m.update(100, 1000);
  assert.equal(f.rate, 100);
  assert.equal(f.percent, 10);
  assert.equal(f.etaSeconds, 9);
  // a stall: after the window the rate falls to zero and there is no ETA
  now = 20_000; m.update(100, 1000);
  now = 26_000;
  const stalled = m.update(100, 1000);
  assert.equal(stalled.rate, 0);
  assert.equal(stalled.etaSeconds, undefined);
  assert.equal(new RateMeter().update(0, 0).percent, 100);
});
