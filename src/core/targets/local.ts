// A folder on this machine. Also the reference implementation of the Target contract.

import { closeSync, constants, fstatSync, openSync, promises as fsp, readSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Entry, EntryType, ListOptions, RemoveDirOptions, StatOptions, Target, TargetCapabilities, WriteOptions } from '../types.js';
import { SyncError, notPlainThere } from '../errors.js';
import { parentOf, tempPathFor } from '../paths.js';
import { checkSize } from '../transfer/verify.js';
import { assertUnchanged } from '../transfer/recheck.js';
import { writeToFd } from '../transfer/file-sink.js';
import { placeNew } from '../transfer/place-new.js';
import { removeLocalTreeOnly } from './local-remove.js';
import { FolderChain } from './local-chain.js';
import { DestinationAppeared } from '../transfer/dest-check.js';
import { offerBuffer, offerFileRange } from '../transfer/fd-pump.js';
import { localNameRule } from '../names/rules.js';
import { TEMP_FILE_MODE, modeForFile } from './modes.js';
import type { Listing } from '../listing/listing.js';
import { ioError, walkLocal } from '../listing/local-walk.js';

export class LocalTarget implements Target {
  readonly kind = 'local' as const;
  readonly capabilities: TargetCapabilities;
  /** temp files of interrupted writes found by the last list() */
  staleTemps: string[] = [];
  badNames: { path: string; name: string; message: string }[] = [];
  /** entries the last list() could not read (left alone, reported): unreadable folders, link loops */
  unreadable: { path: string; message: string }[] = [];
  /** the folders above a path looked at (lstat) right before anything is written or deleted there */
  private readonly chain: FolderChain;

  /** `platform`: whose name rules apply (Windows cannot hold `CON`, `a:b`, `x.`); a parameter for tests */
  constructor(readonly root: string, platform: NodeJS.Platform = process.platform) {
    this.chain = new FolderChain(root);
    this.capabilities = { setMtime: true, mtimeResolutionMs: 1, maxConcurrency: 8, nameProblem: localNameRule(platform), recheckOnWrite: true, checksNewOnly: true };
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

  /** the tree below the root (listing/local-walk.ts: big trees have their files stat'ed off this thread) */
  async list(options: ListOptions = {}): Promise<Listing> {
    const r = await walkLocal(this.root, options);
    this.staleTemps = r.stale;
    this.badNames = r.bad;
    this.unreadable = r.unreadable;
    this.chain.learn(r.links);
    return r.out;
  }

  async stat(path: string, options: StatOptions = {}): Promise<Entry | undefined> {
    let entry: Entry | undefined;
    try {
      const st = await fsp.stat(this.abs(path));
      if (options.strict && !st.isFile() && !st.isDirectory()) throw notPlainThere(this.abs(path), path);
      entry = entryOfStats(path, st);
    } catch (e) {
      if (e instanceof SyncError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw ioError(e, path, 'Could not read local entry');
    }
    if (entry || !options.strict) return entry;
    // strict: "nothing there" only when not even a link is there
    if (!(await fsp.lstat(this.abs(path)).catch(() => undefined))) return undefined;
    throw notPlainThere(this.abs(path), path);
  }

  async read(path: string, signal?: AbortSignal, offset = 0, end?: number): Promise<Readable> {
    // small files (most of a web tree): one synchronous read instead of four thread-pool round trips
    const small = offset === 0 ? readSmallFile(this.abs(path)) : undefined;
    // (an FTP upload writes the buffer itself: transfer/fd-pump.ts bufferOf)
    if (small) return offerBuffer(oneChunk(small), small);
    const fh = await fsp.open(this.abs(path), READ_FLAGS).catch((e) => { throw ioError(e, path, 'Could not open local file'); });
    if (!(await fh.stat()).isFile()) { await fh.close(); throw notAFile(path); }
    const stream = fh.createReadStream({ highWaterMark: 1024 * 1024, signal, start: offset, ...(end !== undefined ? { end: end - 1 } : {}) });
    // FTP and SFTP uploads read the file themselves into reused buffers (transfer/fd-pump.ts; targets/ftp-send.ts, sftp-write-range.ts)
    return offerFileRange(stream, { handle: fh, start: offset, end });
  }

  async write(path: string, source: Readable, options: WriteOptions = {}): Promise<Entry> {
    const tmp = tempPathFor(path);
    const tmpAbs = this.abs(tmp);
    let fd: number | undefined;
    try {
      if (options.signal?.aborted) throw new SyncError('aborted', 'Cancelled', { path });
      this.chain.check(parentOf(path), path);
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
      if (options.newOnly && previous) throw new DestinationAppeared(path, 'locally');
      await fsp.chmod(tmpAbs, modeForFile(previous?.isFile() ? previous.mode : undefined, options.mode));
      await options.beforeRename?.(tmp);
      this.chain.check(parentOf(path), path); // never skipped: the last look before the name is given
      // nothing was there at plan time: the new file takes the name only where nothing is (place-new.ts)
      if (options.newOnly) await placeNew(tmpAbs, this.abs(path), path, 'locally');
      else await fsp.rename(tmpAbs, this.abs(path));
      this.chain.check(parentOf(path), path); // swapped during the rename: reported, never recorded
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
      if (!path) await fsp.mkdir(this.root, { recursive: true });
      else this.chain.mkdir(path);
    } catch (e) {
      if (e instanceof SyncError) throw e;
      throw ioError(e, path, 'Could not create local folder');
    }
  }

  async removeFile(path: string): Promise<void> {
    try {
      this.chain.check(parentOf(path), path);
      await fsp.rm(this.abs(path), { force: true });
    } catch (e) {
      if (e instanceof SyncError) throw e;
      throw ioError(e, path, 'Could not delete local file');
    }
  }

  async removeDir(path: string, options: RemoveDirOptions = {}): Promise<string[]> {
    if (!path) throw new SyncError('safety', 'Refusing to delete the local root folder');
    try {
      this.chain.check(parentOf(path), path);
      if (options.only) return await removeLocalTreeOnly(this.abs(path), path, options.only, (dir) => this.chain.check(dir, dir, path));
      await fsp.rm(this.abs(path), { recursive: true, force: true });
      return [];
    } catch (e) {
      if (e instanceof SyncError) throw e;
      throw ioError(e, path, 'Could not delete local folder');
    }
  }

  async rename(from: string, to: string, options: { newOnly?: boolean } = {}): Promise<void> {
    const look = () => { this.chain.check(parentOf(from), from); this.chain.check(parentOf(to), to); };
    look();
    if (options.newOnly) return void await placeNew(this.abs(from), this.abs(to), to, 'at the destination').then(look);
    try {
      await fsp.rename(this.abs(from), this.abs(to));
      look();
    } catch (e) {
      if (e instanceof SyncError) throw e;
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

/** O_NONBLOCK: a fifo put where a file was listed must not block the open (the whole event loop, here) */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);
const notAFile = (path: string) => new SyncError('io', 'Not a regular file any more (a fifo, a device, a socket?); not read', { path, hint: 'Run the sync again' });

function readSmallFile(abs: string): Buffer | undefined {
  let fd: number;
  try { fd = openSync(abs, READ_FLAGS); } catch { return undefined; } // the stream path reports the error
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return undefined; // the stream path refuses it
    const size = st.size;
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

function entryOfStats(path: string, st: Stats): Entry {
  const type: EntryType = st.isDirectory() ? 'dir' : 'file';
  return { path, type, size: type === 'dir' ? 0 : st.size, mtime: Math.floor(st.mtimeMs), mode: st.mode & 0o777 };
}
