// SFTP target: one SSH connection per target, requests pipelined on its one SFTP channel (listing
// walks many folders at once; transfers keep many READ/WRITE requests in flight). Re-opens a dropped
// connection by itself and retries the failed step with backoff.
import type { Readable } from 'node:stream';
import type { Stats } from 'ssh2';
import { SyncError, notPlainThere, isAbortError, isTransientError, throwIfAborted } from '../errors.js';
import { baseName, parentOf, tempPathFor } from '../paths.js';
import { TempKeptError } from '../transfer/kept-temps.js';
import { nullLogger } from '../types.js';
import type { Credentials, Entry, ListOptions, Logger, RemoteSpec, RemoveDirOptions, StatOptions, Target, TargetCapabilities, WriteOptions } from '../types.js';
import type { TargetOptions } from './index.js';
import { hostPort, isConnectionLost, openSftpConnection, toSyncError, userOf, type SecretCache, type SftpConnection } from './sftp-connect.js';
import { writeFrom } from './sftp-stream.js';
import { SftpReadStream } from './sftp-read.js';
import { absPath, call, entryOf, statEntryOf, typeOf } from './sftp-util.js';
import type { BadName } from './sftp-list.js';
import { SftpTreeLister } from './sftp-exec-list.js';
import type { Listing } from '../listing/listing.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { applySshConfig } from './ssh/config.js';
import type { FileHash, HashAlgo } from '../transfer/hash.js';
import { SftpServerHash } from './sftp-hash.js';
import { checkSize } from '../transfer/verify.js';
import { assertUnchanged } from '../transfer/recheck.js';
import { IdleWatch, stalledError, timeoutSecondsOf } from '../transfer/stall.js';
import { needsNameCheck } from '../names/stored-name.js';
import { removeTree, verifyStoredName } from './sftp-tree.js';
import { foldCase } from '../names/case.js';
import { renameNew, renameOver } from './sftp-rename.js';
import { DestinationAppeared } from '../transfer/dest-check.js';
import { TEMP_FILE_MODE, modeForFile, type ModePolicy } from './modes.js';
import { SftpFolders } from './sftp-mkdir.js';

/** waits before the retries (the last one repeats); how many: spec.retries, default 3 */
const RETRY_DELAYS = [200, 800, 2000];
const DEFAULT_RETRIES = 3;
export type { BadName };

export class SftpTarget implements Target {
  readonly kind = 'sftp' as const;
  readonly display: string;
  readonly capabilities: TargetCapabilities;
  /** temp files (of interrupted atomic writes) seen by the last list(); relative paths */
  readonly staleTemps: string[] = [];
  /** names the last list() skipped because they are not plain path segments */
  readonly badNames: BadName[] = [];
  /** entries the last list() could not read (left alone, reported): unreadable folders, link loops */
  readonly unreadable: { path: string; message: string }[] = [];
  /** the tree read with `find` over SSH where it can be, else over SFTP (sftp-exec-list.ts) */
  private readonly lister: SftpTreeLister;
  private readonly hasher: SftpServerHash;
  /** how the last list() read the tree */
  get listMethod(): 'find' | 'sftp' | undefined { return this.lister.method; }

  private readonly log: Logger;
  private readonly credentials: Credentials;
  private readonly secrets: SecretCache = { passphrases: new Map() };
  private conn?: SftpConnection;
  private opening?: Promise<SftpConnection>;
  private everConnected = false;
  private readonly modes: ModePolicy;
  /** folder creation and the modes of new folders (sftp-mkdir.ts) */
  private readonly folders: SftpFolders;

  constructor(private readonly spec: RemoteSpec, options: TargetOptions = {}) {
    this.log = options.log ?? nullLogger;
    this.credentials = options.credentials ?? {};
    this.capabilities = { setMtime: true, mtimeResolutionMs: 1000, maxConcurrency: Math.max(1, options.concurrency ?? 32), recheckOnWrite: true, checksNewOnly: true }; // pipelined on one channel: cheap
    const path = spec.path.startsWith('/') ? spec.path : `/${spec.path}`;
    // the name as given, with the user and port an ssh config alias gives (the connection resolves it again)
    let shown: RemoteSpec = spec;
    try { shown = { ...applySshConfig(spec), host: spec.host }; } catch { /* reported when connecting */ }
    this.display = `sftp://${userOf(shown)}@${hostPort(shown)}${path}`;
    this.modes = { file: spec.permissions?.file, dir: spec.permissions?.dir, preserveMode: spec.preserveMode };
    this.folders = new SftpFolders(this.modes, this.log, this.display);
    this.lister = new SftpTreeLister(spec.sshCommands !== false);
    this.hasher = new SftpServerHash(spec, this.display, this.log);
  }

