// The three-way line merge (src/core/merge/text.ts): pure, so tested on strings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeText, splitLines, decodeText } from '../../../src/core/merge/text.js';

const B = (s: string | Buffer) => (typeof s === 'string' ? Buffer.from(s, 'utf8') : s);
function merge(base: string | Buffer, local: string | Buffer, remote: string | Buffer): string | { status: string; conflicts?: number; side?: string } {
  const r = mergeText(B(base), B(local), B(remote));
  return r.status === 'clean' ? r.content.toString('utf8') : r;
}

test('splitLines keeps each line ending, and a last line without one', () => {
  assert.deepEqual(splitLines(''), []);
  assert.deepEqual(splitLines('a'), ['a']);
  assert.deepEqual(splitLines('a\nb\r\nc\rd'), ['a\n', 'b\r\n', 'c\r', 'd']);
  assert.deepEqual(splitLines('a\n\n'), ['a\n', '\n']);
});

test('clean: changes in different places are both kept', () => {
  const base = 'one\ntwo\nthree\nfour\nfive\n';
  assert.equal(merge(base, 'ONE\ntwo\nthree\nfour\nfive\n', 'one\ntwo\nthree\nfour\nFIVE\n'), 'ONE\ntwo\nthree\nfour\nFIVE\n');
  // insertions and deletions far apart
  assert.equal(merge(base, 'zero\none\ntwo\nthree\nfour\nfive\n', 'one\ntwo\nthree\nfive\n'), 'zero\none\ntwo\nthree\nfive\n');
  // one side unchanged: the other side's version, byte for byte
  assert.equal(merge(base, base, 'x\n'), 'x\n');
  assert.equal(merge(base, 'y\n', base), 'y\n');
});

test('the same change on both sides is not a conflict', () => {
  const base = 'a\nb\nc\n';
  assert.equal(merge(base, 'a\nB\nc\n', 'a\nB\nc\n'), 'a\nB\nc\n');
  assert.equal(merge(base, 'a\nB\nc\nlocal\n', 'remote\na\nB\nc\n'), 'remote\na\nB\nc\nlocal\n');
});

test('overlapping: the same line changed differently, or neighbouring lines, is a conflict', () => {
  const base = 'a\nb\nc\nd\n';
  assert.deepEqual(merge(base, 'a\nL\nc\nd\n', 'a\nR\nc\nd\n'), { status: 'conflict', conflicts: 1 });
  // adjacent lines: like git merge-file, a conflict (no line of either side is lost by guessing)
  assert.deepEqual(merge(base, 'a\nL\nc\nd\n', 'a\nb\nR\nd\n'), { status: 'conflict', conflicts: 1 });
  // a deletion against an edit of the same line
  assert.deepEqual(merge(base, 'a\nc\nd\n', 'a\nB\nc\nd\n'), { status: 'conflict', conflicts: 1 });
  // two separate overlapping places
  assert.deepEqual(merge('1\n2\n3\n4\n5\n6\n7\n', '1\nL\n3\n4\n5\nL\n7\n', '1\nR\n3\n4\n5\nR\n7\n'), { status: 'conflict', conflicts: 2 });
});

test('insertions at the same place: different lines conflict, the same lines merge', () => {
  const base = 'a\nb\n';
  assert.deepEqual(merge(base, 'a\nlocal\nb\n', 'a\nremote\nb\n'), { status: 'conflict', conflicts: 1 });
  assert.equal(merge(base, 'a\nsame\nb\n', 'a\nsame\nb\n'), 'a\nsame\nb\n');
  // appended at the end on both sides
  assert.deepEqual(merge(base, 'a\nb\nL\n', 'a\nb\nR\n'), { status: 'conflict', conflicts: 1 });
});

