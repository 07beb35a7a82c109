// A lean MLSD parser for the listing of a folder: the same entries listDir() (ftp-list.ts) makes from
// basic-ftp's parseList() plus its own pass over the lines (cdir "unique", names with a "/"), without
// FileInfo objects, Date objects and a second split of the text. basic-ftp's parser was a tenth of the
// CPU of a no-change sync of 10k files. Listings whose shape basic-ftp would read with another parser
// (decided by their last line, as parseList() does) are left to it: undefined.
import { testLine as isDosLine } from 'basic-ftp/dist/parseListDOS';
import { testLine as isUnixLine } from 'basic-ftp/dist/parseListUnix';
import { testLine as isMlsdLine } from 'basic-ftp/dist/parseListMLSD';
import type { EntryType } from '../types.js';
import type { DirListing, RawItem } from './ftp-list.js';

/** the entries of one MLSD listing (no "." / ".."; links and unknown types left out); undefined: not plain MLSD */
export function parseMlsdListing(text: string): DirListing | undefined {
  // the lines as text.split(/\r?\n/) gives them, read as offsets into the text: no array of lines,
  // no string per line or per fact (a no-change run of 10k files parses 10k of these lines)
  const last = lastLine(text);
  const out: DirListing = [];
  if (last === undefined) return out;
  if (isDosLine(last) || isUnixLine(last) || !isMlsdLine(last)) return undefined;
  /** names holding a "/" (reported as bad names): before the entries, as listDir's own pass put them */
  let slashNames: RawItem[] | undefined;
  for (let start = 0; start <= text.length;) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = text.length;
    const end = nl > start && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
    const lineStart = start;
    start = nl + 1;
    let sp = text.indexOf(' ', lineStart);
    if (sp >= end) sp = -1;
    const factsEnd = sp < 0 ? lineStart : sp; // (no space: no facts, the whole line is the name)
    let type: EntryType | 'skip' | undefined;
    let size = 0;
    let mtime = 0;
    let unique: string | undefined;
    let mode: number | undefined;
    let drop = false;
    /** a fact "type=cdir" followed by a ";", in any case: this folder's own line (the regex /(^|;)type=cdir;/i) */
    let cdir = false;
    // the facts "key=value;…" read in place, each up to the next ";"
    for (let a = lineStart; a < factsEnd;) {
      let b = text.indexOf(';', a);
      if (b < 0 || b > factsEnd) b = factsEnd;
      let eq = text.indexOf('=', a);
      if (eq >= b) eq = -1;
      if (eq >= 0 && eq < b - 1) {
        const key = factKey(text, a, eq);
        if (key === TYPE && b < factsEnd && b - eq - 1 === 4 && sameIgnoringCase(text, eq + 1, 'cdir')) cdir = true;
        if (!drop) {
          // (after a type=cdir or pdir basic-ftp drops the entry at once: the facts after it change nothing)
          switch (key) {
            case SIZE: size = intOf(text, eq + 1, b); break;
            case UNIQUE: unique = text.slice(eq + 1, b); break;
            case MODIFY: mtime = timeOf(text, eq + 1, b); break;
            case MODE: mode = b - 3 >= eq + 1 ? modeOfDigits(text, b - 3) : undefined; break;
            case TYPE: {
              const value = text.slice(eq + 1, b);
              drop = value === 'cdir' || value === 'pdir';
              type = value === 'file' ? 'file' : value === 'dir' ? 'dir' : 'skip'; // links and unknown types: left out
              break;
            }
            default: break;
          }
        }
      }
      a = b + 1;
    }
    const name = sp < 0 ? text.slice(lineStart, end) : text.slice(sp + 1, end);
    // listDir's own pass (over every line): the folder's own id, and names holding a "/" (reported as
    // bad names); other lines are then read as basic-ftp reads them (a "Type=CDIR" is not its cdir)
    if (cdir) out.self = /(?:^|;)unique=([^;]+)/i.exec(text.slice(lineStart, factsEnd))?.[1];
    if (name.includes('/')) {
      if (!cdir && /type=/i.test(text.slice(lineStart, factsEnd))) (slashNames ??= []).push({ name, type: 'file', size: 0, mtime: 0 });
      continue; // (basic-ftp leaves out every name with a "/")
    }
    if (end === lineStart || text.startsWith('total', lineStart)) continue;
    if (!isAsciiLetter(text.charCodeAt(lineStart)) && text.slice(lineStart, end).trim() === '') continue;
    // an unreadable time: basic-ftp throws (an invalid Date's toISOString); let it say so
    if (Number.isNaN(mtime)) return undefined;
    if (drop || name === '' || name === '.' || name === '..' || type === undefined || type === 'skip') continue;
    const s = type === 'dir' ? 0 : Math.max(0, size || 0);
    // (two literals, not a spread of the mode: a spread in an object literal is a runtime call per entry)
    out.push(mode === undefined ? { name, type, size: s, mtime, unique } : { name, type, size: s, mtime, unique, mode });
  }
  if (!slashNames) return out;
  const all: DirListing = [...slashNames, ...out];
  if ('self' in out) all.self = out.self;
  return all;
}

