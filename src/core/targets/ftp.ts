// FTP / FTPS target on basic-ftp: a pool of logged-in connections (one per transfer), recursive
// MLSD listing, atomic uploads (temp name + RNFR/RNTO: ftp-write.ts), MFMT for mtimes, reconnect and retry.
import type { Client } from 'basic-ftp';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  Entry, ListOptions, Logger, RemoteSpec, RemoveDirOptions, StatOptions, Target, TargetCapabilities, WriteOptions,
} from '../types.js';
import { nullLogger } from '../types.js';
import { SyncError, throwIfAborted } from '../errors.js';
import { ftpHashCommand, ftpServerHash, HASH_ALGOS, serverHashTimeoutMs, type FileHash, type HashAlgo } from '../transfer/hash.js';
import { stalledError, timeoutSecondsOf } from '../transfer/stall.js';
import type { TargetOptions } from './index.js';
import { FtpPool } from './ftp-pool.js';
import { ftpNameProblem } from '../names/rules.js';
import { FtpModes } from './ftp-modes.js';
import { ConnectionGuard, accessFtp } from './ftp-access.js';
import { listTree, type ListHost } from './ftp-list.js';
import { mkdirAbs, normalizeAbs, renameAbs, renameNewAbs, statAbs } from './ftp-ops.js';
import { activeModeTransfer } from './ftp-active.js';
import { newFtpClient, sendWaitingLonger } from './ftp-context.js';
import { probePipelining } from './ftp-pipeline.js';
import type { FastPassiveSwitch } from './ftp-fast.js';
import { commitPartialFtp, writePartialFtp } from './ftp-partial.js';
import { readFtp } from './ftp-read.js';
import { writeFtp, type FtpWriteHost } from './ftp-write.js';
import { removeDirFtp } from './ftp-remove.js';
import {
  ftpCode, isConnectionLimit, isRetryable, toSyncError,
} from './ftp-util.js';
import { Listing } from '../listing/listing.js';

/** retries of an operation after a dropped connection, unless spec.retries says otherwise */
const MAX_RETRIES = 3;
/** the first retry is immediate (the usual case: a pooled connection the server had dropped), then back off (the last wait repeats) */
const BACKOFF_MS = [0, 1000, 3000];

export class FtpTarget implements Target {
  readonly kind = 'ftp' as const;
  readonly display: string;
  /** final once the first connection is open (`open()`): MLSD → 1000 ms, LIST only → 60000 ms; MFMT → setMtime */
  readonly capabilities: TargetCapabilities;

  private _staleTemps: string[] = [];
  private _badNames: { path: string; name: string; message: string }[] = [];
  /** folders the last list() could not read (left alone, reported) */
  unreadable: { path: string; message: string }[] = [];
  /** temp names (`.rs-tmp-…`) the last list() found and left out: leftovers of interrupted uploads */
  get staleTemps(): string[] { return this._staleTemps; }
  /** names the last list() skipped because they are not plain path segments */
  get badNames(): { path: string; name: string; message: string }[] { return this._badNames; }

  private readonly pool: FtpPool;
  private readonly log: Logger;
  private readonly host: string;
  private readonly port: number;
  private root: string | undefined;
  private features: Map<string, string> | undefined;
  private passwordPromise: Promise<string | undefined> | undefined;
  private authFailure: SyncError | undefined;
  private readonly noRetry = new WeakSet<object>();
  private mlsd = true;
  private mlst = true;
  /** the server answers commands sent together (probed once: ftp-pipeline.ts); undefined: not probed yet */
  private pipelining: boolean | undefined;
  /** EPSV pipelined with the transfer command (ftp-fast.ts): plain FTP, passive, pipelining, EPSV in FEAT */
  private readonly fast: FastPassiveSwitch = { on: false };
  private readonly listHost: ListHost;
  /** what the helpers in ftp-read.ts, ftp-partial.ts and ftp-remove.ts use of this target */
  private readonly ops: FtpWriteHost & { stat(path: string): Promise<Entry | undefined>; removeFile(path: string): Promise<void> };
  private readonly modes: FtpModes;
  private readonly guard: ConnectionGuard;

