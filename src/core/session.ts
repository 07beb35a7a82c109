// SyncSession: the engine facade the CLI and the extension use. Holds the two targets (kept open
// between calls: the extension's warm connection), the filter and the last-sync state.

import type { Readable } from 'node:stream';
import type { Action, Answer, Entry, EntryType, Logger, PathState, Plan, Resolution, ResolveStrategy, SyncResult, Target } from './types.js';
import { nullLogger } from './types.js';
import type { MergePathOutcome, PlanOptions, RemoteDeleteResult, ResolvePathOptions, RunOptions, SaveOutcome, SessionOptions, SyncEngine } from './api.js';
import { sameEntry } from './transfer/recheck.js';
import type { DeleteCheck } from './status/remote-delete.js';
import { Filter } from './filter.js';
import { readIgnoreFiles } from './ignore/ignore-files.js';
import { StateStore, stateFileFor } from './state.js';
import { buildPlan, buildForcedPlan } from './planner.js';
import { resolvePlan } from './resolve.js';
import { executePlan, emptyStats } from './executor.js';
import { checkSafety } from './safety.js';
import { normalizeRelPath } from './paths.js';
import { decideSave } from './save.js';
import { mapLimit } from './pool.js';
import { SyncError, errorMessage } from './errors.js';
import { lockFileFor } from './lock.js';
import { PairLock } from './session/pair-lock.js';
import { transferPolicy } from './transfer/policy.js';
import { PartialStore } from './transfer/partials.js';
import { DEFAULT_RESUME_ABOVE } from './transfer/resume.js';
import { cleanRunPartials, cleanStaleTemps } from './transfer/cleanup.js';
import { KeptTemps, finishKeptRenames, keptNames } from './transfer/kept-temps.js';
import { join } from 'node:path';
import { STATE_DIR } from './paths.js';
import { BaseStore, DEFAULT_MERGE_BASE_MAX } from './merge/bases.js';
import { mergeBlocker } from './merge/perform.js';
import { mergeOnePath } from './merge/path.js';
import { previewMerges } from './merge/preview.js';
import type { FolderItem } from './status/folder.js';
import type { ServerCheckResult } from './status/server-check.js';
import { checkServerNow, deleteRemotePath, listFolderItems, type ExplorerContext } from './status/explorer.js';
import { nothingDone, notSyncedErrors } from './session/results.js';
import { IdleCompactor } from './session/idle-compact.js';
import { listBoth, planInputOf, type ListContext } from './session/listings.js';


export class SyncSession implements SyncEngine {
  readonly local: Target;
  readonly remote: Target;
  readonly filter: Filter;
  readonly state: StateStore;
  /** common versions for three-way merges (undefined: "mergeBase": false) */
  readonly bases: BaseStore | undefined;
  private readonly log: Logger;
  private opened = false;
  /** case-insensitive sides, probed once per connection (undefined: not known yet) */
  private caseInsensitive: { local?: boolean; remote?: boolean } = {};
  /** the journal's flush and compaction once saves pause (session/idle-compact.ts) */
  private readonly idle: IdleCompactor;
  /** the pair's lock as this session holds it (session/pair-lock.ts) */
  private readonly pairLock: PairLock;
  /** temps kept on the server as the only copy of an upload whose rename failed (transfer/kept-temps.ts) */
  private readonly kept: KeptTemps;

  constructor(readonly options: SessionOptions) {
    this.local = options.local;
    this.remote = options.remote;
    const f = options.filter ?? {};
    // ignore files (.gitignore): their patterns, read from the local tree, join the excludes
    const fromFiles = f.ignoreFiles?.length ? readIgnoreFiles(options.localRoot, f.ignoreFiles, f.exclude) : [];
    this.filter = new Filter(fromFiles.length ? { ...f, exclude: [...(f.exclude ?? []), ...fromFiles] } : f);
    this.log = options.log ?? nullLogger;
    this.state = new StateStore(stateFileFor(options.localRoot, options.remoteId), options.localRoot, options.remoteId);
    this.bases = options.mergeBase === false ? undefined
      : new BaseStore(join(options.localRoot, STATE_DIR), options.mergeBase?.maxFileSize ?? DEFAULT_MERGE_BASE_MAX, this.log);
    this.state.afterCompact = () => { this.bases?.collect(); };
    this.pairLock = new PairLock(lockFileFor(this.state.file), options.lock ?? {}, options.idleCompactMs ?? 1000);
    this.idle = new IdleCompactor({
      state: this.state, log: this.log, isOpen: () => this.opened, exclusive: (fn) => this.exclusive(undefined, fn),
      flushBases: () => this.bases?.flush() ?? Promise.resolve(),
    }, options.idleCompactMs);
    this.kept = new KeptTemps(options.localRoot, options.remoteId);
  }

