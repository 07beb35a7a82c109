import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SaveBatcher } from '../../src/extension/saveBatcher.js';
import { SerialQueue } from '../../src/extension/serialQueue.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

test('a lone save is flushed at once, alone', async (t) => {
  // no timer fires here (mocked, never advanced): a save that waited for one would never be flushed
  // (a wall-clock bound failed on a loaded machine)
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const batches: string[][] = [];
  const b = new SaveBatcher({ flush: async (p) => { batches.push(p); } });
  await b.add('a.txt');
  assert.deepEqual(batches, [['a.txt']]);
});

test('Save All in one turn goes as one batch', async () => {
  const batches: string[][] = [];
  const b = new SaveBatcher({ flush: async (p) => { batches.push(p); } });
  await Promise.all(['a', 'b', 'c', 'd'].map((p) => b.add(p)));
  assert.deepEqual(batches, [['a', 'b', 'c', 'd']]);
});

test('quick repeated saves of one file while an upload runs are coalesced into one more upload', async () => {
  const batches: string[][] = [];
  const gate = deferred();
  const started = deferred();
  let first = true;
  const b = new SaveBatcher({
    flush: async (p) => {
      batches.push(p);
      if (first) { first = false; started.resolve(); await gate.promise; }
    },
  });
  const done = [b.add('a.txt')];
  await started.promise;
  for (let i = 0; i < 5; i++) done.push(b.add('a.txt'));
  done.push(b.add('b.txt'));
  assert.deepEqual(b.pending, ['a.txt', 'b.txt']);
  gate.resolve();
  await Promise.all(done);
  assert.deepEqual(batches, [['a.txt'], ['a.txt', 'b.txt']]);
  assert.equal(b.stats.coalesced, 4);
  assert.equal(b.stats.batches, 2);
  await b.drained();
  assert.equal(b.busy, false);
});

test('a failing batch does not stop the next one, and its waiters still resolve', async () => {
  const batches: string[][] = [];
  const b = new SaveBatcher({
    flush: async (p) => {
      batches.push(p);
      if (p.includes('bad')) throw new Error('boom');
    },
  });
  await b.add('bad');
  await b.add('good');
  assert.deepEqual(batches, [['bad'], ['good']]);
});

test('settleMs gathers saves arriving over a few milliseconds', async () => {
  const batches: string[][] = [];
  const b = new SaveBatcher({ settleMs: 30, flush: async (p) => { batches.push(p); } });
  const p1 = b.add('a');
  await new Promise((r) => setTimeout(r, 5));
  const p2 = b.add('b');
  await Promise.all([p1, p2]);
  assert.deepEqual(batches, [['a', 'b']]);
});

test('dispose drops queued saves and releases waiters', async () => {
  const b = new SaveBatcher({ settleMs: 1000, flush: async () => { throw new Error('must not run'); } });
  const p = b.add('a');
  b.dispose();
  await p;
  await b.add('b'); // ignored after dispose
});

test('SerialQueue runs jobs one at a time, in order, past failures', async () => {
  const q = new SerialQueue();
  const log: string[] = [];
  const job = (name: string, ms: number, fail = false) => q.run(async () => {
    log.push(`start ${name}`);
    await new Promise((r) => setTimeout(r, ms));
    log.push(`end ${name}`);
    if (fail) throw new Error(name);
    return name;
  });
  const a = job('a', 20, true);
  const b = job('b', 1);
  assert.equal(q.size, 2);
  await assert.rejects(a, /a/);
  assert.equal(await b, 'b');
  assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b']);
  await new Promise((r) => setTimeout(r, 1));
  assert.equal(q.size, 0);
});
