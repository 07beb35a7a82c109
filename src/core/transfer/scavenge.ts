// A young-generation collection every 2 MiB an SFTP transfer moves, where the process owner allows it
// (the CLI: cli/scavenger.ts). ssh2 makes short-lived Buffers faster than V8 collects them: it copies
// each request into a packet, each packet into an SSH packet, and Node's cipher returns the
// ciphertext in new memory, two to three bytes of garbage per byte moved. Buffers live outside V8's
// heap, and V8 collects the young generation for them only once 32 MiB of them are waiting (twice
// its default maximum semi-space): a third of the CLI's peak memory on a big SFTP transfer.
// Not more often: what is still in flight (2 MiB of requests) would then live through two
// collections, and V8 moves such objects to the old generation, which only a full collection frees
// (every 512 KiB made the peak higher than none). A minor collection of a young generation holding
// little but that garbage takes well under a millisecond. The SFTP paths count (sftp-stream.ts,
// sftp-write-range.ts, sftp-read.ts); FTP's transfers use reused buffers and do not. Without an
// owner's collector (the extension host, the tests) this does nothing.

/** bytes moved between two collections */
export const SCAVENGE_EVERY = 2 * 1024 * 1024;

let collect: (() => void) | undefined;
let owed = 0;

/** the collector to call (undefined: none, the default) */
export function setScavenger(fn: (() => void) | undefined): void {
  collect = fn;
  owed = 0;
}

/** `bytes` more were moved (read from one side and handed to the other) */
export function noteMoved(bytes: number): void {
  if (!collect || !(bytes > 0)) return;
  owed += bytes;
  if (owed < SCAVENGE_EVERY) return;
  owed = 0;
  collect();
}
