// An upload's bytes from a local file straight into the FTP data connection (ftp-fast.ts
// storePipelined, when the source is a range of a local file: transfer/fd-pump.ts). The file is read
// with FileHandle.read into four reused 1 MiB buffers; each is written to the socket and used again
// only after its write callback (the kernel has the bytes). The stream way read 1 MiB chunks, each a
// new Buffer that V8 frees only after tens of MB of them: most of a big upload's memory.
// One read at a time, in order; the writes queue in the socket behind it (at most three buffers).
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { markRangeRead, type FileRange } from '../transfer/fd-pump.js';

/** 256 KiB buffers were slower than the stream way on loopback; 1 MiB ones as fast with ~25% less CPU */
const BUFFER = 1024 * 1024;
const BUFFERS = 4;
/** buffers of finished uploads, for the next one */
const spare: Buffer[] = [];
const SPARE_MAX = 4;

/**
 * Send `range` on `data`, then end it. `moved.bytes` counts every byte handed to the socket (verify.ts
 * checks it), `onProgress` sees the running total. `fail`: a read or write error (the caller closes
 * the connection); `done`: every byte is with the kernel and the data connection is ended. `source`
 * (the stream that stands for the range) counts as read from the first read on (fd-pump.ts
 * untouched(): an APPE must not be repeated from the start), and is destroyed after a complete
 * upload, which closes the file; after a failure the caller destroys it.
 */
export function sendFileRange(data: Socket, range: FileRange, source: Readable, moved: { bytes: number },
  onProgress: ((bytes: number) => void) | undefined, fail: (e: Error) => void, done: () => void): void {
  const free: Buffer[] = spare.splice(0, BUFFERS);
  while (free.length < BUFFERS) free.push(Buffer.allocUnsafe(BUFFER));
  const mine = [...free];
  let position = range.start;
  let reading = false;
  let eof = range.end !== undefined && position >= range.end;
  let inSocket = 0;
  let failed = false;
  let ended = false;
  const stop = (e: Error) => {
    if (failed || ended) return;
    failed = true;
    // (the source stays open: the caller destroys it when it gives up)
    // a data connection closed already: the transfer's own failure, an abort, or the socket's error,
    // which basic-ftp's handlers report; the connection may be another task's by now: not touched
    if (!data.destroyed) fail(e);
  };
  const finish = () => {
    if (ended || failed) return;
    ended = true;
    data.once('finish', () => {
      for (const b of mine) if (spare.length < SPARE_MAX) spare.push(b);
      source.destroy(); // closes the file
      done();
    });
    data.end();
  };
  const pump = () => {
    if (failed || ended) return;
    if (eof) { if (!inSocket && !reading) finish(); return; }
    if (reading || !free.length) return;
    const buf = free.pop()!;
    const want = range.end === undefined ? buf.length : Math.min(buf.length, range.end - position);
    reading = true;
    markRangeRead(source);
    range.handle.read(buf, 0, want, position).then(({ bytesRead: n }) => {
      reading = false;
      if (failed) return;
      if (n === 0) {
        free.push(buf);
        eof = true;
        pump();
        return;
      }
      position += n;
      if (range.end !== undefined && position >= range.end) eof = true;
      moved.bytes += n;
      onProgress?.(moved.bytes);
      inSocket++;
      data.write(buf.subarray(0, n), (err) => {
        inSocket--;
        if (err) { stop(err); return; }
        free.push(buf);
        pump();
      });
      pump();
    }, (e: unknown) => {
      reading = false;
      stop(e instanceof Error ? e : new Error(String(e)));
    });
  };
  pump();
}
