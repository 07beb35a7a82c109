// diff3 on sequences of lines: Myers' O((N+M)·D) diff of the base against each side, then the
// changed regions of both sides laid over each other (like GNU diff3 / `git merge-file`: changes
// that overlap or touch are a conflict). Written here rather than taken from node-diff3, whose
// LCS is cubic on repeated lines (a file with 1,000 blank lines took 3.4 s, 2,000 took 26 s).

/** o[oStart, oStart+oLength) was replaced by x[xStart, xStart+xLength) */
export interface Hunk { oStart: number; oLength: number; xStart: number; xLength: number }

/** Edit distances above this are not searched: the whole differing middle counts as one change. */
const MAX_EDITS = 4000;

/** The changes that turn `o` into `x` (lines compared by ===), in order. */
export function diffHunks(o: readonly string[], x: readonly string[], maxEdits = MAX_EDITS): Hunk[] {
  // common prefix and suffix first: most edits are small and local
  let pre = 0;
  while (pre < o.length && pre < x.length && o[pre] === x[pre]) pre++;
  let suf = 0;
  while (suf < o.length - pre && suf < x.length - pre && o[o.length - 1 - suf] === x[x.length - 1 - suf]) suf++;
  const N = o.length - pre - suf;
  const M = x.length - pre - suf;
  if (N === 0 && M === 0) return [];
  if (N === 0 || M === 0) return [{ oStart: pre, oLength: N, xStart: pre, xLength: M }]; // already as low as it goes
  const A = o.slice(pre, pre + N);
  const B = x.slice(pre, pre + M);
  const matches = myersMatches(A, B, maxEdits);
  if (!matches) return [{ oStart: pre, oLength: N, xStart: pre, xLength: M }];
  const hunks: Hunk[] = [];
  let i0 = 0;
  let j0 = 0;
  for (const [i, j] of [...matches, [N, M] as [number, number]]) {
    if (i > i0 || j > j0) hunks.push({ oStart: pre + i0, oLength: i - i0, xStart: pre + j0, xLength: j - j0 });
    i0 = i + 1;
    j0 = j + 1;
  }
  return slideDown(o, x, hunks);
}

/**
 * An insertion or deletion inside a run of equal lines (one `}` of several) can sit anywhere in the
 * run; Myers picks a place depending on the rest of the file, so the two sides' diffs could place
 * the same change differently: the same line deleted (or inserted) on both sides would then be
 * taken twice. Each one is moved as low as it goes (like git's xdiff), so equal changes line up;
 * hunks that come to touch are joined.
 */
function slideDown(o: readonly string[], x: readonly string[], hunks: Hunk[]): Hunk[] {
  const out: Hunk[] = [];
  for (let n = 0; n < hunks.length; n++) {
    let h = { ...hunks[n] };
    const prev = out[out.length - 1];
    if (prev && prev.oStart + prev.oLength === h.oStart) {
      out.pop();
      h = { oStart: prev.oStart, oLength: prev.oLength + h.oLength, xStart: prev.xStart, xLength: prev.xLength + h.xLength };
    }
    const next = n + 1 < hunks.length ? hunks[n + 1].oStart : o.length; // o[.., next) is unchanged after h
    if (h.oLength === 0) {
      while (h.oStart < next && x[h.xStart] === x[h.xStart + h.xLength]) { h.oStart++; h.xStart++; }
    } else if (h.xLength === 0) {
      while (h.oStart + h.oLength < next && o[h.oStart] === o[h.oStart + h.oLength]) { h.oStart++; h.xStart++; }
    }
    out.push(h);
  }
  return out;
}

/** Matched index pairs of a shortest edit script, in order; undefined past `maxEdits` edits. */
function myersMatches(a: readonly string[], b: readonly string[], maxEdits: number): [number, number][] | undefined {
  const N = a.length;
  const M = b.length;
  const max = N + M;
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= Math.min(max, maxEdits); d++) {
    trace.push(v.slice(off - d - 1, off + d + 2)); // v before step d, for k in [-d-1, d+1]
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? v[off + k + 1] : v[off + k - 1] + 1;
      let y = x - k;
      while (x < N && y < M && a[x] === b[y]) { x++; y++; }
      v[off + k] = x;
      if (x >= N && y >= M) { found = d; break; }
    }
    if (found >= 0) break;
  }
  if (found < 0) return undefined;
  const matches: [number, number][] = [];
  let x = N;
  let y = M;
  for (let d = found; d >= 0; d--) {
    const snap = trace[d];
    const at = (k: number) => snap[k + d + 1];
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : at(prevK);
    const prevY = d === 0 ? 0 : prevX - prevK;
    // the diagonal run after the edit of step d
    const startX = d === 0 ? 0 : (prevK === k + 1 ? prevX : prevX + 1);
    while (x > startX && y > startX - k) { x--; y--; matches.push([x, y]); }
    x = prevX;
    y = prevY;
  }
  return matches.reverse();
}

export type Region =
  | { stable: true; lines: string[] }
  | { stable: false; base: string[]; local: string[]; remote: string[] };

/** Three-way regions of `local` and `remote`, both derived from `base`. */
export function diff3Regions(base: readonly string[], local: readonly string[], remote: readonly string[]): Region[] {
  type Side = 'local' | 'remote';
  const tagged = [
    ...diffHunks(base, local).map((h) => ({ side: 'local' as Side, h })),
    ...diffHunks(base, remote).map((h) => ({ side: 'remote' as Side, h })),
  ].sort((p, q) => p.h.oStart - q.h.oStart || p.h.oLength - q.h.oLength);
  const text = { local, remote };
  const delta = { local: 0, remote: 0 }; // x index − o index outside the hunks seen so far
  const regions: Region[] = [];
  let o = 0;
  let i = 0;
  while (i < tagged.length) {
    // a group: hunks that overlap or touch (an insertion at a changed range's edge touches it)
    const group = [tagged[i]];
    let lo = tagged[i].h.oStart;
    let hi = lo + tagged[i].h.oLength;
    i++;
    while (i < tagged.length && tagged[i].h.oStart <= hi) {
      group.push(tagged[i]);
      hi = Math.max(hi, tagged[i].h.oStart + tagged[i].h.oLength);
      i++;
    }
    if (lo > o) regions.push({ stable: true, lines: base.slice(o, lo) });
    const range = (side: Side): string[] => {
      const mine = group.filter((g) => g.side === side);
      const start = lo + delta[side];
      for (const g of mine) delta[side] += g.h.xLength - g.h.oLength;
      return text[side].slice(start, hi + delta[side]);
    };
    const fromLocal = group.some((g) => g.side === 'local');
    const fromRemote = group.some((g) => g.side === 'remote');
    const L = range('local');
    const R = range('remote');
    if (fromLocal && fromRemote) {
      const same = L.length === R.length && L.every((line, n) => line === R[n]);
      regions.push(same ? { stable: true, lines: L } : { stable: false, base: base.slice(lo, hi), local: L, remote: R });
    } else {
      regions.push({ stable: true, lines: fromLocal ? L : R });
    }
    o = hi;
    lo = hi;
  }
  if (o < base.length) regions.push({ stable: true, lines: base.slice(o) });
  return regions;
}