  /** renames an earlier run could not finish are finished before anything is listed or planned */
  private finishKept(): Promise<void> {
    return finishKeptRenames(this.kept, {
      local: this.local, remote: this.remote, log: this.log,
      record: (p, l, r) => this.state.recordPair(p, 'file', l, r),
    });
  }

  /**
   * finishKept() for a plan made outside a run (the editor plans, shows, then executes): the renames
   * change the server and the state, so they take the pair's lock — without waiting: while another
   * process syncs they are left for the next run or save (its plan shows such a file as a conflict,
   * modified here and missing on the server, never as a delete)
   */
  private async finishKeptUnlocked(): Promise<void> {
    if (this.kept.all().length === 0) return;
    try {
      await this.exclusive(undefined, () => this.finishKept(), false, false);
    } catch (e) {
      if (!(e instanceof SyncError && e.code === 'busy')) throw e;
      this.log.debug('renames left to finish on the server wait: another sync of this pair is running');
    }
  }

  get stateFile(): string { return this.state.file; }

  async open(): Promise<void> {
    if (this.opened) return;
    // the state is read while the connection is being made (the handshake mostly waits on the server)
    const opening = Promise.all([this.local.open(), this.remote.open()]);
    // (a synchronous load right away would hold up the login's first round trips until it is done)
    const waiting = this.remote.loginSent?.();
    if (waiting) await Promise.race([opening, waiting]).catch(() => undefined);
    try {
      this.state.load();
    } catch (e) {
      await opening.catch(() => undefined);
      throw e;
    }
    await opening;
    this.opened = true;
  }

  async close(): Promise<void> {
    this.idle.cancel();
    try {
      if (this.opened) await this.settleOnClose();
    } finally {
      await this.bases?.flush();
      this.state.closeJournal();
      this.pairLock.releaseKept();
      this.opened = false;
      this.caseInsensitive = {};
      await Promise.allSettled([this.remote.close(), this.local.close()]);
    }
  }

  /**
   * The journal settled at close: under the pair's lock and on the state as it is on disk now —
   * another process (the CLI) may have synced and compacted since this session last read it, and a
   * compaction from what this session holds in memory would write its old records over that run's.
   * When another run holds the lock the journal is only closed (flushed): its lines stay for the next load.
   */
  private async settleOnClose(): Promise<void> {
    try {
      await this.exclusive(undefined, async () => this.state.settle(), false, false);
    } catch (e) {
      if (!(e instanceof SyncError && e.code === 'busy')) throw e;
      this.state.closeJournal();
    }
  }

  /** what listing both sides and the planner's input need of this session (session/listings.ts) */
  private listContext(): ListContext {
    return { local: this.local, remote: this.remote, filter: this.filter, state: this.state, log: this.log, caseInsensitive: this.caseInsensitive };
  }

  plan(options: PlanOptions): Promise<Plan> {
    return this.planWith(options, false);
  }

  /** `locked`: the caller holds the pair's lock (a run); else renames left to finish take it for themselves */
  private async planWith(options: PlanOptions, locked: boolean): Promise<Plan> {
    const scope = (options.paths ?? []).map(normalizeRelPath);
    // a first plan: the local tree is walked while the server connection opens
    const connect = async () => {
      await this.open();
      this.state.load(); // another process (CLI vs. editor) may have synced since
      if (!(options as RunOptions).dryRun) await (locked ? this.finishKept() : this.finishKeptUnlocked());
    };
    const listing = this.opened ? (await connect(), await listBoth(this.listContext(), options, scope)) : await listBoth(this.listContext(), options, scope, connect);
    return buildPlan(planInputOf(this.listContext(), options, scope, listing));
  }

  resolveConflicts(plan: Plan, strategy: ResolveStrategy, ask?: (c: Action) => Promise<Answer>): Promise<Plan> {
    // a merge writes both sides: not in a one-way run, which never writes to its source
    const blocker = (c: Action) => (plan.mode === 'sync' ? mergeBlocker(c, this.state, this.bases)
      : `a one-way ${plan.mode} never changes its source (merge in a bidirectional sync)`);
    return resolvePlan(plan, strategy, ask, blocker);
  }

  /**
   * Run `fn` holding the pair's lock (one sync at a time per pair, across processes; calls in this
   * process wait their turn too). Only changes need it: listing and dry runs do not. `keep`: a save,
   * after which the lock is kept until saves pause (session/pair-lock.ts).
   */
  private exclusive<T>(signal: AbortSignal | undefined, fn: () => Promise<T>, keep = false, wait = true): Promise<T> {
    return this.pairLock.run(signal, async (fresh) => {
      // another process may have synced (and compacted the journal) since we last held the lock; a
      // killed one may have left the temp file of its last snapshot
      if (fresh) this.state.removeLeftoverTemps();
      if (this.opened) this.state.refresh();
      else this.state.closeJournal();
      return fn();
    }, keep, wait);
  }

