// A folder on this machine. Also the reference implementation of the Target contract.

import { closeSync, fstatSync, openSync, promises as fsp, readSync, readdirSync, statSync, type Stats } from 'node:fs';
import { join, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { Entry, EntryType, ListOptions, Target, TargetCapabilities, WriteOptions } from '../types.js';
import { SyncError } from '../errors.js';
import { checkRemoteName, isTempName, joinPath, tempPathFor } from '../paths.js';
import { checkSize } from '../transfer/verify.js';
import { assertUnchanged } from '../transfer/recheck.js';
import { writeToFd } from '../transfer/file-sink.js';
import { isReservedName, localNameRule } from '../names/rules.js';
import { TEMP_FILE_MODE, modeForFile } from './modes.js';
import { Listing } from '../listing/listing.js';

export class LocalTarget implements Target {
  readonly kind = 'local' as const;
  readonly capabilities: TargetCapabilities;
  /** temp files of interrupted writes found by the last list() */
  staleTemps: string[] = [];
  badNames: { path: string; name: string; message: string }[] = [];
  /** entries the last list() could not read (left alone, reported): unreadable folders, link loops */
  unreadable: { path: string; message: string }[] = [];

  /** `platform`: whose name rules apply (Windows cannot hold `CON`, `a:b`, `x.`); a parameter for tests */
  constructor(readonly root: string, platform: NodeJS.Platform = process.platform) {
    this.capabilities = { setMtime: true, mtimeResolutionMs: 1, maxConcurrency: 8, nameProblem: localNameRule(platform), recheckOnWrite: true };
  }

  get display(): string { return this.root; }

  /** A missing root is not an error here (list() says not-found; mkdir('') creates it). */
  async open(): Promise<void> {
    const st = await fsp.stat(this.root).catch(() => undefined);
    if (st && !st.isDirectory()) throw new SyncError('usage', `Not a folder: ${this.root}`);
  }

  async close(): Promise<void> {}

  private abs(path: string): string {
    return path ? join(this.root, path) : this.root;
  }

  /**
   * Walks with the synchronous fs calls, one folder at a time, yielding to the event loop between
   * folders: for many small files that is several times cheaper than the promise API, and the
   * remote listing that runs at the same time still gets its replies processed.
   */
  async list(options: ListOptions = {}): Promise<Listing> {
    const out = new Listing();
    const stale: string[] = [];
    const bad: { path: string; name: string; message: string }[] = [];
    const unreadable: { path: string; message: string }[] = [];
    // folders to read, with the identities (dev:ino) of the folders above them: links are followed,
    // and a link back to one of those folders is a loop (left out and reported)
    const rootId = (() => { try { const st = statSync(this.root); return `${st.dev}:${st.ino}`; } catch { return ''; } })();
    const queue: { dir: string; above: string[] }[] = [{ dir: '', above: [rootId] }];
    while (queue.length) {
      if (options.signal?.aborted) throw new SyncError('aborted', 'Cancelled');
      const { dir, above } = queue.shift()!;
      let dirents;
      // entries' absolute paths by concatenation: a path.join (normalising the whole path) per entry was a twentieth of a no-change run
      const dirAbs = this.abs(dir);
      const prefix = dirAbs === '' || dirAbs.endsWith(sep) ? dirAbs : dirAbs + sep;
      try {
        dirents = readdirSync(dirAbs, { withFileTypes: true });
      } catch (e) {
        if (!dir && (e as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new SyncError('not-found', `Folder not found: ${this.root}`, { path: '', hint: 'Create it, or check the path' });
        }
        if (!dir) throw ioError(e, dir, 'Could not list local folder');
        // one unreadable folder is an error for that folder only: left alone, never taken as deleted
        unreadable.push({ path: dir, message: `Could not read this local folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); left alone on both sides` });
        continue;
      }
      for (const d of dirents) {
        const path = joinPath(dir, d.name);
        if (isReservedName(d.name)) continue; // the state folder's name, at any depth: never synced
        if (isTempName(d.name)) { stale.push(path); continue; }
        try {
          checkRemoteName(d.name, dir);
        } catch (e) {
          bad.push({ path: dir, name: d.name, message: (e as Error).message });
          continue;
        }
        let st: Stats | undefined;
        try {
          st = statSync(prefix + d.name, { throwIfNoEntry: false }); // follows symlinks; a broken link → undefined
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') continue; // vanished, or a broken link
          if (code === 'ELOOP' && d.isSymbolicLink()) {
            if (!options.include || options.include(path, 'file') || options.include(path, 'dir')) unreadable.push({ path, message: 'A symbolic link that resolves to itself (a loop); left alone' });
            continue;
          }
          if (!options.include || options.include(path, 'file') || options.include(path, 'dir')) unreadable.push({ path, message: `Could not read this local entry (${code ?? (e as Error).message}); left alone on both sides` });
          continue;
        }
        if (!st) continue;
        const type: EntryType | undefined = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : undefined;
        if (!type) continue; // sockets, fifos, devices
        if (options.include && !options.include(path, type)) continue;
        const key = options.intern ? options.intern(path) : path;
        if (type === 'dir') {
          const id = `${st.dev}:${st.ino}`;
          if (above.includes(id)) {
            unreadable.push({ path, message: 'A symbolic link to a folder above it (a loop); not followed, left alone' });
            continue;
          }
          queue.push({ dir: key, above: [...above, id] });
        }
        out.add(key, type, type === 'dir' ? 0 : st.size, Math.floor(st.mtimeMs), st.mode & 0o777);
      }
      await new Promise<void>((r) => setImmediate(r));
    }
    this.staleTemps = stale;
    this.badNames = bad;
    this.unreadable = unreadable;
    return out;
  }

  async stat(path: string): Promise<Entry | undefined> {
    try {
      return entryOfStats(path, await fsp.stat(this.abs(path)));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw ioError(e, path, 'Could not read local entry');
    }
  }

  async read(path: string, signal?: AbortSignal, offset = 0, end?: number): Promise<Readable> {
    // small files (most of a web tree): one synchronous read instead of four thread-pool round trips
    const small = offset === 0 ? readSmallFile(this.abs(path)) : undefined;
    if (small) return oneChunk(small);
    const fh = await fsp.open(this.abs(path), 'r').catch((e) => { throw ioError(e, path, 'Could not open local file'); });
    return fh.createReadStream({ highWaterMark: 1024 * 1024, signal, start: offset, ...(end !== undefined ? { end: end - 1 } : {}) });
  }

  async write(path: string, source: Readable, options: WriteOptions = {}): Promise<Entry> {
    const tmp = tempPathFor(path);
    const tmpAbs = this.abs(tmp);
    let fd: number | undefined;
    try {
      if (options.signal?.aborted) throw new SyncError('aborted', 'Cancelled', { path });
      fd = openSync(tmpAbs, 'wx', TEMP_FILE_MODE);
      // big buffered writes on the descriptor (transfer/file-sink.ts); counts what arrived
      const bytes = await writeToFd(source, fd, { signal: options.signal, onProgress: options.onProgress, position: 0, size: options.size });
      closeSync(fd);
      fd = undefined;
      checkSize(path, options.size, bytes, 'moved');
      if (options.mtime !== undefined) {
        const t = new Date(options.mtime);
        await fsp.utimes(tmpAbs, t, t);
      }
      // the file replaced: its mode is kept (modes.ts), and it must still be what the caller saw (recheck.ts)
      const previous = await fsp.stat(this.abs(path)).catch((e: NodeJS.ErrnoException) => {
        if (options.expect && e.code !== 'ENOENT' && e.code !== 'ENOTDIR') throw e;
        return undefined;
      });
      if (options.expect) assertUnchanged('local', options.expect, previous && entryOfStats(path, previous));
      await fsp.chmod(tmpAbs, modeForFile(previous?.isFile() ? previous.mode : undefined, options.mode));
      await options.beforeRename?.(tmp);
      await fsp.rename(tmpAbs, this.abs(path));
    } catch (e) {
      source.destroy();
      if (fd !== undefined) closeSync(fd);
      await fsp.rm(tmpAbs, { force: true }).catch(() => undefined);
      if (options.signal?.aborted) throw new SyncError('aborted', 'Cancelled', { path });
      if (e instanceof SyncError) throw e;
      throw ioError(e, path, 'Could not write local file');
    }
    const entry = await this.stat(path);
    if (!entry) throw new SyncError('io', 'File vanished right after writing it', { path });
    checkSize(path, options.size, entry.size, 'after-rename');
    return entry;
  }

  async mkdir(path: string): Promise<void> {
    try {
      await fsp.mkdir(this.abs(path), { recursive: true });
    } catch (e) {
      throw ioError(e, path, 'Could not create local folder');
    }
  }

  async removeFile(path: string): Promise<void> {
    try {
      await fsp.rm(this.abs(path), { force: true });
    } catch (e) {
      throw ioError(e, path, 'Could not delete local file');
    }
  }

  async removeDir(path: string): Promise<void> {
    if (!path) throw new SyncError('safety', 'Refusing to delete the local root folder');
    try {
      await fsp.rm(this.abs(path), { recursive: true, force: true });
    } catch (e) {
      throw ioError(e, path, 'Could not delete local folder');
    }
  }

  async rename(from: string, to: string): Promise<void> {
    try {
      await fsp.rename(this.abs(from), this.abs(to));
    } catch (e) {
      throw ioError(e, from, `Could not rename local entry to ${to}`);
    }
  }
}

const SMALL_FILE = 64 * 1024;

/** a stream of one buffer (Readable.from goes through an async iterator: promises per read) */
function oneChunk(buf: Buffer): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (sent) return;
      sent = true;
      if (buf.length) this.push(buf);
      this.push(null);
    },
  });
}

function readSmallFile(abs: string): Buffer | undefined {
  let fd: number;
  try { fd = openSync(abs, 'r'); } catch { return undefined; } // the stream path reports the error
  try {
    const size = fstatSync(fd).size;
    if (size > SMALL_FILE) return undefined;
    const buf = Buffer.allocUnsafe(size);
    let off = 0;
    while (off < size) {
      const n = readSync(fd, buf, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    return off === size ? buf : buf.subarray(0, off);
  } finally {
    closeSync(fd);
  }
}

function ioError(e: unknown, path: string, message: string, hint?: string): SyncError {
  const err = e as NodeJS.ErrnoException;
  const h = hint ?? (err.code === 'EACCES' || err.code === 'EPERM' ? 'Check the permissions of the local file or folder' :
    err.code === 'ENOSPC' ? 'The local disk is full' : undefined);
  return new SyncError('io', message, { path, detail: err.message, hint: h, cause: e });
}

function entryOfStats(path: string, st: Stats): Entry {
  const type: EntryType = st.isDirectory() ? 'dir' : 'file';
  return { path, type, size: type === 'dir' ? 0 : st.size, mtime: Math.floor(st.mtimeMs), mode: st.mode & 0o777 };
}
