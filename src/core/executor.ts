// The executor: carries out a plan. Folders before their files, copies before deletions; bounded
// concurrency; every completed action is journaled in the state at once, so a run stopped at any
// point (cancel, crash, SIGKILL) leaves state the next run can trust.

import type { Action, ActionError, Entry, Logger, Plan, ProgressEvent, Stats, SyncResult, Target } from './types.js';
import { SyncError, errorMessage, isAbortError } from './errors.js';
import type { StateStore } from './state.js';
import { depthOf } from './paths.js';
import { mapLimit } from './pool.js';
import { copyVerified } from './transfer/copy.js';
import { assertUnchanged } from './transfer/recheck.js';
import { DestinationAppeared, sameEntry } from './transfer/dest-check.js';
import { TempKeptError, type KeptTemps } from './transfer/kept-temps.js';
import { guardDelete, newFailedCopies, noteFailedCopy, prepareName } from './names/executor-guards.js';
import type { TransferPolicy } from './transfer/policy.js';
import { orderTransfers } from './transfer/schedule.js';
import { RateMeter } from './transfer/progress.js';
import type { BaseStore } from './merge/bases.js';
import { captureBase, tapForBase, type BaseTap } from './merge/capture.js';
import { MergeLeftConflict, leftConflict, performMerge } from './merge/perform.js';

export interface ExecuteContext {
  local: Target;
  remote: Target;
  state: StateStore;
  log: Logger;
  concurrency: number;
  /** keeps the common versions for merges (undefined: "mergeBase" is off) */
  bases?: BaseStore;
  signal?: AbortSignal;
  onProgress?: (e: ProgressEvent) => void;
  /** retries, bandwidth limit, time limit, order, verification (core/transfer/policy.ts) */
  transfer?: TransferPolicy;
  /** where a temp kept as the only copy of an upload (the old file removed, the rename failed) is recorded */
  keptTemps?: KeptTemps;
}

export function emptyStats(): Stats {
  return { uploaded: 0, downloaded: 0, deletedLocal: 0, deletedRemote: 0, foldersCreated: 0, bytesUp: 0, bytesDown: 0, conflicts: 0, merged: 0, skipped: 0, errors: 0, inSync: 0, elapsedMs: 0 };
}


