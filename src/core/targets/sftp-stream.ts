// Pipelined SFTP file transfer on one channel: many READ / WRITE requests in flight at once (as
// OpenSSH's sftp and ssh2's fastGet/fastPut do), but streamed — never more than `depth` chunks held.
// Writing (uploads) is here; reading is in sftp-read.ts.
import type { Readable } from 'node:stream';
import type { SFTPWrapper } from 'ssh2';
import { abortError } from '../errors.js';
import { fileRangeOf } from '../transfer/fd-pump.js';
import { noteMoved } from '../transfer/scavenge.js';
import { requestFits, writeRange } from './sftp-write-range.js';

export interface PipelineOptions {
  /** bytes per request (capped at what the server accepts) */
  chunkSize?: number;
  /** requests in flight */
  depth?: number;
}

export const DEFAULT_DEPTH = 64;
/** reads and writes ask for up to this much each (OpenSSH's limits@openssh.com allows 255 KiB) */
export const BIG_CHUNK = 256 * 1024;
/** bytes of requests in flight: the SSH channel windows (ssh2's, OpenSSH's) are 2 MiB, more would only wait */
export const IN_FLIGHT_BUDGET = 2 * 1024 * 1024;

export function maxLen(sftp: SFTPWrapper, which: '_maxReadLen' | '_maxWriteLen', wanted: number): number {
  const max = (sftp as unknown as Record<string, number>)[which];
  return typeof max === 'number' && max > 0 ? Math.min(wanted, max) : Math.min(wanted, 32 * 1024);
}

function pow2Floor(n: number): number {
  return n >= 1024 ? 2 ** Math.floor(Math.log2(n)) : n;
}

/** requests in flight for `chunk`-sized requests: the budget's worth, at least 8, at most 64 */
export function depthFor(chunk: number): number {
  return Math.min(DEFAULT_DEPTH, Math.max(8, Math.ceil(IN_FLIGHT_BUDGET / chunk)));
}

/**
 * ssh2 silently drops requests on a closed channel (their callbacks never run): check first. A channel
 * the server ended (EOF: its subsystem exited) is not open either, though ssh2 still calls it open
 * (requests on it fail: ssh/sftp-ended.ts).
 */
export function channelOpen(sftp: SFTPWrapper): boolean {
  const ch = sftp as unknown as { outgoing?: { state?: string }; incoming?: { state?: string } };
  const state = ch.outgoing?.state;
  const incoming = ch.incoming?.state;
  return (state === undefined || state === 'open') && (incoming === undefined || incoming === 'open');
}

export function connectionLost(): Error {
  return Object.assign(new Error('Not connected: the connection was closed'), { code: 'ERR_NOT_CONNECTED' });
}

export interface WriteFromOptions extends PipelineOptions {
  signal?: AbortSignal;
  onProgress?: (bytes: number) => void;
  /** offset to write at (a resumed upload); the result and progress count from here */
  start?: number;
  /**
   * Called once the source has ended and every WRITE request is sent, before their replies: the
   * caller may send the requests that follow (FSETSTAT, CLOSE) at once. The server handles a
   * handle's requests in order, and the caller still waits for every reply before going on.
   */
  onIssued?: () => void;
  /** the bytes expected, if known (a local file's range is read into buffers of its size when it is small) */
  size?: number;
}

/**
 * Copy `source` into an open remote handle with pipelined WRITE requests. Resolves with the number of
 * bytes written once every request is acknowledged; rejects on the first error (source destroyed).
 */
export function writeFrom(sftp: SFTPWrapper, handle: Buffer, source: Readable, opts: WriteFromOptions = {}): Promise<number> {
  // as for reads: fewer, larger writes than 64 × 64 KiB, the same bytes in flight. A power of two
  // (OpenSSH's 255 KiB limit → 128 KiB): the local file's 1 MiB reads are then cut into requests
  // without copying, where a 255 KiB request would straddle two reads and have to be copied
  const chunk = pow2Floor(maxLen(sftp, '_maxWriteLen', opts.chunkSize ?? BIG_CHUNK));
  const depth = opts.depth ?? depthFor(chunk);
  // a range of a local file: read into reused buffers (sftp-write-range.ts), not the stream's new chunks
  const range = fileRangeOf(source);
  if (range && requestFits(sftp, chunk)) {
    return writeRange(sftp, handle, range, source, {
      chunk, depth, start: opts.start ?? 0, size: opts.size, signal: opts.signal, onProgress: opts.onProgress,
      onIssued: opts.onIssued, open: () => channelOpen(sftp), lost: connectionLost,
    });
  }
  return new Promise<number>((resolve, reject) => {
    const start = opts.start ?? 0;
    let pos = start;
    let acked = 0;
    let inflight = 0;
    let ended = false;
    let settled = false;
    let paused = false;
    let pending: Buffer[] = [];
    let pendingLen = 0;

    const onClose = () => fail(connectionLost());
    const cleanup = () => {
      sftp.off('close', onClose);
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', fail);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    function fail(err: unknown) {
      if (settled) return;
      settled = true;
      cleanup();
      if (!source.destroyed) source.destroy();
      reject(err);
    }
    const maybeDone = () => {
      if (!settled && ended && inflight === 0 && pendingLen === 0) {
        settled = true;
        cleanup();
        resolve(pos - start);
      }
    };
    const issue = (buf: Buffer) => {
      if (!channelOpen(sftp)) return fail(connectionLost());
      const at = pos;
      const len = buf.length;
      pos += len;
      inflight++;
      try {
        sftp.write(handle, buf, 0, len, at, (err) => {
          inflight--;
          if (settled) return;
          if (err) return fail(err);
          acked += len;
          noteMoved(len);
          opts.onProgress?.(acked);
          if (paused && inflight < depth) { paused = false; source.resume(); }
          maybeDone();
        });
      } catch (e) {
        inflight--;
        fail(e);
      }
    };
    const take = (force: boolean) => {
      while (!settled && (pendingLen >= chunk || (force && pendingLen > 0))) {
        let buf: Buffer;
        if (pending[0].length === chunk || (force && pending.length === 1 && pending[0].length <= chunk)) {
          buf = pending.shift()!;
        } else {
          const all = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingLen);
          buf = all.subarray(0, Math.min(chunk, all.length));
          pending = all.length > buf.length ? [all.subarray(buf.length)] : [];
        }
        pendingLen -= buf.length;
        issue(buf);
      }
    };
    function onData(c: Buffer | string) {
      const b = typeof c === 'string' ? Buffer.from(c) : c;
      if (!b.length) return;
      pending.push(b);
      pendingLen += b.length;
      take(false);
      if (inflight >= depth && !paused) { paused = true; source.pause(); }
    }
    function onEnd() {
      ended = true;
      take(true);
      if (!settled) opts.onIssued?.();
      maybeDone();
    }
    function onAbort() {
      fail(abortError());
    }
    if (opts.signal?.aborted) return onAbort();
    if (!channelOpen(sftp)) return fail(connectionLost());
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    sftp.once('close', onClose);
    source.on('data', onData);
    source.on('end', onEnd);
    source.on('error', fail);
  });
}
