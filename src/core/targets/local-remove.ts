// Removing exactly the entries a plan or a confirmation showed from a local folder tree
// (RemoveDirOptions.only): files and links unlinked (a link is never followed), folders removed
// with rmdir, which fails on one that is not empty, so anything added meanwhile keeps its folder.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { isTempName, joinPath } from '../paths.js';

const code = (e: unknown) => (e as NodeJS.ErrnoException).code;
const gone = (e: unknown) => { if (code(e) !== 'ENOENT') throw e; };

/**
 * `abs`/`rel`: the folder; returns the relative paths left in place. `guard(dirRel)`: throws when a
 * folder from the root down to `dirRel` is now a link (targets/local-chain.ts); called before a
 * folder is read and before anything in it is removed.
 */
export async function removeLocalTreeOnly(abs: string, rel: string, only: (path: string, now?: { size: number; mtime: number }) => boolean, guard: (dirRel: string) => void = () => undefined): Promise<string[]> {
  const left: string[] = [];
  const st = await fsp.lstat(abs).catch((e) => { gone(e); return undefined; });
  if (!st) return left;
  if (!st.isDirectory()) {
    // a link where the folder was: the link only; a file there now is not what was shown
    if (st.isSymbolicLink()) await fsp.unlink(abs).catch(gone);
    else left.push(rel);
    return left;
  }
  // returns whether the folder is gone
  const walk = async (dirAbs: string, dirRel: string): Promise<boolean> => {
    let names;
    guard(dirRel);
    try {
      names = await fsp.readdir(dirAbs, { withFileTypes: true });
    } catch (e) {
      gone(e);
      return true;
    }
    let kept = false;
    for (const d of names) {
      const cAbs = join(dirAbs, d.name);
      const cRel = joinPath(dirRel, d.name);
      // a link holds no data (unlinked, never followed), shown or not; nor does a temp of ours
      const ours = d.isSymbolicLink() || (isTempName(d.name) && !d.isDirectory());
      // a file: as it is now (a file changed since the plan is not what was shown)
      const now = !ours && d.isFile() ? await fsp.lstat(cAbs).then((s) => ({ size: s.size, mtime: Math.floor(s.mtimeMs) }), (e) => { gone(e); return null; }) : undefined;
      if (now === null) continue;
      if (!ours && !only(cRel, now)) { left.push(cRel); kept = true; continue; }
      // readdir's types are the entries' own (lstat): a link to a folder is a link, unlinked
      if (d.isDirectory()) { if (!await walk(cAbs, cRel)) kept = true; } else { guard(dirRel); await fsp.unlink(cAbs).catch(gone); }
    }
    if (kept) return false;
    try {
      guard(dirRel);
      await fsp.rmdir(dirAbs);
      return true;
    } catch (e) {
      if (code(e) === 'ENOENT') return true;
      if (code(e) !== 'ENOTEMPTY' && code(e) !== 'EEXIST') throw e;
      left.push(dirRel); // something was added while we removed
      return false;
    }
  };
  await walk(abs, rel);
  return left;
}
