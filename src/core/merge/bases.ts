// The common-version store: the content a text file had on both sides after the last action that
// left it equal (upload, download, save, an equal pair recorded), for three-way merges.
//
// `<local root>/.remote-sync/base/<sha256>`: content-addressed (files with the same content share
// one blob), brotli-compressed, written 0600 with O_EXCL|O_NOFOLLOW into a folder created 0700 (a
// symlink there is refused), by a background queue; every read checks the content's hash, so a
// blob cut short by a crash is found damaged, removed, and is "no common version". The state records, per path, the blob's hash, or "binary" / "large"
// when the content was not text or over the limit (so a conflict can say why it cannot merge).
// Nothing here ever fails a sync: a blob that cannot be written is "no common version"; a missing
// or damaged one is "no common version" too.

import { closeSync, constants, fstatSync, lstatSync, lutimesSync, mkdirSync, openSync, readFileSync, readdirSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, constants as zc } from 'node:zlib';
import type { Logger } from '../types.js';
import { nullLogger } from '../types.js';
import { errorMessage } from '../errors.js';
import { isText } from './text.js';
import { BLOB_QUALITY, BlobWorker } from './blob-worker.js';
import { availableParallelism } from 'node:os';

/** what the state records for a file's common version */
export type BaseRef = string;
export const BASE_NOT_TEXT = 'binary';
export const BASE_TOO_LARGE = 'large';
export const BASE_DIR_NAME = 'base';
/** default "mergeBase.maxFileSize" */
export const DEFAULT_MERGE_BASE_MAX = 1024 * 1024;
/** blobs younger than this are never collected (another process may be about to record them) */
const GC_GRACE_MS = 10 * 60 * 1000;

const HASH_RE = /^[0-9a-f]{64}$/;
/** the temp of a blob write an earlier version cut short (blobs are now created under their final name) */
const TEMP_RE = /^\.[0-9a-f]{12}\.tmp$/;
/** bytes of content waiting to be written before keep() waits for the writer */
const QUEUE_LIMIT = 32 * 1024 * 1024;
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
/**
 * blobs written one after another (no pause of BURST_GAP_MS between them) after which the rest of the
 * burst goes to a worker thread (blob-worker.ts); a save's single blob never starts one. None on a
 * machine with one core: the thread would only take turns with this one.
 */
export const OFF_THREAD_AFTER = availableParallelism() > 1 ? 64 : Infinity;
/** blobs per message to the worker */
const BATCH = 32;
/**
 * a burst ends after this long without a blob (a transfer of many small text files keeps one every
 * millisecond or so; saves come seconds apart); the worker is stopped after WORKER_IDLE_MS without work
 */
const BURST_GAP_MS = 100;
const WORKER_IDLE_MS = 2000;

export const isBlobRef = (ref: string | undefined): ref is string => !!ref && HASH_RE.test(ref);

export class BaseStore {
  readonly dir: string;
  private broken = false;
  private ready = false;
  private warned = false;
  /**
   * hashes written, found or queued by this store, with when (no second write, no lstat): trusted for
   * half the collection's grace period, after which the blob may have been collected (by this process or
   * another) and is written again — or, when still there, its time renewed so the grace applies afresh
   */
  private readonly known = new Map<string, number>();
  /** blobs waiting to be written, by hash */
  private readonly queue = new Map<string, Buffer>();
  /** blobs handed to the worker and not written yet (still served by load()) */
  private readonly inFlight = new Map<string, Buffer>();
  private queuedBytes = 0;
  private draining: Promise<void> | undefined;
  /** blobs of the current burst, and when the last one was written or sent */
  private burst = 0;
  private burstAt = 0;
  private worker: BlobWorker | undefined;
  /** no worker again for this store: one could not start, or died */
  private noWorker = false;
  private workerIdle: NodeJS.Timeout | undefined;
  /** blobs written by the worker (tests read it) */
  writtenOffThread = 0;

  /**
   * `stateDir`: the `.remote-sync` folder; `maxFileSize`: bytes (text files larger are not kept);
   * `offThreadAfter`: blobs of a burst written here before the rest go to a worker (tests set it)
   */
  constructor(readonly stateDir: string, readonly maxFileSize: number, private readonly log: Logger = nullLogger,
    private readonly offThreadAfter = OFF_THREAD_AFTER, private readonly startWorker: () => BlobWorker | undefined = () => BlobWorker.start()) {
    this.dir = join(stateDir, BASE_DIR_NAME);
  }

  /** The ref to record for a file of `size` bytes whose content is not at hand (over the limit only). */
  refForSize(size: number): BaseRef | undefined {
    return size > this.maxFileSize ? BASE_TOO_LARGE : undefined;
  }

