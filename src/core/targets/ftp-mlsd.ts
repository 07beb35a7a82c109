// A lean MLSD parser for the listing of a folder: the same entries listDir() (ftp-list.ts) makes from
// basic-ftp's parseList() plus its own pass over the lines (cdir "unique", names with a "/"), without
// FileInfo objects, Date objects and a second split of the text. basic-ftp's parser was a tenth of the
// CPU of a no-change sync of 10k files. Listings whose shape basic-ftp would read with another parser
// (decided by their last line, as parseList() does) are left to it: undefined.
import { testLine as isDosLine } from 'basic-ftp/dist/parseListDOS';
import { testLine as isUnixLine } from 'basic-ftp/dist/parseListUnix';
import { testLine as isMlsdLine } from 'basic-ftp/dist/parseListMLSD';
import type { EntryType } from '../types.js';
import type { DirListing } from './ftp-list.js';
import { modeOfPermissions } from './ftp-modes.js';

const NEWLINE = /\r?\n/;

/** the entries of one MLSD listing (no "." / ".."; links and unknown types left out); undefined: not plain MLSD */
export function parseMlsdListing(text: string): DirListing | undefined {
  const lines = text.split(NEWLINE);
  let last: string | undefined;
  for (let i = lines.length - 1; i >= 0 && last === undefined; i--) {
    const l = lines[i];
    if (l.trim() !== '' && !l.startsWith('total')) last = l;
  }
  const out: DirListing = [];
  if (last === undefined) return out;
  if (isDosLine(last) || isUnixLine(last) || !isMlsdLine(last)) return undefined;
  const items: DirListing = [];
  for (const line of lines) {
    const sp = line.indexOf(' ');
    const facts = sp < 0 ? '' : line.slice(0, sp);
    const name = line.slice(sp + 1);
    // listDir's own pass (over every line): the folder's own id, and names holding a "/" (reported as bad names)
    if (/(^|;)type=cdir;/i.test(facts)) { out.self = /(?:^|;)unique=([^;]+)/i.exec(facts)?.[1]; continue; }
    if (/type=/i.test(facts) && name.includes('/')) { out.push({ name, type: 'file', size: 0, mtime: 0 }); continue; }
    if (line.trim() === '' || line.startsWith('total')) continue;
    let type: EntryType | 'skip' | undefined;
    let size = 0;
    let mtime = 0;
    let unique: string | undefined;
    let perms: { user: number; group: number; world: number } | undefined;
    let drop = false;
    // the facts "key=value;…" read in place: no array of them, no lower-cased copy of each key
    for (let a = 0; a < facts.length && !drop;) {
      let b = facts.indexOf(';', a);
      if (b < 0) b = facts.length;
      const eq = facts.indexOf('=', a);
      if (eq >= 0 && eq < b - 1) {
        switch (factKey(facts, a, eq)) {
          case SIZE: size = intOf(facts, eq + 1, b); break;
          case UNIQUE: unique = facts.slice(eq + 1, b); break;
          case MODIFY: mtime = timeOf(facts, eq + 1, b); break;
          case MODE: {
            const d = b - 3 >= eq + 1 ? modeDigits(facts, b - 3) : undefined;
            if (d) perms = d;
            else {
              const v = facts.slice(eq + 1, b).slice(-3);
              perms = { user: parseInt(v[0], 10), group: parseInt(v[1], 10), world: parseInt(v[2], 10) };
            }
            break;
          }
          case TYPE: {
            const value = facts.slice(eq + 1, b);
            drop = value === 'cdir' || value === 'pdir'; // basic-ftp drops the entry at once
            type = value === 'file' ? 'file' : value === 'dir' ? 'dir' : 'skip'; // links and unknown types: left out
            break;
          }
          default: break;
        }
      }
      a = b + 1;
    }
    // an unreadable time: basic-ftp throws (an invalid Date's toISOString); let it say so
    if (Number.isNaN(mtime)) return undefined;
    if (drop || name === '' || name === '.' || name === '..' || type === undefined || type === 'skip') continue;
    const mode = modeOfPermissions(perms);
    items.push({ name, type, size: type === 'dir' ? 0 : Math.max(0, size || 0), mtime, unique, ...(mode !== undefined ? { mode } : {}) });
  }
  for (const it of items) out.push(it);
  return out;
}

const OTHER = 0, SIZE = 1, UNIQUE = 2, MODIFY = 3, MODE = 4, TYPE = 5;
const KEYS: [string, number][] = [['size', SIZE], ['sizd', SIZE], ['unique', UNIQUE], ['modify', MODIFY], ['unix.mode', MODE], ['type', TYPE]];

/** which fact `s[a, eq)` names, compared ignoring ASCII case (as toLowerCase() would for these keys: none holds a "k") */
function factKey(s: string, a: number, eq: number): number {
  const n = eq - a;
  for (const [key, id] of KEYS) {
    if (key.length !== n) continue;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(a + i);
      const want = key.charCodeAt(i);
      if (c !== want && !(c >= 65 && c <= 90 && c + 32 === want)) break;
    }
    if (i === n) return id;
  }
  return OTHER;
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

/** the permission digits of a unix.mode value's last three characters (all 0–9), else undefined */
function modeDigits(s: string, at: number): { user: number; group: number; world: number } | undefined {
  const u = s.charCodeAt(at) - 48, g = s.charCodeAt(at + 1) - 48, w = s.charCodeAt(at + 2) - 48;
  if (u < 0 || u > 9 || g < 0 || g > 9 || w < 0 || w > 9) return undefined;
  return { user: u, group: g, world: w };
}
