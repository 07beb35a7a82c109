// "Did you mean …?" for misspelt names: config fields, target names, CLI options and commands.

/** Damerau-free Levenshtein distance (insert, delete, substitute), plus a cheap swap of neighbours. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev2: number[] = [];
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      // transposition of two neighbours ("dleete" → "delete") counts as one edit
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur.push(d);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[n];
}

/** The closest candidate, if it is close enough to be what was meant (case-insensitive). */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  const list = [...candidates];
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of list) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestD) { best = c; bestD = d; }
  }
  if (best === undefined) return undefined;
  // a known name that the word starts with, or that starts with the word ("newer" → "new", "--dry" → "--dry-run")
  if (bestD > 1) {
    for (const c of list) {
      const lc = c.toLowerCase().replace(/^-+/, '');
      const lw = w.replace(/^-+/, '');
      if (lc.length >= 3 && lw.length >= 3 && (lw.startsWith(lc) || lc.startsWith(lw))) return c;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(Math.max(w.length, best.length) / 3)));
  return bestD <= limit ? best : undefined;
}

/** " (did you mean X?)" or "" */
export function didYouMean(word: string, candidates: Iterable<string>, quote = (s: string) => `"${s}"`): string {
  const s = suggest(word, candidates);
  return s === undefined ? '' : ` (did you mean ${quote(s)}?)`;
}