  /**
   * Keep `content` as a common version; the ref to record, or undefined when it cannot be kept.
   * The ref (the content's hash) is known at once; the blob is compressed and written by a
   * background queue (`flush()` waits for it), so transfers do not wait for it. A blob that then
   * fails to be written is a missing blob: "no common version" for that file, nothing worse.
   */
  async keep(content: Buffer): Promise<BaseRef | undefined> {
    if (content.length > this.maxFileSize) return BASE_TOO_LARGE;
    if (!isText(content)) return BASE_NOT_TEXT;
    if (!this.prepare()) return undefined;
    const hash = createHash('sha256').update(content).digest('hex');
    const at = this.known.get(hash);
    if (at !== undefined && Date.now() - at < GC_GRACE_MS / 2) return hash; // written or queued by this process lately
    this.known.set(hash, Date.now());
    this.queue.set(hash, content);
    this.queuedBytes += content.length;
    this.kick();
    // backpressure: a sync far faster than the disk must not queue a whole tree in memory
    while (this.queuedBytes > QUEUE_LIMIT && this.draining) await this.draining;
    return hash;
  }

  /** Wait until every queued blob is written (end of a run, close). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private kick(): void {
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
      if (this.queue.size) this.kick(); // queued after the writer's last look
    });
  }

  /**
   * Write queued blobs, not on the caller's path: one at a time here, yielding to the event loop first
   * and between them; past `offThreadAfter` blobs of a burst, on the worker thread (blob-worker.ts).
   */
  private async drain(): Promise<void> {
    await new Promise<void>((r) => setImmediate(r));
    let yielded = Date.now();
    for (const [hash, content] of this.queue) {
      if (this.offThread(Date.now())) return this.drainOffThread();
      this.writeBlob(hash, content);
      this.queue.delete(hash);
      this.queuedBytes -= content.length;
      if (Date.now() - yielded >= 4) {
        await new Promise<void>((r) => setImmediate(r));
        yielded = Date.now();
      }
    }
  }

  /** counts the blob about to be written in the burst; true when the burst's rest goes to the worker (started if need be) */
  private offThread(now: number): boolean {
    if (now - this.burstAt > BURST_GAP_MS) this.burst = 0;
    this.burst++;
    this.burstAt = now;
    if (this.worker?.alive) return true;
    if (this.noWorker || this.burst <= this.offThreadAfter) return false;
    this.worker = this.startWorker();
    if (!this.worker) this.noWorker = true;
    return !!this.worker;
  }

  /**
   * Everything queued, to the worker in batches; what it hands back (it died: `undefined`) is written
   * here. Blobs stay readable (inFlight) and count against the queue's limit until written.
   */
  private async drainOffThread(): Promise<void> {
    if (this.workerIdle) clearTimeout(this.workerIdle);
    while (this.queue.size) {
      const sent: Promise<void>[] = [];
      let hashes: string[] = [];
      let contents: Buffer[] = [];
      const send = () => {
        sent.push(this.sendToWorker(hashes, contents));
        hashes = [];
        contents = [];
      };
      for (const [hash, content] of this.queue) {
        this.queue.delete(hash);
        this.inFlight.set(hash, content);
        hashes.push(hash);
        contents.push(content);
        if (hashes.length >= BATCH) send();
      }
      if (hashes.length) send();
      this.burstAt = Date.now();
      await Promise.all(sent);
    }
    // (unref'd: a process that is done does not wait for it)
    this.workerIdle = setTimeout(() => { this.worker?.close(); this.worker = undefined; }, WORKER_IDLE_MS);
    this.workerIdle.unref();
  }

  private async sendToWorker(hashes: string[], contents: Buffer[]): Promise<void> {
    const errors = this.worker ? await this.worker.write(this.dir, hashes, contents) : undefined;
    if (errors === undefined) {
      // the worker is gone (or never answered): written here, and no worker again for this store (a blob
      // it was writing when it died may be there cut short: writeBlob then takes it as kept, and load(),
      // which checks every blob's hash, finds it damaged and removes it: "no common version", as after a crash)
      if (this.worker) this.log.debug('common versions: the writer thread stopped; writing them on the main thread');
      this.worker = undefined;
      this.noWorker = true;
    } else {
      this.writtenOffThread += hashes.length - errors.length;
      for (const [i, message] of errors) this.failed(hashes[i], new Error(message));
    }
    for (let i = 0; i < hashes.length; i++) {
      if (errors === undefined) this.writeBlob(hashes[i], contents[i]);
      this.inFlight.delete(hashes[i]);
      this.queuedBytes -= contents[i].length;
    }
  }

