// A listing text that stops in the middle of a line is an error, never a shorter folder
// (src/core/targets/ftp-util.ts assertWholeListing, used by ftp-list.ts for every listing it parses).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CutListingError, assertWholeListing, isRetryable, toSyncError } from '../../src/core/targets/ftp-util.js';
import { listingOfMlsd } from '../../src/core/targets/ftp-list.js';

const LINES = [
  'type=cdir;unique=801U1; .',
  'type=file;size=12;modify=20240102030405;unique=801U2; a.txt',
  'type=file;size=1234;modify=20240102030405;unique=801U3; b c.txt',
  'type=dir;modify=20240102030405;unique=801U4; sub',
];

test('a whole listing (CRLF or LF line ends, or empty) is parsed', () => {
  for (const eol of ['\r\n', '\n']) {
    const text = LINES.map((l) => l + eol).join('');
    const got = listingOfMlsd(undefined as never, text, '/site');
    assert.deepEqual(got.map((e) => `${e.type} ${e.name} ${e.size}`), ['file a.txt 12', 'file b c.txt 1234', 'dir sub 0']);
  }
  assert.deepEqual([...listingOfMlsd(undefined as never, '', '/site')], []);
});

test('a listing cut at any point inside a line is refused, naming the folder', () => {
  const text = LINES.map((l) => `${l}\r\n`).join('');
  let refused = 0;
  for (let cut = 1; cut < text.length; cut++) {
    const part = text.slice(0, cut);
    if (part.endsWith('\n')) {
      // a cut between two lines cannot be told from a whole listing (FTP gives no length)
      assert.doesNotThrow(() => listingOfMlsd(undefined as never, part, '/site'));
      continue;
    }
    assert.throws(() => listingOfMlsd(undefined as never, part, '/site/dir'), (e: unknown) => e instanceof CutListingError && /\/site\/dir stops in the middle of a line/.test(e.message));
    refused++;
  }
  assert.equal(refused, text.length - 1 - (LINES.length - 1));
});

test('a cut listing is retried, and reported as cut short when it stays so', () => {
  const e = new CutListingError('/site/dir', 120);
  assert.equal(isRetryable(e), true);
  const s = toSyncError(e, 'list /site/dir', '/site/dir', 'ftp://example.org');
  assert.match(s.message, /listing of \/site\/dir on ftp:\/\/example.org came cut short/);
  assert.doesNotThrow(() => assertWholeListing('x\r\n', '/'));
  assert.throws(() => assertWholeListing('x\r', '/'), CutListingError);
});
