// Retries of a failed file transfer (--retries N, default 3; --retries-sleep for the first wait):
// exponential backoff with jitter, so that many transfers cut by the same outage do not all come
// back at the same moment. A file that keeps failing is an error; the other files go on.
import { SyncError } from '../errors.js';

export const DEFAULT_RETRIES = 3;
export const DEFAULT_RETRY_SLEEP_MS = 1000;
/** no wait grows beyond this */
export const MAX_RETRY_SLEEP_MS = 60_000;

export interface RetryPolicy {
  /** further tries after the first failure (0: none) */
  retries: number;
  /** the first wait, ms (doubled each time, jittered ±50%, at most MAX_RETRY_SLEEP_MS) */
  sleepMs: number;
}

export const defaultRetryPolicy = (): RetryPolicy => ({ retries: DEFAULT_RETRIES, sleepMs: DEFAULT_RETRY_SLEEP_MS });

/** the wait before try number `retry` (1 = the first retry); `random` in [0, 1) */
export function backoffMs(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_RETRY_SLEEP_MS, policy.sleepMs * 2 ** Math.max(0, retry - 1));
  return Math.round(base * (0.5 + random()));
}

export function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) { reject(new SyncError('aborted', 'Cancelled')); return; }
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(t); reject(new SyncError('aborted', 'Cancelled')); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
