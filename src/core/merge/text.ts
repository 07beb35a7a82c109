// Three-way line merge of text files (diff3, like `git merge-file`), on lines *with* their line
// endings: every line keeps the ending (LF, CRLF, CR, or none at the end of the file) of the side
// it comes from, so neither side's line endings nor its final newline are rewritten. A line whose
// ending alone changed counts as a change of that line (an editor that converted a whole file
// conflicts with any edit on the other side: nothing is lost).

import { isUtf8 } from 'node:buffer';
import { diff3Regions } from './diff3.js';

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

/**
 * Is this content text a line merge can work on? The same answer as decodeText, without making the
 * string (the common-version store asks it of every text file a sync moves).
 */
export function isText(content: Uint8Array): boolean {
  return !content.includes(0) && isUtf8(content);
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
  const lines: string[] = [];
  let conflicts = 0;
  for (const r of diff3Regions(base, local, remote)) {
    if (r.stable) lines.push(...r.lines);
    else conflicts++;
  }
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
