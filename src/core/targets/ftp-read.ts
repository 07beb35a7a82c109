// The FTP target's download stream: RETR (REST `offset`) piped into a PassThrough handed out once
// the server accepted the transfer; the connection goes back to the pool when the transfer ends.
import type { Client } from 'basic-ftp';
import { PassThrough, type Readable } from 'node:stream';
import { SyncError } from '../errors.js';
import type { FtpOpsHost } from './ftp-partial.js';

/** what a download needs of the target beyond FtpOpsHost */
export interface FtpReadHost extends FtpOpsHost {
  /** give a connection back to the pool (`broken`: a transfer cut short; not reused) */
  release(c: Client, broken?: boolean): void;
  toError(e: unknown, what: string, path: string): SyncError;
  /** throws not-found when `path` is missing: the likely cause of a reset transfer */
  mustExist(path: string, type: 'file' | 'dir', what: string): Promise<void>;
  withOwnedClient<T>(what: string, path: string, fn: (c: Client) => Promise<T>, opts: { signal?: AbortSignal; beforeRetry?: () => Promise<void> }): Promise<T>;
}

export async function readFtp(h: FtpReadHost, path: string, signal?: AbortSignal, offset = 0): Promise<Readable> {
  await h.ready();
  const abs = h.abs(path);
  const what = `download ${abs}`;
  const tryOnce = (c: Client): Promise<Readable> => new Promise((resolve, reject) => {
    const out = new PassThrough({ highWaterMark: 256 * 1024 });
    let started = false;
    const onAbort = () => { c.close(); out.destroy(new SyncError('aborted', 'Cancelled', { path })); };
    signal?.addEventListener('abort', onAbort, { once: true });
    // basic-ftp pipes the data connection into `out` once the server accepted RETR
    out.once('pipe', () => { started = true; resolve(out); });
    c.downloadTo(out, abs, offset).then(() => {
      signal?.removeEventListener('abort', onAbort);
      h.release(c);
      resolve(out);
    }, (e: unknown) => {
      signal?.removeEventListener('abort', onAbort);
      // a transfer cut short leaves the server's final reply pending: do not reuse that connection
      h.release(c, started);
      if (!started) reject(e);
      else if (!out.destroyed) out.destroy(h.toError(e, what, path));
    });
  });
  return h.withOwnedClient(what, path, tryOnce, {
    signal, beforeRetry: () => h.mustExist(path, 'file', what),
  });
}
