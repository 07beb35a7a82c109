// Exit codes of `remote-sync` (documented in README.md and --help).

import { SyncError, isAbortError } from '../core/errors.js';
import type { SyncResult } from '../core/types.js';

export const EXIT = {
  /** done */
  OK: 0,
  /** an error (connection, login, a failed transfer, an invalid config file…) */
  ERROR: 1,
  /** bad command line */
  USAGE: 2,
  /** cancelled by the user (Ctrl-C) or stopped by a safety check before anything changed */
  ABORTED: 3,
  /** done, but conflicts were left unresolved */
  CONFLICTS: 4,
  /** --max-duration / --stop-at: the time was up before every transfer ran; the next run goes on */
  TIME_UP: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export function exitCodeForError(err: unknown): ExitCode {
  if (err instanceof SyncError) {
    if (err.code === 'usage') return EXIT.USAGE;
    if (err.code === 'safety' || err.code === 'aborted') return EXIT.ABORTED;
    return EXIT.ERROR;
  }
  if (isAbortError(err)) return EXIT.ABORTED;
  return EXIT.ERROR;
}

/** errors beat a time limit, which beats conflicts: a run with errors exits 1 */
export function exitCodeForResult(result: Pick<SyncResult, 'cancelled' | 'errors' | 'conflicts' | 'timeUp'>): ExitCode {
  if (result.cancelled) return EXIT.ABORTED;
  if (result.errors.length > 0) return EXIT.ERROR;
  if (result.timeUp) return EXIT.TIME_UP;
  if (result.conflicts.length > 0) return EXIT.CONFLICTS;
  return EXIT.OK;
}
