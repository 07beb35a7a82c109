// Unit tests for the streamed byte comparison (compare.ts) and the relative-path helpers (paths.ts).

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { sameStreams, sameContent } from '../../src/core/compare.js';
import {
  checkRemoteName, normalizeRelPath, tempPathFor, isTempName, parentOf, baseName, joinPath, isWithin, depthOf, TEMP_PREFIX,
} from '../../src/core/paths.js';
import { SyncError } from '../../src/core/errors.js';
import type { Target } from '../../src/core/types.js';

/** a stream of `buf` cut at the given offsets */
function chunked(buf: Buffer, cuts: number[]): Readable {
  const parts: Buffer[] = [];
  let at = 0;
  for (const c of [...cuts, buf.length]) { parts.push(buf.subarray(at, c)); at = c; }
  return Readable.from(parts);
}
const randomCuts = (len: number, n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * (len + 1))).sort((a, b) => a - b);

describe('compare.sameStreams', () => {
  const data = randomBytes(10_000);

  test('same bytes, chunk boundaries that differ between the two streams → true', async () => {
    assert.equal(await sameStreams(chunked(Buffer.from('abcdef'), [3]), chunked(Buffer.from('abcdef'), [1, 5])), true);
    assert.equal(await sameStreams(chunked(data, []), chunked(data, Array.from({ length: 99 }, (_, i) => (i + 1) * 100))), true, 'one chunk vs 100');
    for (let i = 0; i < 20; i++) {
      assert.equal(await sameStreams(chunked(data, randomCuts(data.length, 7)), chunked(data, randomCuts(data.length, 13))), true);
    }
  });

  for (const at of [0, 1, 2999, 3000, 3001, 9_999]) {
    test(`one byte differs at offset ${at}, cut elsewhere on each side → false`, async () => {
      const other = Buffer.from(data);
      other[at] ^= 0xff;
      assert.equal(await sameStreams(chunked(data, [3000, 7000]), chunked(other, [1, 2999, 3001, 5000])), false);
    });
  }

  test('different lengths (a prefix of the other) → false, both ways', async () => {
    const short = data.subarray(0, 9_999);
    assert.equal(await sameStreams(chunked(data, [5000]), chunked(short, [17])), false);
    assert.equal(await sameStreams(chunked(short, [9000]), chunked(data, [9999])), false);
    assert.equal(await sameStreams(Readable.from([Buffer.from('abc')]), Readable.from([Buffer.from('abcd')])), false);
  });

  test('empty streams: empty = empty; empty ≠ one byte', async () => {
    assert.equal(await sameStreams(Readable.from([]), Readable.from([])), true);
    assert.equal(await sameStreams(Readable.from([]), Readable.from([Buffer.from('x')])), false);
    assert.equal(await sameStreams(Readable.from([Buffer.from('x')]), Readable.from([])), false);
  });

  test('zero-length chunks (object-mode streams) do not change the answer',
    async () => {
      assert.equal(await sameStreams(Readable.from([]), Readable.from([Buffer.alloc(0)])), true);
      assert.equal(await sameStreams(Readable.from([Buffer.alloc(0), Buffer.from('ab'), Buffer.alloc(0)]), Readable.from([Buffer.from('a'), Buffer.from('b')])), true);
    });

  test('stops at the first difference (does not read the rest)', async () => {
    let pulled = 0;
    async function* endless() { for (;;) { pulled++; yield Buffer.from('same'); } }
    const a = Readable.from((async function* () { yield Buffer.from('same'); yield Buffer.from('DIFF'); yield* endless(); })());
    assert.equal(await sameStreams(a, Readable.from(endless())), false);
    assert.ok(pulled < 50, `pulled ${pulled} chunks`);
  });

  test('sameContent reads the path on both targets and destroys both streams', async () => {
    const streams: Readable[] = [];
    const target = (body: string) => ({
      read: async (p: string) => { assert.equal(p, 'dir/f.txt'); const r = Readable.from([Buffer.from(body)]); streams.push(r); return r; },
    }) as unknown as Target;
    assert.equal(await sameContent(target('hello'), target('hello'), 'dir/f.txt'), true);
    assert.equal(await sameContent(target('hello'), target('hellO'), 'dir/f.txt'), false);
    assert.equal(streams.length, 4);
    assert.ok(streams.every((s) => s.destroyed));
  });
});

