// Verified transfers: every write counts the bytes it moved and checks them against the size the
// source reported (the listing the plan was made from), and checks the destination's size after
// the rename. A mismatch is a SizeMismatchError naming the path and both sizes; the target removes
// its temp file (never renamed onto the real name) and the executor records nothing and retries once.
import { SyncError } from '../errors.js';

/** The error of a transfer whose byte count does not match what the source reported. */
export class SizeMismatchError extends SyncError {
  constructor(path: string, readonly expected: number, readonly actual: number, readonly stage: 'moved' | 'after-rename') {
    super('io', stage === 'moved'
      ? `Transfer of ${path} incomplete: the source reported ${expected} bytes but ${actual} bytes arrived`
      : `Transfer of ${path} failed the size check: the source reported ${expected} bytes but the destination has ${actual} bytes after the rename`, {
      path,
      hint: stage === 'moved'
        ? 'The connection was cut short or the file changed during the transfer; nothing was recorded: run the sync again'
        : 'The destination does not hold what was sent; nothing was recorded: check the destination, then run the sync again',
    });
    this.name = 'SizeMismatchError';
  }
}

export function isSizeMismatch(e: unknown): e is SizeMismatchError {
  return e instanceof SizeMismatchError;
}

/** Throws a SizeMismatchError when `expected` is known and differs from `actual`. */
export function checkSize(path: string, expected: number | undefined, actual: number, stage: 'moved' | 'after-rename'): void {
  if (expected !== undefined && expected !== actual) throw new SizeMismatchError(path, expected, actual, stage);
}

/**
 * Yields the chunks of `source` as they are asked for (nothing is read before the consumer reads:
 * a transfer that fails before its first byte can still be retried with the same source) and adds
 * their length to `tally.bytes`.
 */
export async function* countChunks(source: AsyncIterable<Buffer | string>, tally: { bytes: number }): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    tally.bytes += b.length;
    yield b;
  }
}
