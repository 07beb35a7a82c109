// Writing a transfer's bytes into an open local file: the source's chunks (16–64 KiB from an FTP
// data connection, SFTP read replies) are copied into 256 KiB buffers written with fs.write on the
// descriptor — one write in flight while the next buffer fills, the source paused when a full one
// waits too. No stream machinery between the socket and the disk (fs.WriteStream's queue, pipeline's
// async iteration, which concatenates what is buffered into new buffers), and the buffers are
// reused, also by the next file: a 512 MiB download allocates three of them instead of thousands.
// (Measured: 1 MiB writes cost more system time than 256 KiB ones — the copy no longer fits the
// CPU cache — and were slower.)
import { write } from 'node:fs';
import type { Readable } from 'node:stream';
import { fdPumpOf } from './fd-pump.js';
import { PumpBuffers } from './buffer-pool.js';
import { abortError } from '../errors.js';
import { OverlapCheck } from './overlap.js';

/** the size of one write */
export const SINK_BUFFER = 256 * 1024;
/** buffers filled and waiting for the write in flight before the source is paused */
const QUEUED_MAX = 1;

export interface SinkOptions {
  signal?: AbortSignal;
  /** bytes taken from the source so far (called per source chunk) */
  onProgress?: (bytes: number) => void;
  /** where the first byte goes (default: the descriptor's position — for a file opened to append) */
  position?: number;
  /** the bytes expected: a small file gets a buffer of its size, not a MiB */
  size?: number;
  /** the source's first bytes, compared instead of written (a resumed download: fd-pump.ts FdPumpOptions.overlap) */
  overlap?: Buffer;
}

/** buffers of finished writes kept for the next file (buffer-pool.ts) */
const SPARE_MAX = 4;

function prematureClose(): Error {
  return Object.assign(new Error('The transfer ended before all of the file arrived (premature close)'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}

/**
 * Copy all of `source` into `fd`. Resolves with the number of bytes written once every write is
 * done; rejects on the source's error, a write's error or an abort — always after the write in
 * flight has finished (the caller may close or remove the file right away). The source is destroyed
 * on failure. The descriptor is not closed.
 */
export function writeToFd(source: Readable, fd: number, opts: SinkOptions = {}): Promise<number> {
  // a source that writes into a descriptor itself (fd-pump.ts: the FTP download's own data connection)
  const pump = fdPumpOf(source);
  if (pump) return pump(fd, { signal: opts.signal, onProgress: opts.onProgress, position: opts.position, size: opts.size, overlap: opts.overlap });
  return new Promise<number>((resolve, reject) => {
    // a small file: one buffer of its size; big ones: MiB buffers from the spares
    const small = opts.size !== undefined && opts.size < SINK_BUFFER ? Math.max(opts.size, 1) : 0;
    const buffers = new PumpBuffers(SINK_BUFFER, Infinity, SPARE_MAX);
    const queued: Buffer[] = [];
    let cur: Buffer | undefined;
    let curLen = 0;
    let writing = false;
    let ended = false;
    let failed: Error | undefined;
    let settled = false;
    let received = 0;
    let written = 0;
    let position = opts.position;
    const overlap = new OverlapCheck(opts.overlap);

    const take = (): Buffer => {
      return buffers.take(small && !buffers.count ? small : undefined)!;
    };
    const giveBack = () => {
      buffers.done(true);
    };
    const cleanup = () => {
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', onError);
      source.off('close', onClose);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    const settle = () => {
      if (settled || writing) return;
      if (failed || (ended && !queued.length && !curLen)) giveBack();
      if (failed) {
        settled = true;
        cleanup();
        if (!source.destroyed) source.destroy();
        reject(failed);
      } else if (ended && !queued.length && !curLen) {
        settled = true;
        cleanup();
        resolve(written);
      }
    };
    const fail = (e: Error) => {
      if (failed || settled) return;
      failed = e;
      settle();
    };
    const next = () => {
      if (writing || failed) return settle();
      const buf = queued.shift();
      if (!buf) return settle();
      writing = true;
      writeAll(buf, 0, buf.length);
    };
    const writeAll = (buf: Buffer, off: number, len: number) => {
      write(fd, buf, off, len, position ?? null, (err, n) => {
        if (!err && n === 0) err = Object.assign(new Error('The disk took no bytes'), { code: 'EIO' });
        if (err) { writing = false; fail(err); return; }
        written += n;
        if (position !== undefined) position += n;
        if (n < len) return writeAll(buf, off + n, len - n);
        writing = false;
        buffers.release(buf); // filled again with the next MiB
        next();
        if (source.isPaused() && !ended && !failed && queued.length < QUEUED_MAX) source.resume();
      });
    };
    const queue = (buf: Buffer) => { queued.push(buf); next(); };

    function onData(chunk: Buffer | string) {
      if (failed) return;
      let b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      received += b.length;
      if (overlap.pending) {
        try { b = b.subarray(overlap.take(b, 0, b.length)); } catch (e) { fail(e as Error); return; }
      }
      while (b.length) {
        cur ??= take();
        const n = b.copy(cur, curLen);
        curLen += n;
        b = b.subarray(n);
        if (curLen === cur.length) {
          const full = cur;
          cur = undefined;
          curLen = 0;
          queue(full);
        }
      }
      opts.onProgress?.(received);
      if (queued.length >= QUEUED_MAX && !source.isPaused()) source.pause();
    }
    function onEnd() {
      ended = true;
      if (curLen) {
        const last = cur!.subarray(0, curLen);
        cur = undefined;
        curLen = 0;
        queue(last);
      }
      settle();
    }
    function onError(e: Error) { fail(e); }
    function onClose() { if (!ended) fail(prematureClose()); }
    function onAbort() {
      fail(abortError());
      if (!source.destroyed) source.destroy();
    }

    if (opts.signal?.aborted) { onAbort(); return; }
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    source.on('error', onError);
    source.on('end', onEnd);
    source.on('close', onClose);
    source.on('data', onData);
    source.resume(); // a source paused before it was handed over flows too
  });
}
