// One verified file copy from a source target to a destination target, retried: a transfer cut
// short (size mismatch), a connection lost mid-transfer or a hash that does not match is tried
// again (--retries, exponential backoff with jitter) — after checking that the source is still
// what the plan saw — and only then reported as an error. Under a bandwidth limit the source is
// paced by the run's limiter. With "verify": "hash" both sides are hashed after the copy.
import type { Readable } from 'node:stream';
import type { Entry, Logger, Target } from '../types.js';
import { SyncError, errorMessage, isAbortError, isTransientError } from '../errors.js';
import { isSizeMismatch } from './verify.js';
import { throttled, type BandwidthLimiter } from './bandwidth.js';
import { backoffMs, defaultRetryPolicy, sleepFor, type RetryPolicy } from './retry.js';
import { compareHashes, hashFile, HASH_ALGOS } from './hash.js';
import { assertUnchanged } from './recheck.js';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyResumable, resumable, type ResumeContext } from './resume.js';
import { DestinationAppeared, checkDestination, sameEntry, whereOf, type PlannedDestination } from './dest-check.js';

export type VerifyMode = 'size' | 'hash';
export const VERIFY_MODES: readonly VerifyMode[] = ['size', 'hash'];

export interface CopyOptions {
  signal?: AbortSignal;
  onProgress?: (bytes: number) => void;
  log?: Logger;
  /** the source's mode, and the mode of the file it replaces (null: a new file) — see targets/modes.ts */
  mode?: number;
  destMode?: number | null;
  /** what the plan saw at the destination (null: nothing): checked before the first try of a new file,
   *  before every retry and before a resumed transfer's commit (dest-check.ts); undefined: not checked */
  destPlanned?: PlannedDestination;
  /** default: 3 retries, first wait 1 s */
  retry?: RetryPolicy;
  limiter?: BandwidthLimiter;
  /** default 'size' (the targets count the bytes and check the size after the rename) */
  verify?: VerifyMode;
  /** big files go through a partial file that survives an interruption (resume.ts) */
  resume?: ResumeContext;
  /** needed for resume: which way the copy goes */
  direction?: 'upload' | 'download';
  /** sees the source stream of each attempt (not of a resumable copy), e.g. to keep a merge base (merge/capture.ts) */
  tap?: (source: Readable) => Readable;
  /** told how each side was hashed (verify: 'hash') */
  onHashed?: (methods: { src: string; dst: string }) => void;
  /**
   * the file the plan saw at the destination: never replaced when it changed since (recheck.ts) —
   * checked inside the write where the target can (capabilities.recheckOnWrite), else by a stat
   * first. Only before the first attempt: a retry may find this copy's own file there.
   */
  expect?: Entry;
}

/** A hash of the copy differs from the source's: the destination does not hold what was sent. */
export class HashMismatchError extends SyncError {
  constructor(path: string, algo: string) {
    super('io', `Transfer of ${path} failed the ${algo} check: the destination's content differs from the source's`, {
      path, hint: 'Nothing was recorded; the file is sent again by the next run',
    });
    this.name = 'HashMismatchError';
  }
}

/** worth another try: bytes lost on the way, a hash that differs, or the connection dropped (the target reconnects) */
export function isRetryableTransfer(e: unknown): boolean {
  if (isAbortError(e)) return false;
  if (isSizeMismatch(e) || e instanceof HashMismatchError) return true;
  if (e instanceof SyncError) {
    if (e.code === 'connect') return true;
    // an FTP transfer aborted by the network (421/425/426/450 with the server's words)
    const code = (e.cause as { code?: unknown } | undefined)?.code;
    return e.code === 'io' && typeof code === 'number' && [421, 425, 426, 450].includes(code);
  }
  return isTransientError(e);
}

/**
 * Copy `src` (as the plan listed it: `srcEntry`) to the same path on `dst`. Resolves with what
 * `dst` reports for the file afterwards. Nothing is recorded here: the caller records on success.
 */
