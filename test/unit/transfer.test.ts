// Pure parts of src/core/transfer/: the size check and its error, the byte counters, stalls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { SizeMismatchError, checkSize, countChunks, isSizeMismatch } from '../../src/core/transfer/verify.js';
import { IdleWatch, stalledError, timeoutSecondsOf } from '../../src/core/transfer/stall.js';
import { isRetryableTransfer } from '../../src/core/transfer/copy.js';
import { SyncError } from '../../src/core/errors.js';

test('checkSize: a mismatch names the path and both sizes; an unknown expected size is not checked', () => {
  assert.doesNotThrow(() => checkSize('a.txt', 5, 5, 'moved'));
  assert.doesNotThrow(() => checkSize('a.txt', undefined, 3, 'moved'));
  assert.throws(() => checkSize('dir/a.txt', 10, 4, 'moved'), (e: unknown) => {
    assert.ok(isSizeMismatch(e) && e instanceof SyncError && e.code === 'io');
    assert.equal(e.path, 'dir/a.txt');
    assert.equal(e.message, 'Transfer of dir/a.txt incomplete: the source reported 10 bytes but 4 bytes arrived');
    return true;
  });
  assert.throws(() => checkSize('b', 10, 12, 'after-rename'), /b failed the size check: the source reported 10 bytes but the destination has 12 bytes after the rename/);
});

test('countChunks counts what passes, unchanged', async () => {
  const tally = { bytes: 0 };
  const out: Buffer[] = [];
  for await (const c of countChunks(Readable.from(['xy', Buffer.from('z')], { objectMode: true }), tally)) out.push(c);
  assert.equal(tally.bytes, 3);
  assert.equal(Buffer.concat(out).toString(), 'xyz');
});

test('countChunks reads nothing before it is asked (a transfer failing before its first byte can be retried)', async () => {
  const src = Readable.from([Buffer.from('abc')]);
  const gen = countChunks(src, { bytes: 0 });
  await new Promise((r) => setImmediate(r));
  assert.equal(src.readableDidRead, false);
  await gen.next();
  assert.equal(src.readableDidRead, true);
});

test('which failures a copy retries once: short transfers and lost connections, never refusals', () => {
  assert.equal(isRetryableTransfer(new SizeMismatchError('a', 2, 1, 'moved')), true);
  assert.equal(isRetryableTransfer(stalledError('sftp://h', 30)), true);
  assert.equal(isRetryableTransfer(new SyncError('io', 'Could not download', { cause: Object.assign(new Error('426 aborted'), { code: 426 }) })), true);
  assert.equal(isRetryableTransfer(new SyncError('io', 'permission denied', { cause: Object.assign(new Error('x'), { code: 3 }) })), false);
  assert.equal(isRetryableTransfer(new SyncError('not-found', 'gone')), false);
  assert.equal(isRetryableTransfer(new SyncError('aborted', 'Cancelled')), false);
  assert.equal(isRetryableTransfer(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })), true);
});

test('stalls: the message, the timeout default', () => {
  const e = stalledError('ftp://me@h:21/x', 7, { what: 'download /x/a', path: 'a' });
  assert.equal(e.code, 'connect');
  assert.equal(e.message, 'No response from the server for 7 s');
  assert.match(e.toString(), /ftp:\/\/me@h:21\/x, while trying to download \/x\/a/);
  assert.equal(timeoutSecondsOf({}), 30);
  assert.equal(timeoutSecondsOf({ timeoutSeconds: 5 }), 5);
});

test('IdleWatch fires once after the quiet time while busy; touch() and not being busy hold it off', (t) => {
  // on a mocked clock: in real time, a loaded machine that stalls the process past the quiet time fires it between two touches
  t.mock.timers.enable({ apis: ['setInterval', 'Date'] });
  const wait = (ms: number) => t.mock.timers.tick(ms);
  let fired = 0;
  const w = new IdleWatch(120, () => { fired++; });
  const touching = setInterval(() => w.touch(), 30);
  wait(300);
  assert.equal(fired, 0, 'touched: not idle');
  clearInterval(touching);
  wait(400);
  assert.equal(fired, 1, 'fired once');
  let busy = false;
  let fired2 = 0;
  const w2 = new IdleWatch(100, () => { fired2++; }, () => busy);
  wait(300);
  assert.equal(fired2, 0, 'waiting on the consumer does not count');
  busy = true;
  wait(400);
  assert.equal(fired2, 1);
  w.stop();
  w2.stop();
});
