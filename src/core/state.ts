// The last-sync state: for every path, what each side reported right after the last action on it.
//
// One state file per (local root, remote) pair, in `<local root>/.remote-sync/<id>.json`, where
// <id> is derived from the remote's URL (without password). Writes are crash-safe:
// - a snapshot file, replaced atomically (temp + fsync + rename);
// - a journal beside it (`<id>.journal`), one JSON line per completed action, appended as each
//   action finishes. Loading applies the journal on top of the snapshot (a torn last line from a
//   killed run is ignored; the next append starts on a fresh line). A run killed at any moment loses at most the record of
//   the action in flight — and the classifier's "compare first" step turns that into "equal".
// The folder and every file in it go through state/safe-fs.ts: created 0700 / 0600, never through
// a link, only files the user owns (a planted `<id>.journal -> ~/.bashrc` is an error, not a write).

import { closeSync, fdatasync, fstatSync, fsyncSync, lstatSync, readSync, readdirSync, rmSync, writeSync, type BigIntStats } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import type { Entry, EntryType, PathState } from './types.js';
import { SyncError } from './errors.js';
import { STATE_DIR } from './paths.js';
import { openOwnedFile, readOwnedFile, writeOwnedFileAtomic, writeOwnedFileInSteps } from './state/safe-fs.js';
import { checkStateDir, ensureStateDir } from './state/state-dir.js';
import { StateTable } from './state/table.js';
import { SnapshotFormatError, parseSnapshot } from './state/snapshot-parse.js';
import { SNAPSHOT_END, recordJson, snapshotHead, sortedRecords } from './state/snapshot-text.js';
import type { PathIndex } from './listing/listing.js';

// The snapshot on disk: {version: 1, local, remote, updated, entries: {path: [type, localSize,
// localMtime, remoteSize, remoteMtime, base?]}} (base: see core/merge/bases.ts); read by
// state/snapshot-parse.ts, written by compact() (its text: state/snapshot-text.ts).

export function stateFileFor(localRoot: string, remoteId: string): string {
  const id = createHash('sha256').update(remoteId).digest('hex').slice(0, 16);
  return join(localRoot, STATE_DIR, `${id}.json`);
}

export class StateStore {
  private entries = new StateTable();
  private exists = false;
  private journalFd: number | undefined;
  private journalLines = 0;
  /** valid lines of the journal file read by the last load (kept by settle(), replayed at each load) */
  private journalReplayed = 0;
  /** the snapshot's and the journal's identity when `entries` last matched them (undefined: reload) */
  private loadedFrom: string | undefined;
  /**
   * the journal's size after our own lines since its identity in `loadedFrom` was last taken
   * (undefined: none written since): the identity is taken again once, when it is next needed
   * (settleIdentity()), not with two fstat calls per line
   */
  private journalEnd: number | undefined;
  readonly journalFile: string;

  constructor(readonly file: string, private readonly localRoot: string, private readonly remoteId: string) {
    this.journalFile = file.replace(/\.json$/, '') + '.journal';
  }

  /**
   * Load snapshot + journal. Throws a clear error for a corrupt snapshot (never silently starts over).
   * Nothing is read again when neither file changed since the last load or our own last write
   * (same inode, size, mtime and ctime): a run calls this at open, plan and before executing.
   */
  load(): void {
    this.settleIdentity();
    // a link, a foreign folder or file: an error before anything is read or written
    if (!checkStateDir(this.localRoot)) {
      // (the folder removed since the last load: a listing made with pathIndex must stop using it)
      if (this.entries.size) { this.changes++; this.slotsMoved++; }
      this.entries = new StateTable();
      this.exists = false;
      this.loadedFrom = undefined;
      return;
    }
    const files = this.fingerprint();
    if (files === this.loadedFrom) return;
    this.loadedFrom = undefined;
    this.entries = new StateTable();
    this.exists = false;
    this.changes++;
    this.slotsMoved++;
    this.parse();
    this.parses++;
    this.loadedFrom = files;
  }

  /** how many times the files were actually read and parsed (tests, diagnostics) */
  parses = 0;
  /** bumped by every change of `entries` (a record, a load): a compaction in steps gives up when it moves */
  private changes = 0;

  /**
   * Before a locked change: pick up what another process wrote. When neither file changed since we
   * last read or wrote them, the open journal stays open (no fsync + reopen per save); else it is
   * closed and the files are read again.
   */
  refresh(): void {
    this.settleIdentity();
    if (this.loadedFrom !== undefined && this.fingerprint() === this.loadedFrom) return;
    this.closeJournal();
    this.load();
  }

