// The young-generation collections a big SFTP transfer asks for (src/core/transfer/scavenge.ts) and
// the CLI's collector (src/cli/scavenger.ts): one per SCAVENGE_EVERY bytes moved, none without an
// owner's collector, and V8's gc taken without leaving it (or --expose-gc) behind.
//   node --import tsx --test test/unit/transfer/scavenge.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { noteMoved, SCAVENGE_EVERY, setScavenger } from '../../../src/core/transfer/scavenge.js';
import { enableScavenger, exposedGc } from '../../../src/cli/scavenger.js';

test('one collection per SCAVENGE_EVERY bytes moved, counted across calls', () => {
  let calls = 0;
  setScavenger(() => { calls++; });
  try {
    noteMoved(SCAVENGE_EVERY - 1);
    assert.equal(calls, 0);
    noteMoved(1);
    assert.equal(calls, 1, 'the byte that reaches the amount');
    for (let i = 0; i < 64; i++) noteMoved(SCAVENGE_EVERY / 32);
    assert.equal(calls, 3, 'twice more over two amounts in small pieces');
    noteMoved(0);
    noteMoved(-5);
    noteMoved(Number.NaN);
    assert.equal(calls, 3, 'nothing moved: nothing counted');
    setScavenger(() => { calls += 100; });
    noteMoved(SCAVENGE_EVERY - 1);
    assert.equal(calls, 3, 'a new collector starts counting afresh');
  } finally {
    setScavenger(undefined);
  }
  noteMoved(10 * SCAVENGE_EVERY);
  assert.equal(calls, 3, 'without a collector: nothing');
});

test('the CLI collector: V8 gc, not left on the global object, --expose-gc off again', () => {
  const gc = exposedGc();
  assert.equal(typeof gc, 'function', 'this Node gives its gc function');
  gc!({ type: 'minor' });
  gc!({ type: 'minor' });
  assert.equal((globalThis as { gc?: unknown }).gc, undefined, 'no gc on this global');
  assert.equal(runInNewContext('typeof gc'), 'undefined', 'a context made later has none either');
});

test('enableScavenger: the collector is made on first use, and each amount moved is a minor collection', async () => {
  const minors: number[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) minors.push(e.startTime);
  });
  obs.observe({ entryTypes: ['gc'] });
  /** minor collections that began during 10 amounts moved (a loop that allocates nothing: V8 starts none itself) */
  const during = async (): Promise<number> => {
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) noteMoved(SCAVENGE_EVERY);
    const t1 = performance.now();
    await new Promise((r) => setTimeout(r, 50)); // (gc entries are reported after the fact)
    return minors.filter((t) => t >= t0 && t <= t1).length;
  };
  try {
    assert.equal(await during(), 0, 'no collector: no collection');
    enableScavenger();
    assert.equal(await during(), 10, 'one minor collection per amount');
    assert.equal((globalThis as { gc?: unknown }).gc, undefined);
  } finally {
    obs.disconnect();
    setScavenger(undefined);
  }
});
