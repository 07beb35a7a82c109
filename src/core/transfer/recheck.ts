// The re-check before overwriting or deleting: a file on the destination that differs from what the
// plan (or a save) saw there is left alone — it changed while the sync ran. The executor stats the
// file itself, except for a write to a target that re-checks inside write() (capabilities
// `recheckOnWrite`, WriteOptions.expect): there the look is taken with the write's other requests
// and compared just before the rename, so it costs no round trip of its own and comes later.
import type { Entry, TargetKind } from '../types.js';
import { SyncError } from '../errors.js';

/** same type, and for files the same size and mtime */
export function sameEntry(a: Entry | undefined, b: Entry | undefined): boolean {
  return !!a && !!b && a.type === b.type && (a.type === 'dir' || (a.size === b.size && a.mtime === b.mtime));
}

/**
 * Throws when `now` (what the destination reports now; undefined: gone) is not what was `planned`.
 * A file that is gone meanwhile is no reason to stop (nothing is overwritten).
 */
export function assertUnchanged(kind: TargetKind, planned: Entry, now: Entry | undefined): void {
  if (planned.type === 'dir') return;
  if (now && !sameEntry(now, planned)) {
    throw new SyncError('io', `Changed ${kind === 'local' ? 'locally' : 'on the server'} while the sync ran; left alone`, {
      path: planned.path, hint: 'Run the sync again',
    });
  }
}