  constructor(private readonly spec: RemoteSpec, private readonly options: TargetOptions = {}) {
    if (!spec.host) throw new SyncError('usage', 'An FTP target needs a host name');
    this.log = options.log ?? nullLogger;
    this.host = spec.host;
    this.port = spec.port ?? (spec.protocol === 'ftps' && spec.ftpsImplicit ? 990 : 21);
    const maxConcurrency = Math.max(1, Math.floor(options.concurrency ?? 8)); // the pool shrinks if the server limits connections
    this.capabilities = { setMtime: true, mtimeResolutionMs: 1000, maxConcurrency, nameProblem: ftpNameProblem, recheckOnWrite: true, checksNewOnly: true, transferOverlap: 2 };
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    const user = spec.user ? `${encodeURIComponent(spec.user)}@` : '';
    const path = spec.path.startsWith('/') ? spec.path : `/${spec.path}`;
    this.display = `${spec.protocol === 'ftps' ? 'ftps' : 'ftp'}://${user}${host}:${this.port}${path}`;
    if (spec.path.startsWith('/')) this.root = normalizeAbs(spec.path);
    this.guard = new ConnectionGuard(spec, this.host, this.port, options.credentials ?? {}, this.log, options.knownCertificatesFile, this.display);
    this.modes = new FtpModes({ file: spec.permissions?.file, dir: spec.permissions?.dir, preserveMode: spec.preserveMode }, this.log, this.display);
    this.pool = new FtpPool(maxConcurrency, () => this.connect(), isConnectionLimit, (n) => {
      this.capabilities.maxConcurrency = n;
      this.log.info(`${this.display} limits connections: using ${n}`);
    });
    const self = this;
    this.listHost = {
      withClient: (what, path, fn, signal) => this.withClient(what, path, fn, { signal }),
      abs: (rel) => this.abs(rel),
      get useMlsd() { return self.mlsd; },
      fast: this.fast,
      batching: { on: true },
      get concurrency() { return self.capabilities.maxConcurrency; },
    };
    this.ops = {
      display: this.display, log: this.log, capabilities: this.capabilities, modes: this.modes,
      ftps: spec.protocol === 'ftps', fast: this.fast,
      get mlst() { return self.mlst; },
      get pipelining() { return self.pipelining; },
      set pipelining(on) { self.pipelining = on; },
      ready: () => this.ready(),
      abs: (rel) => this.abs(rel),
      withClient: (what, path, fn, opts) => this.withClient(what, path, fn, opts),
      stat: (path) => this.stat(path),
      removeFile: (path) => this.removeFile(path),
      release: (c, broken) => this.pool.release(c, broken),
      toError: (e, what, path) => this.toError(e, what, path),
      mustExist: (path, type, what) => this.mustExist(path, type, what),
      withOwnedClient: (what, path, fn, opts) => this.withClient(what, path, fn, { ...opts, owns: true }),
    };
  }

  // ---- connections ---------------------------------------------------------------------------

  private password(): Promise<string | undefined> {
    if (this.spec.password !== undefined) return Promise.resolve(this.spec.password);
    if (!this.spec.user) return Promise.resolve(undefined);
    this.passwordPromise ??= this.options.credentials?.password?.(this.spec) ?? Promise.resolve(undefined);
    return this.passwordPromise;
  }

  /** the login of the connection being opened has sent its password (resolved too when it ends any other way) */
  private passwordSent: Promise<void> | undefined;

  loginSent(): Promise<void> {
    return this.passwordSent ?? Promise.resolve();
  }

  private async connect(): Promise<Client> {
    let sent!: () => void;
    this.passwordSent = new Promise<void>((resolve) => { sent = resolve; });
    try {
      return await this.login(sent);
    } finally {
      sent();
    }
  }