describe('paths.checkRemoteName', () => {
  for (const bad of ['', '.', '..', '/', 'a/b', '\\', 'a\\b', '\0', 'a\0b', '../x']) {
    test(`rejects ${JSON.stringify(bad)} (SyncError bad-name, path = the folder)`, () => {
      assert.throws(() => checkRemoteName(bad, 'some/dir'), (e: unknown) => {
        assert.ok(e instanceof SyncError);
        assert.equal(e.code, 'bad-name');
        assert.equal(e.path, 'some/dir');
        assert.ok(e.message.includes(JSON.stringify(bad)), e.message);
        return true;
      });
    });
  }
  test('accepts plain names, odd as they may be', () => {
    for (const ok of ['a', '...', '..a', 'a..', '.hidden', ' ', 'ü 日本 🎉', 'a:b', 'x'.repeat(255), TEMP_PREFIX + 'x']) checkRemoteName(ok, '');
  });
});

describe('paths.normalizeRelPath', () => {
  const cases: [string, string][] = [
    ['a/b', 'a/b'], ['./a//b/', 'a/b'], ['a\\b\\c', 'a/b/c'], ['', ''], ['.', ''], ['/', ''], ['a/./b', 'a/b'], ['...', '...'], ['a/..b', 'a/..b'],
  ];
  for (const [input, want] of cases) test(`${JSON.stringify(input)} → ${JSON.stringify(want)}`, () => assert.equal(normalizeRelPath(input), want));
  for (const bad of ['..', '../x', 'a/../b', 'a\\..\\..\\etc']) {
    test(`${JSON.stringify(bad)} leaves the root → SyncError usage`, () => {
      assert.throws(() => normalizeRelPath(bad), (e: unknown) => e instanceof SyncError && e.code === 'usage' && e.message.includes(bad));
    });
  }
});

describe('paths.tempPathFor and helpers', () => {
  test('the temp name stays in the same folder, is short, recognisable and unique', () => {
    const long = 'x'.repeat(250);
    for (const p of ['a/b/c.txt', 'top.txt', `deep/${long}`]) {
      const t = tempPathFor(p);
      assert.equal(parentOf(t), parentOf(p));
      assert.ok(isTempName(baseName(t)));
      assert.ok(baseName(t).length <= 32, baseName(t));
      assert.match(baseName(t), /^\.rs-tmp-[0-9a-f]{12}$/);
      assert.notEqual(tempPathFor(p), t);
    }
    assert.equal(tempPathFor('top.txt').includes('/'), false);
    assert.equal(isTempName('file.txt'), false);
  });

  test('parentOf / baseName / joinPath / isWithin / depthOf', () => {
    assert.equal(parentOf('a/b/c'), 'a/b');
    assert.equal(parentOf('a'), '');
    assert.equal(baseName('a/b/c'), 'c');
    assert.equal(baseName('c'), 'c');
    assert.equal(joinPath('', 'c'), 'c');
    assert.equal(joinPath('a/b', 'c'), 'a/b/c');
    assert.equal(isWithin('a/b', 'a'), true);
    assert.equal(isWithin('a', 'a'), true);
    assert.equal(isWithin('ab', 'a'), false);
    assert.equal(isWithin('a', 'a/b'), false);
    assert.equal(isWithin('anything/at/all', ''), true);
    assert.equal(depthOf('a'), 1);
    assert.equal(depthOf('a/b/c'), 3);
  });
});
