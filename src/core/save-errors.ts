// Errors of an upload on save, in the user's words: the file they saved (never a temporary name)
// and the likely cause, so "Creating a temporary file: no such file (.rs-tmp-1a2b)" becomes
// "Could not upload css/site.css: the folder does not exist on the server and could not be created".

import { SyncError, errorMessage, isAbortError } from './errors.js';

const TEMP_NAME = /[^\s'"()]*\.rs-tmp-[0-9a-z]+/gi;

/** a write failed because a folder on the way is missing (SFTP "No such file", FTP 550/553) */
export function isMissingFolder(err: unknown): boolean {
  if (err instanceof SyncError && err.code === 'not-found') return true;
  const text = `${errorMessage(err)} ${(err as { code?: unknown } | undefined)?.code ?? ''}`;
  return /no such file|ENOENT|\b55[03]\b|not found|does not exist/i.test(text);
}

function likelyCause(text: string, remote: string): string {
  if (/permission denied|EACCES|EPERM|\b550\b.*(denied|permission)|not allowed|\b553\b/i.test(text)) {
    return `the server refused the write: check that the login may write to ${remote} and that the file is not read-only there`;
  }
  if (/no such file|ENOENT|not found|does not exist|\b550\b/i.test(text)) {
    return `a folder on the way does not exist on the server (${remote}) and could not be created: check remotePath in .vscode/remote-sync.json`;
  }
  if (/quota|no space|disk full|ENOSPC|\b452\b|\b552\b/i.test(text)) return 'the server is out of space (or over quota)';
  if (/timed? ?out|ETIMEDOUT/i.test(text)) return 'the server did not answer in time; try again';
  if (/ECONNRESET|ECONNREFUSED|closed|hang up|not connected/i.test(text)) return 'the connection to the server was lost; saving again reconnects';
  return '';
}

/** "Could not upload PATH: <server message without temp names>. <likely cause>" */
export function explainSaveError(path: string, remote: string, err: unknown): unknown {
  if (isAbortError(err)) return err;
  const raw = err instanceof SyncError ? [err.message, err.detail].filter(Boolean).join(': ') : errorMessage(err);
  const said = raw.replace(TEMP_NAME, path).replace(/\s*\(\s*\)/g, '').trim();
  const cause = likelyCause(raw, remote);
  const code = err instanceof SyncError ? err.code : 'io';
  return new SyncError(code === 'not-found' ? 'io' : code, `Could not upload ${path}`, {
    path, detail: said, hint: cause ? cause.charAt(0).toUpperCase() + cause.slice(1) : err instanceof SyncError ? err.hint : undefined, cause: err,
  });
}
