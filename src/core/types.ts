// Core contracts of the engine. Nothing here (or anywhere under src/core) imports `vscode`.
//
// Paths inside the engine are *relative POSIX paths* from a target's root: "a/b.txt",
// never with a leading or trailing slash; the root itself is "".

import type { Readable } from 'node:stream';
import type { Listing, PathIndex } from './listing/listing.js';

export type EntryType = 'file' | 'dir';

/** What one side reports for one path. */
export interface Entry {
  path: string;
  type: EntryType;
  /** bytes; 0 for folders */
  size: number;
  /** modification time in ms since the epoch, as the side reports it (folders: informative only) */
  mtime: number;
  /** permission bits (0o777) where the side reports them (local, SFTP, FTP with UNIX.mode or LIST) */
  mode?: number;
}

export type TargetKind = 'local' | 'sftp' | 'ftp';

export interface TargetCapabilities {
  /** the target can set a file's mtime after writing it */
  setMtime: boolean;
  /** resolution of the mtimes the target reports, in ms (1 for local, 1000 for SFTP / MLSD, 60000 for LIST) */
  mtimeResolutionMs: number;
  /** transfers that may run at once (SFTP: pipelined on one channel; FTP: one connection each) */
  maxConcurrency: number;
  /** why this side cannot store a name (one path segment) exactly as written, or undefined (see core/names) */
  nameProblem?: (name: string) => string | undefined;
  /** names that differ only in case are one file here (probed once per connection by the session) */
  caseInsensitive?: boolean;
  /** write() honours WriteOptions.expect: the re-check before overwrite is made inside the write */
  recheckOnWrite?: boolean;
  /** write() honours WriteOptions.newOnly itself, right before its rename (FTP: in the replace's exchange) */
  checksNewOnly?: boolean;
  /**
   * copies the executor keeps going per unit of maxConcurrency (default 1). FTP: 2, so that another
   * file waits for each connection: an upload's rename goes out with the next file's first command
   * (targets/ftp-replace.ts), one socket write and server wake-up less per file
   */
  transferOverlap?: number;
}

export interface ListOptions {
  /**
   * Called for every entry found; return false to leave it (and, for a folder, everything
   * below it) out of the listing. Used to skip excluded trees without walking them.
   */
  include?: (path: string, type: EntryType) => boolean;
  signal?: AbortSignal;
  /**
   * The last-sync state's path index (the session passes it): the listing finds the paths the state
   * knows through it and keeps the state's own string for each (listing/listing.ts).
   */
  index?: PathIndex;
  /**
   * Names that include() turns down wherever they are (for a folder: with everything below it): a
   * target may leave their content unread. include() is still asked about the entry itself.
   */
  prune?: readonly PruneName[];
  /** only part of the tree is wanted (a run limited to some paths): include() admits little of it */
  scoped?: boolean;
}

/** a name excluded at any depth (`dirOnly`: folders of that name only) */
export interface PruneName { name: string; dirOnly: boolean }

export interface WriteOptions {
  /** mtime to set on the written file, where the target allows */
  mtime?: number;
  /** expected size, for progress */
  size?: number;
  /** the source's permission bits, for a new file's mode (see targets/modes.ts) */
  mode?: number;
  /** what the plan saw at the destination: null no file, a number the mode of the file replaced,
   *  undefined not known (the target looks itself where it needs to) */
  destMode?: number | null;
  /**
   * The file the caller saw at `path` (targets with capabilities.recheckOnWrite): when the file
   * there now differs (size, mtime; see transfer/recheck.ts), the write fails and nothing is
   * replaced. Looked at with the write's own requests, compared just before the rename.
   */
  expect?: Entry;
  signal?: AbortSignal;
  /** bytes written so far (cumulative) */
  onProgress?: (bytes: number) => void;
  /** called with the temp file (relative path) once its content is complete, before it is renamed over
   *  `path` (verify "hash": the temp is hashed here, so a bad copy never replaces the file); a throw
   *  fails the write and the temp is removed */
  beforeRename?: (tmp: string) => Promise<void>;
  /** the plan saw no file at `path`: one that has appeared since is not written over (DestinationAppeared,
   *  transfer/dest-check.ts); honoured by targets with `capabilities.checksNewOnly` (the others are checked before) */
  newOnly?: boolean;
}

/**
 * A removal of exactly what a plan or a confirmation showed: the folder is walked (links not followed)
 * and only the entries `only` accepts are removed (files and links, then the folders, deepest first,
 * with a removal that fails on a folder that is not empty). Anything else found there — a file added
 * since the plan, an excluded one, a name the sync cannot hold — stays, and so does every folder
 * above it. Links (removed as links: they hold no data) and our own temp files (`.rs-tmp-…`,
 * interrupted writes) go with their folder, shown or not.
 */
export interface RemoveDirOptions {
  /** relative path → remove it (the folder itself is always accepted); `now`: for a file, its size and
   *  mtime as the target sees it right before removing it (a file changed since the plan is left) */
  only?: (path: string, now?: { size: number; mtime: number }) => boolean;
}

