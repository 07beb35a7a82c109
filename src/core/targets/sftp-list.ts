// The SFTP target's listing: folders read many at a time on the one channel, symbolic links
// followed (loops refused), temp files, bad names and unreadable folders collected for the target.
import type { Stats } from 'ssh2';
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
    let list: { filename: string; attrs: Stats }[];
    try {
      list = await readDirPipelined(c, absPath(c, job.rel));
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
    for (const { filename: name, attrs } of list) {
      try {
        checkRemoteName(name, job.rel);
      } catch (e) {
        bad.push({ path: job.rel, name, message: (e as Error).message });
        continue;
      }
      const rel = joinPath(job.rel, name);
      if (isReservedName(name)) continue; // the state folder's name, at any depth: never synced
      if (isTempName(name)) { stale.push(rel); continue; }
      const t = typeOf(attrs);
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
          add(out, queue, rel, r.attrs, r.type, include, { rel, phys: r.real, links: [...job.links, r.real] });
        }));
      } else if (t) {
        add(out, queue, rel, attrs, t, include, { rel, phys: `${job.phys}/${name}`, links: job.links });
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

function add(out: Listing, queue: { rel: string; phys: string; links: string[] }[], rel: string, attrs: Stats,
  type: EntryType, include: (p: string, t: EntryType) => boolean, job: { rel: string; phys: string; links: string[] }): void {
  if (!include(rel, type)) return;
  out.add(rel, type, type === 'file' ? attrs.size : 0, attrs.mtime * 1000, attrs.mode & 0o777);
  if (type === 'dir') queue.push(job);
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
async function readDirPipelined(c: SftpConnection, abs: string): Promise<{ filename: string; attrs: Stats }[]> {
  const handle = await call<Buffer>(c, (s, cb) => s.opendir(abs, cb));
  const out: { filename: string; attrs: Stats }[] = [];
  try {
    for (let eof = false; !eof;) {
      const reads: Promise<{ filename: string; attrs: Stats }[] | undefined>[] = [];
      for (let k = 0; k < READDIR_AHEAD; k++) {
        reads.push(call<{ filename: string; attrs: Stats }[]>(c, (s, cb) => s.readdir(handle, cb))
          .catch((e: unknown) => { if ((e as { code?: unknown }).code === FX_EOF) return undefined; throw e; }));
      }
      for (const list of await Promise.all(reads)) {
        if (!list) { eof = true; continue; }
        if (eof) continue; // (a server that went on after saying EOF: what came first counts)
        for (const e of list) out.push(e);
      }
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
  const t = typeOf(attrs);
  if (t !== 'file' && t !== 'dir') return undefined;
  const real = t === 'dir' ? await call<string>(c, (s, cb) => s.realpath(p, cb)) : p;
  return { attrs, type: t, real };
}
