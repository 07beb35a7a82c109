// The bandwidth limit: rates and timetables as rclone reads them, and a limiter whose total stays
// at the rate however many transfers share it (a fake clock: pure logic).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { BandwidthLimiter, parseBandwidth, parseRate, rateAt, throttled } from '../../../src/core/transfer/bandwidth.js';

test('rates: K/M/G are binary units per second, a plain number is KiB/s, off is no limit', () => {
  assert.equal(parseRate('512K'), 512 * 1024);
  assert.equal(parseRate('2M'), 2 * 1024 * 1024);
  assert.equal(parseRate('2MiB'), 2 * 1024 * 1024);
  assert.equal(parseRate('1.5m'), 1.5 * 1024 * 1024);
  assert.equal(parseRate('100'), 100 * 1024);
  assert.equal(parseRate('800B'), 800);
  assert.equal(parseRate('off'), null);
  for (const bad of ['', 'fast', '2X', '-1M', '0.1B', 'M']) assert.equal(parseRate(bad), undefined, bad);
});

test('a timetable: the slot started last holds; before the first time of the day, the last slot of the day before', () => {
  const s = parseBandwidth('08:00,512K 19:00,off 12:30,1M');
  assert.deepEqual(s.slots.map((x) => x.start), [8 * 60, 12 * 60 + 30, 19 * 60]);
  const at = (h: number, m = 0) => rateAt(s, new Date(2026, 0, 5, h, m));
  assert.equal(at(8), 512 * 1024);
  assert.equal(at(12, 29), 512 * 1024);
  assert.equal(at(12, 30), 1024 * 1024);
  assert.equal(at(19), null);
  assert.equal(at(3), null, 'the night: 19:00,off still holds');
  assert.equal(rateAt(parseBandwidth('2M'), new Date()), 2 * 1024 * 1024);
});

test('bad limits are usage errors that quote the part and show the forms', () => {
  assert.throws(() => parseBandwidth('25:00,1M'), /--bwlimit: cannot read '25:00,1M'.*512K or 2M/s);
  assert.throws(() => parseBandwidth('08:00,1M 08:00,off'), /08:00 appears twice/);
  assert.throws(() => parseBandwidth('fast'), /cannot read 'fast'/);
  assert.throws(() => parseBandwidth('08:00'), /cannot read '08:00'/);
});

test('the limiter: the total over several takers is the rate, with at most 1/8 s of burst', () => {
  let now = 0;
  const rate = 1024 * 1024;
  const lim = new BandwidthLimiter(parseBandwidth('1M'), () => now);
  // three transfers each sending 64 KiB pieces as fast as they are let through, for 10 s of fake time
  let sent = 0;
  const ready = [0, 0, 0];
  while (now < 10_000) {
    const i = ready.indexOf(Math.min(...ready));
    now = ready[i];
    ready[i] = now + lim.reserve(64 * 1024);
    sent += 64 * 1024;
  }
  const expected = rate * 10;
  assert.ok(Math.abs(sent - expected) / expected < 0.03, `sent ${sent} in 10 s at ${rate}/s`);
});

test('the limiter: a slot of the timetable without a limit lets everything through', () => {
  const lim = new BandwidthLimiter(parseBandwidth('off'), () => 0);
  assert.equal(lim.reserve(1e9), 0);
});

test('throttled: the bytes come through unchanged, paced by the limiter, and the source is released when the reader stops', async () => {
  const body = Buffer.alloc(300 * 1024, 7);
  const lim = new BandwidthLimiter(parseBandwidth('1M'));
  const started = Date.now();
  const chunks: Buffer[] = [];
  for await (const c of throttled(Readable.from([body]), lim)) chunks.push(c as Buffer);
  const ms = Date.now() - started;
  assert.deepEqual(Buffer.concat(chunks), body);
  assert.ok(chunks.every((c) => c.length <= 64 * 1024));
  // 300 KiB at 1 MiB/s, less the 128 KiB burst: about 170 ms
  assert.ok(ms >= 120 && ms < 2000, `took ${ms} ms`);
  const src = Readable.from((function* () { for (;;) yield Buffer.alloc(1024); })());
  const out = throttled(src, lim);
  out.destroy();
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(src.destroyed, 'the source is destroyed with the paced stream');
});
