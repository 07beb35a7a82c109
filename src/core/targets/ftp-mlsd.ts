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
    for (const fact of facts.split(';')) {
      const eq = fact.indexOf('=');
      if (eq < 0) continue;
      const value = fact.slice(eq + 1);
      if (!value) continue;
      switch (fact.slice(0, eq).toLowerCase()) {
        case 'size': case 'sizd': size = parseInt(value, 10); break;
        case 'unique': unique = value; break;
        case 'modify': mtime = Date.UTC(+value.slice(0, 4), +value.slice(4, 6) - 1, +value.slice(6, 8), +value.slice(8, 10), +value.slice(10, 12), +value.slice(12, 14), +value.slice(15, 18)); break;
        case 'unix.mode': {
          const d = value.slice(-3);
          perms = { user: parseInt(d[0], 10), group: parseInt(d[1], 10), world: parseInt(d[2], 10) };
          break;
        }
        case 'type':
          drop = value === 'cdir' || value === 'pdir'; // basic-ftp drops the entry at once
          type = value === 'file' ? 'file' : value === 'dir' ? 'dir' : 'skip'; // links and unknown types: left out
          break;
        default: break;
      }
      if (drop) break;
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