export async function executePlan(plan: Plan, ctx: ExecuteContext): Promise<SyncResult> {
  const started = Date.now();
  const stats = emptyStats();
  stats.inSync = plan.inSync;
  const errors: ActionError[] = [];
  const done: Action[] = [];
  const conflicts = plan.actions.filter((a) => a.kind === 'conflict');  // a merge that cannot be done joins these
  stats.conflicts = conflicts.length;
  stats.skipped = plan.actions.filter((a) => a.kind === 'skip').length;
  const work = plan.actions.filter((a) => a.kind !== 'conflict' && a.kind !== 'skip');
  const filesTotal = work.length;
  const bytesTotal = work.reduce((n, a) => n + a.bytes, 0);
  let filesDone = 0;
  let bytesDone = 0;
  const emit = (e: ProgressEvent) => ctx.onProgress?.(e);
  const aborted = () => ctx.signal?.aborted === true;
  const policy = ctx.transfer;
  // the time limit: no action starts after it (the ones running finish); what is left is reported
  const left: Action[] = [];
  const timeUp = () => policy?.timeLimit !== undefined && Date.now() >= policy.timeLimit.deadline;
  const hashMethods = { local: new Set<string>(), remote: new Set<string>() };
  const meter = new RateMeter();
  const running = new Set<string>();
  let lastStats = 0;
  const emitStats = (force: boolean) => {
    const now = Date.now();
    if (!force && now - lastStats < 200) return;
    lastStats = now;
    const f = meter.update(bytesDone, bytesTotal);
    const current = running.size ? [...running][running.size - 1] : undefined;
    emit({ type: 'stats', filesDone, filesTotal, bytesDone, bytesTotal, rate: f.rate, ...(f.etaSeconds !== undefined ? { etaSeconds: f.etaSeconds } : {}), ...(current ? { current } : {}) });
  };

  await mapLimit(plan.stateOnly, 8, (a) => recordStateOnly(a, ctx));

  const failedCopies = newFailedCopies(); // see names/executor-guards.ts
  /**
   * `waits`: the action may wait for a connection after it is started here (the copies beyond the
   * server's connections, TargetCapabilities.transferOverlap): it is shown as started (action-start,
   * the stats' current file) once its first bytes move, or when it ends, not while it waits.
   */
  const runOne = async (a: Action, waits = false): Promise<void> => {
    if (aborted()) return;
    if (timeUp()) { left.push(a); return; }
    let shown = false;
    const show = () => {
      if (shown) return;
      shown = true;
      emit({ type: 'action-start', action: a });
      running.add(a.path);
    };
    if (!waits) show();
    let moved = 0;
    const fileMeter = a.bytes > 0 ? new RateMeter() : undefined;
    const onBytes = (n: number) => {
      show();
      bytesDone += n - moved;
      moved = n;
      const f = fileMeter?.update(n, a.bytes);
      emit({ type: 'bytes', path: a.path, bytes: n, total: a.bytes, ...(f ? { rate: f.rate } : {}), ...(f?.etaSeconds !== undefined ? { etaSeconds: f.etaSeconds } : {}) });
      emitStats(false);
    };
    const onHashed = (m: { src: string; dst: string }) => {
      const up = a.kind === 'upload';
      hashMethods.local.add(up ? m.src : m.dst);
      hashMethods.remote.add(up ? m.dst : m.src);
    };
    try {
      guardDelete(a, failedCopies);
      await perform(a, ctx, onBytes, onHashed);
      tally(a, stats);
      done.push(a);
      ctx.log.info(`${a.kind} ${a.path}`);
      show();
      emit({ type: 'action-done', action: a });
    } catch (e) {
      bytesDone -= moved;
      noteFailedCopy(a, failedCopies);
      if (isAbortError(e) || aborted()) return;
      if (e instanceof MergeLeftConflict) {
        conflicts.push(leftConflict(a, e.message));
        stats.conflicts++;
        ctx.log.info(`conflict ${a.path}: not merged, ${e.message}`);
        return;
      }
      if (e instanceof DestinationAppeared) {
        // someone else created the file since the plan: never overwritten, a conflict for the next run
        conflicts.push({ ...a, kind: 'conflict', conflict: 'both-new', resolvedBy: undefined, reason: e.message });
        stats.conflicts++;
        ctx.log.warn(`conflict ${a.path}: ${e.message}`);
        return;
      }
      const message = errorMessage(e);
      errors.push({ path: a.path, kind: a.kind, message });
      ctx.log.error(`${a.kind} ${a.path}: ${message}`);
      show();
      emit({ type: 'action-error', action: a, error: message });
    } finally {
      running.delete(a.path);
      filesDone++;
      emitStats(true);
    }
  };

  // group into waves that must not overlap: mkdirs by depth (shallow first), copies, deletions by depth (deep first)
  const waves: Action[][] = [];
  const key = (a: Action): string => {
    if (a.replace) return `0:${String(depthOf(a.path)).padStart(4, '0')}`;
    if (a.kind === 'mkdir-local' || a.kind === 'mkdir-remote') return `1:${String(depthOf(a.path)).padStart(4, '0')}`;
    if (a.kind === 'delete-local' || a.kind === 'delete-remote') return `3:${String(9999 - depthOf(a.path)).padStart(4, '0')}`;
    return '2';
  };
  const byKey = new Map<string, Action[]>();
  for (const a of work) {
    const k = key(a);
    if (!byKey.has(k)) byKey.set(k, []);
    byKey.get(k)!.push(a);
  }
  for (const k of [...byKey.keys()].sort()) waves.push(byKey.get(k)!);

  try {
    for (const wave of waves) {
      if (aborted()) break;
      // the copy wave in the order asked for (default: big files first, so they overlap with the many small ones)
      const ordered = wave.length > 1 ? orderTransfers(wave, policy?.order) : wave;
      // copies: more than the server's connections where a target overlaps them (TargetCapabilities.transferOverlap)
      const overlap = wave[0] && key(wave[0]) === '2' ? Math.max(1, Math.floor(ctx.remote.capabilities.transferOverlap ?? 1)) : 1;
      await mapLimit(ordered, Math.max(1, ctx.concurrency) * overlap, (a) => runOne(a, overlap > 1));
    }
  } finally {
    ctx.state.settle();
  }

  stats.errors = errors.length;
  stats.elapsedMs = Date.now() - started;
  const result: SyncResult = { plan, stats, conflicts, errors, done, cancelled: aborted() };
  if (left.length && policy?.timeLimit) result.timeUp = { by: policy.timeLimit.by, left, leftBytes: left.reduce((n, a) => n + a.bytes, 0) };
  if (hashMethods.local.size || hashMethods.remote.size) result.hashMethods = { local: [...hashMethods.local], remote: [...hashMethods.remote] };
  return result;
}

