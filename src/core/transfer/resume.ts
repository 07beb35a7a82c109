// Resumable transfers of big files (over "resumeAbove", default 8 MiB). An interrupted transfer (a
// cut connection, Ctrl-C, kill -9, a time limit) keeps its partial file — a temp file on the server
// for an upload, a file in the state folder for a download — and a record of the source's size and
// mtime (partials.ts). The next run continues from the partial's size if the source is unchanged and
// the partial's last 64 KiB match the source's bytes there; otherwise it starts over and removes the
// stale partial. A download compares them on the transfer that brings the rest (it reads from 64 KiB
// before the partial's end: overlap.ts); an upload reads both sides' first. The real name appears
// only once the whole file is there and its size checked.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Entry, Logger, Target } from '../types.js';
import { SyncError, isAbortError } from '../errors.js';
import { openOwnedFile, ensureOwnedDir } from '../state/safe-fs.js';
import { ensureStateDir } from '../state/state-dir.js';
import { checkSize } from './verify.js';
import { OverlapMismatch } from './overlap.js';
import { writeToFd } from './file-sink.js';
import { modeForFile } from '../targets/modes.js';
import { PARTIAL_MAX_AGE_MS, type Direction, type PartialRecord, type PartialStore } from './partials.js';

export const DEFAULT_RESUME_ABOVE = 8 * 1024 * 1024;
/** the bytes before the resume point compared with the source's */
export const TAIL_CHECK = 64 * 1024;