test('line endings: each line keeps the ending of the side it comes from', () => {
  const base = 'a\r\nb\r\nc\r\nd\r\ne\r\n';
  assert.equal(merge(base, 'A\r\nb\r\nc\r\nd\r\ne\r\n', 'a\r\nb\r\nc\r\nd\r\nE\r\n'), 'A\r\nb\r\nc\r\nd\r\nE\r\n');
  // a side that writes LF into a CRLF file keeps its LF line (and nothing else changes)
  assert.equal(merge(base, 'A\nb\r\nc\r\nd\r\ne\r\n', 'a\r\nb\r\nc\r\nd\r\ne\r\nnew\n'), 'A\nb\r\nc\r\nd\r\ne\r\nnew\n');
  // old Mac CR endings are lines too
  assert.equal(merge('a\rb\rc\rd\r', 'A\rb\rc\rd\r', 'a\rb\rc\rD\r'), 'A\rb\rc\rD\r');
  // a whole-file conversion is a change of every line: with an edit on the other side, a conflict
  assert.deepEqual(merge('a\nb\nc\n', 'a\r\nb\r\nc\r\n', 'a\nb\nC\n'), { status: 'conflict', conflicts: 1 });
  assert.equal(merge('a\nb\nc\n', 'a\r\nb\r\nc\r\n', 'a\nb\nc\n'), 'a\r\nb\r\nc\r\n');
});

test('final newline: kept or left off as the side that changed the last line has it', () => {
  assert.equal(merge('a\nb\nc\nd', 'A\nb\nc\nd', 'a\nb\nc\nd\n'), 'A\nb\nc\nd\n');
  assert.equal(merge('a\nb\nc\nd\n', 'A\nb\nc\nd\n', 'a\nb\nc\nd'), 'A\nb\nc\nd');
  assert.equal(merge('a\nb\nc\nd', 'A\nb\nc\nd', 'a\nb\nc\nD'), 'A\nb\nc\nD');
  // appending after a last line without a newline changes that line: it overlaps an edit of it
  assert.deepEqual(merge('a\nb', 'a\nb\nc', 'a\nB'), { status: 'conflict', conflicts: 1 });
});

test('empty sides', () => {
  assert.equal(merge('', '', ''), '');
  assert.equal(merge('', 'x\n', ''), 'x\n');
  assert.equal(merge('', '', 'y\n'), 'y\n');
  assert.deepEqual(merge('', 'x\n', 'y\n'), { status: 'conflict', conflicts: 1 });
  assert.equal(merge('', 'x\n', 'x\n'), 'x\n');
  // one side emptied the file, the other left it alone: empty
  assert.equal(merge('a\nb\n', '', 'a\nb\n'), '');
  // one side emptied it, the other edited it: conflict
  assert.deepEqual(merge('a\nb\n', '', 'a\nB\n'), { status: 'conflict', conflicts: 1 });
});

test('very long lines and many lines', () => {
  const long = 'x'.repeat(300_000);
  assert.equal(merge(`${long}\nb\nc\nd\n`, `${long}\nB\nc\nd\n`, `${long}\nb\nc\nD\n`), `${long}\nB\nc\nD\n`);
  assert.deepEqual(merge(`${long}\n`, `${long}y\n`, `${long}z\n`), { status: 'conflict', conflicts: 1 });
  // 20,000 identical lines (the LCS worst case) with edits at both ends: fast, and clean
  const lines = Array.from({ length: 20_000 }, () => '\n').join('');
  const started = Date.now();
  assert.equal(merge(`top\n${lines}bottom\n`, `TOP\n${lines}bottom\n`, `top\n${lines}BOTTOM\n`), `TOP\n${lines}BOTTOM\n`);
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
});

test('not text: invalid UTF-8 or a NUL byte on any side is not merged', () => {
  const bin = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]);
  assert.deepEqual(merge('a\n', bin, 'a\n'), { status: 'not-text', side: 'local' });
  assert.deepEqual(merge('a\n', 'a\n', Buffer.from([0xff, 0xfe, 0x41])), { status: 'not-text', side: 'remote' });
  assert.deepEqual(merge(Buffer.from([0xc3]), 'a\n', 'a\n'), { status: 'not-text', side: 'base' });
  assert.equal(decodeText(Buffer.from('héllo ✓\n')), 'héllo ✓\n');
  // a UTF-8 byte-order mark stays where it is
  assert.equal(merge('\ufeffa\nb\nc\n', '\ufeffa\nb\nC\n', '\ufeffA\nb\nc\n'), '\ufeffA\nb\nC\n');
});