  execute(plan: Plan, options: Omit<RunOptions, 'mode'> = {}): Promise<SyncResult> {
    return this.exclusive(options.signal, () => this.executeLocked(plan, options));
  }

  private async executeLocked(plan: Plan, options: Omit<RunOptions, 'mode'>, startedAt = Date.now()): Promise<SyncResult> {
    // bad settings are a usage error before anything changes; the time limit counts from the run's start
    const transfer = transferPolicy(options.transfer, startedAt);
    await this.open();
    if (!options.force) checkSafety(plan, { maxDelete: options.maxDelete, scoped: !!options.paths?.length });
    const partials = new PartialStore(this.options.localRoot, this.options.remoteId);
    const above = options.transfer?.resumeAbove === undefined ? DEFAULT_RESUME_ABOVE : options.transfer.resumeAbove;
    if (above !== null) transfer.resume = { store: partials, above, log: this.log };
    await cleanRunPartials(partials, this.remote, plan, options.paths, this.log);
    await cleanStaleTemps(this.local, this.remote, new Set([...partials.all().filter((r) => r.direction === 'upload').map((r) => r.partial), ...keptNames(this.kept)]), this.log);
    // a remote with no files may be a folder that does not exist yet (FTP servers list that as
    // empty): make sure the root is there (idempotent) before writing into it
    if (!options.paths?.length && plan.counts.remoteFiles === 0 && plan.actions.some((a) => a.kind === 'upload' || a.kind === 'mkdir-remote')) {
      await this.remote.mkdir('');
    }
    const result = await executePlan(plan, {
      local: this.local, remote: this.remote, state: this.state, log: this.log, bases: this.bases,
      concurrency: options.concurrency ?? this.remote.capabilities.maxConcurrency,
      signal: options.signal, onProgress: options.onProgress, transfer, keptTemps: this.kept,
    });
    await this.bases?.flush(); // the common versions of this run are on disk before it returns
    result.errors.push(...notSyncedErrors(plan));
    result.stats.errors = result.errors.length;
    return result;
  }

  run(options: RunOptions): Promise<SyncResult> {
    return options.dryRun ? this.runLocked(options) : this.exclusive(options.signal, () => this.runLocked(options));
  }

  private async runLocked(options: RunOptions): Promise<SyncResult> {
    const started = Date.now();
    let plan = await this.planWith(options, !options.dryRun);
    options.onProgress?.({ type: 'plan', plan });
    plan = await this.resolveConflicts(plan, options.resolve ?? 'skip', options.ask);
    if (options.dryRun) {
      plan = await previewMerges(plan, { local: this.local, remote: this.remote, state: this.state, bases: this.bases, signal: options.signal });
      const stats = emptyStats();
      stats.inSync = plan.inSync;
      const conflicts = plan.actions.filter((a) => a.kind === 'conflict');
      stats.conflicts = conflicts.length;
      stats.skipped = plan.actions.filter((a) => a.kind === 'skip').length;
      stats.elapsedMs = Date.now() - started;
      const errors = notSyncedErrors(plan);
      stats.errors = errors.length;
      return { plan, stats, conflicts, errors, done: [], cancelled: false };
    }
    const result = await this.executeLocked(plan, options, started);
    result.stats.elapsedMs = Date.now() - started;
    return result;
  }

  saveFiles(paths: string[], options: { signal?: AbortSignal; force?: boolean; merge?: boolean } = {}): Promise<Map<string, SaveOutcome>> {
    this.idle.saveStarts();
    return this.exclusive(options.signal, () => this.saveFilesLocked(paths, options), true).finally(() => this.idle.saveEnded());
  }

  private async saveFilesLocked(paths: string[], options: { signal?: AbortSignal; force?: boolean; merge?: boolean }): Promise<Map<string, SaveOutcome>> {
    await this.open();
    await this.finishKept();
    const out = new Map<string, SaveOutcome>();
    await mapLimit(paths.map(normalizeRelPath), this.remote.capabilities.maxConcurrency, async (path) => {
      try {
        out.set(path, await decideSave(path, {
          local: this.local, remote: this.remote, state: this.state, filter: this.filter, log: this.log,
          force: options.force, signal: options.signal, bases: this.bases, merge: options.merge, keptTemps: this.kept,
        }));
      } catch (e) {
        if (options.signal?.aborted) throw e;
        this.log.error(`upload on save ${path}: ${errorMessage(e)}`);
        out.set(path, { status: 'error', message: errorMessage(e) });
      }
    });
    // (the common versions are written right after, off the save's path: flushed by the idle work and close)
    return out;
  }