/** options of Target.stat */
export interface StatOptions {
  /**
   * something at the name that is neither a file nor a folder (a link the side does not follow, as
   * FTP's MLST `type=OS.unix=slink`; a link whose target is gone; a device or fifo) is an error naming it, never "nothing there": for the checks made right before a
   * write, rename or delete, which must not take such a name as free
   */
  strict?: boolean;
}

/**
 * A place files live: a local folder, an SFTP folder, an FTP folder. Symmetric: the engine
 * does not care which side is "local" except for naming.
 *
 * Errors: methods reject with a `SyncError` (see errors.ts) carrying the path and the
 * server's message. `stat` resolves `undefined` for a path that does not exist.
 */
export interface Target {
  readonly kind: TargetKind;
  /** human-readable location, no password: "/home/me/site", "sftp://me@host:22/var/www" */
  readonly display: string;
  readonly capabilities: TargetCapabilities;

  /** connect (idempotent); a target re-opens by itself after a dropped connection */
  open(): Promise<void>;
  /**
   * optional: while open() runs, resolves once it waits on the server alone (FTP: the password is
   * sent, and checking it takes the server tens of ms); the session reads its state meanwhile
   */
  loginSent?(): Promise<void>;
  close(): Promise<void>;

  /** recursive listing of everything below the root (not the root itself), keyed by path (compact:
   *  see listing/listing.ts); rejects with SyncError('not-found') when the root folder does not exist */
  list(options?: ListOptions): Promise<Listing>;
  /** a file or folder at `path` (links followed where the side follows them), else undefined; see StatOptions */
  stat(path: string, options?: StatOptions): Promise<Entry | undefined>;

  /**
   * stream a file's content (streamed: never buffers a whole file); from byte `offset` on (a resumed
   * transfer); `end`: the bytes wanted stop there (a hint so that no more is fetched; a stream may go on)
   */
  read(path: string, signal?: AbortSignal, offset?: number, end?: number): Promise<Readable>;
  /**
   * Write `path` from `source` *atomically*: the content goes to a temporary name in the
   * same folder (see `tempName`), which is then renamed over `path`; on failure the temp is
   * removed. Parent folders must exist. Sets the mtime where possible. Resolves with what the
   * target reports for `path` afterwards.
   */
  write(path: string, source: Readable, options?: WriteOptions): Promise<Entry>;
  /** mkdir -p; `mkdir('')` creates the root folder (and its parents) if missing */
  mkdir(path: string): Promise<void>;
  /** remove a file (no error if already gone) */
  removeFile(path: string): Promise<void>;
  /**
   * Remove a folder and everything below it (no error if already gone); a link is removed as a link,
   * never followed. With `only`, exactly what the caller saw: see RemoveDirOptions. Returns the paths
   * left in place (always empty without `only`).
   */
  removeDir(path: string, options?: RemoveDirOptions): Promise<string[]>;
  /**
   * `newOnly`: `to` gets the name only where nothing is; a file (or anything) there is never replaced
   * (DestinationAppeared, or the server's refusal). Where the server cannot refuse atomically (an FTP
   * server that renames over) a look just before is all there is.
   */
  rename(from: string, to: string, options?: { newOnly?: boolean }): Promise<void>;
}

/** What the state store remembers of one path, per side, as reported right after the last sync. */
export interface SideState {
  size: number;
  mtime: number;
}
export interface PathState {
  type: EntryType;
  local: SideState;
  remote: SideState;
  /** files: the common version kept for merges (a blob hash, or "binary" / "large"; see core/merge/bases.ts) */
  base?: string;
}

export type Side = 'local' | 'remote';

/**
 * Class of one side of a path against the last-sync state:
 * - new: present, no state for the path (and there is state for the pair)
 * - existing: present, and there is no state at all yet (first sync)
 * - unmodified / modified: present, state says what this side reported last time
 * - deleted: absent, but the state has it
 * - missing: absent, and no state for it
 */
export type EntryClass = 'new' | 'existing' | 'unmodified' | 'modified' | 'deleted' | 'missing';

export type SyncMode = 'upload' | 'download' | 'sync';

export type ConflictKind =
  | 'both-modified'      // both sides changed the file since the last sync
  | 'both-new'           // the name appeared on both sides with different content
  | 'modified-deleted'   // changed on one side, deleted on the other
  | 'folder-deleted'     // a folder deleted on one side while something below it changed on the other
  | 'type-mismatch'      // a file on one side, a folder on the other
  | 'case-clash';        // names that differ only in case, going to a side that cannot tell them apart

export type Resolution = 'local' | 'remote' | 'skip';
/** what `ask` may answer for one conflict: a side, skip, or a three-way merge */
export type Answer = Resolution | 'merge';
export type ResolveStrategy = 'ask' | 'skip' | 'local' | 'remote' | 'new' | 'old' | 'merge';

