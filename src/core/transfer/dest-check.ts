// The destination of a copy is looked at right before each write (the first try, every retry, a
// resumed transfer's commit): it must still be what the plan saw. A file that was absent at plan
// time and has appeared since (someone else created it) is never overwritten: the copy becomes a
// conflict. A file that changed since the plan is left alone (an error; the next run decides).
import type { Entry, Target } from '../types.js';
import { SyncError } from '../errors.js';
import { sameEntry } from './recheck.js';

/** what the plan saw at the destination: null nothing there, an entry that file, undefined not known (no check) */
export type PlannedDestination = Entry | null | undefined;

/** The destination was absent at plan time and has appeared since: nothing was written over it. */
export class DestinationAppeared extends SyncError {
  constructor(path: string, where: string) {
    super('io', `${path} appeared ${where} since the sync was planned (someone else created it); not overwritten`, {
      path, hint: 'Run the sync again: both versions are then shown as a conflict to resolve',
    });
    this.name = 'DestinationAppeared';
  }
}

/** `direction`: which way the copy goes (the destination of an upload is the server, even a local folder) */
export const whereOf = (t: Target, direction?: 'upload' | 'download') =>
  ((direction ? direction === 'download' : t.kind === 'local') ? 'locally' : 'on the server');

export { sameEntry };

/** throws unless `path` on `dst` is still what the plan saw (`planned`; undefined: not checked) */
export async function checkDestination(dst: Target, path: string, planned: PlannedDestination, direction?: 'upload' | 'download'): Promise<void> {
  if (planned === undefined) return;
  // (a link or special file there now is an error, never "nothing there": it is not written over)
  const now = await dst.stat(path, { strict: true });
  if (planned === null) {
    if (now) throw new DestinationAppeared(path, whereOf(dst, direction));
    return;
  }
  if (now && !sameEntry(now, { ...planned, path })) {
    throw new SyncError('io', `Changed ${whereOf(dst, direction)} while the sync ran; left alone`, { path, hint: 'Run the sync again' });
  }
}
