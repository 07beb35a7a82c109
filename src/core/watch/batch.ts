// Files changed outside the editor (issue 8 item 5): a burst of file events, coalesced into one batch,
// and what the batch may do. Uploads go through the save path (one stat each, never over a server
// change); deletions only with "delete": true, and never more than maxDelete of the synced files —
// the same limit, and the same message, as a sync.

import type { Action, Plan } from '../types.js';
import { SyncError } from '../errors.js';
import { maxDeleteLimit } from '../safety.js';

/** file events in arrival order → the last word per path (a file created then deleted is a deletion) */
export class WatchBatch {
  private readonly last = new Map<string, 'changed' | 'deleted'>();

  add(path: string, kind: 'changed' | 'deleted'): void {
    this.last.delete(path); // keep arrival order of the last event
    this.last.set(path, kind);
  }

  get size(): number { return this.last.size; }

  /** take the batch (and start a new one) */
  take(): { changed: string[]; deleted: string[] } {
    const changed: string[] = [];
    const deleted: string[] = [];
    for (const [p, k] of this.last) (k === 'changed' ? changed : deleted).push(p);
    this.last.clear();
    return { changed, deleted };
  }
}

export interface WatchDecision {
  upload: string[];
  delete: string[];
  /** deletions left alone, and why ("delete" is off) */
  notDeleted?: string;
}

/**
 * What one batch does. Throws SyncError('safety') (nothing done) when it would delete more than
 * `maxDelete` of the `syncedFiles` files the state knows on the server.
 */
export function decideWatchBatch(batch: { changed: string[]; deleted: string[] }, opts: {
  upload: boolean; delete: boolean; maxDelete?: number | string; syncedFiles: number; where: string;
}): WatchDecision {
  const upload = opts.upload ? batch.changed : [];
  if (!batch.deleted.length) return { upload, delete: [] };
  if (!opts.delete) return { upload, delete: [], notDeleted: `${batch.deleted.length} deleted file(s) left on the server ("watch": { "delete": false })` };
  const limit = maxDeleteLimit(opts.maxDelete, opts.syncedFiles);
  if (batch.deleted.length > limit) {
    throw new SyncError('safety', `The plan would delete ${batch.deleted.length} of ${opts.syncedFiles} files on the server ${opts.where}, more than the limit of ${limit}. Nothing was changed`, {
      hint: 'Check with Sync: Preview; raise "maxDelete" in the config if it is right, or run Sync: Upload',
    });
  }
  return { upload, delete: batch.deleted };
}

/**
 * "Sync: Upload Changed Files": from an upload plan, exactly what the state says changed locally since
 * the last sync (modified, created since, and — with deletions on — deleted), with the folders those
 * need. Files never synced in a pair that has no state at all are left out (that is a first Upload).
 */
export function changedLocally(plan: Plan): Plan {
  const keep = (a: Action): boolean => {
    if (a.kind === 'upload' || a.kind === 'mkdir-remote') return a.localClass === 'modified' || a.localClass === 'new';
    if (a.kind === 'delete-remote') return a.localClass === 'deleted';
    return a.kind === 'conflict';
  };
  return { ...plan, actions: plan.actions.filter(keep), stateOnly: [] };
}