/** the last line that is not blank or a "total" line, as text.split(/\r?\n/) would give it */
function lastLine(text: string): string | undefined {
  let end = text.length; // (the current line ends here, before its "\n")
  for (;;) {
    const nl = end > 0 ? text.lastIndexOf('\n', end - 1) : -1;
    const e = end > nl + 1 && text.charCodeAt(end - 1) === CR ? end - 1 : end;
    const l = text.slice(nl + 1, e);
    if (l.trim() !== '' && !l.startsWith('total')) return l;
    if (nl < 0) return undefined;
    end = nl;
  }
}

const CR = 13;
const isAsciiLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** s[at, at + lower.length) equals `lower` ignoring ASCII case (as a regex's "i" flag without "u" does) */
function sameIgnoringCase(s: string, at: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    const c = s.charCodeAt(at + i);
    const want = lower.charCodeAt(i);
    if (c !== want && !(c >= 65 && c <= 90 && c + 32 === want)) return false;
  }
  return true;
}

const OTHER = 0, SIZE = 1, UNIQUE = 2, MODIFY = 3, MODE = 4, TYPE = 5;

/**
 * which fact `s[a, eq)` names, compared ignoring ASCII case (as toLowerCase() would for these keys:
 * none holds a "k"); by length first (the UNIX.uid and UNIX.gid of every pure-ftpd line cost one test)
 */
function factKey(s: string, a: number, eq: number): number {
  switch (eq - a) {
    case 4: return sameIgnoringCase(s, a, 'type') ? TYPE : sameIgnoringCase(s, a, 'size') || sameIgnoringCase(s, a, 'sizd') ? SIZE : OTHER;
    case 6: return sameIgnoringCase(s, a, 'modify') ? MODIFY : sameIgnoringCase(s, a, 'unique') ? UNIQUE : OTHER;
    case 9: return sameIgnoringCase(s, a, 'unix.mode') ? MODE : OTHER;
    default: return OTHER;
  }
}

/** the digits s[a, b) as a number; anything else: parseInt of the text (its sign, its leading blanks, its NaN) */
function intOf(s: string, a: number, b: number): number {
  let v = 0;
  for (let i = a; i < b; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9 || i - a > 14) return parseInt(s.slice(a, b), 10);
    v = v * 10 + d;
  }
  return v;
}

/** the digits s[a, a + n), or -1 if one is not a digit */
function digits(s: string, a: number, n: number): number {
  let v = 0;
  for (let i = a; i < a + n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** MLSx time "YYYYMMDDHHMMSS[.sss]" (UTC) in ms; any other shape as the slices of its text give it (NaN: unreadable) */
function timeOf(s: string, a: number, b: number): number {
  if (b - a === 14) {
    const y = digits(s, a, 4), mo = digits(s, a + 4, 2), d = digits(s, a + 6, 2), h = digits(s, a + 8, 2), mi = digits(s, a + 10, 2), se = digits(s, a + 12, 2);
    if (y >= 0 && mo >= 0 && d >= 0 && h >= 0 && mi >= 0 && se >= 0) return Date.UTC(y, mo - 1, d, h, mi, se, 0);
  }
  const value = s.slice(a, b);
  return Date.UTC(+value.slice(0, 4), +value.slice(4, 6) - 1, +value.slice(6, 8), +value.slice(8, 10), +value.slice(10, 12), +value.slice(12, 14), +value.slice(15, 18));
}

/** the mode of a unix.mode value's last three characters, each a digit 0–7; else undefined (modeOfPermissions' rule) */
function modeOfDigits(s: string, at: number): number | undefined {
  const u = s.charCodeAt(at) - 48, g = s.charCodeAt(at + 1) - 48, w = s.charCodeAt(at + 2) - 48;
  if (u < 0 || u > 7 || g < 0 || g > 7 || w < 0 || w > 7) return undefined;
  return (u << 6) | (g << 3) | w;
}