  /** identity of the two files on disk (lstat: a link in their place is a change, then refused by the read) */
  private fingerprint(): string {
    return `${fileId(this.file)}|${fileId(this.journalFile)}`;
  }

  private parse(): void {
    const snap = readOwnedFile(this.file);
    if (snap !== undefined) {
      try {
        this.entries = parseSnapshot(snap);
      } catch (e) {
        if (!(e instanceof SnapshotFormatError)) throw e;
        throw new SyncError('io', 'The last-sync state file is unreadable', {
          path: this.file, detail: e.message,
          hint: 'Move it away to start over: the next sync then compares both sides as on a first run',
        });
      }
      this.exists = true;
    }
    this.journalReplayed = 0;
    const journalText = readOwnedFile(this.journalFile)?.toString('utf8');
    if (journalText !== undefined) {
      const lines = journalText.split('\n');
      for (const line of lines) {
        if (!line) continue;
        let rec: { p?: unknown; s?: PathState | null };
        try { rec = JSON.parse(line); } catch { continue; } // torn line of a killed run
        if (typeof rec?.p !== 'string') continue;
        if (rec.s) {
          const { type, local: l, remote: r, base } = rec.s;
          if (!l || !r || typeof l !== 'object' || typeof r !== 'object') continue; // not a line we wrote
          // (a number JSON cannot hold — NaN, written as null — or any other value: NaN, equal to nothing)
          this.entries.setRaw(rec.p, type === 'dir', num(l.size), num(l.mtime), num(r.size), num(r.mtime), typeof base === 'string' ? base : undefined);
        } else {
          this.entries.delete(rec.p);
        }
        this.journalReplayed++;
        this.exists = true;
      }
    }
  }

  /** Is there any record of an earlier sync of this pair? (no → every entry is "existing") */
  get hasState(): boolean { return this.exists; }
  get size(): number { return this.entries.size; }
  get(path: string): PathState | undefined { return this.entries.get(path); }
  /** bumped whenever a slot of `entries` may come to stand for another path (a record removed, a load) */
  private slotsMoved = 0;
  /** the paths' index the listings of a run share (ListOptions.index): their keys are the state's strings */
  readonly pathIndex: PathIndex = ((store: StateStore) => ({
    lookup: (path: string) => store.entries.lookup(path),
    keyAt: (slot: number) => store.entries.keyAt(slot),
    get generation() { return store.slotsMoved; },
    get size() { return store.entries.size; },
  }))(this);
  /** unchangedRaw for the path at a slot of pathIndex (valid while its generation holds) */
  unchangedAt(slot: number, localDir: boolean, localSize: number, localMtime: number, remoteDir: boolean, remoteSize: number, remoteMtime: number): boolean {
    return this.entries.unchangedAt(slot, localDir, localSize, localMtime, remoteDir, remoteSize, remoteMtime);
  }
  paths(): IterableIterator<string> { return this.entries.paths(); }
  countFiles(): number { return this.entries.fileCount; }
  /** there is a record of the path and both entries are unchanged since it (the planner's fast path) */
  unchangedPair(path: string, local: Entry, remote: Entry): boolean {
    return this.entries.unchangedPair(path, local, remote);
  }
  /** the same from the listed numbers (the planner's fast path: no Entry made) */
  unchangedRaw(path: string, localDir: boolean, localSize: number, localMtime: number, remoteDir: boolean, remoteSize: number, remoteMtime: number): boolean {
    return this.entries.unchangedRaw(path, localDir, localSize, localMtime, remoteDir, remoteSize, remoteMtime);
  }

  /** Record the pair after an action (null: forget the path). Journaled at once. */
  record(path: string, state: PathState | null): void {
    this.changes++;
    if (state) this.entries.set(path, state);
    else if (this.entries.delete(path)) this.slotsMoved++;
    this.exists = true;
    this.append(JSON.stringify({ p: path, s: state }) + '\n');
  }

  /** `base`: the common version kept for merges (core/merge/bases.ts), when there is one */
  recordPair(path: string, type: EntryType, local: Entry, remote: Entry, base?: string): void {
    const st: PathState = {
      type,
      local: { size: local.size, mtime: local.mtime },
      remote: { size: remote.size, mtime: remote.mtime },
    };
    if (base) st.base = base;
    this.record(path, st);
  }

