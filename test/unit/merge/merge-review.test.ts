// Review of the three-way merge: regressions for the run-of-equal-lines misalignment, and a
// randomized property test (seeded) against an exact oracle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeText, mergeLines } from '../../../src/core/merge/text.js';

const merge = (b: string, l: string, r: string) => {
  const m = mergeText(Buffer.from(b), Buffer.from(l), Buffer.from(r));
  return m.status === 'clean' ? m.content.toString() : m;
};

test('the same line deleted on both sides from a run of equal lines is deleted once', () => {
  // local deletes one trailing `c`; remote deletes one too and inserts a line higher up: Myers put
  // remote's deletion at the top of the run and local's at its bottom, and both were applied
  assert.equal(merge('c\nc\nb\nb\nc\nc\nc\nc\n', 'c\nc\nb\nb\nc\nc\nc\n', 'c\nc\nc\nb\nb\nc\nc\nc\n'), 'c\nc\nc\nb\nb\nc\nc\nc\n');
});

test('the same line inserted on both sides into a run of equal lines is inserted once', () => {
  // remote = local + one more deletion: the result must be remote, not a duplicated line
  assert.equal(merge('a\na\nb\na\na\na\n', 'a\na\nb\na\na\na\na\n', 'a\nb\na\na\na\na\n'), 'a\nb\na\na\na\na\n');
});

// --- property: edits in separate places (unique lines, so the expected merge is exact) ---
let seed = 20240611;
const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
interface Edit { start: number; del: number; ins: string[] }
function applyEdits(base: string[], edits: Edit[]): string[] {
  const out: string[] = [];
  let i = 0;
  for (const e of edits) { out.push(...base.slice(i, e.start), ...e.ins); i = e.start + e.del; }
  return [...out, ...base.slice(i)];
}

test('property: disjoint edits merge to both; the same edits on both sides are taken once', () => {
  let uid = 0;
  const ending = () => ['\n', '\r\n', '\r'][rnd(3)];
  const line = () => `l${uid++}${ending()}`;
  for (let iter = 0; iter < 3000; iter++) {
    const n = rnd(25);
    const base = Array.from({ length: n }, line);
    const edits: { e: Edit; side: number }[] = [];
    for (let pos = rnd(3); pos <= n; pos += 1 + rnd(3)) {
      const del = Math.min(rnd(3), n - pos);
      const ins = Array.from({ length: rnd(3) }, line);
      if (del || ins.length) edits.push({ e: { start: pos, del, ins }, side: rnd(3) }); // 2: both sides
      pos += del; // then at least one unchanged line
    }
    const L = applyEdits(base, edits.filter((x) => x.side !== 1).map((x) => x.e));
    const R = applyEdits(base, edits.filter((x) => x.side !== 0).map((x) => x.e));
    const expected = applyEdits(base, edits.map((x) => x.e));
    const m = mergeLines(base, L, R);
    assert.equal(m.conflicts, 0, JSON.stringify({ base, L, R }));
    assert.deepEqual(m.lines, expected, JSON.stringify({ base, L, R }));
    // and the other way round, and one side alone
    assert.deepEqual(mergeLines(base, R, L).lines, expected);
    assert.deepEqual(mergeLines(base, L, base).lines, L);
    assert.deepEqual(mergeLines(base, base, R).lines, R);
  }
});

test('property: different edits to the same or neighbouring lines are a conflict', () => {
  let uid = 0;
  const line = () => `m${uid++}\n`;
  for (let iter = 0; iter < 2000; iter++) {
    const base = Array.from({ length: 2 + rnd(20) }, line);
    const p = rnd(base.length);
    const q = Math.min(base.length - 1, p + rnd(2)); // the same line, or the next
    const L = [...base]; L.splice(p, 1, line());
    const R = [...base]; R.splice(q, rnd(2), ...(q === p || rnd(2) ? [line()] : [])); // replace, delete, or insert at q
    if (R.length === base.length + 0 && R.every((x, k) => x === base[k])) continue;
    assert.ok(mergeLines(base, L, R).conflicts > 0, JSON.stringify({ base, L, R }));
  }
});