  private async login(sent: () => void): Promise<Client> {
    if (this.authFailure) throw this.authFailure;
    let password: string | undefined;
    try {
      password = await this.password();
    } catch (e) {
      this.authFailure = new SyncError('auth', `No password for ${this.display}`, { detail: (e as Error).message, cause: e });
      throw this.authFailure;
    }
    const c = newFtpClient(timeoutSecondsOf(this.spec) * 1000);
    const secure = this.spec.protocol !== 'ftps' ? false : this.spec.ftpsImplicit ? 'implicit' as const : true;
    try {
      // as access(): connect, AUTH TLS, [certificate check: ftp-access.ts], OPTS UTF8 ON, USER/PASS, FEAT, TYPE I, OPTS UTF8 ON, PBSZ 0 + PROT P
      // (the first connection: the settings and a NOOP in one write, the pipelining probe)
      const probeWait = Math.min(5000, timeoutSecondsOf(this.spec) * 1000);
      const access = await accessFtp(c, {
        host: this.host, port: this.port, secure, ...this.guard.hooks(),
        ...(this.spec.ftpActive ? { activeMode: (hook?: (s: Socket) => void) => activeModeTransfer((m) => this.log.debug(`${this.display}: ${m}`), hook) } : {}),
        user: this.spec.user || 'anonymous',
        password: password ?? (this.spec.user ? '' : 'anonymous@'),
        known: this.features && this.pipelining !== undefined ? { features: this.features, pipelining: this.pipelining } : undefined,
        probe: this.pipelining === undefined ? { waitMs: probeWait } : undefined,
        onPasswordSent: () => sent(),
      });
      const feat = access.features;
      if (!this.features) {
        this.features = feat;
        this.mlst = feat.has('MLST');
        this.mlsd = this.mlst;
        this.capabilities.mtimeResolutionMs = this.mlsd ? 1000 : 60_000;
        this.capabilities.setMtime = feat.has('MFMT');
        this.log.debug(`${this.display}: server features ${[...feat.keys()].join(' ')}`);
      }
      if (this.pipelining === undefined && this.mlst) {
        // (the settings were the probe where the login made one: ftp-access.ts)
        this.pipelining = access.pipelining ?? await probePipelining(c, probeWait);
        this.log.debug(`${this.display}: ${this.pipelining ? 'pipelines commands' : 'commands one at a time (the server did not answer two sent together)'}`);
        if (c.closed) return await this.connect(); // the probe timed out: this connection is out of step
        this.fast.on = this.pipelining && this.spec.protocol === 'ftp' && !this.spec.ftpActive && !!this.features?.has('EPSV');
        if (this.fast.on) this.log.debug(`${this.display}: EPSV sent together with each transfer command`);
      }
      if (this.mlsd) c.availableListCommands = ['MLSD'];
      if (this.root === undefined) this.root = normalizeAbs(`${await c.pwd()}/${this.spec.path}`);
      return c;
    } catch (e) {
      c.close();
      if (isConnectionLimit(e)) throw e; // the pool shrinks to the connections it has; else retried later
      if (ftpCode(e) === 530) {
        this.authFailure = toSyncError(e, 'log in', '', this.display);
        throw this.authFailure;
      }
      if (!this.features) {
        // never got in: report at once (wrong host/port, refused certificate) instead of retrying
        const err = this.toError(e, 'connect', '');
        this.noRetry.add(err);
        throw err;
      }
      throw e;
    }
  }

