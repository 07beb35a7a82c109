// The local target's listing: the folder tree below the root, links followed (loops refused), temp
// files, bad names and unreadable entries collected for the target (see LocalTarget.list).
//
// Folders are read with the synchronous calls, one at a time, yielding to the event loop between
// folders (for many small files several times cheaper than the promise API); a folder's names only
// (no Dirent objects: every entry is stat'ed anyway, links followed). On a machine with more than two
// cores, past the first STAT_OFF_THREAD_AFTER entries, they are stat'ed by a worker thread
// (stat-worker.ts), BATCH at a time, while this thread reads on and handles the server's listing; the
// folders it finds are stat'ed again here (their identity, for loops) and walked. (With two cores the server's side of a loopback listing already takes the other
// one: measured on the 100,000-file bench, the thread saved under a tenth of the time and cost its
// ~10 MB of memory.)

import { lstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, sep } from 'node:path';
import type { EntryType, ListOptions } from '../types.js';
import { SyncError } from '../errors.js';
import { checkRemoteName, isTempName, joinPath } from '../paths.js';
import { isReservedName } from '../names/rules.js';
import { Listing } from './listing.js';
import { DIR, ERROR, FIELDS, FILE, StatWorker, statPaths, type StatBatch } from './stat-worker.js';

/** a tree smaller than this is stat'ed on this thread (a save's or the explorer's listing starts no thread) */
export const STAT_OFF_THREAD_AFTER = availableParallelism() > 2 ? 4000 : Infinity;
/** files per message to the worker */
const BATCH = 1024;

export interface LocalWalk {
  out: Listing;
  /** temp files of interrupted writes */
  stale: string[];
  bad: { path: string; name: string; message: string }[];
  /** entries that could not be read (left alone, reported): unreadable folders, link loops */
  unreadable: { path: string; message: string }[];
  /** folders that are links (followed): path → identity (dev:ino) of the folder (targets/local-chain.ts) */
  links: Map<string, string>;
}

