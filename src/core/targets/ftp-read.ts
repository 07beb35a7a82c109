// The FTP target's download stream: RETR (REST `offset`) handed out once the server accepted the
// transfer; the connection goes back to the pool when the transfer ends. Where the target pipelines
// EPSV with the transfer command (ftp-fast.ts), RETR runs on our own data connection (ftp-retr.ts:
// reused buffers, and a pump straight into a local file); else (FTPS, active mode, a server that does
// not pipeline or refused EPSV) basic-ftp's downloadTo pipes the data connection into a PassThrough.
import { FTPError, type Client } from 'basic-ftp';
import { PassThrough, type Readable } from 'node:stream';
import { SyncError } from '../errors.js';
import type { FtpOpsHost } from './ftp-partial.js';
import { PassiveFastPathError, withFastPassive, type FastPassiveSwitch } from './ftp-fast.js';
import { retrPipelined } from './ftp-retr.js';

/** what a download needs of the target beyond FtpOpsHost */
export interface FtpReadHost extends FtpOpsHost {
  /** give a connection back to the pool (`broken`: a transfer cut short; not reused) */
  release(c: Client, broken?: boolean): void;
  toError(e: unknown, what: string, path: string): SyncError;
  /** throws not-found when `path` is missing: the likely cause of a reset transfer */
  mustExist(path: string, type: 'file' | 'dir', what: string): Promise<void>;
  withOwnedClient<T>(what: string, path: string, fn: (c: Client) => Promise<T>, opts: { signal?: AbortSignal; beforeRetry?: () => Promise<void> }): Promise<T>;
  /** EPSV pipelined with the transfer command (ftp-fast.ts) */
  readonly fast: FastPassiveSwitch;
}

export async function readFtp(h: FtpReadHost, path: string, signal?: AbortSignal, offset = 0): Promise<Readable> {
  await h.ready();
  const abs = h.abs(path);
  const what = `download ${abs}`;
  // our own data connection (ftp-retr.ts); a refused EPSV turns it off and the same connection goes on the basic-ftp way.
  // Each way gives the connection back itself on every outcome (withOwnedClient does not): a transfer
  // the server refused (550: missing or unreadable) too, else the pool loses a connection per refusal
  // and a run with as many of them as connections waits for one forever.
  const fast = async (c: Client): Promise<Readable> => {
    const onAbort = () => c.close(); // the stream (or its pump) fails with the closed connection
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await retrPipelined(c, abs, offset, (ok) => {
        signal?.removeEventListener('abort', onAbort);
        h.release(c, !ok);
      }, (e) => (signal?.aborted ? new SyncError('aborted', 'Cancelled', { path }) : h.toError(e, what, path)));
    } catch (e) {
      signal?.removeEventListener('abort', onAbort);
      // (a PassiveFastPathError: the connection is in step and goes on to basic() below, which hands it back)
      // a refusal (FTPError) leaves it in step: reused; anything else may not have (closed, not reused)
      if (!(e instanceof PassiveFastPathError)) h.release(c, !(e instanceof FTPError));
      throw e;
    }
  };
  const basic = (c: Client): Promise<Readable> => new Promise((resolve, reject) => {
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
  const tryOnce = (c: Client): Promise<Readable> => withFastPassive(h.fast, () => fast(c), () => basic(c));
  return h.withOwnedClient(what, path, tryOnce, {
    signal, beforeRetry: () => h.mustExist(path, 'file', what),
  });
}
