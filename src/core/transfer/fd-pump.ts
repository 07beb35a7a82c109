// Fast paths between a stream and a local file descriptor. A source stream may offer to the copy
// step: "pump your bytes straight into this open file" (fd pump), or "I am this range of an open
// local file" (file range: an upload reads it with fs.read into its own reused buffers, ftp-send.ts and sftp-write-range.ts). Target.read() still returns a Readable for every use (hashes, merges, the explorer…); a
// source that can do better when the destination is a local file descriptor (the FTP download's own
// data connection, ftp-retr.ts: reads into a few reused buffers written with fs.write, no buffer per
// chunk) attaches a pump to that Readable. writeToFd (file-sink.ts) uses the pump when it is there and
// the stream is untouched; throttled() (bandwidth.ts) passes it on with the run's limiter. A stream
// something else wrapped (a merge capture tap) has no pump: it is copied the stream way.
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { BandwidthLimiter } from './bandwidth.js';

export interface FdPumpOptions {
  signal?: AbortSignal;
  /** bytes written so far (called per chunk) */
  onProgress?: (bytes: number) => void;
  /** where the first byte goes (default: the descriptor's position — for a file opened to append) */
  position?: number;
  /** the run's bandwidth limit: the pump waits after each chunk for as long as its bytes cost */
  limiter?: BandwidthLimiter;
  /**
   * the bytes expected: a source whose data ends short of them returns what arrived at once (the
   * caller's size check names both sizes) instead of waiting for a server's final word that may not come
   */
  size?: number;
  /**
   * the source's first bytes must be these (a resumed download's overlap with its partial,
   * transfer/overlap.ts): compared, not written; a difference fails the copy with OverlapMismatch.
   * The count resolved is of the bytes written; `size` and `onProgress` count the source's.
   */
  overlap?: Buffer;
}

/**
 * Copy all of the source into `fd`. Same contract as writeToFd: resolves with the number of bytes
 * written once every write is done (the caller checks it against the expected size); rejects on a
 * transfer error, a write error or an abort, always after the write in flight has finished. The
 * source's stream is destroyed either way. The descriptor is not closed.
 */
export type FdPump = (fd: number, opts: FdPumpOptions) => Promise<number>;

const PUMP = Symbol('remote-sync.fdPump');

/** attach `pump` to `stream` (returned) */
export function offerFdPump<T extends Readable>(stream: T, pump: FdPump): T {
  (stream as T & { [PUMP]?: FdPump })[PUMP] = pump;
  return stream;
}

/** take back the pump `stream` offered (it began to be read the stream way, which the pump cannot continue) */
export function withdrawFdPump(stream: Readable): void {
  delete (stream as Readable & { [PUMP]?: FdPump })[PUMP];
}

/** the pump `stream` offers, while nothing has been read from it the stream way */
export function fdPumpOf(stream: Readable): FdPump | undefined {
  const pump = (stream as Readable & { [PUMP]?: FdPump })[PUMP];
  if (!pump || stream.destroyed || stream.readableDidRead || stream.readableFlowing !== null) return undefined;
  return pump;
}

/**
 * a range of an open local file (`end` exclusive; undefined: to the end of the file). The handle, not
 * its descriptor number: the stream closes it when destroyed, and a FileHandle's close waits for its
 * reads in flight and fails later ones, where a bare number could already name another file.
 */
export interface FileRange {
  handle: FileHandle;
  start: number;
  end?: number;
}

const RANGE = Symbol('remote-sync.fileRange');

/**
 * mark `stream` (returned) as the bytes of `range`: a sender may read them with fs.read instead of
 * reading the stream, and then destroys the stream (which closes the file) when it is done
 */
export function offerFileRange<T extends Readable>(stream: T, range: FileRange): T {
  (stream as T & { [RANGE]?: FileRange })[RANGE] = range;
  return stream;
}

/** the file range `stream` stands for, while nothing has been read from it the stream way */
export function fileRangeOf(stream: Readable): FileRange | undefined {
  const range = (stream as Readable & { [RANGE]?: FileRange })[RANGE];
  if (!range || stream.destroyed || stream.readableDidRead || stream.readableFlowing !== null) return undefined;
  return range;
}

const BUFFER = Symbol('remote-sync.wholeBuffer');

/**
 * mark `stream` (returned) as exactly the bytes of `buf` (a small local file read in one go): a sender
 * may write the buffer itself instead of reading the stream (a stream, its pushes and events per file
 * were a large part of an upload of many small files), and a merge-base capture may keep it as is
 */
export function offerBuffer<T extends Readable>(stream: T, buf: Buffer): T {
  (stream as T & { [BUFFER]?: Buffer })[BUFFER] = buf;
  return stream;
}

/** the whole content `stream` stands for, while nothing has been read from it (either way) */
export function bufferOf(stream: Readable): Buffer | undefined {
  const buf = (stream as Readable & { [BUFFER]?: Buffer })[BUFFER];
  if (!buf || stream.destroyed || stream.readableDidRead || stream.readableFlowing !== null || rangesRead.has(stream)) return undefined;
  return buf;
}

const rangesRead = new WeakSet<Readable>();

/** a sender began reading `stream`'s file range (or took its whole buffer): as after a stream read, it cannot be sent again whole */
export function markRangeRead(stream: Readable): void {
  rangesRead.add(stream);
}

/** nothing of `stream` was consumed yet, neither the stream way nor through its file range (an upload may be tried again with it) */
export function untouched(stream: Readable): boolean {
  return !stream.readableDidRead && !stream.destroyed && !rangesRead.has(stream);
}
