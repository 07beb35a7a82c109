// Upload on save: one stat per side, classified against the last-sync state by the same
// classifier as every sync. A remote copy that changed since the last sync is never overwritten.

import type { Action, Logger, Target } from './types.js';
import type { SaveOutcome } from './api.js';
import type { Filter } from './filter.js';
import type { StateStore } from './state.js';
import { classifySide } from './classify.js';
import { perform } from './executor.js';
import { sameContent } from './compare.js';
import { parentOf } from './paths.js';
import { explainSaveError, isMissingFolder } from './save-errors.js';
import type { BaseStore } from './merge/bases.js';
import { captureBase } from './merge/capture.js';
import { saveByMerge } from './merge/save.js';
import { DestinationAppeared } from './transfer/dest-check.js';
import type { KeptTemps } from './transfer/kept-temps.js';

export interface SaveContext {
  local: Target;
  remote: Target;
  state: StateStore;
  filter: Filter;
  log: Logger;
  force?: boolean;
  signal?: AbortSignal;
  /** common versions for merges */
  bases?: BaseStore;
  /** conflictPolicy "merge": a server copy modified too is merged when that is clean */
  merge?: boolean;
  /** where a temp kept as the only copy of the upload is recorded (transfer/kept-temps.ts) */
  keptTemps?: KeptTemps;
  /** (internal) decided again once: a file appeared on the server between the stat and the write */
  again?: boolean;
}

export async function decideSave(path: string, ctx: SaveContext): Promise<SaveOutcome> {
  const why = ctx.filter.explain(path, 'file');
  if (why) return { status: 'excluded', reason: why };
  const [L, R] = await Promise.all([ctx.local.stat(path), ctx.remote.stat(path)]);
  if (!L) return { status: 'in-sync', reason: 'no longer exists locally' };
  if (L.type === 'dir') return { status: 'excluded', reason: 'a folder' };
  const st = ctx.state.get(path);
  const lc = classifySide(L, st, 'local', ctx.state.hasState);
  const rc = classifySide(R, st, 'remote', ctx.state.hasState);
  const base: Omit<Action, 'kind' | 'reason'> = { path, type: 'file', local: L, remote: R, localClass: lc, remoteClass: rc, bytes: L.size };

  const conflictAction = (kind: Action['conflict'], reason: string): Action => ({
    ...base, kind: 'conflict', conflict: kind, reason, bytes: 0,
    alternatives: {
      local: [{ ...base, kind: 'upload', reason: 'local version kept', replace: R?.type === 'dir' }],
      remote: R ? [{ ...base, kind: R.type === 'dir' ? 'mkdir-local' : 'download', reason: 'server version kept', bytes: R.size, replace: R.type === 'dir' }]
        : [{ ...base, kind: 'delete-local', reason: 'server deletion kept', bytes: 0, fileCount: 1 }],
    },
  });
  const conflict = (kind: Action['conflict'], reason: string): SaveOutcome => ({ status: 'conflict', action: conflictAction(kind, reason) });

  if (!ctx.force) {
    if (R?.type === 'dir') return conflict('type-mismatch', 'a file locally, a folder on the server');
    if (rc === 'deleted') return conflict('modified-deleted', 'deleted on the server since the last sync');
    if (rc === 'modified' || rc === 'new' || rc === 'existing') {
      if (R && R.size === L.size && await sameContent(ctx.local, ctx.remote, path, ctx.signal)) {
        ctx.state.recordPair(path, 'file', L, R, await captureBase(ctx.local, L, ctx.bases, ctx.signal));
        return { status: 'in-sync', reason: 'same content on the server' };
      }
      if (ctx.merge && rc === 'modified') return saveByMerge(conflictAction('both-modified', 'modified on the server since the last sync'), ctx);
      return conflict(rc === 'modified' ? 'both-modified' : 'both-new',
        rc === 'modified' ? 'modified on the server since the last sync' : 'the server has a different file of that name that was never synced');
    }
    // Both sides "unmodified" is no proof here: two quick saves of the same size can share an
    // mtime (the kernel's coarse clock). The server copy is unchanged, so uploading is safe.
  }

  const action: Action = { ...base, kind: 'upload', reason: ctx.force ? 'saved (overwrite)' : 'saved', replace: R?.type === 'dir' };
  const parent = parentOf(path);
  // a new file: create the folders it needs (the root too, before the first sync) like a sync does
  const needsFolder = !R && (parent ? ctx.state.get(parent)?.type !== 'dir' : ctx.state.countFiles() === 0);
  try {
    if (needsFolder) await ctx.remote.mkdir(parent);
    try {
      await perform(action, ctx, () => undefined);
    } catch (e) {
      // the folder went away on the server since the last sync: create it and try once more
      if (R || needsFolder || ctx.signal?.aborted || !isMissingFolder(e)) throw e;
      await ctx.remote.mkdir(parent);
      await perform(action, ctx, () => undefined);
    }
  } catch (e) {
    // someone created the file on the server since the stat above: never overwritten, decided again (a conflict)
    if (e instanceof DestinationAppeared && !ctx.force && !ctx.again) return decideSave(path, { ...ctx, again: true });
    throw explainSaveError(path, ctx.remote.display, e);
  }
  ctx.log.info(`upload ${path} (saved)`);
  return { status: 'uploaded', action };
}
