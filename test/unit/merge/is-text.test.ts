// isText (src/core/merge/text.ts) answers as decodeText does — text is valid UTF-8 without a NUL byte —
// without making the string: the common-version store asks it of every text file a sync moves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeText, isText } from '../../../src/core/merge/text.js';

const bytes = (...b: number[]) => Uint8Array.from(b);

test('isText: valid UTF-8 without NUL is text; invalid sequences, lone surrogates, overlongs and NUL are not', () => {
  const cases: Array<[Uint8Array, boolean, string]> = [
    [bytes(), true, 'empty'],
    [Buffer.from('plain ascii\n'), true, 'ascii'],
    [Buffer.from('é日本🙂\r\n'), true, '2-, 3- and 4-byte sequences'],
    [bytes(0xef, 0xbb, 0xbf, 0x61), true, 'a BOM'],
    [bytes(0x61, 0x00, 0x62), false, 'a NUL byte'],
    [bytes(0xc3), false, 'a cut 2-byte sequence'],
    [bytes(0xe6, 0x97), false, 'a cut 3-byte sequence'],
    [bytes(0x80), false, 'a lone continuation byte'],
    [bytes(0xc0, 0xaf), false, 'an overlong "/"'],
    [bytes(0xe0, 0x80, 0xaf), false, 'an overlong 3-byte form'],
    [bytes(0xed, 0xa0, 0x80), false, 'a UTF-16 surrogate (CESU-8)'],
    [bytes(0xf4, 0x90, 0x80, 0x80), false, 'past U+10FFFF'],
    [bytes(0xff), false, '0xFF'],
  ];
  for (const [b, want, what] of cases) {
    assert.equal(isText(b), want, what);
    assert.equal(decodeText(b) !== undefined, want, `${what} (decodeText)`);
  }
});

test('isText agrees with decodeText on 20,000 random byte strings weighted towards multi-byte sequences', () => {
  let seed = 12345;
  const next = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed >>> 8; };
  const pool = [0x00, 0x0a, 0x41, 0x7f, 0x80, 0x8f, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff];
  let texts = 0;
  for (let i = 0; i < 20_000; i++) {
    const b = new Uint8Array(1 + (next() % 12));
    for (let k = 0; k < b.length; k++) b[k] = next() % 3 === 0 ? pool[next() % pool.length] : 0x61 + (next() % 26);
    const want = decodeText(b) !== undefined;
    if (want) texts++;
    assert.equal(isText(b), want, `bytes ${Buffer.from(b).toString('hex')}`);
  }
  assert.ok(texts > 2000 && texts < 18_000, `both answers were exercised (${texts} texts)`);
});