  async open(): Promise<void> {
    await this.connection();
  }

  async close(): Promise<void> {
    const c = this.conn;
    this.conn = undefined;
    if (c && !c.dead) {
      c.dead = true;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 2000);
        c.client.once('close', () => { clearTimeout(t); resolve(); });
        c.client.end();
      });
    }
  }

  private connection(): Promise<SftpConnection> {
    if (this.conn && !this.conn.dead) return Promise.resolve(this.conn);
    if (!this.opening) {
      if (this.conn) this.log.info(`Reconnecting to ${hostPort(this.spec)}`);
      this.conn = undefined;
      this.opening = openSftpConnection({ spec: this.spec, credentials: this.credentials, log: this.log, secrets: this.secrets })
        .then((c) => { this.conn = c; this.everConnected = true; return c; })
        .finally(() => { this.opening = undefined; });
    }
    return this.opening;
  }

  /** a failure on a connection that stalled says so ("no response from the server for N s") */
  private toError(e: unknown, c: SftpConnection | undefined, what: string, path?: string): SyncError {
    if (c?.stalled && !(e instanceof SyncError && e.code !== 'connect')) {
      return stalledError(this.display, timeoutSecondsOf(this.spec), { what: what.toLowerCase(), path, cause: e });
    }
    return toSyncError(e, this.spec, what, path);
  }

  /** absolute remote path of a relative one */
  private abs(c: SftpConnection, rel: string): string {
    return absPath(c, rel);
  }

  /**
   * Run `fn` on a live connection; on a dropped connection (or another transient failure) reconnect
   * and retry up to 3 times with backoff. `fn` must be safe to repeat.
   */
  private async withRetry<T>(what: string, path: string | undefined, fn: (c: SftpConnection) => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      throwIfAborted(signal);
      let c: SftpConnection | undefined;
      try {
        c = await this.connection();
        return await fn(c);
      } catch (e) {
        if (isAbortError(e)) throw e instanceof SyncError ? e : new SyncError('aborted', 'Cancelled', { path });
        const lost = (c?.dead ?? false) || isConnectionLost(e);
        const err = this.toError(e, c, what, path);
        const transient = err.code !== 'auth' && err.code !== 'hostkey' && (lost || isTransientError(e) || isTransientError(err));
        const retries = this.spec.retries ?? DEFAULT_RETRIES;
        if (!transient || !this.everConnected || attempt >= retries) throw err;
        if (c && !c.dead) { c.dead = true; c.client.end(); } // start afresh
        this.log.warn(`${what}${path ? ` (${path})` : ''}: ${err.detail ?? err.message}; reconnecting (retry ${attempt + 1} of ${retries})`);
        await sleep(RETRY_DELAYS[Math.min(attempt, RETRY_DELAYS.length - 1)]);
      }
    }
  }

  async list(options: ListOptions = {}): Promise<Listing> {
    return this.withRetry('Listing', '', async (c) => {
      const r = await this.lister.list(c, options, { spec: this.spec, log: this.log });
      this.staleTemps.splice(0, this.staleTemps.length, ...r.stale);
      this.badNames.splice(0, this.badNames.length, ...r.bad);
      this.unreadable.splice(0, this.unreadable.length, ...r.unreadable);
      return r.out;
    }, options.signal);
  }

  async stat(path: string, options: StatOptions = {}): Promise<Entry | undefined> {
    return this.withRetry('Reading file info', path, async (c) => {
      let entry: Entry | undefined;
      try {
        entry = statEntryOf(path, await call<Stats>(c, (s, cb) => s.stat(this.abs(c, path), cb)));
      } catch (e) {
        if ((e as { code?: unknown }).code !== 2) throw e;
      }
      if (entry || !options.strict) return entry;
      // strict: "nothing there" only when not even a link is there (lstat)
      try {
        await call<Stats>(c, (s, cb) => s.lstat(this.abs(c, path), cb));
      } catch (e) {
        if ((e as { code?: unknown }).code === 2) return undefined;
        throw e;
      }
      throw notPlainThere(this.abs(c, path), path, 'on the server');
    });
  }

  async read(path: string, signal?: AbortSignal, offset = 0, end?: number): Promise<Readable> {
    const { c, handle, size } = await this.withRetry('Opening for reading', path, async (c) => {
      const handle = await call<Buffer>(c, (s, cb) => s.open(this.abs(c, path), 'r', cb));
      try {
        const st = await call<Stats>(c, (s, cb) => s.fstat(handle, cb));
        return { c, handle, size: st.size };
      } catch (e) {
        c.sftp.close(handle, () => { /* ignore */ });
        throw e;
      }
    }, signal);
    // our own idle detection: read requests unanswered for the timeout → the link stalled
    let stream: SftpReadStream | undefined = undefined;
    const idle = new IdleWatch(timeoutSecondsOf(this.spec) * 1000, () => { c.stalled = true; c.dead = true; c.client.destroy(); }, () => !!stream?.waiting);
    // (a range asked for: no read requests beyond it are pipelined)
    stream = new SftpReadStream(c.sftp, handle, end === undefined ? size : Math.min(size, end), {
      mapError: (e) => this.toError(e, c, 'Reading', path), onActivity: () => idle.touch(), start: offset,
    });
    stream.once('close', () => idle.stop());
    if (signal) {
      const onAbort = () => stream.destroy(new SyncError('aborted', 'Cancelled', { path }));
      signal.addEventListener('abort', onAbort, { once: true });
      stream.once('close', () => signal.removeEventListener('abort', onAbort));
    }
    return stream;
  }

  /**
   * A resumable upload (core/transfer/resume.ts): write `source` into the temp file `tmp` from
   * `offset` on (0: created afresh). Unlike write(), the temp file is kept when this fails.
   */
  async writePartial(tmp: string, source: Readable, offset: number, options: { signal?: AbortSignal; onProgress?: (bytes: number) => void } = {}): Promise<number> {
    const { signal } = options;
    const { c, handle, had } = await this.withRetry('Opening a partial file', tmp, async (c) => {
      const handle = await call<Buffer>(c, (s, cb) => s.open(this.abs(c, tmp), offset > 0 ? 'r+' : 'w', { mode: TEMP_FILE_MODE }, cb));
      // continued at `offset`: the partial must still reach it ('r+' does not truncate: a partial cut shorter
      // since its tail was checked would get a hole of zeros the size check cannot see). Longer is fine: every
      // byte from `offset` on is written again (a cut connection's server process may still be writing the same bytes)
      const had = offset > 0 ? await call<Stats>(c, (s, cb) => s.fstat(handle, cb)).then((st) => st.size, (e: unknown) => {
        c.sftp.close(handle, () => { /* ignore */ });
        throw e;
      }) : 0;
      return { c, handle, had };
    }, signal);
    if (had < offset) {
      c.sftp.close(handle, () => { /* ignore */ });
      if (!source.destroyed) source.destroy();
      checkSize(tmp, offset, had, 'moved'); // a size mismatch: tried again (the partial's tail checked anew)
    }
    const idle = new IdleWatch(timeoutSecondsOf(this.spec) * 1000, () => { c.stalled = true; c.dead = true; c.client.destroy(); });
    try {
      const n = await writeFrom(c.sftp, handle, source, { signal, start: offset, onProgress: (b) => { idle.touch(); options.onProgress?.(b); } })
        .finally(() => idle.stop());
      await call<void>(c, (s, cb) => s.close(handle, cb));
      return n;
    } catch (e) {
      if (!source.destroyed) source.destroy();
      if (!c.dead) c.sftp.close(handle, () => { /* ignore */ });
      if (isAbortError(e) || signal?.aborted) throw new SyncError('aborted', 'Cancelled', { path: tmp });
      throw this.toError(e, c, 'Writing', tmp);
    }
  }

  /** A resumable upload's last step: check the temp file's size, set the mtime, rename it over `path`. */
  async commitPartial(tmp: string, path: string, options: { mtime?: number; size: number; mode?: number; beforeRename?: (tmp: string) => Promise<void> }): Promise<Entry> {
    await options.beforeRename?.(tmp);
    return this.withRetry('Renaming', path, async (c) => {
      const st = await call<Stats>(c, (s, cb) => s.stat(this.abs(c, tmp), cb));
      checkSize(path, options.size, st.size, 'moved');
      // the temp is 0600 while it grows; the file ends with the mode write() would give it (modes.ts)
      const prev = await call<Stats>(c, (s, cb) => s.stat(this.abs(c, path), cb)).catch(() => undefined); // as write() does
      const attrs: { mode: number; atime?: number; mtime?: number } = { mode: modeForFile(prev && typeOf(prev) === 'file' ? prev.mode : undefined, options.mode, this.modes) };
      if (options.mtime !== undefined) attrs.atime = attrs.mtime = Math.floor(options.mtime / 1000);
      await call<void>(c, (s, cb) => s.setstat(this.abs(c, tmp), attrs, cb));
      await this.renameOn(c, tmp, path);
      const after = await call<Stats>(c, (s, cb) => s.stat(this.abs(c, path), cb));
      checkSize(path, options.size, after.size, 'after-rename');
      return entryOf(path, after, 'file');
    });
  }

  /** the server's hash of a file, over an exec channel where the account may run sha256sum (sftp-hash.ts) */
  serverHash(path: string, algos: readonly HashAlgo[], signal?: AbortSignal, size?: number): Promise<FileHash | undefined> {
    return this.hasher.hash((fn) => this.withRetry('Hashing', path, fn, signal), path, algos, signal, size);
  }

  async write(path: string, source: Readable, options: WriteOptions = {}): Promise<Entry> {
    const { signal, expect } = options;
    const tmp = tempPathFor(path);
    let c: SftpConnection | undefined;
    let handle: Buffer | undefined;
    try {
      // only opening is retried: once bytes were taken from `source` it cannot be replayed
      let previous: Promise<Stats | undefined>;
      ({ c, handle } = await this.withRetry('Creating a temporary file', tmp, async (c) => {
        const opening = call<Buffer>(c, (s, cb) => s.open(this.abs(c, tmp), 'w', { mode: TEMP_FILE_MODE }, cb));
        // pipelined with the open: the file being replaced, whose permissions the new one keeps (modes.ts)
        // and which must still be what the caller saw (`expect`: the re-check before overwrite)
        previous = call<Stats>(c, (s, cb) => s.stat(this.abs(c, path), cb)).catch((e: unknown) => {
          if (expect && (e as { code?: unknown }).code !== 2) throw e; // cannot tell: not replaced
          return undefined;
        });
        previous.catch(() => undefined); // read below, after the content
        return { c, handle: await opening };
      }, signal));
      const conn = c;
      const h = handle;
      // nothing was there at plan time (newOnly): the stat went out with the open, its reply is in
      if (options.newOnly && await previous!) throw new DestinationAppeared(path, 'on the server');
      // our own idle detection: no write acknowledged for the timeout → the link stalled
      const idle = new IdleWatch(timeoutSecondsOf(this.spec) * 1000, () => { conn.stalled = true; conn.dead = true; conn.client.destroy(); });
      // FSETSTAT + CLOSE go out right behind the last WRITE (taken in order); all replies awaited before the rename
      let closing: Promise<unknown> | undefined;
      const close = async (): Promise<void> => {
        const prev = await previous!;
        const attrs: { mode?: number; atime?: number; mtime?: number } = {};
        attrs.mode = modeForFile(prev && typeOf(prev) === 'file' ? prev.mode : undefined, options.mode, this.modes);
        if (options.mtime !== undefined) attrs.atime = attrs.mtime = Math.floor(options.mtime / 1000);
        handle = undefined; // closed by these requests, also when one of them fails
        await Promise.all([call<void>(conn, (s, cb) => s.fsetstat(h, attrs, cb)), call<void>(conn, (s, cb) => s.close(h, cb))]);
      };
      const moved = await writeFrom(conn.sftp, h, source, {
        signal, size: options.size, onProgress: (n) => { idle.touch(); options.onProgress?.(n); },
        onIssued: () => { closing = close(); closing.catch(() => undefined); },
      }).finally(() => idle.stop());
      throwIfAborted(signal);
      checkSize(path, options.size, moved, 'moved');
      await (closing ?? close());
      throwIfAborted(signal);
      const prev = expect && await previous!;
      if (expect) assertUnchanged('sftp', expect, prev ? statEntryOf(path, prev) : undefined);
      await options.beforeRename?.(tmp);
      let st: Stats;
      // a folder listing per file is costly: only names a case-insensitive server might keep otherwise
      if (options.newOnly) {
        // the new file takes the name only where nothing is (sftp-rename.ts)
        const nameCheck = this.capabilities.caseInsensitive && needsNameCheck(path, false);
        const after = await renameNew(conn, this.abs(conn, tmp), this.abs(conn, path), path, !nameCheck);
        if (nameCheck) await verifyStoredName(conn, this.abs(conn, parentOf(path)), baseName(path), path);
        st = after ?? await call<Stats>(conn, (s, cb) => s.stat(this.abs(conn, path), cb));
      } else if (this.capabilities.caseInsensitive && needsNameCheck(path, false)) {
        await this.renameOn(conn, tmp, path);
        await verifyStoredName(conn, this.abs(conn, parentOf(path)), baseName(path), path);
        st = await call<Stats>(conn, (s, cb) => s.stat(this.abs(conn, path), cb));
      } else {
        st = await this.renameOn(conn, tmp, path, true) as Stats;
      }
      checkSize(path, options.size, st.size, 'after-rename');
      return entryOf(path, st, 'file');
    } catch (e) {
      if (!source.destroyed) source.destroy();
      if (!(e instanceof TempKeptError)) await this.removeTemp(c, handle, tmp);
      if (isAbortError(e) || signal?.aborted) throw new SyncError('aborted', 'Cancelled', { path });
      throw this.toError(e, c, 'Writing', path);
    }
  }

  /** best effort: close the handle and remove the temp file, on a new connection if the old one dropped */
  private async removeTemp(c: SftpConnection | undefined, handle: Buffer | undefined, tmp: string): Promise<void> {
    if (!c) return;
    try {
      if (!c.dead && handle) { const h = handle; await call<void>(c, (s, cb) => s.close(h, cb)).catch(() => undefined); }
      let conn = c;
      if (conn.dead) {
        const timeout = new Promise<undefined>((r) => setTimeout(() => r(undefined), 5000).unref());
        const fresh = await Promise.race([this.connection().catch(() => undefined), timeout]);
        if (!fresh) return;
        conn = fresh;
      }
      await call<void>(conn, (s, cb) => s.unlink(this.abs(conn, tmp), cb));
    } catch { /* a stale temp is reported by the next list() and cleaned then */ }
  }

  /** rename over an existing target (sftp-rename.ts); `thenStat`: the new name's attributes, asked for right behind the rename */
  private renameOn(c: SftpConnection, from: string, to: string): Promise<void>;
  private renameOn(c: SftpConnection, from: string, to: string, thenStat: true): Promise<Stats>;
  private renameOn(c: SftpConnection, from: string, to: string, thenStat = false): Promise<Stats | void> {
    return renameOver(c, this.abs(c, from), this.abs(c, to), { from, to }, foldCase(from) === foldCase(to), thenStat);
  }

  /** mkdir -p; `mkdir('')` creates the root folder itself (a first upload to a new place) */
  async mkdir(path: string): Promise<void> {
    if (!path) await this.withRetry('Creating the remote folder', path, (c) => this.folders.makeRoot(c));
    else await this.withRetry('Creating a folder', path, (c) => this.folders.mkdirp(c, path, (p) => this.abs(c, p)));
  }

  async removeFile(path: string): Promise<void> {
    await this.withRetry('Deleting', path, async (c) => {
      await call<void>(c, (s, cb) => s.unlink(this.abs(c, path), cb)).catch((e) => {
        if ((e as { code?: unknown }).code !== 2) throw e;
      });
    });
  }

  async removeDir(path: string, options: RemoveDirOptions = {}): Promise<string[]> {
    return this.withRetry('Deleting a folder', path, (c) => removeTree(c, this.abs(c, path), options.only, path));
  }

  async rename(from: string, to: string, options: { newOnly?: boolean } = {}): Promise<void> {
    let attempts = 0;
    await this.withRetry('Renaming', from, async (c) => {
      try {
        attempts++;
        // newOnly: SSH_FXP_RENAME, which refuses an existing name (never posix-rename, never remove + rename)
        if (options.newOnly) await renameNew(c, this.abs(c, from), this.abs(c, to), to, false);
        else await this.renameOn(c, from, to);
      } catch (e) {
        // a retried rename whose first attempt went through before the connection dropped
        if (attempts > 1 && (e as { code?: unknown }).code === 2) {
          const there = await call<Stats>(c, (s, cb) => s.stat(this.abs(c, to), cb)).catch(() => undefined);
          const gone = await call<Stats>(c, (s, cb) => s.lstat(this.abs(c, from), cb)).then(() => false, () => true);
          if (there && gone) return;
        }
        throw e;
      }
    });
  }
}