async function recordStateOnly(a: Action, ctx: Pick<ExecuteContext, 'local' | 'state' | 'bases' | 'signal'>): Promise<void> {
  if (a.kind === 'forget') ctx.state.record(a.path, null);
  else if (a.kind === 'equal' && a.local && a.remote) {
    const base = a.type === 'file' ? await captureBase(ctx.local, a.local, ctx.bases, ctx.signal) : undefined;
    ctx.state.recordPair(a.path, a.type, a.local, a.remote, base);
  }
}

export async function perform(
  a: Action, ctx: Pick<ExecuteContext, 'local' | 'remote' | 'state' | 'bases' | 'signal' | 'transfer' | 'keptTemps'> & { log?: Logger },
  onBytes: (n: number) => void, onHashed?: (m: { src: string; dst: string }) => void,
): Promise<void> {
  const { local, remote, state, signal } = ctx;
  switch (a.kind) {
    case 'equal':
    case 'forget':
      await recordStateOnly(a, ctx);
      return;
    case 'merged':
      await performMerge(a, ctx);
      return;
    case 'mkdir-remote':
    case 'mkdir-local': {
      const [dst, other] = a.kind === 'mkdir-remote' ? [remote, a.remote] : [local, a.local];
      await prepareName(dst, a, state, checkUnchanged);
      if (a.replace && other?.type === 'file') {
        await checkUnchanged(dst, other);
        await dst.removeFile(a.path);
      }
      await dst.mkdir(a.path);
      const src = a.kind === 'mkdir-remote' ? a.local! : a.remote!;
      const zero = { size: 0, mtime: 0 };
      state.record(a.path, { type: 'dir', local: a.kind === 'mkdir-remote' ? { size: 0, mtime: src.mtime } : zero, remote: a.kind === 'mkdir-remote' ? zero : { size: 0, mtime: src.mtime } });
      return;
    }
    case 'upload':
    case 'download': {
      const up = a.kind === 'upload';
      const [src, dst] = up ? [local, remote] : [remote, local];
      const srcEntry = up ? a.local! : a.remote!;
      const dstEntry = up ? a.remote : a.local;
      await prepareName(dst, a, state, checkUnchanged);
      // a file there is re-checked by copyVerified (inside the write where the target can)
      if (dstEntry) {
        if (a.replace && dstEntry.type === 'dir') {
          const left = await removeShown(dst, a);
          state.forgetTree(a.path);
          if (left.length) throw folderKept(a, dst === remote, left, 'not replaced by the file');
        }
      }
      const t = ctx.transfer;
      // what the destination must still be right before each write, retry and resumed commit (transfer/dest-check.ts):
      // the file the plan saw (checked above for the first try), or nothing (a folder removed above: nothing)
      const planned = a.caseRename ? { ...a.caseRename, path: a.path } : dstEntry?.type === 'file' ? dstEntry : null;
      let tap: BaseTap | undefined;
      const written = await copyVerified(a.path, src, dst, srcEntry, {
        signal, onProgress: onBytes, log: ctx.log, onHashed, direction: a.kind, mode: srcEntry.mode,
        destMode: dstEntry?.type === 'file' ? dstEntry.mode : dstEntry ? undefined : null,
        expect: dstEntry?.type === 'file' ? dstEntry : undefined,
        destPlanned: planned,
        // the common version for merges is kept as the bytes stream by (a resumable copy: read back locally)
        tap: (s) => (tap = tapForBase(s, srcEntry.size, ctx.bases)).stream,
        ...(t ? { retry: t.retry, limiter: t.limiter, verify: t.verify, resume: t.resume } : {}),
      }).catch((e: unknown) => {
        if (e instanceof TempKeptError) keepTemp(e, a.path, srcEntry, ctx);
        throw e;
      });
      // no tap (a resumable copy): the common version is read from the file just written — for an
      // upload the server's copy, never the local file, which may hold a save made during the upload
      const base = tap ? await (tap as BaseTap).ref() : await captureBase(up ? remote : local, { ...written, path: a.path }, ctx.bases, signal);
      if (up) state.recordPair(a.path, 'file', srcEntry, written, base);
      else state.recordPair(a.path, 'file', written, srcEntry, base);
      return;
    }
    case 'delete-remote':
    case 'delete-local': {
      const dst = a.kind === 'delete-remote' ? remote : local;
      const e = a.kind === 'delete-remote' ? a.remote : a.local;
      if (e?.type === 'dir') {
        const left = await removeShown(dst, a);
        state.forgetTree(a.path);
        if (left.length) throw folderKept(a, dst === remote, left, 'the rest of it was deleted');
      } else {
        if (e) await checkUnchanged(dst, e);
        await dst.removeFile(a.path);
      }
      state.forgetTree(a.path);
      return;
    }
    default:
      throw new SyncError('usage', `Cannot execute a ${a.kind} action`, { path: a.path });
  }
}

