// Removing a folder tree on an FTP server: its files in parallel, then its folders deepest first
// (each depth in parallel), then the folder itself. FtpTarget.removeDir delegates to this.
// A link is never walked: the path itself is looked at first (its MLST type, else its line in the
// parent's listing) and a link is removed as a link. Below it, links are listed as files (ftp-list.ts).
// A server that shows a link as a plain folder in both cannot be told apart (README, symbolic links).
import type { Client } from 'basic-ftp';
import { SyncError } from '../errors.js';
import { mapLimit } from '../pool.js';
import { listTree, type ListHost } from './ftp-list.js';
import { parentAbs, statAbs } from './ftp-ops.js';
import type { FtpOpsHost } from './ftp-partial.js';
import { ftpCode, wholeTextOnly } from './ftp-util.js';
import { baseName, isTempName, isWithin, parentOf } from '../paths.js';

export async function removeDirFtp(h: FtpOpsHost & { stat(path: string): Promise<{ type: string } | undefined>; removeFile(path: string): Promise<void> },
  listHost: ListHost, path: string, only?: (path: string, now?: { size: number; mtime: number }) => boolean): Promise<string[]> {
  await h.ready();
  const absPath = h.abs(path);
  if (path !== '' && await h.withClient(`look at ${absPath}`, path, (c) => isLinkFtp(c, absPath, h.mlst))) {
    // deleting a link removes the link only, never what it points to
    await h.withClient(`remove link ${absPath}`, path, async (c) => {
      try {
        await c.send(`DELE ${absPath}`);
      } catch (e) {
        if (ftpCode(e) === undefined || await isLinkFtp(c, absPath, h.mlst)) throw e;
      }
    });
    h.log.info(`${h.display}: ${path} is a symbolic link on the server: removed the link only`);
    return [];
  }
  const st = await h.stat(path);
  if (!st) return [];
  if (st.type !== 'dir') {
    if (only) return [path]; // a file there now is not what was shown
    throw new SyncError('io', `Cannot remove folder ${absPath}: it is a file`, { path });
  }
  const links = new Set<string>();
  const tree = await listTree(listHost, path, { raw: true, links });
  // with `only`: what it does not accept stays (our temps go), and so does every folder above it
  const left: string[] = [];
  const kept = new Set<string>();
  const keep = (p: string) => {
    left.push(p);
    for (let d = parentOf(p); d !== path && !kept.has(d) && isWithin(d, path); d = parentOf(d)) kept.add(d);
  };
  // a link holds no data (removed as a link, never followed), shown or not; nor does a temp of ours
  const accepted = (p: string, type: string) => {
    const e = type === 'file' ? tree.get(p) : undefined;
    return !only || links.has(p) || (type === 'file' && isTempName(baseName(p))) || only(p, e && { size: e.size, mtime: e.mtime });
  };
  // below a folder that stays for itself: nothing is touched (and only the folder is named)
  const underRefused = (p: string) => {
    for (let d = parentOf(p); d !== path && isWithin(d, path); d = parentOf(d)) if (!accepted(d, 'dir')) return true;
    return false;
  };
  const entries = [...tree.values()].filter((e) => e.path !== path && !underRefused(e.path));
  for (const e of entries) if (!accepted(e.path, e.type)) keep(e.path);
  const files = entries.filter((e) => e.type === 'file' && accepted(e.path, e.type)).map((e) => e.path);
  await mapLimit(files, h.capabilities.maxConcurrency, (p) => h.removeFile(p));
  // folders deepest first, each depth in parallel
  const byDepth = new Map<number, string[]>();
  for (const e of tree.values()) {
    if (e.type !== 'dir' || e.path === path || !accepted(e.path, 'dir') || underRefused(e.path)) continue;
    const depth = e.path.split('/').length;
    byDepth.set(depth, [...(byDepth.get(depth) ?? []), e.path]);
  }
  const levels = [...byDepth.keys()].sort((a, b) => b - a).map((d) => byDepth.get(d)!);
  for (const level of [...levels, [path]]) {
    await mapLimit(level.filter((d) => !kept.has(d) && !(d === path && left.length)), h.capabilities.maxConcurrency, (d) => {
      const abs = h.abs(d);
      return h.withClient(`remove folder ${abs}`, d, async (c) => {
        try {
          await c.send(`RMD ${abs}`);
        } catch (e) {
          if (ftpCode(e) === undefined) throw e;
          if ((await statAbs(c, abs, d, h.mlst, { time: false })) === undefined) return; // gone
          if (!only) throw e;
          keep(d); // not empty: something was added while we removed; it stays, with its folder
        }
      });
    });
  }
  return left.sort();
}

/**
 * Is `abs` a symbolic link, as far as the server tells? Its MLST type (pure-ftpd: `OS.unix=slink`), else
 * its entry in the parent folder's listing (ProFTPD's MLST follows the link and says `dir`, its MLSD and
 * LIST do not). False when the server shows no link (or the path is gone).
 */
export async function isLinkFtp(c: Client, abs: string, mlst: boolean): Promise<boolean> {
  if (mlst) {
    try {
      const facts = /(?:^|\n) (\S+) /.exec((await c.send(`MLST ${abs}`)).message)?.[1] ?? '';
      if (isLinkType(/(?:^|;)type=([^;]*)/i.exec(facts)?.[1])) return true;
    } catch (e) {
      if (ftpCode(e) === undefined) throw e;
    }
  }
  const parent = parentAbs(abs);
  const name = abs.slice(abs.lastIndexOf('/') + 1);
  try {
    await c.cd(parent); // LIST with a path argument is globbed by many servers: list the folder itself
  } catch (e) {
    if (ftpCode(e) === undefined) throw e;
    return false; // the parent is gone: so is the path
  }
  // (a listing cut short would say "not there", so "not a link": refused, CutListingError)
  const entry = (await wholeTextOnly(c, parent, () => c.list())).find((f) => f.name === name);
  return entry?.isSymbolicLink === true;
}

/** an MLSx type fact naming a link: `OS.unix=slink` (pure-ftpd, RFC 3659's example), `OS.unix=symlink` (ProFTPD) */
export const isLinkType = (type: string | undefined): boolean => !!type && /^os\.unix=(slink|symlink)\b/i.test(type);