export type ActionKind =
  | 'upload' | 'download'
  | 'mkdir-remote' | 'mkdir-local'
  | 'delete-remote' | 'delete-local'
  | 'equal'        // both sides equal: record state (nothing transferred)
  | 'forget'       // gone on both sides: drop the state entry
  | 'merged'       // both modified: three-way merge, the result written to both sides (core/merge)
  | 'conflict'     // unresolved: nothing done
  | 'skip';        // a one-way run leaves this alone (reason says why)

export interface Action {
  kind: ActionKind;
  path: string;
  type: EntryType;
  /** one short sentence: why this action */
  reason: string;
  local?: Entry;
  remote?: Entry;
  localClass: EntryClass;
  remoteClass: EntryClass;
  /** bytes this action moves (uploads/downloads) */
  bytes: number;
  conflict?: ConflictKind;
  /** for folder actions that cover a subtree (delete a folder, resolve a folder conflict) */
  children?: string[];
  /** the files below a folder this action removes, as the plan saw them on that side (size, mtime):
   *  one changed since is left in place (RemoveDirOptions.only); a path not here was no file there */
  shownFiles?: Record<string, { size: number; mtime: number }>;
  /** deletions: how many files this action removes (a folder: the files below it) */
  fileCount?: number;
  /** the destination holds an entry of the other type (file ↔ folder) that goes first */
  replace?: boolean;
  /** a folder delete of --delete-unmatched: the folder is excluded, so what it holds was never listed and goes with it
   *  (any other folder removal takes exactly `children`: RemoveDirOptions.only) */
  wholeFolder?: boolean;
  /** conflicts: what each resolution would do (computed at plan time, so resolving is pure) */
  alternatives?: { local: Action[]; remote: Action[] };
  /** a case-only rename on a case-insensitive destination: its old spelling there, renamed before the copy */
  caseRename?: Entry;
  /** set when a conflict was resolved by a strategy or the user */
  resolvedBy?: ResolveStrategy | 'user';
}

export interface Plan {
  mode: SyncMode;
  local: string;
  remote: string;
  /** every action that changes something (no 'equal' without a state change) in execution order */
  actions: Action[];
  /** paths found in sync (for the summary; no action needed) */
  inSync: number;
  /** state entries to write without any transfer (equal pairs whose state was stale) */
  stateOnly: Action[];
  /** file counts, for the safety checks */
  counts: { localFiles: number; remoteFiles: number; stateFiles: number; hadState: boolean };
  /** names the server listed that are not plain file names (reported, never written locally) */
  badNames: string[];
  /** entries not synced because of their name, or because they could not be read (each one an error) */
  notSynced?: NotSynced[];
}

/** An entry left out of the sync because of its name or because it could not be read. */
export interface NotSynced {
  path: string;
  /** the side it was seen on (for a name a side cannot store: that side) */
  side: Side;
  message: string;
}

export interface Stats {
  uploaded: number;
  downloaded: number;
  deletedLocal: number;
  deletedRemote: number;
  foldersCreated: number;
  bytesUp: number;
  bytesDown: number;
  conflicts: number;
  /** files merged (three-way) and written to both sides */
  merged?: number;
  skipped: number;
  errors: number;
  inSync: number;
  elapsedMs: number;
}

export interface ActionError {
  path: string;
  kind: ActionKind;
  message: string;
}

export interface SyncResult {
  plan: Plan;
  stats: Stats;
  /** conflicts left unresolved, with their reasons */
  conflicts: Action[];
  errors: ActionError[];
  /** actions that completed */
  done: Action[];
  cancelled: boolean;
  /** the time limit (--max-duration / --stop-at) came before every action ran: what was left for the next run */
  timeUp?: TimeUp;
  /** verify "hash": how each side's files were hashed (e.g. "FTP XSHA256", "sha256sum over SSH", "read back") */
  hashMethods?: { local: string[]; remote: string[] };
}

export interface TimeUp {
  by: 'max-duration' | 'stop-at';
  /** actions not started */
  left: Action[];
  /** bytes those would have moved */
  leftBytes: number;
}

export type ProgressEvent =
  | { type: 'plan'; plan: Plan }
  | { type: 'action-start'; action: Action }
  | { type: 'action-done'; action: Action }
  | { type: 'action-error'; action: Action; error: string }
  | { type: 'bytes'; path: string; bytes: number; total: number; rate?: number; etaSeconds?: number }
  /** rate: bytes/s over the last seconds; etaSeconds: time left at that rate; current: a file in transfer */
  | { type: 'stats'; filesDone: number; filesTotal: number; bytesDone: number; bytesTotal: number; rate?: number; etaSeconds?: number; current?: string };

// where and how to reach a target, and what a login may ask (remote-spec.ts)
export type { RemoteSpec, SshAlgorithms, Credentials, CertificateInfo, PromptRequest, HostKeyInfo } from './remote-spec.js';

export interface Logger {
  error(msg: string): void;
  warn(msg: string): void;
  info(msg: string): void;
  debug(msg: string): void;
}

export const nullLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };
