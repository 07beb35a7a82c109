// One error type for everything the engine reports to a person: what failed, on which path,
// what the server said, and what to do about it.

import { redactSecrets } from './redact.js';

export type ErrorCode =
  | 'usage'        // bad command line / API arguments
  | 'config'       // invalid config file (message names the field)
  | 'connect'      // could not reach the server
  | 'auth'         // login refused
  | 'hostkey'      // SFTP host key or FTPS certificate unknown or changed
  | 'not-found'    // path does not exist
  | 'io'           // a read/write/list failed
  | 'bad-name'     // a remote name that is not one plain path segment
  | 'safety'       // a safety check stopped the run before anything changed
  | 'busy'         // another sync of the same pair is running (its lock is held)
  | 'aborted';     // cancelled by the user

export class SyncError extends Error {
  readonly code: ErrorCode;
  readonly path?: string;
  /** what the server or the OS said, verbatim */
  readonly detail?: string;
  /** what the user can do about it */
  readonly hint?: string;

  constructor(code: ErrorCode, message: string, opts: { path?: string; detail?: string; hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'SyncError';
    this.code = code;
    this.path = opts.path;
    this.detail = opts.detail;
    this.hint = opts.hint;
  }

  /** "message (path): detail. hint" — one line for logs and notifications */
  override toString(): string {
    let s = this.message;
    if (this.path !== undefined && !this.message.includes(this.path)) s += ` (${this.path || '/'})`;
    if (this.detail && !this.message.includes(this.detail)) s += `: ${this.detail}`;
    if (this.hint) s += `. ${this.hint}`;
    return s;
  }
}

/** Target.stat with `strict` (types.ts StatOptions): something that is neither a file nor a folder is at `abs`
 *  (`where`: left out by a local folder, which may be either side) */
export function notPlainThere(abs: string, path: string, where?: 'on the server'): SyncError {
  return new SyncError('io', `${abs}${where ? ` ${where}` : ''} is neither a file nor a folder (a link, or a special file); it is left alone`, {
    path, hint: 'A link or special file is never written over or removed: remove or rename it yourself, then sync again',
  });
}

export function isAbortError(err: unknown): boolean {
  return (err instanceof SyncError && err.code === 'aborted') ||
    (err instanceof Error && (err.name === 'AbortError' || (err as { code?: string }).code === 'ABORT_ERR'));
}

/** the error a stream-level cancel ends with (name AbortError, as Node's own) */
export function abortError(): Error {
  const e = new Error('Cancelled');
  e.name = 'AbortError';
  return e;
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new SyncError('aborted', 'Cancelled');
}

/** message of any thrown value, for logs and notifications (a `user:secret@` never shows) */
export function errorMessage(err: unknown): string {
  if (err instanceof SyncError) return redactSecrets(err.toString());
  if (err instanceof Error) return redactSecrets(err.message);
  return redactSecrets(String(err));
}

/** network-level failures worth a reconnect and retry */
export function isTransientError(err: unknown): boolean {
  if (err instanceof SyncError) return err.code === 'connect';
  const code = (err as { code?: string } | undefined)?.code;
  const msg = err instanceof Error ? err.message : String(err);
  return ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ERR_NOT_CONNECTED', 'ERR_GENERIC_CLIENT']
    .includes(code ?? '') || /not connected|connection (closed|lost|reset)|socket (hang up|closed)|client is closed|No SFTP connection|ended/i.test(msg);
}