  /**
   * Run `fn` on a borrowed connection; a dropped connection is replaced and `fn` retried with backoff.
   * `canRetry`: whether another try is possible (an upload whose source was read cannot be repeated);
   * `beforeRetry`: may throw the real reason (a server refusing a transfer may reset the data connection
   * before its 550 arrives); `owns`: `fn` gives the connection back itself (streamed reads), when it
   * fails too (a refused RETR): this does not, so a connection `fn` keeps is lost to the pool.
   */
  private async withClient<T>(what: string, path: string, fn: (c: Client) => Promise<T>, opts: {
    signal?: AbortSignal; canRetry?: () => boolean; beforeRetry?: () => Promise<void>; owns?: boolean;
  } = {}): Promise<T> {
    const { signal } = opts;
    for (let attempt = 0; ; attempt++) {
      throwIfAborted(signal);
      let c: Client | undefined;
      try {
        c = await this.pool.acquire(signal);
        const result = await fn(c);
        if (!opts.owns) this.pool.release(c);
        return result;
      } catch (e) {
        if (c && !opts.owns) this.pool.release(c);
        if (signal?.aborted) throw new SyncError('aborted', 'Cancelled', { path, cause: e });
        if (attempt < (this.spec.retries ?? MAX_RETRIES) && this.shouldRetry(e, c) && (opts.canRetry?.() ?? true)) {
          const err = this.toError(e, what, path);
          // a stall is worth telling (the run goes on, but it took timeoutSeconds); a dropped pooled connection is routine
          (err.message.startsWith('No response') ? this.log.warn : this.log.debug).call(this.log,
            `${this.display}: ${what}: ${err.message} (${(e as Error).message}); reconnecting, try ${attempt + 2}`);
          this.pool.dropIdle();
          await opts.beforeRetry?.();
          await sleep(BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]);
          continue;
        }
        throw this.toError(e, what, path);
      }
    }
  }

  /** basic-ftp's "Timeout (control socket)" / "(data socket)": no reply within timeoutSeconds, the link stalled */
  private toError(e: unknown, what: string, path: string): SyncError {
    const msg = e instanceof Error ? e.message : '';
    if (!(e instanceof SyncError) && /^Timeout \((control|data) socket\)/.test(msg)) {
      return stalledError(this.display, timeoutSecondsOf(this.spec), { what, path: path || undefined, cause: e });
    }
    return toSyncError(e, what, path, this.display);
  }

  /** throws not-found when `path` (kind: what it should be) is missing: the likely cause of a reset transfer */
  private async mustExist(path: string, type: 'file' | 'dir', what: string): Promise<void> {
    const st = await this.stat(path);
    if (st?.type === type) return;
    throw new SyncError('not-found', `Could not ${what}: ${type === 'dir' ? 'folder' : 'file'} ${this.abs(path)} does not exist`, {
      path, hint: 'Check that it exists on the server',
    });
  }

  /** a network-level failure, or any non-FTP error that left the connection closed; never a login refusal */
  private shouldRetry(e: unknown, c: Client | undefined): boolean {
    if (this.noRetry.has(e as object) || e === this.authFailure) return false;
    return isRetryable(e) || (c !== undefined && c.closed && ftpCode(e) === undefined && !(e instanceof SyncError));
  }

  async open(): Promise<void> {
    await this.withClient('connect', '', async () => undefined);
  }

  async close(): Promise<void> {
    this.pool.closeAll();
  }

  /** a relative spec.path is resolved against the login folder, known once connected */
  private async ready(): Promise<void> {
    if (this.root === undefined) await this.open();
  }

  /** relative path → absolute server path (after ready()) */
  private abs(rel: string): string {
    const root = this.root ?? '/';
    if (!rel) return root;
    return root === '/' ? `/${rel}` : `${root}/${rel}`;
  }

  // ---- listing and stat ----------------------------------------------------------------------

  async list(options: ListOptions = {}): Promise<Listing> {
    await this.ready();
    const staleTemps: string[] = [];
    const badNames: { path: string; name: string; message: string }[] = [];
    const unreadable: { path: string; message: string }[] = [];
    // the entries go straight into the listing (no Entry object and map slot per path first)
    let result = new Listing(options.index);
    try {
      await listTree(this.listHost, '', { include: options.include, signal: options.signal, staleTemps, badNames, unreadable, into: result });
    } catch (e) {
      // a root that does not exist yet lists as empty (the engine's safety checks catch a vanished tree)
      if (!(e instanceof SyncError) || (e.code !== 'not-found' && e.code !== 'io') || (await this.stat('')) !== undefined) throw e;
      this.log.info(`${this.display} does not exist yet`);
      result = new Listing(options.index);
    }
    this._staleTemps = staleTemps;
    this._badNames = badNames;
    this.unreadable = unreadable;
    return result;
  }

  async stat(path: string, options: StatOptions = {}): Promise<Entry | undefined> {
    await this.ready();
    return await this.withClient(`stat ${this.abs(path)}`, path, (c) => statAbs(c, this.abs(path), path, this.mlst, { strict: options.strict }));
  }

  // ---- content -------------------------------------------------------------------------------

  async read(path: string, signal?: AbortSignal, offset = 0): Promise<Readable> {
    return readFtp(this.ops, path, signal, offset);
  }

  async write(path: string, source: Readable, options: WriteOptions = {}): Promise<Entry> {
    return writeFtp(this.ops, path, source, options);
  }

  /** A resumable upload (ftp-partial.ts): STOR or APPE into the kept temp file `tmp`. */
  writePartial(tmp: string, source: Readable, offset: number, options: { signal?: AbortSignal; onProgress?: (bytes: number) => void } = {}): Promise<number> {
    return writePartialFtp(this.ops, tmp, source, offset, options);
  }

  /** A resumable upload's last step (ftp-partial.ts): check the temp file's size, rename it over `path`, set the mtime. */
  commitPartial(tmp: string, path: string, options: { mtime?: number; size: number; mode?: number; beforeRename?: (tmp: string) => Promise<void> }): Promise<Entry> {
    return commitPartialFtp(this.ops, tmp, path, options);
  }

  /** the server's hash of a file (FTP HASH / XSHA256 / XSHA1 / XMD5 when FEAT lists them), else undefined — also when
   *  its reply (sent once the whole file was read) takes longer than serverHashTimeoutMs(`size`): the file is read back */
  async serverHash(path: string, algos: readonly HashAlgo[], signal?: AbortSignal, size?: number): Promise<FileHash | undefined> {
    await this.ready();
    if (this.features && !HASH_ALGOS.some((a) => ftpHashCommand(this.features!, a))) return undefined;
    const [abs, ms] = [this.abs(path), serverHashTimeoutMs(timeoutSecondsOf(this.spec) * 1000, size)];
    return this.withClient(`hash ${abs}`, path, async (c) => {
      if (!this.features) return undefined; // (FEAT is read with the first connection)
      const onAbort = () => c.close(); // (a cancel ends the wait at once)
      signal?.addEventListener('abort', onAbort, { once: true });
      let late = false; // the hash's own reply did not come in time (basic-ftp closed the connection: no late reply is misread)
      const sendHash = (command: string) => sendWaitingLonger(c, command, ms).catch((e: unknown) => {
        late = /^Timeout \(control socket\)/.test((e as Error).message);
        throw e;
      });
      try {
        return await ftpServerHash(c, this.features, abs, algos, sendHash);
      } catch (e) {
        if (!late || signal?.aborted) throw e;
        this.log.warn(`${this.display}: no hash of ${abs} from the server within ${Math.round(ms / 1000)} s; the file is read back to hash it`);
        return undefined;
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    }, { signal });
  }

  // ---- changes -------------------------------------------------------------------------------

  async mkdir(path: string): Promise<void> {
    await this.ready();
    await this.withClient(`create folder ${this.abs(path)}`, path, (c) => mkdirAbs(c, this.abs(path), path, this.mlst, (abs) => this.modes.newDir(c, abs)));
  }

  async removeFile(path: string): Promise<void> {
    await this.ready();
    const abs = this.abs(path);
    await this.withClient(`remove ${abs}`, path, async (c) => {
      try {
        await c.send(`DELE ${abs}`);
      } catch (e) {
        if (ftpCode(e) === undefined) throw e;
        const st = await statAbs(c, abs, path, this.mlst, { time: false });
        if (!st) return;
        if (st.type === 'dir') throw new SyncError('io', `Cannot remove ${abs}: it is a folder`, { path });
        throw e;
      }
    });
  }

  async removeDir(path: string, options: RemoveDirOptions = {}): Promise<string[]> {
    return removeDirFtp(this.ops, this.listHost, path, options.only);
  }

  async rename(from: string, to: string, options: { newOnly?: boolean } = {}): Promise<void> {
    await this.ready();
    const a = this.abs(from);
    const b = this.abs(to);
    let tries = 0;
    await this.withClient(`rename ${a} to ${b}`, from, (c) => (options.newOnly
      ? renameNewAbs(c, a, b, to, this.mlst)
      : renameAbs(c, a, b, this.mlst, tries++ > 0 ? -1 : undefined)));
  }
}