  /** Forget a path and everything below it. */
  forgetTree(path: string): void {
    const prefix = path + '/';
    const doomed = [path];
    for (const p of this.entries.paths()) if (p.startsWith(prefix)) doomed.push(p);
    for (const p of doomed) if (this.entries.has(p)) this.record(p, null);
  }

  private append(line: string): void {
    if (this.journalFd === undefined) {
      ensureStateDir(this.localRoot);
      this.journalFd = openOwnedFile(this.journalFile, 'append');
      // a killed run may have left a torn last line: start ours on a fresh line
      const size = fstatSync(this.journalFd).size;
      if (size > 0) {
        const last = Buffer.alloc(1);
        readSync(this.journalFd, last, 0, 1, size - 1);
        if (last[0] !== 0x0a) writeSync(this.journalFd, '\n');
      }
    }
    // the journal as we knew it plus our lines: still in step with the file (else the next load reads
    // it). Checked before our first line since the identity was taken; after that only our lines'
    // bytes are counted (a line of anyone else makes the journal longer: settleIdentity())
    if (this.loadedFrom !== undefined && this.journalEnd === undefined) {
      const st = fstatSync(this.journalFd, { bigint: true });
      const before = idOf(st);
      const journalId = this.loadedFrom.slice(this.loadedFrom.indexOf('|') + 1);
      if (journalId === before || (journalId === '-' && st.size === 0n)) this.journalEnd = Number(st.size);
      else this.loadedFrom = undefined;
    }
    const n = writeSync(this.journalFd, line);
    this.journalLines++;
    if (this.journalEnd !== undefined) this.journalEnd += n;
  }

  /**
   * After our lines: the journal's identity taken again (one fstat for any number of lines), kept
   * only when the journal is exactly as long as our lines left it — the journal only grows by
   * appends (O_APPEND), so anyone else's line makes it longer and the next load reads it.
   */
  private settleIdentity(): void {
    const end = this.journalEnd;
    if (end === undefined) return;
    this.journalEnd = undefined;
    if (this.loadedFrom === undefined || this.journalFd === undefined) { this.loadedFrom = undefined; return; }
    const st = fstatSync(this.journalFd, { bigint: true });
    this.loadedFrom = st.size === BigInt(end) ? `${this.loadedFrom.slice(0, this.loadedFrom.indexOf('|'))}|${idOf(st)}` : undefined;
  }

  /**
   * The end of a run: a short journal — a few changed paths beside a large snapshot — is made
   * durable (fsync) and kept for the next load to replay, instead of the whole snapshot being
   * rewritten and flushed for a handful of lines; a long journal, or one without a snapshot, is
   * compacted. (The editor also compacts when saves pause: session/idle-compact.ts.)
   */
  settle(): void {
    if (this.journalLines === 0 && !pathExists(this.journalFile)) return;
    const lines = this.journalReplayed + this.journalLines;
    if (!pathExists(this.file) || lines > Math.max(KEEP_JOURNAL_LINES, this.entries.size / 16)) {
      this.compact();
      return;
    }
    this.closeJournal();
  }

  /** Write the snapshot atomically and drop the journal. Cheap no-op when nothing was journaled. */
  compact(force = false): void {
    if (!force && this.journalLines === 0 && !pathExists(this.journalFile)) return;
    ensureStateDir(this.localRoot);
    writeOwnedFileAtomic(this.file, this.snapshotText());
    this.closeJournal();
    this.dropJournal();
  }

  /**
   * compact() for when saves pause, never holding up one that comes: the snapshot is built in
   * slices (yielding to the event loop) and written and flushed by the thread pool. It is given up —
   * the journal stays, nothing is lost — as soon as `stop()` says so or `giveUp` settles, and when
   * anything was recorded meanwhile (those lines would go with the journal). The last step (rename
   * over the snapshot, drop the journal) is synchronous, right after the last check.
   * True when compacted (or nothing to do).
   */
  async compactInSteps(stop: () => boolean, giveUp: Promise<unknown>, sliceMs = 4): Promise<boolean> {
    if (this.journalLines === 0 && !pathExists(this.journalFile)) return true;
    const start = this.changes;
    const go = () => this.changes === start && !stop();
    const head = this.snapshotHead();
    const records = sortedRecords(this.entries);
    const parts: string[] = [];
    for (let i = 0; i < records.length;) {
      const until = performance.now() + sliceMs;
      while (i < records.length && (i % 256 !== 0 || performance.now() < until)) parts.push(recordJson(records[i++]));
      if (i < records.length) {
        await new Promise<void>((r) => setImmediate(r));
        if (!go()) return false;
      }
    }
    ensureStateDir(this.localRoot);
    if (!(await writeOwnedFileInSteps(this.file, head + parts.join(',') + SNAPSHOT_END, go, giveUp))) return false;
    // synchronous from the last check on: no line can come in between. The journal's lines are all in
    // the snapshot just flushed: it is dropped without a flush of its own
    this.closeJournal(false);
    this.dropJournal();
    return true;
  }

