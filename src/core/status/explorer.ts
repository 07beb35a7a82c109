// The remote explorer's and status view's calls on a session: one folder's items, a check of the
// server against the last sync, and a delete on the server (SyncSession delegates to these).

import type { Entry, Logger, Target } from '../types.js';
import type { RemoteDeleteResult } from '../api.js';
import type { Filter } from '../filter.js';
import type { StateStore } from '../state.js';
import { isWithin } from '../paths.js';
import { SyncError } from '../errors.js';
import { folderItems, listChildren, type FolderItem } from './folder.js';
import { checkRemoteDelete, notConfirmed, problemsBelow, type DeleteCheck } from './remote-delete.js';
import { checkServer, type ServerCheckResult } from './server-check.js';

/** what these calls need of the session (opened, its state loaded) */
export interface ExplorerContext {
  local: Target;
  remote: Target;
  state: StateStore;
  filter: Filter;
  log: Logger;
}

/** the items of one folder (engine path, normalized), with their status */
export async function listFolderItems(ctx: ExplorerContext, d: string, signal?: AbortSignal): Promise<FolderItem[]> {
  const [local, remote] = await Promise.all([listChildren(ctx.local, d, signal), listChildren(ctx.remote, d, signal)]);
  return folderItems({ dir: d, local, remote, state: ctx.state, isExcluded: (p, t) => ctx.filter.isExcluded(p, t) });
}

/** the server's listing compared with the last sync */
export async function checkServerNow(ctx: ExplorerContext, signal?: AbortSignal): Promise<ServerCheckResult> {
  const remote = await ctx.remote.list({ include: (p, t) => !ctx.filter.isExcluded(p, t), signal, prune: ctx.filter.pruneNames() });
  return checkServer({ remote, local: ctx.local, state: ctx.state, isExcluded: (p, t) => ctx.filter.isExcluded(p, t) });
}

/**
 * Delete `p` (normalized) on the server unless something below it changed since the last sync, or the
 * listing leaves entries out (names it cannot sync, temps). `confirmed`: the check the user confirmed
 * ("Delete Anyway"): refused again when anything not in it is there now (added or changed since).
 * An entry below it that cannot be read: nothing deleted (what it holds is unknown).
 */
export async function deleteRemotePath(ctx: ExplorerContext, p: string, options: { confirmed?: DeleteCheck; signal?: AbortSignal }): Promise<RemoteDeleteResult> {
  if (p === '') throw new SyncError('usage', 'The server\'s root folder cannot be deleted from here', { path: p });
  const top = await ctx.remote.stat(p);
  if (!top) { ctx.state.forgetTree(p); return { status: 'gone' as const }; }
  const entries = new Map<string, Entry>([[p, { ...top, path: p }]]);
  let notSynced: DeleteCheck['notSynced'] = [];
  if (top.type === 'dir') {
    const below = await ctx.remote.list({ include: (q) => isWithin(q, p) || isWithin(p, q), signal: options.signal, scoped: true });
    for (const [q, e] of below) if (q !== p && isWithin(q, p)) entries.set(q, e);
    const problems = problemsBelow(ctx.remote, p);
    if (problems.unreadable.length) {
      const u = problems.unreadable;
      throw new SyncError('io', `Nothing deleted: ${u.length === 1 ? `"${u[0].path}"` : `${u.length} entries`} below "${p}" could not be read on the server (${u[0].path}: ${u[0].message})`, {
        path: p, hint: 'What it holds is unknown: make it readable on the server (or delete it there), then try again',
      });
    }
    notSynced = problems.notSynced;
  }
  const check = checkRemoteDelete(entries, ctx.state, notSynced);
  if (options.confirmed) {
    const extra = notConfirmed(check, options.confirmed);
    if (extra.length) return { status: 'changed' as const, check, notConfirmed: extra };
  } else if (check.changed.length || check.notSynced.length) {
    return { status: 'changed' as const, check };
  }
  if (top.type === 'dir') {
    // exactly what was checked (and confirmed): an entry that appears meanwhile stays, with its folders
    const shown = new Set(entries.keys());
    // an entry the sync leaves out (a name it cannot hold, a temp) was named and confirmed: with what it holds
    const named = check.notSynced.map((n) => n.path);
    const left = await ctx.remote.removeDir(p, { only: (q) => shown.has(q) || named.some((n) => isWithin(q, n)) });
    ctx.state.forgetTree(p);
    if (left.length) {
      throw new SyncError('io', `"${p}" was not deleted whole: ${left.length === 1 ? `"${left[0]}" was` : `${left.length} entries (${left.slice(0, 3).join(', ')}${left.length > 3 ? ', …' : ''}) were`} added on the server while it was being deleted; kept, with the folders above`, {
        path: p, hint: 'Everything that was checked is deleted; look at what was added, then delete again',
      });
    }
  } else {
    await ctx.remote.removeFile(p);
    ctx.state.forgetTree(p);
  }
  ctx.log.info(`deleted on the server: ${p}${top.type === 'dir' ? ` (${check.files} files)` : ''}`);
  return { status: 'deleted' as const, files: check.files };
}