  /** One blob, written under its final name with O_EXCL|O_NOFOLLOW (an existing one is the same content). */
  private writeBlob(hash: string, content: Buffer): void {
    const file = join(this.dir, hash);
    let fd: number;
    try {
      fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
        // the same content, kept earlier: a new ref to it is about to be recorded, so it is young again
        // (else a collection that read the state files before that record could remove it for being old)
        try { const now = new Date(); lutimesSync(file, now, now); } catch { /* gone meanwhile: a missing blob, "no common version" */ }
        return;
      }
      this.failed(hash, e);
      return;
    }
    try {
      writeSync(fd, brotliCompressSync(content, { params: { [zc.BROTLI_PARAM_QUALITY]: BLOB_QUALITY, [zc.BROTLI_PARAM_SIZE_HINT]: content.length } }));
      closeSync(fd);
    } catch (e) {
      try { closeSync(fd); } catch { /* already closed */ }
      rmSync(file, { force: true }); // never a half-written blob under its name
      this.failed(hash, e);
    }
  }

  private failed(hash: string, e: unknown): void {
    this.known.delete(hash);
    if (!this.warned) this.log.warn(`could not keep a common version for merges (${this.dir}): ${errorMessage(e)}`);
    this.warned = true;
  }

  /** The kept content for `ref`, or undefined: none kept, or the blob is missing or damaged. */
  load(ref: BaseRef | undefined): Buffer | undefined {
    if (!isBlobRef(ref)) return undefined;
    const queued = this.queue.get(ref) ?? this.inFlight.get(ref);
    if (queued) return queued;
    const file = join(this.dir, ref);
    let raw: Buffer;
    try {
      const fd = openSync(file, constants.O_RDONLY | O_NOFOLLOW);
      try {
        const st = fstatSync(fd);
        if (!st.isFile()) return undefined;
        raw = Buffer.alloc(st.size);
        let off = 0;
        while (off < st.size) {
          const n = readSync(fd, raw, off, st.size - off, off);
          if (n === 0) break;
          off += n;
        }
      } finally {
        closeSync(fd);
      }
    } catch {
      return undefined;
    }
    try {
      const content = brotliDecompressSync(raw);
      if (createHash('sha256').update(content).digest('hex') === ref) return content;
    } catch { /* damaged */ }
    this.log.warn(`the common version ${ref.slice(0, 12)}… is damaged; removed (that file merges again after its next sync)`);
    rmSync(file, { force: true });
    this.known.delete(ref);
    return undefined;
  }

  /**
   * Remove blobs no state file of this folder refers to (and temps of interrupted writes).
   * `referenced` defaults to every ref in the state files (snapshots and journals) beside the folder,
   * read only when the folder holds a blob or temp: it runs after every compaction, and reading every
   * state file of the folder (one per server) was ~60 ms of a 10,000-file upload that keeps no blob.
   */
  collect(referenced: Set<string> | (() => Set<string>) = () => referencedBases(this.stateDir), now = Date.now()): number {
    let names: string[];
    try { names = readdirSync(this.dir); } catch { return 0; }
    names = names.filter((name) => HASH_RE.test(name) || TEMP_RE.test(name));
    if (!names.length) return 0;
    const refs = typeof referenced === 'function' ? referenced() : referenced;
    let removed = 0;
    for (const name of names) {
      if (refs.has(name)) continue;
      const file = join(this.dir, name);
      try {
        const st = lstatSync(file);
        if (now - st.mtimeMs < GC_GRACE_MS) continue;
        unlinkSync(file);
        this.known.delete(name); // kept again later: written again
        removed++;
      } catch { /* gone meanwhile */ }
    }
    if (removed) this.log.debug(`removed ${removed} common version(s) no longer needed`);
    return removed;
  }

  /** Create the folder (0700) once; refuse a symlink or a non-folder in its place. */
  private prepare(): boolean {
    if (this.ready) return true;
    if (this.broken) return false;
    try {
      mkdirSync(this.stateDir, { recursive: true, mode: 0o700 });
      try { mkdirSync(this.dir, { mode: 0o700 }); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; }
      for (const d of [this.stateDir, this.dir]) {
        const st = lstatSync(d);
        if (st.isSymbolicLink() || !st.isDirectory()) throw new Error(`${d} is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}; refusing to write there`);
      }
      this.ready = true;
      return true;
    } catch (e) {
      this.broken = true;
      this.log.warn(`common versions for merges are not kept: ${errorMessage(e)}. Remove or fix ${this.dir} to keep them`);
      return false;
    }
  }
}

/** Every blob hash the state files (snapshots and journals) in `stateDir` refer to. */
export function referencedBases(stateDir: string): Set<string> {
  const refs = new Set<string>();
  let names: string[];
  try { names = readdirSync(stateDir); } catch { return refs; }
  const add = (v: unknown) => { if (typeof v === 'string' && HASH_RE.test(v)) refs.add(v); };
  for (const name of names) {
    const file = join(stateDir, name);
    if (name.endsWith('.json')) {
      try {
        const snap = JSON.parse(readFileSync(file, 'utf8')) as { entries?: Record<string, unknown[]> };
        for (const rec of Object.values(snap.entries ?? {})) if (Array.isArray(rec)) add(rec[5]);
      } catch { /* not a state file, or being replaced: its refs come back with the next compaction */ }
    } else if (name.endsWith('.journal')) {
      try {
        for (const line of readFileSync(file, 'utf8').split('\n')) {
          try { add((JSON.parse(line) as { s?: { base?: unknown } }).s?.base); } catch { /* torn line */ }
        }
      } catch { /* unreadable */ }
    }
  }
  return refs;
}
