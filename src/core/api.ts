// The engine's public surface for the CLI and the extension. Implemented by SyncSession (session.ts).

import type { Readable } from 'node:stream';
import type {
  Action, Answer, Entry, EntryType, PathState, Plan, ProgressEvent, Resolution, ResolveStrategy, SyncMode, SyncResult, Target, Logger,
} from './types.js';
import type { LockOptions } from './lock.js';
import type { TransferSettings } from './transfer/policy.js';
import type { FolderItem } from './status/folder.js';
import type { DeleteCheck } from './status/remote-delete.js';
import type { ServerCheckResult } from './status/server-check.js';

export type RemoteDeleteResult =
  | { status: 'deleted'; files: number }
  | { status: 'gone' }
  /** not deleted: the server's copy changed since the last sync, or holds entries the sync leaves out (confirm
   *  again with `confirmed: check`); `notConfirmed`: what is there that the confirmation did not cover */
  | { status: 'changed'; check: DeleteCheck; notConfirmed?: string[] };

export interface FilterOptions {
  /** only these (gitignore-like globs); empty/undefined = everything */
  match?: string[];
  /** leave these out (gitignore-like globs); the defaults (.git, .hg, .svn, .DS_Store, state dir) always apply */
  exclude?: string[];
  /** names of ignore files (".gitignore") read in the local root and every subfolder; their patterns are added to `exclude` */
  ignoreFiles?: string[];
}

export interface SessionOptions {
  local: Target;
  remote: Target;
  /** absolute path of the local root folder (where the state dir lives) */
  localRoot: string;
  /** stable id of the remote (URL without password); names the state file */
  remoteId: string;
  filter?: FilterOptions;
  log?: Logger;
  /** one sync at a time per pair (see lock.ts): wait for a running one (default) or fail at once */
  lock?: Pick<LockOptions, 'wait' | 'onWait' | 'owner'>;
  /** common versions kept for three-way merges (default: text files up to 1 MB); false: none kept */
  mergeBase?: { maxFileSize: number } | false;
  /**
   * saves grow the state's journal; it is compacted once saves pause for this long (ms, default
   * 1000), never on a save's path (see SyncSession.saveFiles)
   */
  idleCompactMs?: number;
}

export interface PlanOptions {
  mode: SyncMode;
  /** upload/download: also delete on the destination what the source no longer has */
  delete?: boolean;
  /** delete on the destination also what the filters exclude (implies delete) */
  deleteUnmatched?: boolean;
  /** upload/download: overwrite the destination even where it changed since the last sync (not a conflict) */
  force?: boolean;
  /** limit the run to these paths and the subtrees below them (explorer actions, current file) */
  paths?: string[];
  /** safety: the most deletions allowed on one side: a count, or "N%" of that side's files (default "50%") */
  maxDelete?: number | string;
  /** --checksum: pairs never synced with equal size and mtime are compared by content hash too */
  checksum?: boolean;
  signal?: AbortSignal;
}

export interface RunOptions extends PlanOptions {
  dryRun?: boolean;
  /** how conflicts are decided (default 'skip'); 'ask' calls `ask` for each */
  resolve?: ResolveStrategy;
  ask?: (conflict: Action) => Promise<Answer>;
  concurrency?: number;
  onProgress?: (event: ProgressEvent) => void;
  /** large files and slow links: retries, bandwidth limit, time limit, order, verify (core/transfer/policy.ts) */
  transfer?: TransferSettings;
}

export type SaveOutcome =
  | { status: 'uploaded'; action: Action }
  /** the server copy had changed too: merged cleanly, the result written to both sides (`merge: true`) */
  | { status: 'merged'; action: Action }
  | { status: 'in-sync'; reason: string }
  | { status: 'conflict'; action: Action }
  | { status: 'excluded'; reason: string }
  /** this file failed (the others in the batch still went): message names the cause */
  | { status: 'error'; message: string };

export interface SyncEngine {
  open(): Promise<void>;
  close(): Promise<void>;
  /** build the plan: lists both sides, classifies, compares where needed; changes nothing */
  plan(options: PlanOptions): Promise<Plan>;
  /** apply resolution strategy to the plan's conflicts (pure for all but 'ask') */
  resolveConflicts(plan: Plan, strategy: ResolveStrategy, ask?: (c: Action) => Promise<Answer>): Promise<Plan>;
  /** execute a plan; safety checks run first; state is journaled after each action */
  execute(plan: Plan, options?: Omit<RunOptions, 'mode'>): Promise<SyncResult>;
  /** plan + resolve + execute (or just report with dryRun) */
  run(options: RunOptions): Promise<SyncResult>;
  /** upload on save: one remote stat, classified against the state; never overwrites a changed remote */
  /** `merge`: a server copy that changed too is merged (three-way) and uploaded when that is clean */
  saveFiles(paths: string[], options?: { signal?: AbortSignal; force?: boolean; merge?: boolean }): Promise<Map<string, SaveOutcome>>;
  /** apply the user's decision for one conflict (or any path): transfer and record state */
  resolvePath(path: string, resolution: Resolution, options?: ResolvePathOptions): Promise<SyncResult>;
  /** three-way merge of one conflicting file: written to both sides when clean; else the versions to merge by hand */
  mergePath(path: string, options?: { signal?: AbortSignal }): Promise<MergePathOutcome>;
  /** the remote side of a file, streamed (diff view) */
  readRemote(path: string, signal?: AbortSignal): Promise<Readable>;
  /** what the server reports for one path (undefined: absent) */
  statRemote(path: string): Promise<Entry | undefined>;
  /** one folder of the server (lazily, for the remote explorer): its children with their sync status */
  listFolder(dir: string, signal?: AbortSignal): Promise<FolderItem[]>;
  /** one check of the server (server watch): only the server listed, compared with the state; nothing transferred */
  checkServer(signal?: AbortSignal): Promise<ServerCheckResult>;
  /** how many files the last-sync state knows (the base of a maxDelete percentage) */
  syncedFiles(): number;
  /** the last-sync record of a path (undefined: never synced), read from the state as it is now */
  lastSync(path: string): PathState | undefined;
  /**
   * Delete a path on the server only (the remote explorer). Nothing is deleted when the server's copy
   * changed since the last sync, or holds entries the sync leaves out: the result names them, and a
   * delete with `confirmed` (that check) removes them only while nothing else is there. The path's
   * state is forgotten, so the next sync uploads a local copy again (nothing is lost).
   */
  deleteRemote(path: string, options?: { confirmed?: DeleteCheck; signal?: AbortSignal }): Promise<RemoteDeleteResult>;
  /** why a path is left out of every sync, naming the pattern; undefined when it takes part */
  excludedBy(path: string, type: EntryType): string | undefined;
}

export interface ResolvePathOptions {
  signal?: AbortSignal;
  /**
   * What the user decided on (the conflict's entries, as shown): the side given up must still be that —
   * a file, or nothing there (null) — or nothing is written (a 'safety' error). Unset: whatever is there now.
   */
  expect?: { local?: Entry | null; remote?: Entry | null };
}

export type MergePathOutcome =
  /** merged cleanly and written to both sides; `previous`: the local file before (for Undo) */
  | { status: 'merged'; previous: Buffer; undo(): Promise<void> }
  /** overlapping changes (or nothing to merge): `reason` says why; the three versions when they could be read */
  | { status: 'conflict'; reason: string; base?: Buffer; local?: Buffer; remote?: Buffer }
  /** the file is not in conflict (any more) */
  | { status: 'no-conflict'; reason: string };
