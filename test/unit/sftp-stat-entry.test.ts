// statEntryOf (src/core/targets/sftp-util.ts), behind SftpTarget.stat and the re-check before
// overwrite inside an SFTP write: a stat answer without permissions (ssh2 leaves `mode` undefined)
// is an error, never "nothing there".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Stats } from 'ssh2';
import { statEntryOf } from '../../src/core/targets/sftp-util.js';

const attrs = (a: Partial<Stats>) => a as Stats;

test('a file or a folder with permissions gives its entry; a link or a device gives none', () => {
  assert.deepEqual(statEntryOf('a.txt', attrs({ mode: 0o100644, size: 12, mtime: 1700000000 })), { path: 'a.txt', type: 'file', size: 12, mtime: 1700000000000, mode: 0o644 });
  assert.deepEqual(statEntryOf('d', attrs({ mode: 0o040755, size: 4096, mtime: 1700000000 })), { path: 'd', type: 'dir', size: 0, mtime: 1700000000000, mode: 0o755 });
  assert.equal(statEntryOf('l', attrs({ mode: 0o120777, size: 3, mtime: 1 })), undefined);
  assert.equal(statEntryOf('dev', attrs({ mode: 0o020666, size: 0, mtime: 1 })), undefined);
});

test('an answer without permissions is an error naming the path, not "nothing there"', () => {
  assert.throws(() => statEntryOf('site/a.txt', attrs({ size: 12, mtime: 1700000000 })), /did not say what site\/a\.txt is/);
});
