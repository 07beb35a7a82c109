// What the SFTP listing (core/targets/sftp-list.ts) makes of what a server answers: READDIR replies
// sent together on one handle, where entries after an EOF fail the listing instead of being dropped
// (missing entries would look deleted on the server); and an entry's type when the server sent no
// permissions — from its `ls -l` line, else a clear error, never an entry silently left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Stats } from 'ssh2';
import { SyncError } from '../../src/core/errors.js';
import { entryTypeOf, takeReaddirBatch } from '../../src/core/targets/sftp-list.js';

const EOF = undefined;

test('READDIR batch: entries in order; EOF at the end ends the folder', () => {
  const out: string[] = ['x'];
  assert.equal(takeReaddirBatch([['a', 'b'], ['c']], 'docs', out), false, 'no EOF yet: more to read');
  assert.deepEqual(out, ['x', 'a', 'b', 'c']);
  assert.equal(takeReaddirBatch([['d'], EOF, EOF], 'docs', out), true);
  assert.deepEqual(out, ['x', 'a', 'b', 'c', 'd']);
  assert.equal(takeReaddirBatch([EOF, EOF, EOF], 'docs', out), true);
  assert.equal(takeReaddirBatch([EOF, [], EOF], 'docs', out), true, 'an empty reply after EOF drops nothing');
  assert.deepEqual(out, ['x', 'a', 'b', 'c', 'd']);
});

test('READDIR batch: entries after an EOF fail the listing, naming the folder', () => {
  for (const [replies, rel, named] of [
    [[['a'], EOF, ['b']], 'docs/sub', /docs\/sub/],
    [[EOF, ['a', 'b']], 'docs', /docs/],
    [[EOF, EOF, ['a']], '', /folder \/:/],
  ] as const) {
    assert.throws(() => takeReaddirBatch(replies, rel, []), (e: unknown) =>
      e instanceof SyncError && e.code === 'io' && e.path === rel && named.test(e.message) && /after saying there were no more/.test(e.message));
  }
});

const stats = (o: Partial<Record<'mode' | 'size' | 'mtime', number>>) => ({ size: 0, mtime: 0, ...o }) as unknown as Stats;

test('entry type from the mode when the server sent one (the longname is not looked at)', () => {
  assert.equal(entryTypeOf(stats({ mode: 0o100644 }), 'drwxr-xr-x 1 u g 0 Jan 1 00:00 f', 'f'), 'file');
  assert.equal(entryTypeOf(stats({ mode: 0o040755 }), '', 'd'), 'dir');
  assert.equal(entryTypeOf(stats({ mode: 0o120777 }), '', 'l'), 'link');
  assert.equal(entryTypeOf(stats({ mode: 0o010644 }), '', 'fifo'), undefined, 'a pipe: not synced, as before');
});

test('no permissions from the server: the type from the ls -l line, not a skipped entry', () => {
  assert.equal(entryTypeOf(stats({}), '-rw-r--r--    1 u  g  12 Jan  1 00:00 a.txt', 'a.txt'), 'file');
  assert.equal(entryTypeOf(stats({}), 'drwxr-xr-x    2 u  g  4096 Jan  1 00:00 sub', 'sub'), 'dir');
  assert.equal(entryTypeOf(stats({}), 'lrwxrwxrwx    1 u  g  5 Jan  1 00:00 ln -> a.txt', 'ln'), 'link');
  for (const c of 'bcps') assert.equal(entryTypeOf(stats({}), `${c}rw-r--r-- 1 u g 0 Jan 1 00:00 x`, 'x'), undefined);
});

test('no permissions and no usable ls -l line: the listing fails clearly', () => {
  for (const longname of ['', undefined, 'a.txt', '?rw-r--r-- 1 u g 0 Jan 1 00:00 a.txt']) {
    assert.throws(() => entryTypeOf(stats({}), longname, 'docs/a.txt'), (e: unknown) =>
      e instanceof SyncError && e.code === 'io' && e.path === 'docs/a.txt' && /docs\/a\.txt/.test(e.message) && /file or a folder/.test(e.message));
  }
});
