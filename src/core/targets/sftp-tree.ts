// SFTP operations on whole folders, by absolute path: removing a tree without ever following a link,
// and reading back the name a file was stored under.
import type { Stats } from 'ssh2';
import { call, typeOf } from './sftp-util.js';
import { entryTypeOf } from './sftp-list.js';
import type { SftpConnection } from './sftp-connect.js';
import { checkStoredName } from '../names/stored-name.js';
import { foldCase } from '../names/case.js';
import { isTempName } from '../paths.js';

const BATCH = 32;
const ignoreMissing = (e: unknown) => { if ((e as { code?: unknown }).code !== 2) throw e; };

/**
 * rm -rf. A deletion never follows a link: a link (even to a folder) is removed itself, never what
 * it points to (readdir reports links as links, lstat is used for the top). With `only` (relative
 * path → remove it; `rel`: the relative path of `abs`): exactly those entries and our temps, the folders
 * after their content (rmdir fails on a folder not empty); returns the relative paths left in place.
 */
export async function removeTree(c: SftpConnection, abs: string, only?: (path: string, now?: { size: number; mtime: number }) => boolean, rel = ''): Promise<string[]> {
  const left: string[] = [];
  const own = await call<Stats>(c, (s, cb) => s.lstat(abs, cb)).catch((e) => { ignoreMissing(e); return undefined; });
  if (!own) return left;
  const ownType = hasMode(own) ? typeOf(own) : await typeFromParent(c, abs, rel);
  if (ownType === 'gone') return left;
  if (ownType !== 'dir') {
    // a link where the folder was: the link only (with `only`, a file there now is not what was shown)
    if (only && ownType !== 'link') left.push(rel);
    else await call<void>(c, (s, cb) => s.unlink(abs, cb)).catch(ignoreMissing);
    return left;
  }
  const walk = async (dirAbs: string, dirRel: string): Promise<boolean> => {
    let list: { filename: string; longname?: string; attrs: Stats }[];
    try {
      list = await call(c, (s, cb) => s.readdir(dirAbs, cb));
    } catch (e) {
      ignoreMissing(e);
      return true;
    }
    let kept = false;
    // remove children a batch at a time (pipelined), folders recursively
    for (let i = 0; i < list.length; i += BATCH) {
      await Promise.all(list.slice(i, i + BATCH).map(async ({ filename, longname, attrs }) => {
        const child = `${dirAbs}/${filename}`;
        const childRel = dirRel ? `${dirRel}/${filename}` : filename;
        // (without permissions: from the "ls -l" line; an error when that does not tell either)
        const type = entryTypeOf(attrs, longname, childRel);
        const dir = type === 'dir';
        // a link holds no data (removed as a link, never followed), shown or not; nor does a temp of ours
        // a file as it is now (one changed since the plan is not what was shown; no size or time: never the same)
        const now = type === 'file' ? { size: numberOr(attrs.size), mtime: numberOr(attrs.mtime) * 1000 } : undefined;
        if (only && !only(childRel, now) && type !== 'link' && !(isTempName(filename) && !dir)) { left.push(childRel); kept = true; return; }
        if (dir) { if (!await walk(child, childRel)) kept = true; return; }
        await call<void>(c, (s, cb) => s.unlink(child, cb)).catch(ignoreMissing);
      }));
    }
    if (kept) return false;
    try {
      await call<void>(c, (s, cb) => s.rmdir(dirAbs, cb));
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code === 2) return true;
      // not empty (SSH_FX_FAILURE): something was added while we removed; it stays, with its folder
      if (!only || code !== 4) throw e;
      left.push(dirRel);
      return false;
    }
    return true;
  };
  await walk(abs, rel);
  return left.sort();
}

const numberOr = (v: unknown) => (typeof v === 'number' ? v : NaN);
const hasMode = (attrs: Stats) => typeof (attrs.mode as unknown) === 'number';

/**
 * What `abs` is, from its parent's listing: a server that sends no permissions still gives each entry
 * an "ls -l" line (sftp-list.ts entryTypeOf; an error when that does not tell either). Never guessed:
 * a link taken for a folder would be walked and what it points to removed.
 */
async function typeFromParent(c: SftpConnection, abs: string, rel: string): Promise<ReturnType<typeof entryTypeOf> | 'gone'> {
  const cut = abs.lastIndexOf('/');
  const list = await call<{ filename: string; longname?: string; attrs: Stats }[]>(c, (s, cb) => s.readdir(abs.slice(0, cut) || '/', cb));
  const e = list.find((x) => x.filename === abs.slice(cut + 1));
  return e ? entryTypeOf(e.attrs, e.longname, rel || abs) : 'gone';
}

/** the folder `absParent` lists the file under exactly `name` (not another spelling), else a bad-name error for `path` */
export async function verifyStoredName(c: SftpConnection, absParent: string, name: string, path: string): Promise<void> {
  const list = await call<{ filename: string }[]>(c, (s, cb) => s.readdir(absParent, cb));
  const shown = list.find((e) => e.filename === name) ?? list.find((e) => foldCase(e.filename) === foldCase(name));
  checkStoredName(path, shown?.filename);
}
