// Myers diff and the diff3 regions (src/core/merge/diff3.ts), checked against brute force on
// random inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffHunks, diff3Regions, type Hunk } from '../../../src/core/merge/diff3.js';
import { mergeLines } from '../../../src/core/merge/text.js';

function apply(o: string[], x: string[], hunks: Hunk[]): string[] {
  const out: string[] = [];
  let i = 0;
  for (const h of hunks) {
    out.push(...o.slice(i, h.oStart), ...x.slice(h.xStart, h.xStart + h.xLength));
    i = h.oStart + h.oLength;
  }
  return [...out, ...o.slice(i)];
}

function lcsLength(a: string[], b: string[]): number {
  const dp = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) {
    dp[i][j] = a[i - 1] === b[j - 1] ? dp[i - 1][j - 1] + 1 : Math.max(dp[i - 1][j], dp[i][j - 1]);
  }
  return dp[a.length][b.length];
}

let seed = 42;
const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
const randomLines = (n: number, alphabet: number) => Array.from({ length: n }, () => `${String.fromCharCode(97 + rnd(alphabet))}\n`);

test('diffHunks: the hunks turn o into x, and keep a longest common subsequence', () => {
  for (let round = 0; round < 400; round++) {
    const o = randomLines(rnd(14), 1 + rnd(5));
    const x = randomLines(rnd(14), 1 + rnd(5));
    const hunks = diffHunks(o, x);
    assert.deepEqual(apply(o, x, hunks), x, JSON.stringify({ o, x, hunks }));
    const kept = o.length - hunks.reduce((n, h) => n + h.oLength, 0);
    assert.equal(kept, lcsLength(o, x), JSON.stringify({ o, x, hunks }));
    for (let k = 1; k < hunks.length; k++) assert.ok(hunks[k].oStart > hunks[k - 1].oStart + hunks[k - 1].oLength - 1);
  }
});

test('diffHunks: past the edit limit the differing middle is one change (still correct)', () => {
  const o = randomLines(50, 3);
  const x = randomLines(50, 3);
  const hunks = diffHunks(o, x, 2);
  assert.deepEqual(apply(o, x, hunks), x);
});

test('diff3: one side unchanged gives the other; the same change on both gives it once', () => {
  for (let round = 0; round < 300; round++) {
    const base = randomLines(rnd(12), 1 + rnd(4));
    const x = randomLines(rnd(12), 1 + rnd(4));
    assert.deepEqual(mergeLines(base, x, base), { lines: x, conflicts: 0 });
    assert.deepEqual(mergeLines(base, base, x), { lines: x, conflicts: 0 });
    assert.deepEqual(mergeLines(base, x, x), { lines: x, conflicts: 0 });
  }
});

test('diff3: edits to separate blocks merge to both edits', () => {
  for (let round = 0; round < 300; round++) {
    const top = randomLines(1 + rnd(6), 4);
    const bottom = randomLines(1 + rnd(6), 4);
    const base = [...top, '=sep1\n', '=sep2\n', ...bottom];
    const top2 = randomLines(rnd(6), 4);
    const bottom2 = randomLines(rnd(6), 4);
    const local = [...top2, '=sep1\n', '=sep2\n', ...bottom];
    const remote = [...top, '=sep1\n', '=sep2\n', ...bottom2];
    const m = mergeLines(base, local, remote);
    assert.deepEqual(m, { lines: [...top2, '=sep1\n', '=sep2\n', ...bottom2], conflicts: 0 }, JSON.stringify({ base, local, remote }));
  }
});

test('diff3: conflict regions carry base, local and remote lines of the overlap', () => {
  const regions = diff3Regions(['a\n', 'b\n', 'c\n'], ['a\n', 'L\n', 'c\n'], ['a\n', 'R\n', 'R2\n', 'c\n']);
  assert.deepEqual(regions, [
    { stable: true, lines: ['a\n'] },
    { stable: false, base: ['b\n'], local: ['L\n'], remote: ['R\n', 'R2\n'] },
    { stable: true, lines: ['c\n'] },
  ]);
});
