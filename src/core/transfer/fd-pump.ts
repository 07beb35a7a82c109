// A fast path a source stream may offer to the copy step: "pump your bytes straight into this open
// file". Target.read() still returns a Readable for every use (hashes, merges, the explorer…); a
// source that can do better when the destination is a local file descriptor (the FTP download's own
// data connection, ftp-retr.ts: reads into a few reused buffers written with fs.write, no buffer per
// chunk) attaches a pump to that Readable. writeToFd (file-sink.ts) uses the pump when it is there and
// the stream is untouched; throttled() (bandwidth.ts) passes it on with the run's limiter. A stream
// something else wrapped (a merge capture tap) has no pump: it is copied the stream way.
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

/** the pump `stream` offers, while nothing has been read from it the stream way */
export function fdPumpOf(stream: Readable): FdPump | undefined {
  const pump = (stream as Readable & { [PUMP]?: FdPump })[PUMP];
  if (!pump || stream.destroyed || stream.readableDidRead || stream.readableFlowing !== null) return undefined;
  return pump;
}