export async function walkLocal(root: string, options: ListOptions = {}, offThreadAfter = STAT_OFF_THREAD_AFTER): Promise<LocalWalk> {
  const out = new Listing(options.index);
  const stale: string[] = [];
  const bad: LocalWalk['bad'] = [];
  const unreadable: LocalWalk['unreadable'] = [];
  const links: LocalWalk['links'] = new Map();
  const include = options.include;
  // folders to read, with the identities (dev:ino) of the folders above them: links are followed,
  // and a link back to one of those folders is a loop (left out and reported)
  const rootId = (() => { try { const st = statSync(root); return `${st.dev}:${st.ino}`; } catch { return ''; } })();
  const queue: { dir: string; above: string[] }[] = [{ dir: '', above: [rootId] }];
  const batches: Promise<void>[] = [];
  let files = 0;
  let worker: StatWorker | undefined;
  // the entries waiting for the worker's stat: absolute path, path, name, and the folder they are in
  type Folder = { dir: string; above: string[]; prefix: string };
  let pending: { abs: string[]; keys: string[]; names: string[]; folders: Folder[] } = { abs: [], keys: [], names: [], folders: [] };
  const flush = () => {
    const b = pending;
    if (!b.abs.length) return;
    pending = { abs: [], keys: [], names: [], folders: [] };
    if (worker) batches.push(worker.stat(b.abs).then((r) => batch(b, r)));
    else batch(b, statPaths(b.abs));
  };

  /** an entry whose stat failed (`code`): left out; reported unless it is gone or excluded */
  const failed = (path: string, abs: string, code: string): void => {
    if (code === 'ENOENT') return; // vanished, or a broken link
    if (include && !include(path, 'file') && !include(path, 'dir')) return;
    const loop = code === 'ELOOP' && lstatSync(abs, { throwIfNoEntry: false })?.isSymbolicLink();
    unreadable.push({ path, message: loop ? 'A symbolic link that resolves to itself (a loop); left alone' : `Could not read this local entry (${code}); left alone on both sides` });
  };

  /** one entry stat'ed here (everything, on this thread; folders a batch found): as the walk always did */
  const one = (dir: string, above: string[], prefix: string, name: string, path: string): void => {
    let st: Stats | undefined;
    try {
      st = statSync(prefix + name, { throwIfNoEntry: false }); // follows symlinks; a broken link → undefined
    } catch (e) {
      failed(path, prefix + name, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
      return;
    }
    if (!st) return;
    const type: EntryType | undefined = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : undefined;
    if (!type) return; // sockets, fifos, devices
    if (include && !include(path, type)) return;
    if (type === 'dir') {
      const id = `${st.dev}:${st.ino}`;
      if (above.includes(id)) {
        unreadable.push({ path, message: 'A symbolic link to a folder above it (a loop); not followed, left alone' });
        return;
      }
      queue.push({ dir: path, above: [...above, id] });
      if (lstatSync(prefix + name, { throwIfNoEntry: false })?.isSymbolicLink()) links.set(path, id);
    }
    out.add(path, type, type === 'dir' ? 0 : st.size, Math.floor(st.mtimeMs), st.mode & 0o777);
  };

  /** entries stat'ed together by the worker: files added, folders looked at again here (their identity) */
  const batch = ({ abs, keys, names, folders }: typeof pending, b: StatBatch): void => {
    const { nums, errors } = b;
    for (let i = 0; i < keys.length; i++) {
      const o = i * FIELDS;
      const kind = nums[o];
      const path = keys[i];
      if (kind === FILE) {
        if (!include || include(path, 'file')) out.add(path, 'file', nums[o + 1], Math.floor(nums[o + 2]), nums[o + 3] & 0o777);
      } else if (kind === DIR) {
        const f = folders[i];
        one(f.dir, f.above, f.prefix, names[i], path);
      } else if (kind === ERROR) {
        failed(path, abs[i], errors.get(i) ?? '');
      } // GONE: vanished since the folder was read (or a broken link); OTHER: sockets, fifos, devices
    }
  };

  try {
    do {
      await walkQueue();
      flush();
      await Promise.all(batches.splice(0));
    } while (queue.length); // (the last batches found a folder, see batch: more to walk)
  } finally {
    worker?.close();
  }
  return { out, stale, bad, unreadable, links };

  async function walkQueue(): Promise<void> {
    while (queue.length) {
      if (options.signal?.aborted) throw new SyncError('aborted', 'Cancelled');
      const { dir, above } = queue.shift()!;
      let names: string[];
      // entries' absolute paths by concatenation: a path.join (normalising the whole path) per entry was a twentieth of a no-change run
      const dirAbs = dir ? join(root, dir) : root;
      const prefix = dirAbs === '' || dirAbs.endsWith(sep) ? dirAbs : dirAbs + sep;
      try {
        names = readdirSync(dirAbs);
      } catch (e) {
        if (!dir && (e as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new SyncError('not-found', `Folder not found: ${root}`, { path: '', hint: 'Create it, or check the path' });
        }
        if (!dir) throw ioError(e, dir, 'Could not list local folder');
        // one unreadable folder is an error for that folder only: left alone, never taken as deleted
        unreadable.push({ path: dir, message: `Could not read this local folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); left alone on both sides` });
        continue;
      }
      const folder: Folder = { dir, above, prefix };
      for (const name of names) {
        const path = joinPath(dir, name);
        if (isReservedName(name)) continue; // the state folder's name, at any depth: never synced
        if (isTempName(name)) { stale.push(path); continue; }
        try {
          checkRemoteName(name, dir);
        } catch (e) {
          bad.push({ path: dir, name, message: (e as Error).message });
          continue;
        }
        if (!worker) {
          one(dir, above, prefix, name, path);
          if (++files > offThreadAfter) worker = new StatWorker();
          continue;
        }
        pending.abs.push(prefix + name);
        pending.names.push(name);
        pending.keys.push(path);
        pending.folders.push(folder);
        if (pending.abs.length >= BATCH) flush();
      }
      await new Promise<void>((r) => setImmediate(r));
    }
  }
}

export function ioError(e: unknown, path: string, message: string, hint?: string): SyncError {
  const err = e as NodeJS.ErrnoException;
  const h = hint ?? (err.code === 'EACCES' || err.code === 'EPERM' ? 'Check the permissions of the local file or folder' :
    err.code === 'ENOSPC' ? 'The local disk is full' : undefined);
  return new SyncError('io', message, { path, detail: err.message, hint: h, cause: e });
}
