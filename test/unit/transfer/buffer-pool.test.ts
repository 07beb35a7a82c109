// PumpBuffers (core/transfer/buffer-pool.ts): the buffers a pump writes from, reused within a transfer
// and, after a good end, by the next transfer of the same buffer size only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PumpBuffers } from '../../../src/core/transfer/buffer-pool.js';

test('a transfer makes at most max buffers and reuses the ones released', () => {
  const p = new PumpBuffers(1000, 2);
  const a = p.take()!;
  const b = p.take()!;
  assert.equal(a.length, 1000);
  assert.notEqual(a, b);
  assert.equal(p.take(), undefined, 'at the limit');
  p.release(a);
  assert.equal(p.take(), a, 'a written buffer is filled again');
  p.release(Buffer.alloc(1000)); // not ours: ignored
  assert.equal(p.take(), undefined);
  assert.equal(p.count, 2);
});

test('a transfer smaller than a buffer gets one of its own size (at least a byte)', () => {
  const p = new PumpBuffers(1000);
  assert.equal(p.take(10)!.length, 10);
  assert.equal(p.take(0)!.length, 1);
});

test('after a good end the full-size buffers serve the next transfer of that size, never one of another size', () => {
  const size = 4096 + 17; // (a size no other test or module uses: the shelves are shared)
  const first = new PumpBuffers(size, Infinity, 1);
  const a = first.take()!;
  const b = first.take()!;
  first.take(5);
  first.done(true);
  const bigger = new PumpBuffers(size * 2);
  const c = bigger.take()!;
  assert.equal(c.length, size * 2, 'a buffer kept for smaller transfers is not handed to a bigger one');
  const next = new PumpBuffers(size);
  const d = next.take()!;
  assert.ok(d === a || d === b, 'one kept (keep = 1)');
  const e = next.take()!;
  assert.ok(e !== a && e !== b, 'only one was kept');
});

test('after a failure nothing is kept (a read may still be pending into a buffer)', () => {
  const size = 4096 + 33;
  const failed = new PumpBuffers(size);
  const a = failed.take()!;
  failed.done(false);
  const next = new PumpBuffers(size);
  assert.notEqual(next.take(), a);
});