  /** the snapshot as JSON (the format 0.1 and 0.2 read), paths sorted, built record by record */
  private snapshotText(): string {
    return this.snapshotHead() + sortedRecords(this.entries).map(recordJson).join(',') + SNAPSHOT_END;
  }

  private snapshotHead(): string {
    return snapshotHead(this.localRoot, this.remoteId);
  }

  /** after a snapshot was written: the journal is gone, the files hold exactly `entries` */
  private dropJournal(): void {
    rmSync(this.journalFile, { force: true });
    this.journalLines = 0;
    this.journalReplayed = 0;
    this.exists = true;
    this.afterCompact?.();
    this.journalEnd = undefined;
    this.loadedFrom = this.fingerprint();
  }


  /**
   * Temp files of a snapshot write that was killed (`<id>.json.<hex>.tmp`, see writeOwnedFileAtomic).
   * Call only holding the pair's lock: another process's compaction may be writing one.
   */
  removeLeftoverTemps(): void {
    const dir = dirname(this.file);
    const prefix = `${basename(this.file)}.`;
    let names: string[];
    try { names = readdirSync(dir); } catch { return; }
    for (const n of names) if (n.startsWith(prefix) && /^[0-9a-f]{8}\.tmp$/.test(n.slice(prefix.length))) rmSync(join(dir, n), { force: true });
  }
  /** called after each compaction that wrote a snapshot (the merge-base store collects unreferenced blobs) */
  afterCompact?: () => void;

  /** close the journal, flushed first (`flush`: false when a snapshot that holds its lines was just flushed) */
  closeJournal(flush = true): void {
    this.settleIdentity();
    const fd = this.journalFd;
    if (fd === undefined) return;
    this.journalFd = undefined;
    if (flush) { try { fsyncSync(fd); } catch { /* best effort */ } }
    // a flush in progress (flushJournal) closes it when it ends
    if (this.flushing.has(fd)) this.closeAfterFlush.add(fd);
    else closeSync(fd);
  }

  /**
   * Make the journal's lines durable without holding up the event loop (fdatasync in the thread
   * pool), keeping it open for the next line. Lines need no flush of their own as they are written:
   * a killed process loses nothing written, and a crash of the machine at most the last lines —
   * which the classifier's "compare first" then finds equal.
   */
  flushJournal(): Promise<void> {
    const fd = this.journalFd;
    if (fd === undefined) return Promise.resolve();
    this.flushing.add(fd);
    return new Promise<void>((resolve) => {
      fdatasync(fd, () => {
        this.flushing.delete(fd);
        if (this.closeAfterFlush.delete(fd)) closeSync(fd);
        resolve();
      });
    });
  }

  private readonly flushing = new Set<number>();
  private readonly closeAfterFlush = new Set<number>();

  /** Number of journal lines since the last compaction (the extension compacts when it grows). */
  get pending(): number { return this.journalLines; }
}

/** inode:size:mtime:ctime (ns) of a path, not following a link; '-' when missing */
function fileId(p: string): string {
  try {
    const st = lstatSync(p, { bigint: true });
    return `${st.ino}:${st.mtimeNs}:${st.ctimeNs}:${st.size}`;
  } catch {
    return '-';
  }
}

/** as fileId(), of what fstat says */
function idOf(st: BigIntStats): string {
  return `${st.ino}:${st.mtimeNs}:${st.ctimeNs}:${st.size}`;
}

/** a record's number as written (JSON writes NaN as null): anything else is NaN, never a number it was not */
const num = (v: unknown): number => (typeof v === 'number' ? v : NaN);

/** settle() keeps a journal of up to this many lines (or a sixteenth of the entries, if more) */
const KEEP_JOURNAL_LINES = 64;

/** lstat: a link counts as there (existsSync would follow it) */
function pathExists(p: string): boolean {
  try { lstatSync(p); return true; } catch { return false; }
}
