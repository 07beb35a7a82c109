// One verified file copy from a source target to a destination target, retried once: a transfer
// cut short (size mismatch) or a connection lost mid-transfer is tried a second time — after
// checking that the source is still what the plan saw — and only then reported as an error.
import type { Entry, Logger, Target } from '../types.js';
import { SyncError, errorMessage, isAbortError, isTransientError } from '../errors.js';
import { isSizeMismatch } from './verify.js';

export interface CopyOptions {
  signal?: AbortSignal;
  onProgress?: (bytes: number) => void;
  log?: Logger;
  /** the source's mode, and the mode of the file it replaces (null: a new file) — see targets/modes.ts */
  mode?: number;
  destMode?: number | null;
}

/** worth a second try: bytes lost on the way, or the connection dropped (the target reconnects) */
export function isRetryableTransfer(e: unknown): boolean {
  if (isAbortError(e)) return false;
  if (isSizeMismatch(e)) return true;
  if (e instanceof SyncError) {
    if (e.code === 'connect') return true;
    // an FTP transfer aborted by the network (421/425/426/450 with the server's words)
    const code = (e.cause as { code?: unknown } | undefined)?.code;
    return e.code === 'io' && typeof code === 'number' && [421, 425, 426, 450].includes(code);
  }
  return isTransientError(e);
}

/**
 * Copy `src` (as the plan listed it: `srcEntry`) to the same path on `dst`. Resolves with what
 * `dst` reports for the file afterwards. Nothing is recorded here: the caller records on success.
 */
export async function copyVerified(path: string, src: Target, dst: Target, srcEntry: Entry, opts: CopyOptions = {}): Promise<Entry> {
  const { signal, onProgress } = opts;
  for (let attempt = 0; ; attempt++) {
    try {
      const stream = await src.read(path, signal);
      return await dst.write(path, stream, { mtime: srcEntry.mtime, size: srcEntry.size, mode: opts.mode, destMode: opts.destMode, signal, onProgress });
    } catch (e) {
      if (attempt > 0 || signal?.aborted || !isRetryableTransfer(e)) throw e;
      // the source may have changed since the listing: then a second try would not match either
      const now = await src.stat(path);
      if (!now || now.type !== 'file' || now.size !== srcEntry.size || now.mtime !== srcEntry.mtime) {
        throw new SyncError('io', `${path} changed ${src.kind === 'local' ? 'locally' : 'on the server'} during the transfer; nothing was recorded`, {
          path, detail: errorMessage(e), hint: 'Run the sync again: it picks up the new version',
        });
      }
      opts.log?.warn(`${path}: ${errorMessage(e)}; trying once more`);
      onProgress?.(0);
    }
  }
}
