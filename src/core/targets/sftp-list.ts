// The SFTP target's listing: folders read many at a time on the one channel, symbolic links
// followed (loops refused), temp files, bad names and unreadable folders collected for the target.
import type { FileEntryWithStats, Stats } from 'ssh2';
import { SyncError } from '../errors.js';
import { checkRemoteName, isTempName, joinPath } from '../paths.js';
import type { EntryType, ListOptions, Logger, RemoteSpec } from '../types.js';
import { isConnectionLost, toSyncError, type SftpConnection } from './sftp-connect.js';
import { absPath, call, typeOf } from './sftp-util.js';
import { isReservedName } from '../names/rules.js';
import { Listing } from '../listing/listing.js';

const LIST_PARALLEL = 32;
export interface BadName { path: string; name: string; message: string }

/** what one walk found: the entries, and what the target reports beside them */
export interface SftpListing {
  out: Listing;
  /** temp files (of interrupted atomic writes); relative paths */
  stale: string[];
  /** names skipped because they are not plain path segments */
  bad: BadName[];
  /** entries that could not be read (left alone, reported): unreadable folders, link loops */
  unreadable: { path: string; message: string }[];
}

/** read the tree below the connection's root (what `include` admits), LIST_PARALLEL folders at a time */
export async function walkSftp(c: SftpConnection, options: ListOptions, ctx: { spec: RemoteSpec; log: Logger }): Promise<SftpListing> {
  const out = new Listing(options.index);
  const stale: string[] = [];
  const bad: BadName[] = [];
  const unreadable: { path: string; message: string }[] = [];
  const include = options.include ?? (() => true);
  // folders to read: relative path, physical path (for symlink loop checks), realpaths of followed links above
  type Job = { rel: string; phys: string; links: string[] };
  const queue: Job[] = [{ rel: '', phys: c.root, links: [] }];
  let running = 0;
  let failed: unknown;

  const readFolder = async (job: Job): Promise<void> => {
    let list: FileEntryWithStats[];
    try {
      list = await readDirPipelined(c, absPath(c, job.rel), job.rel);
    } catch (e) {
      if (job.rel === '' && (e as { code?: unknown }).code === 2) {
        throw new SyncError('not-found', `The remote folder ${c.root} does not exist`, { path: '', detail: (e as Error).message });
      }
      if (job.rel !== '' && !c.dead && !isConnectionLost(e) && typeof (e as { code?: unknown }).code === 'number') {
        // one unreadable folder (permission denied…) is an error for that folder only: left alone
        unreadable.push({ path: job.rel, message: `Could not read this server folder (${(e as Error).message}); left alone on both sides` });
        return;
      }
      throw toSyncError(e, ctx.spec, 'Listing a folder', job.rel);
    }
    const links: Promise<void>[] = [];
    for (const { filename: name, longname, attrs } of list) {
      try {
        checkRemoteName(name, job.rel);
      } catch (e) {
        bad.push({ path: job.rel, name, message: (e as Error).message });
        continue;
      }
      const rel = joinPath(job.rel, name);
      if (isReservedName(name)) continue; // the state folder's name, at any depth: never synced
      if (isTempName(name)) { stale.push(rel); continue; }
      const t = entryTypeOf(attrs, longname, rel);
      if (t === 'link') {
        links.push(followLink(c, rel, ctx.log).then((r) => {
          if (r && 'unreadable' in r) {
            // only a link whose target does not exist is broken; any other failure is not a deletion
            if (include(rel, 'file') || include(rel, 'dir')) unreadable.push({ path: rel, message: `Could not follow this symbolic link (${r.unreadable}); left alone on both sides` });
            return;
          }
          if (!r) return;
          if (r.type === 'dir') {
            if (r.real === c.root || job.links.includes(r.real) || (job.phys + '/').startsWith(r.real + '/')) {
              ctx.log.warn(`Skipping ${rel}: the symbolic link points to a folder above it (a loop)`);
              if (include(rel, 'dir')) unreadable.push({ path: rel, message: 'A symbolic link to a folder above it (a loop); not followed, left alone' });
              return;
            }
          }
          add(out, queue, unreadable, rel, r.attrs, r.type, include, { rel, phys: r.real, links: [...job.links, r.real] });
        }));
      } else if (t) {
        add(out, queue, unreadable, rel, attrs, t, include, { rel, phys: `${job.phys}/${name}`, links: job.links });
      }
    }
    await Promise.all(links);
  };

  await new Promise<void>((resolve, reject) => {
    const pump = () => {
      if (failed) return;
      if (options.signal?.aborted) { failed = new SyncError('aborted', 'Cancelled'); return reject(failed); }
      while (running < LIST_PARALLEL && queue.length) {
        const job = queue.shift()!;
        running++;
        readFolder(job).then(() => { running--; pump(); }, (e) => { running--; if (!failed) { failed = e; reject(e); } });
      }
      if (running === 0 && queue.length === 0) resolve();
    };
    pump();
  });
  return { out, stale, bad, unreadable };
}

/**
 * One entry into the listing. A file whose size or time the server did not send cannot be compared
 * with the last sync (NaN never equals anything): it is reported and left alone on both sides, never
 * listed with made-up values. A folder needs neither.
 */