/** the temp is the only copy of the new content: recorded so that the next run finishes its rename (kept-temps.ts) */
function keepTemp(e: TempKeptError, path: string, source: Entry, ctx: Pick<ExecuteContext, 'transfer' | 'keptTemps'> & { log?: Logger }): void {
  ctx.keptTemps?.put(path, e.tmp, source);
  // a resumable upload's partial: from now on the kept temp's, never removed as a stale partial
  const store = ctx.transfer?.resume?.store;
  const rec = store?.get('upload', path);
  if (rec && rec.partial === e.tmp) store!.drop(rec);
  ctx.log?.error(`${path}: the new version is kept as ${e.tmp} on the server; the next run renames it into place`);
}

/** Never overwrite or delete something that changed after the plan was made. */
async function checkUnchanged(target: Target, planned: Entry): Promise<void> {
  if (planned.type === 'dir') return;
  assertUnchanged(target.kind, planned, await target.stat(planned.path, { strict: true }));
}

function tally(a: Action, s: Stats): void {
  switch (a.kind) {
    case 'upload': s.uploaded++; s.bytesUp += a.bytes; break;
    case 'download': s.downloaded++; s.bytesDown += a.bytes; break;
    case 'delete-local': s.deletedLocal++; break;
    case 'delete-remote': s.deletedRemote++; break;
    case 'mkdir-local': case 'mkdir-remote': s.foldersCreated++; break;
    case 'merged': s.merged = (s.merged ?? 0) + 1; break;
    default: break;
  }
}

/** remove the folder of a plan's action and exactly what the plan showed below it (RemoveDirOptions.only) */
function removeShown(dst: Target, a: Action): Promise<string[]> {
  if (a.wholeFolder) return dst.removeDir(a.path);
  const shown = new Set(a.children ?? []);
  const files = a.shownFiles;
  // a file is taken only as the plan saw it there: one changed (or created) since stays, with its folder
  return dst.removeDir(a.path, {
    only: (p, now) => shown.has(p) && (!now || !files || (files[p] !== undefined && files[p].size === now.size && files[p].mtime === now.mtime)),
  });
}

/** a folder the plan removes holds entries the plan did not show (added since, excluded, or names the sync leaves out): they stay */
function folderKept(a: Action, onServer: boolean, left: string[], rest: string): SyncError {
  const shown = left.slice(0, 3).map((p) => `"${p}"`).join(', ') + (left.length > 3 ? ` and ${left.length - 3} more` : '');
  return new SyncError('io', `Folder ${a.path} kept ${onServer ? 'on the server' : 'locally'}: it holds ${shown}, which the plan did not show (added or changed since, or left out of the sync); ${rest}`, {
    path: a.path, hint: 'Nothing the plan did not show is deleted: look at what is there, then run the sync again (or delete it yourself)',
  });
}