/** "8MB", "8M", "512K", "100000" (bytes), "off" → bytes (null: off); undefined when unreadable */
export function parseSize(text: string): number | null | undefined {
  const s = text.trim().toLowerCase();
  if (s === 'off') return null;
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?$/.exec(s);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * ({ '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as Record<string, number>)[m[2]]);
}

/** what an upload destination needs (SFTP, FTP) */
export interface PartialWriter {
  writePartial(tmp: string, source: Readable, offset: number, options?: { signal?: AbortSignal; onProgress?: (bytes: number) => void }): Promise<number>;
  /** `mode`: the source's mode (targets/modes.ts decides the final one: a replaced file keeps its own) */
  commitPartial(tmp: string, path: string, options: { mtime?: number; size: number; mode?: number; beforeRename?: (tmp: string) => Promise<void> }): Promise<Entry>;
}

export const canWritePartial = (t: Target): t is Target & PartialWriter =>
  typeof (t as Partial<PartialWriter>).writePartial === 'function' && typeof (t as Partial<PartialWriter>).commitPartial === 'function';

export interface ResumeContext {
  store: PartialStore;
  /** bytes; files larger than this are resumable */
  above: number;
  log?: Logger;
  /** told once per file when it continues a partial: bytes already there */
  onResumed?: (path: string, offset: number) => void;
}

/** can this transfer be resumed? (uploads to SFTP/FTP, downloads to the local side) */
export function resumable(direction: Direction, dst: Target, size: number, ctx: ResumeContext | undefined): ctx is ResumeContext {
  if (!ctx || size <= ctx.above) return false;
  return direction === 'download' ? dst.kind === 'local' : canWritePartial(dst);
}

/** up to `len` bytes of `stream` (then it is destroyed) */
async function take(stream: Readable, len: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  try {
    for await (const c of stream as AsyncIterable<Buffer>) {
      parts.push(c);
      n += c.length;
      if (n >= len) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(parts).subarray(0, len);
}

/**
 * Copy `path` from `src` to `dst` through a partial file that survives an interruption. Resolves
 * with what `dst` reports afterwards; on failure the partial and its record stay for the next try.
 */
export async function copyResumable(
  direction: Direction, path: string, src: Target, dst: Target, srcEntry: Entry, ctx: ResumeContext,
  opts: {
    signal?: AbortSignal; onProgress?: (bytes: number) => void; pace?: (s: Readable) => Readable; beforeCommit?: () => Promise<void>;
    /** an upload's partial (relative path on the server) before it is renamed into place (verify "hash") */
    beforeRename?: (tmp: string) => Promise<void>;
    /** a download's partial, before it is renamed into place */
    beforeLocalRename?: (partialFile: string) => Promise<void>;
  },
): Promise<Entry> {
  const { store } = ctx;
  const { signal } = opts;
  let rec = store.get(direction, path);
  let offset = 0;
  /** a resumed download: the partial's last bytes, compared on the transfer that brings the rest (overlap.ts) */
  let overlap: Buffer | undefined;
  const startOver = async (why: string) => {
    ctx.log?.warn(`${path}: ${why}; starting over`);
    await removePartial(rec!, dst, store);
    rec = undefined;
    offset = 0;
  };
  if (rec) {
    const have = await partialSize(rec, dst, store);
    const unchanged = rec.size === srcEntry.size && rec.mtime === srcEntry.mtime;
    if (!unchanged) ctx.log?.info(`${path}: changed since the partial transfer began; starting over`);
    else if (have !== undefined && have > 0 && have <= srcEntry.size) {
      if (direction === 'download') {
        overlap = readLocalTail(store.localPartial(rec), have);
        if (overlap) offset = have;
        else ctx.log?.warn(`${path}: the partial file cannot be read back; starting over`);
      } else if (await sameTail(rec, have, path, src, dst, store, signal)) offset = have;
      else ctx.log?.warn(`${path}: the partial file's last bytes differ from the source's; starting over`);
    }
    if (offset === 0) {
      await removePartial(rec, dst, store);
      rec = undefined;
    }
  }
  let moved: number;
  /** where the last try read from, and the source's bytes it received (a download's overlap included) */
  let from = 0;
  let received = 0;
  for (;;) {
    if (!rec) {
      rec = { v: 1, remoteId: store.remoteId, direction, path, size: srcEntry.size, mtime: srcEntry.mtime, partial: store.partialName(direction, path), created: Date.now() };
      store.put(rec);
    }
    if (offset > 0) {
      ctx.log?.info(`${path}: resuming at ${offset} of ${srcEntry.size} bytes`);
      ctx.onResumed?.(path, offset);
    }
    opts.onProgress?.(offset);
    // (a download with an overlap reads from the overlap's start)
    from = offset - (overlap?.length ?? 0);
    received = 0;
    const raw = from < srcEntry.size ? await src.read(path, signal, from) : Readable.from([]);
    const source = opts.pace ? opts.pace(raw) : raw;
    const progress = (n: number) => { received = n; opts.onProgress?.(Math.max(offset, from + n)); };
    if (direction === 'upload') {
      moved = await (dst as Target & PartialWriter).writePartial(rec.partial, source, offset, { signal, onProgress: progress });
      break;
    }
    try {
      moved = await appendLocal(store, rec, source, offset, srcEntry.size - from, progress, signal, overlap);
      break;
    } catch (e) {
      if (!(e instanceof OverlapMismatch)) throw e;
      overlap = undefined;
      await startOver("the partial file's last bytes differ from the source's");
    }
  }
  checkSize(path, srcEntry.size, offset + moved, 'moved');
  // a download's source must also have brought all of the overlap: one cut within it wrote nothing, which
  // the check above takes for "complete" when the partial already had every byte (its tail never compared)
  if (overlap) checkSize(path, srcEntry.size, from + received, 'moved');
  // the destination must still be what the plan saw (the partial stays for the next run when not)
  await opts.beforeCommit?.();
  // a partial that fails the check before its rename (a hash that differs) is not built on again
  const checked = <T>(check: ((x: T) => Promise<void>) | undefined) => check && (async (x: T) => {
    try {
      await check(x);
    } catch (e) {
      if ((e as Error).name === 'HashMismatchError') await removePartial(rec!, dst, store).catch(() => undefined);
      throw e;
    }
  });
  const written = direction === 'upload'
    ? await (dst as Target & PartialWriter).commitPartial(rec.partial, path, { mtime: srcEntry.mtime, size: srcEntry.size, mode: srcEntry.mode, beforeRename: checked(opts.beforeRename) })
    : await commitLocal(store, rec, dst, path, srcEntry, checked(opts.beforeLocalRename));
  store.drop(rec);
  store.removeIfEmpty();
  return written;
}

async function partialSize(rec: PartialRecord, dst: Target, store: PartialStore): Promise<number | undefined> {
  if (rec.direction === 'download') {
    try { return fs.lstatSync(store.localPartial(rec)).size; } catch { return undefined; }
  }
  const e = await dst.stat(rec.partial);
  return e?.type === 'file' ? e.size : undefined;
}

/**
 * the last (up to) 64 KiB of the local partial `file`, `have` bytes long; undefined when they cannot
 * all be read (a link in its place, a file cut shorter meanwhile): the download then starts over
 */
function readLocalTail(file: string, have: number): Buffer | undefined {
  const from = Math.max(0, have - TAIL_CHECK);
  let fd: number;
  try { fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0)); } catch { return undefined; }
  try {
    const out = Buffer.alloc(have - from);
    let n = 0;
    while (n < out.length) { const r = fs.readSync(fd, out, n, out.length - n, from + n); if (!r) break; n += r; }
    return n === out.length ? out : undefined;
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/** an upload's partial: its last (up to) 64 KiB against the source's bytes at the same place */
async function sameTail(rec: PartialRecord, have: number, path: string, src: Target, dst: Target, store: PartialStore, signal?: AbortSignal): Promise<boolean> {
  const from = Math.max(0, have - TAIL_CHECK);
  const len = have - from;
  const theirs = await take(await src.read(path, signal, from, have), len);
  const ours = await take(await dst.read(rec.partial, signal, from, have), len);
  return ours.length === len && ours.equals(theirs);
}

async function removePartial(rec: PartialRecord, dst: Target, store: PartialStore): Promise<void> {
  if (rec.direction === 'upload') await dst.removeFile(rec.partial);
  store.drop(rec);
}

/** remove partials older than a week, or whose transfer is no longer planned (excluded, deleted, done elsewhere) */
export async function cleanPartials(store: PartialStore, remote: Target, keep: (rec: PartialRecord) => boolean, log?: Logger): Promise<string[]> {
  const removed: string[] = [];
  for (const rec of store.all()) {
    const old = Date.now() - rec.created > PARTIAL_MAX_AGE_MS;
    if (!old && keep(rec)) continue;
    try {
      await removePartial(rec, remote, store);
      removed.push(rec.path);
      log?.info(`removed the partial ${rec.direction} of ${rec.path} (${old ? 'older than a week' : 'no longer to transfer'})`);
    } catch (e) {
      log?.warn(`could not remove the partial ${rec.direction} of ${rec.path}: ${(e as Error).message}`);
    }
  }
  store.removeIfEmpty();
  return removed;
}

/** a download's data goes to the partials folder, appended from `offset` (safe-fs: no link followed) */
async function appendLocal(store: PartialStore, rec: PartialRecord, source: Readable, offset: number, size: number,
  onProgress: (n: number) => void, signal?: AbortSignal, overlap?: Buffer): Promise<number> {
  ensureStateDir(store.localRoot);
  ensureOwnedDir(store.dir);
  const file = store.localPartial(rec);
  if (offset === 0) fs.rmSync(file, { force: true });
  const fd = openOwnedFile(file, 'append');
  let n = 0;
  try {
    // big buffered writes on the descriptor (file-sink.ts); O_APPEND: each lands at the end
    // (`overlap`: the source's first bytes, compared with the partial's end instead of written)
    n = await writeToFd(source, fd, { signal, onProgress, size, overlap });
  } catch (e) {
    if (isAbortError(e) || signal?.aborted) throw new SyncError('aborted', 'Cancelled', { path: rec.path });
    if (e instanceof OverlapMismatch) throw e;
    throw e instanceof SyncError ? e : new SyncError('io', 'Could not write the partial download', { path: rec.path, detail: (e as Error).message, cause: e });
  } finally {
    fs.closeSync(fd);
  }
  return n;
}

/** the finished download: its mtime set, renamed onto the real name, checked */
async function commitLocal(store: PartialStore, rec: PartialRecord, dst: Target, path: string, srcEntry: Entry,
  beforeRename?: (partialFile: string) => Promise<void>): Promise<Entry> {
  const file = store.localPartial(rec);
  const size = fs.lstatSync(file).size;
  checkSize(path, srcEntry.size, size, 'moved');
  await beforeRename?.(file);
  const t = new Date(srcEntry.mtime);
  fs.utimesSync(file, t, t);
  const root = (dst as { root?: string }).root;
  if (typeof root !== 'string') throw new SyncError('io', 'The local side does not say where its folder is', { path });
  // the partial is 0600 while it grows; the finished file gets the mode write() would give it
  const previous = (() => { try { return fs.statSync(join(root, path)); } catch { return undefined; } })(); // as write() does
  fs.chmodSync(file, modeForFile(previous?.isFile() ? previous.mode : undefined, srcEntry.mode));
  fs.renameSync(file, join(root, path));
  const e = await dst.stat(path);
  if (!e) throw new SyncError('io', 'File vanished right after writing it', { path });
  checkSize(path, srcEntry.size, e.size, 'after-rename');
  return e;
}