function add(out: Listing, queue: { rel: string; phys: string; links: string[] }[], unreadable: SftpListing['unreadable'], rel: string, attrs: Stats,
  type: EntryType, include: (p: string, t: EntryType) => boolean, job: { rel: string; phys: string; links: string[] }): void {
  if (!include(rel, type)) return;
  const mtime = attrs.mtime as unknown, size = attrs.size as unknown;
  if (type === 'file' && (typeof size !== 'number' || typeof mtime !== 'number')) {
    unreadable.push({ path: rel, message: `The server did not send this file's ${typeof size !== 'number' ? 'size' : 'modification time'}; left alone on both sides` });
    return;
  }
  out.add(rel, type, type === 'file' ? attrs.size : 0, typeof mtime === 'number' ? mtime * 1000 : 0, hasMode(attrs) ? attrs.mode & 0o777 : undefined);
  if (type === 'dir') queue.push(job);
}

/** the server sent the entry's permissions (ssh2 leaves `mode` undefined when it did not) */
function hasMode(attrs: Stats): boolean {
  return typeof (attrs.mode as unknown) === 'number';
}

/**
 * What a listed entry is: from its mode, or, when the server sent no permissions (typeOf would read
 * the missing mode as "neither file nor folder"), from the first character of its `ls -l` style
 * longname. undefined: something not synced (a device, a socket, a pipe). When neither tells, the
 * listing fails: an entry left out would look deleted on the server.
 */
export function entryTypeOf(attrs: Stats, longname: string | undefined, rel: string): EntryType | 'link' | undefined {
  if (hasMode(attrs)) return typeOf(attrs);
  switch (longname?.[0]) {
    case 'd': return 'dir';
    case '-': return 'file';
    case 'l': return 'link';
    case 'b': case 'c': case 'p': case 's': return undefined;
  }
  throw new SyncError('io', `Listing a folder: the server did not say whether ${rel} is a file or a folder (no permissions, and no "ls -l" line that tells)`, {
    path: rel, detail: longname ? `its line: ${longname}` : undefined,
  });
}

/**
 * Take one batch of READDIR replies on a handle (in order; undefined: the reply said EOF) into `out`;
 * true once one of them said EOF. A reply with entries after an EOF fails the listing: a server that
 * goes on after saying the folder had no more entries cannot be trusted to have listed all of it, and
 * entries left out would look deleted on the server.
 */
export function takeReaddirBatch<E>(replies: readonly (readonly E[] | undefined)[], rel: string, out: E[]): boolean {
  let eof = false;
  for (const list of replies) {
    if (!list) { eof = true; continue; }
    if (eof && list.length) {
      throw new SyncError('io', `Listing the server folder ${rel || '/'}: the server sent more entries after saying there were no more; the listing may be incomplete`, { path: rel });
    }
    for (const e of list) out.push(e);
  }
  return eof;
}

/** READDIRs sent together: a folder of up to ~200 names (OpenSSH sends 100 a reply) is read in one round trip */
const READDIR_AHEAD = 3;
const FX_EOF = 1;

/**
 * A folder's entries ("." and ".." left out), as sftp.readdir(path) gives them, in fewer round trips:
 * READDIR_AHEAD reads on the open handle at a time (the server answers them in order; one past the end
 * just says EOF again), and the handle closed without waiting for the reply — the next request on the
 * channel comes after the CLOSE, so no handle is left open.
 */
export async function readDirPipelined(c: SftpConnection, abs: string, rel: string): Promise<FileEntryWithStats[]> {
  const handle = await call<Buffer>(c, (s, cb) => s.opendir(abs, cb));
  const out: FileEntryWithStats[] = [];
  try {
    for (let eof = false; !eof;) {
      const reads: Promise<FileEntryWithStats[] | undefined>[] = [];
      for (let k = 0; k < READDIR_AHEAD; k++) {
        reads.push(call<FileEntryWithStats[]>(c, (s, cb) => s.readdir(handle, cb))
          .catch((e: unknown) => { if ((e as { code?: unknown }).code === FX_EOF) return undefined; throw e; }));
      }
      eof = takeReaddirBatch(await Promise.all(reads), rel, out);
    }
  } finally {
    try {
      if (!c.dead) c.sftp.close(handle, () => { /* the reply is not waited for; a failure changes nothing listed */ });
    } catch { /* the connection is going: the server drops the handle with it */ }
  }
  return out;
}

/**
 * stat through a symlink; undefined for a broken link (its target does not exist) or one to something
 * that is neither file nor folder; `unreadable` when the target could not be read (permission, loop…)
 */
async function followLink(c: SftpConnection, rel: string, log: Logger): Promise<{ attrs: Stats; type: EntryType; real: string } | { unreadable: string } | undefined> {
  const p = absPath(c, rel);
  let attrs: Stats;
  try {
    attrs = await call<Stats>(c, (s, cb) => s.stat(p, cb));
  } catch (e) {
    if (c.dead || isConnectionLost(e)) throw e;
    if ((e as { code?: unknown }).code !== 2) return { unreadable: (e as Error).message }; // 2: SSH_FX_NO_SUCH_FILE
    log.debug(`Skipping broken symbolic link ${rel}`);
    return undefined;
  }
  // no permissions in the reply: what the link points to is not known; reported and left alone (skipped, it would look deleted)
  if (!hasMode(attrs)) return { unreadable: 'the server did not say whether its target is a file or a folder' };
  const t = typeOf(attrs);
  if (t !== 'file' && t !== 'dir') return undefined;
  const real = t === 'dir' ? await call<string>(c, (s, cb) => s.realpath(p, cb)) : p;
  return { attrs, type: t, real };
}