  resolvePath(path: string, resolution: Resolution, options: ResolvePathOptions = {}): Promise<SyncResult> {
    if (resolution === 'skip') return Promise.resolve(nothingDone(this.local, this.remote, this.state));
    return this.exclusive(options.signal, () => this.resolvePathLocked(path, resolution, options));
  }

  private async resolvePathLocked(path: string, resolution: Resolution, options: ResolvePathOptions): Promise<SyncResult> {
    await this.open();
    this.state.load();
    const p = normalizeRelPath(path);
    if (resolution === 'skip') return nothingDone(this.local, this.remote, this.state);
    const planOptions: PlanOptions = { mode: 'sync', paths: [p], signal: options.signal };
    const listing = await listBoth(this.listContext(), planOptions, [p]);
    const plan = buildForcedPlan(planInputOf(this.listContext(), planOptions, [p], listing), resolution);
    // the side given up must still be what the user decided on: a version nobody has seen is never overwritten
    const loser = resolution === 'local' ? 'remote' : 'local';
    const expected = options.expect?.[loser];
    if (expected !== undefined) {
      const now = plan.actions.find((a) => a.path === p)?.[loser];
      if (now && !(expected && sameEntry(now, expected))) {
        throw new SyncError('safety', `Changed ${loser === 'remote' ? 'on the server' : 'locally'} since it was compared; nothing was overwritten`, {
          path: p, hint: 'Compare again, then decide',
        });
      }
    }
    try {
      return await this.executeLocked(plan, { force: true, paths: [p], signal: options.signal });
    } catch (e) {
      this.log.error(`resolve ${p}: ${errorMessage(e)}`);
      throw e;
    }
  }

  /** under the pair's lock, as every change (the merge writes both sides and records); its Undo too */
  async mergePath(path: string, options: { signal?: AbortSignal } = {}): Promise<MergePathOutcome> {
    const outcome = await this.exclusive(options.signal, () => this.mergePathLocked(path, options));
    if (outcome.status !== 'merged') return outcome;
    const undo = outcome.undo;
    return { ...outcome, undo: () => this.exclusive(undefined, undo) };
  }

  private async mergePathLocked(path: string, options: { signal?: AbortSignal }): Promise<MergePathOutcome> {
    await this.open();
    this.state.load();
    const p = normalizeRelPath(path);
    const planOptions: PlanOptions = { mode: 'sync', paths: [p], signal: options.signal };
    const plan = buildPlan(planInputOf(this.listContext(), planOptions, [p], await listBoth(this.listContext(), planOptions, [p])));
    const outcome = await mergeOnePath(await plan, p, {
      local: this.local, remote: this.remote, state: this.state, bases: this.bases, signal: options.signal,
    });
    await this.bases?.flush();
    if (outcome.status === 'merged') this.log.info(`merged ${p}`);
    return outcome;
  }

  readRemote(path: string, signal?: AbortSignal): Promise<Readable> {
    return this.open().then(() => this.remote.read(normalizeRelPath(path), signal));
  }

  excludedBy(path: string, type: EntryType): string | undefined {
    return this.filter.explain(normalizeRelPath(path), type);
  }

  statRemote(path: string): Promise<Entry | undefined> {
    return this.open().then(() => this.remote.stat(normalizeRelPath(path)));
  }

  async listFolder(dir: string, signal?: AbortSignal): Promise<FolderItem[]> {
    await this.open();
    this.state.load(); // another process may have synced since
    return listFolderItems(this.explorer(), normalizeRelPath(dir), signal);
  }

  async checkServer(signal?: AbortSignal): Promise<ServerCheckResult> {
    await this.open();
    this.state.load(); // another process may have synced since
    return checkServerNow(this.explorer(), signal);
  }

  private explorer(): ExplorerContext {
    return { local: this.local, remote: this.remote, state: this.state, filter: this.filter, log: this.log };
  }

  syncedFiles(): number {
    return this.state.countFiles();
  }

  lastSync(path: string): PathState | undefined {
    return this.state.get(normalizeRelPath(path));
  }

  deleteRemote(path: string, options: { confirmed?: DeleteCheck; signal?: AbortSignal } = {}): Promise<RemoteDeleteResult> {
    return this.exclusive(options.signal, async () => {
      await this.open();
      return deleteRemotePath(this.explorer(), normalizeRelPath(path), options);
    });
  }
}