export async function copyVerified(path: string, src: Target, dst: Target, srcEntry: Entry, opts: CopyOptions = {}): Promise<Entry> {
  const { signal, onProgress } = opts;
  const policy = opts.retry ?? defaultRetryPolicy();
  /** what a failed try left at the destination after its rename (a hash that differs): ours, not someone else's */
  let leftByUs: Entry | undefined;
  // verify "hash": the temp is hashed before its rename where the target offers the moment (WriteOptions.beforeRename),
  // so a bad copy never replaces the file; else the file is hashed after the rename
  let hashedTemp = false;
  const told = (c: { same: boolean; algo: string; methods: [string, string] }) => {
    opts.onHashed?.({ src: c.methods[0], dst: c.methods[1] });
    if (!c.same) throw new HashMismatchError(path, c.algo);
    hashedTemp = true;
  };
  const hashing = opts.verify === 'hash';
  const beforeRename = hashing ? async (tmp: string) => told(await compareHashes(src, dst, path, signal, tmp, srcEntry.size)) : undefined;
  const beforeLocalRename = hashing ? async (file: string) => told(await compareWithLocalFile(src, path, file, signal, srcEntry.size)) : undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      hashedTemp = false;
      const viaPartial = !!opts.direction && resumable(opts.direction, dst, srcEntry.size, opts.resume);
      // the destination must still be what the plan saw: nothing there (dest-check.ts), or the file it saw (`expect` below);
      // a plain write to a target that looks itself, right before its rename, needs no look here on the first try
      const selfChecked = !viaPartial && dst.capabilities.checksNewOnly === true;
      if (attempt === 0 ? opts.destPlanned === null && !selfChecked : opts.destPlanned !== undefined) {
        const ours = leftByUs && await dst.stat(path);
        if (!ours || !sameEntry(ours, leftByUs)) await checkDestination(dst, path, opts.destPlanned, opts.direction);
      }
      const limiter = opts.limiter;
      const tap = opts.tap ?? ((r: Readable) => r);
      const pace = limiter ? (s: Readable) => throttled(s, limiter, signal) : (s: Readable) => s;
      // the first try: a file the plan saw there is re-checked (inside the write where the target can: recheck.ts)
      const expect = attempt === 0 && opts.expect?.type === 'file' ? opts.expect : undefined;
      if (expect && (viaPartial || !dst.capabilities.recheckOnWrite)) assertUnchanged(dst.kind, expect, await dst.stat(path, { strict: true }));
      const written = viaPartial
        ? await copyResumable(opts.direction!, path, src, dst, srcEntry, opts.resume!, {
          signal, onProgress, pace, beforeCommit: () => checkDestination(dst, path, opts.destPlanned, opts.direction), beforeRename, beforeLocalRename,
        })
        : await dst.write(path, pace(tap(await src.read(path, signal))), {
          mtime: srcEntry.mtime, size: srcEntry.size, mode: opts.mode, destMode: opts.destMode, signal, onProgress, beforeRename,
          ...(expect && dst.capabilities.recheckOnWrite ? { expect } : {}),
          ...(attempt === 0 && opts.destPlanned === null ? { newOnly: true } : {}),
        }).catch((e: unknown) => {
          // a target names its own side; which side that is depends on the direction (a local folder can be the server)
          throw e instanceof DestinationAppeared ? new DestinationAppeared(path, whereOf(dst, opts.direction)) : e;
        });
      if (hashing && !hashedTemp) {
        const c = await compareHashes(src, dst, path, signal, path, srcEntry.size);
        opts.onHashed?.({ src: c.methods[0], dst: c.methods[1] });
        if (!c.same) { leftByUs = written; throw new HashMismatchError(path, c.algo); }
      }
      return written;
    } catch (e) {
      if (attempt >= policy.retries || signal?.aborted || !isRetryableTransfer(e)) throw e;
      // the source may have changed since the listing: then another try would not match either
      const now = await src.stat(path);
      if (!now || now.type !== 'file' || now.size !== srcEntry.size || now.mtime !== srcEntry.mtime) {
        throw new SyncError('io', `${path} changed ${src.kind === 'local' ? 'locally' : 'on the server'} during the transfer; nothing was recorded`, {
          path, detail: errorMessage(e), hint: 'Run the sync again: it picks up the new version',
        });
      }
      const wait = backoffMs(policy, attempt + 1);
      opts.log?.warn(`${path}: ${errorMessage(e)}; trying again in ${(wait / 1000).toFixed(1)} s (retry ${attempt + 1} of ${policy.retries})`);
      onProgress?.(0);
      await sleepFor(wait, signal);
    }
  }
}

/** the source's hash (the server's own where it has one) against a local file's, read here with the same algorithm */
async function compareWithLocalFile(src: Target, path: string, file: string, signal?: AbortSignal, size?: number): Promise<{ same: boolean; algo: string; methods: [string, string] }> {
  const theirs = await hashFile(src, path, HASH_ALGOS, signal, size);
  const h = createHash(theirs.algo);
  for await (const chunk of createReadStream(file, { signal })) h.update(chunk as Buffer);
  return { same: h.digest('hex') === theirs.hex.toLowerCase(), algo: theirs.algo, methods: [theirs.method, 'read'] };
}
