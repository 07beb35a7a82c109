// An SFTP upload's bytes from a local file straight into WRITE requests (sftp-stream.ts writeFrom,
// when the source is a range of a local file: transfer/fd-pump.ts). The file is read with
// FileHandle.read into two reused 256 KiB buffers, and each buffer is cut into WRITE requests. ssh2's
// SFTP.write copies the bytes into its request packet before it returns, so a buffer is read into
// again as soon as all of it was handed over: no new Buffer per read, which the stream way made
// (1 MiB each), and which WRITE requests in flight kept alive long enough for V8 to move them to the old
// generation (freed only by a full collection: most of a big upload's memory).
// One read at a time, in order; at most `depth` requests in flight.
import type { Readable } from 'node:stream';
import type { SFTPWrapper } from 'ssh2';
import { abortError } from '../errors.js';
import { markRangeRead, type FileRange } from '../transfer/fd-pump.js';
import { noteMoved } from '../transfer/scavenge.js';

/**
 * the biggest read (two requests' worth). 1 MiB buffers, as FTP uploads use (ftp-send.ts), took 10 MB
 * more of peak memory here for no gain in speed; 128 KiB ones cost CPU
 */
const MAX_BUFFER = 256 * 1024;
const BUFFERS = 2;
/** full-size buffers of finished uploads, for the next one */
const spare: Buffer[] = [];
const SPARE_MAX = 4;

export interface RangeWrite {
  /** bytes per WRITE request: never more than the server's limit (ssh2 would split the rest off and re-read the buffer later) */
  chunk: number;
  /** WRITE requests in flight */
  depth: number;
  /** the remote offset of the range's first byte */
  start: number;
  /** the bytes expected (a file under MAX_BUFFER gets one buffer of its size); undefined: read to the end */
  size?: number;
  signal?: AbortSignal;
  onProgress?: (bytes: number) => void;
  /** every WRITE request is sent (see WriteFromOptions.onIssued) */
  onIssued?: () => void;
  /** the connection is still open (ssh2 silently drops requests on a closed channel) */
  open: () => boolean;
  lost: () => Error;
}

/** buffers for one upload: full-size ones (spares first), or one of the file's size when it is smaller */
function buffersFor(chunk: number, size: number | undefined): Buffer[] {
  if (size !== undefined && size < MAX_BUFFER) return [Buffer.allocUnsafe(Math.max(chunk, Math.ceil(Math.max(size, 1) / chunk) * chunk))];
  const out = spare.splice(0, BUFFERS);
  while (out.length < BUFFERS) out.push(Buffer.allocUnsafe(MAX_BUFFER));
  return out;
}

/**
 * Does a WRITE request of `chunk` bytes fit the server's limit as ssh2 knows it? A request ssh2
 * splits keeps a view of our buffer for its second half, which a reused buffer must never have.
 */
export function requestFits(sftp: SFTPWrapper, chunk: number): boolean {
  const maxWrite = (sftp as unknown as { _maxWriteLen?: unknown })._maxWriteLen;
  return typeof maxWrite === 'number' && chunk > 0 && chunk <= maxWrite;
}

/**
 * Write `range` into the open remote `handle` with pipelined WRITE requests. Resolves with the number
 * of bytes written once every request is acknowledged; rejects on the first error. `source` (the
 * stream standing for the range) counts as read from the first read on, and is destroyed at the end
 * either way, which closes the file.
 */
export function writeRange(sftp: SFTPWrapper, handle: Buffer, range: FileRange, source: Readable, o: RangeWrite): Promise<number> {
  if (!requestFits(sftp, o.chunk)) {
    const limit = (sftp as unknown as { _maxWriteLen?: unknown })._maxWriteLen;
    return Promise.reject(new Error(`writeRange: request size ${o.chunk} is over the server's limit (${String(limit)})`));
  }
  return new Promise<number>((resolve, reject) => {
    const size = o.size !== undefined ? o.size - range.start : undefined;
    const mine = buffersFor(o.chunk, size);
    const free = [...mine];
    const ready: { buf: Buffer; at: number; n: number }[] = [];
    let local = range.start;
    let pos = o.start;
    let acked = 0;
    let inflight = 0;
    let reading = false;
    let eof = range.end !== undefined && local >= range.end;
    let issued = false;
    let settled = false;

    const onClose = () => fail(o.lost());
    const onAbort = () => fail(abortError());
    const cleanup = () => {
      sftp.off('close', onClose);
      o.signal?.removeEventListener('abort', onAbort);
    };
    function fail(err: unknown) {
      if (settled) return;
      settled = true;
      cleanup();
      // (a read in flight finishes into a buffer nobody looks at; the handle's close waits for it)
      if (!source.destroyed) source.destroy();
      reject(err);
    }
    const finish = () => {
      settled = true;
      cleanup();
      for (const b of mine) if (b.length === MAX_BUFFER && spare.length < SPARE_MAX) spare.push(b);
      source.destroy(); // closes the file
      resolve(pos - o.start);
    };
    const issue = (buf: Buffer) => {
      if (!o.open()) return fail(o.lost());
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
          o.onProgress?.(acked);
          pump();
        });
      } catch (e) {
        inflight--;
        fail(e);
      }
    };
    const read = () => {
      const buf = free.pop()!;
      const want = range.end === undefined ? buf.length : Math.min(buf.length, range.end - local);
      reading = true;
      markRangeRead(source);
      range.handle.read(buf, 0, want, local).then(({ bytesRead: n }) => {
        reading = false;
        if (settled) return;
        if (n === 0) {
          free.push(buf);
          eof = true;
        } else {
          local += n;
          if (range.end !== undefined && local >= range.end) eof = true;
          ready.push({ buf, at: 0, n });
        }
        pump();
      }, (e: unknown) => {
        reading = false;
        fail(e);
      });
    };
    function pump() {
      if (settled) return;
      while (ready.length && inflight < o.depth && !settled) {
        const head = ready[0];
        const len = Math.min(o.chunk, head.n - head.at);
        issue(head.buf.subarray(head.at, head.at + len)); // (copied by ssh2 before it returns)
        head.at += len;
        if (head.at === head.n) { ready.shift(); free.push(head.buf); }
      }
      if (settled) return;
      if (!eof && !reading && free.length) read();
      if (eof && !reading && !ready.length) {
        if (!issued) { issued = true; o.onIssued?.(); }
        if (inflight === 0) finish();
      }
    }
    if (o.signal?.aborted) return onAbort();
    if (!o.open()) return fail(o.lost());
    o.signal?.addEventListener('abort', onAbort, { once: true });
    sftp.once('close', onClose);
    pump();
  });
}
