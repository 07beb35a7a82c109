// Errors → the one line a notification shows (vscode-free): what failed, on which file, the cause,
// and what to do. SyncError already carries path, server message and hint.

import { SyncError, errorMessage, isAbortError } from '../core/errors.js';

export interface ErrorReport {
  message: string;
  cancelled: boolean;
  /** offer "Open Config" */
  config: boolean;
  /** login refused: a stored password may be wrong */
  auth: boolean;
}

/** `what`: "Upload", "Upload on save"; `files`: the files the operation was about, if any */
export function describeError(what: string, err: unknown, files: string[] = []): ErrorReport {
  const cancelled = isAbortError(err);
  const code = err instanceof SyncError ? err.code : undefined;
  let cause = errorMessage(err).replace(/\s+/g, ' ').trim();
  if (code === 'auth' && err instanceof SyncError && err.hint) {
    // the CLI's hint (URL, REMOTE_SYNC_PASSWORD, ~/.netrc, --identity) is not the editor's way
    cause = `${cause.replace(`. ${err.hint}`, '')}. Check the user name in .vscode/remote-sync.json, or set the password (Set Password)`;
  }
  const errPath = err instanceof SyncError ? err.path : undefined;
  const named = errPath !== undefined || files.some((f) => cause.includes(f));
  if (!named && files.length) {
    const list = files.length <= 3 ? files.join(', ') : `${files.slice(0, 3).join(', ')} and ${files.length - 3} more`;
    cause = `${list}: ${cause}`;
  }
  return {
    message: cancelled ? `${what}: cancelled.` : `${what} failed: ${cause}`,
    cancelled,
    config: code === 'config',
    auth: code === 'auth',
  };
}
