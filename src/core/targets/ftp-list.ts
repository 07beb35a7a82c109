// Recursive FTP listing: MLSD where the server offers it (exact UTC times), LIST otherwise;
// folders are listed in parallel, one pooled connection each.
import type { Client, FileInfo } from 'basic-ftp';
import type { Entry, EntryType } from '../types.js';
import { SyncError, throwIfAborted } from '../errors.js';
import { checkRemoteName, isTempName, joinPath } from '../paths.js';
import { parseListDate } from './ftp-util.js';
import { isReservedName } from '../names/rules.js';
import { modeOfPermissions } from './ftp-modes.js';
import { mlsdPipelined, withFastPassive, type FastPassiveSwitch } from './ftp-fast.js';
import { parseMlsdListing } from './ftp-mlsd.js';

export interface ListHost {
  /** run `fn` on a borrowed connection, with reconnect + retry */
  withClient<T>(what: string, path: string, fn: (c: Client) => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** relative path → absolute server path */
  abs(rel: string): string;
  readonly useMlsd: boolean;
  readonly concurrency: number;
  /** MLSD with EPSV pipelined (ftp-fast.ts) while on */
  readonly fast?: FastPassiveSwitch;
}

export interface RawItem { name: string; type: EntryType; size: number; mtime: number; /** MLSD "unique" fact */ unique?: string; mode?: number; /** forRemoval: a link, listed as a file */ link?: true }
/** a folder's entries, and its own MLSD "unique" fact (from its "cdir" line) where the server sends one */
export type DirListing = RawItem[] & { self?: string };

/**
 * One folder's entries (no "." / ".."; links and other types left out). `forRemoval`: links are listed as
 * files (deleting a link removes the link only, never what it points to), names with a "/" are not.
 */
export async function listDir(c: Client, absPath: string, useMlsd: boolean, forRemoval = false, fast?: FastPassiveSwitch): Promise<DirListing> {
  let infos: FileInfo[];
  const out: DirListing = [];
  if (useMlsd && !forRemoval) {
    // basic-ftp drops MLSD names holding a "/" without a word: keep them, to be reported as bad names
    const parse = c.parseList;
    c.parseList = (text: string) => {
      for (const line of text.split(/\r?\n/)) {
        const sp = line.indexOf(' ');
        const facts = sp > 0 ? line.slice(0, sp) : '';
        if (/(^|;)type=cdir;/i.test(facts)) out.self = /(?:^|;)unique=([^;]+)/i.exec(facts)?.[1];
        else if (/type=/i.test(facts) && line.slice(sp + 1).includes('/')) out.push({ name: line.slice(sp + 1), type: 'file', size: 0, mtime: 0 });
      }
      return parse(text);
    };
    try {
      if (fast) {
        const got = await withFastPassive<string | FileInfo[]>(fast, () => mlsdPipelined(c, absPath), () => c.list(absPath));
        if (typeof got !== 'string') infos = got;
        else {
          const lean = parseMlsdListing(got); // (ftp-mlsd.ts: the same entries, cheaper)
          if (lean) return lean;
          infos = c.parseList(got);
        }
      } else infos = await c.list(absPath);
    } finally { c.parseList = parse; }
  } else {
    // LIST with a path argument is globbed by many servers: list the working folder instead
    await c.cd(absPath);
    infos = await c.list();
  }
  for (const f of infos) {
    if (f.name === '.' || f.name === '..') continue;
    const type: EntryType | undefined = f.isSymbolicLink ? (forRemoval ? 'file' : undefined) : f.isDirectory ? 'dir' : f.isFile ? 'file' : undefined;
    if (!type || (forRemoval && f.name.includes('/'))) continue;
    const mtime = f.modifiedAt ? f.modifiedAt.getTime() : useMlsd ? 0 : parseListDate(f.rawModifiedAt);
    const mode = modeOfPermissions(f.permissions);
    out.push({ name: f.name, type, size: type === 'dir' ? 0 : Math.max(0, f.size || 0), mtime, unique: f.uniqueID, ...(mode !== undefined ? { mode } : {}), ...(f.isSymbolicLink ? { link: true as const } : {}) });
  }
  return out;
}

export interface TreeOptions {
  include?: (path: string, type: EntryType) => boolean;
  signal?: AbortSignal;
  /** list everything (temps and bad names too), for removing a tree */
  raw?: boolean;
  /** raw: the paths that are links (listed as files: removed as links) */
  links?: Set<string>;
  staleTemps?: string[];
  badNames?: { path: string; name: string; message: string }[];
  /** folders below the root whose listing failed (left alone, reported); without it such a failure throws */
  unreadable?: { path: string; message: string }[];
}

/** Everything below `root` (relative), keyed by relative path; folders listed in parallel. */
export async function listTree(host: ListHost, root: string, opts: TreeOptions = {}): Promise<Map<string, Entry>> {
  const result = new Map<string, Entry>();
  // folders to list, with the MLSD "unique" ids of the folders above them: a server that shows a link
  // as a folder (the same id as a folder above it) would otherwise be walked round a loop for ever
  const queue: { dir: string; above: string[] }[] = [{ dir: root, above: [] }];
  let active = 0;
  const workers = Math.max(1, host.concurrency);

  const listOne = async ({ dir, above: parents }: { dir: string; above: string[] }) => {
    throwIfAborted(opts.signal);
    let items: DirListing;
    try {
      items = await host.withClient(`list ${host.abs(dir)}`, dir, (c) => listDir(c, host.abs(dir), host.useMlsd, opts.raw, host.fast), opts.signal);
    } catch (e) {
      // one unreadable folder (550 permission denied…) is an error for that folder only: left alone
      if (dir === root || !opts.unreadable || !(e instanceof SyncError) || (e.code !== 'io' && e.code !== 'not-found')) throw e;
      opts.unreadable.push({ path: dir, message: `Could not read this server folder (${e.detail ?? e.message}); left alone on both sides` });
      return;
    }
    const above = items.self !== undefined && !parents.includes(items.self) ? [...parents, items.self] : parents;
    for (const it of items) {
      const path = joinPath(dir, it.name);
      if (!opts.raw) {
        if (isReservedName(it.name)) continue; // the state folder's name, at any depth: never synced
        try {
          checkRemoteName(it.name, dir);
        } catch (e) {
          opts.badNames?.push({ path: dir, name: it.name, message: (e as SyncError).message });
          continue;
        }
        if (isTempName(it.name)) { opts.staleTemps?.push(path); continue; }
        if (opts.include && !opts.include(path, it.type)) continue;
      }
      if (it.type === 'dir' && it.unique !== undefined && above.includes(it.unique)) {
        opts.unreadable?.push({ path, message: 'The server shows a folder above it here (a link loop); not followed, left alone' });
        continue;
      }
      result.set(path, { path, type: it.type, size: it.size, mtime: it.mtime, ...(it.mode !== undefined ? { mode: it.mode } : {}) });
      if (it.link) opts.links?.add(path);
      if (it.type === 'dir') queue.push({ dir: path, above: it.unique !== undefined ? [...above, it.unique] : above });
    }
  };

  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const pump = () => {
      if (failed) return;
      if (queue.length === 0 && active === 0) { resolve(); return; }
      while (active < workers && queue.length > 0) {
        const job = queue.shift()!;
        active++;
        listOne(job).then(() => { active--; pump(); }, (e) => { failed = true; reject(e); });
      }
    };
    pump();
  });
  return result;
}
