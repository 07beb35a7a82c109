// Three-way line merge of text files (diff3, like `git merge-file`), on lines *with* their line
// endings: every line keeps the ending (LF, CRLF, CR, or none at the end of the file) of the side
// it comes from, so neither side's line endings nor its final newline are rewritten. A line whose
// ending alone changed counts as a change of that line (an editor that converted a whole file
// conflicts with any edit on the other side: nothing is lost).

import type * as Diff3 from 'node-diff3' with { 'resolution-mode': 'import' };

// node-diff3 is an ES module with a CommonJS build (its "require" export), which this CommonJS
// code base (and the esbuild bundle) loads.
const { diff3MergeRegions } = require('node-diff3') as typeof Diff3;

export type TextMergeResult =
  /** no overlapping changes: `content` is the merged file */
  | { status: 'clean'; content: Buffer }
  /** overlapping changes: `conflicts` regions changed differently on both sides */
  | { status: 'conflict'; conflicts: number }
  /** one of the three is not text: `side` names which */
  | { status: 'not-text'; side: 'base' | 'local' | 'remote' };

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The content as text, or undefined when it is not UTF-8 text (invalid bytes or a NUL byte). */
export function decodeText(content: Uint8Array): string | undefined {
  if (content.includes(0)) return undefined;
  try {
    return decoder.decode(content);
  } catch {
    return undefined;
  }
}

/** Is this content text a line merge can work on? */
export function isText(content: Uint8Array): boolean {
  return decodeText(content) !== undefined;
}

/** "a\r\nb\nc" → ["a\r\n", "b\n", "c"]: each line with its own ending; "" → [] */
export function splitLines(text: string): string[] {
  const out: string[] = [];
  const re = /\r\n|\n|\r/g;
  let start = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    out.push(text.slice(start, m.index + m[0].length));
    start = m.index + m[0].length;
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

/** Merge the lines (with their endings) of `local` and `remote`, both derived from `base`. */
export function mergeLines(base: string[], local: string[], remote: string[]): { lines: string[]; conflicts: number } {
  // Lines equal in all three at the start and the end are stable: only diff the middle (keeps the
  // quadratic worst case of the LCS to the part that changed).
  let pre = 0;
  while (pre < base.length && pre < local.length && pre < remote.length && base[pre] === local[pre] && base[pre] === remote[pre]) pre++;
  let suf = 0;
  while (
    suf < base.length - pre && suf < local.length - pre && suf < remote.length - pre &&
    base[base.length - 1 - suf] === local[local.length - 1 - suf] && base[base.length - 1 - suf] === remote[remote.length - 1 - suf]
  ) suf++;
  const mid = (a: string[]) => a.slice(pre, a.length - suf);
  const lines = base.slice(0, pre);
  let conflicts = 0;
  for (const r of diff3MergeRegions(mid(local), mid(base), mid(remote))) {
    if (r.stable) { lines.push(...r.bufferContent); continue; }
    const same = r.aContent.length === r.bContent.length && r.aContent.every((l, i) => l === r.bContent[i]);
    if (same) lines.push(...r.aContent);     // both sides made the same change
    else conflicts++;
  }
  lines.push(...base.slice(base.length - suf));
  return { lines, conflicts };
}

/** Three-way merge of file contents. */
export function mergeText(base: Uint8Array, local: Uint8Array, remote: Uint8Array): TextMergeResult {
  const texts: Record<'base' | 'local' | 'remote', string | undefined> = {
    base: decodeText(base), local: decodeText(local), remote: decodeText(remote),
  };
  for (const side of ['local', 'remote', 'base'] as const) if (texts[side] === undefined) return { status: 'not-text', side };
  const { lines, conflicts } = mergeLines(splitLines(texts.base!), splitLines(texts.local!), splitLines(texts.remote!));
  if (conflicts) return { status: 'conflict', conflicts };
  return { status: 'clean', content: Buffer.from(lines.join(''), 'utf8') };
}
