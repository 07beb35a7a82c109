// How a run treats large files and slow links, in one bundle the session builds from the run's
// options and the executor passes to every copy: retries, one bandwidth limiter, the time limit,
// the order of transfers and the verification.
import { SyncError } from '../errors.js';
import { BandwidthLimiter, parseBandwidth, type BandwidthSchedule } from './bandwidth.js';
import { DEFAULT_RETRIES, DEFAULT_RETRY_SLEEP_MS, type RetryPolicy } from './retry.js';
import { timeLimit, TRANSFER_ORDERS, type TimeLimit, type TransferOrder } from './schedule.js';
import { VERIFY_MODES, type VerifyMode } from './copy.js';
import type { ResumeContext } from './resume.js';

/** What the CLI, the config file or the extension ask for (all optional). */
export interface TransferSettings {
  /** further tries of a failed file (default 3) */
  retries?: number;
  /** first wait before a retry, ms (default 1000; doubled each time, with jitter) */
  retrySleepMs?: number;
  /** "2M", "512K", "off" or a timetable "08:00,512K 19:00,off" */
  bandwidthLimit?: string | BandwidthSchedule;
  /** stop starting transfers this long after the run started */
  maxDurationMs?: number;
  /** stop starting transfers at this time of day ("06:00", local time) */
  stopAt?: string;
  order?: TransferOrder;
  verify?: VerifyMode;
  /** bytes: bigger files resume after an interruption (default 8 MiB); null: never */
  resumeAbove?: number | null;
}

export interface TransferPolicy {
  retry: RetryPolicy;
  limiter?: BandwidthLimiter;
  timeLimit?: TimeLimit;
  order?: TransferOrder;
  verify: VerifyMode;
  /** set by the session (it knows the state folder) unless resuming is off */
  resume?: ResumeContext;
}

export function transferPolicy(s: TransferSettings = {}, start = Date.now()): TransferPolicy {
  if (s.order !== undefined && !TRANSFER_ORDERS.includes(s.order)) {
    throw new SyncError('usage', `Unknown transfer order '${s.order}'`, { hint: `Use one of ${TRANSFER_ORDERS.join(', ')}` });
  }
  if (s.verify !== undefined && !VERIFY_MODES.includes(s.verify)) {
    throw new SyncError('usage', `Unknown verify mode '${s.verify}'`, { hint: `Use one of ${VERIFY_MODES.join(', ')}` });
  }
  const retries = s.retries ?? DEFAULT_RETRIES;
  if (!Number.isInteger(retries) || retries < 0) throw new SyncError('usage', `retries must be a whole number of 0 or more (got ${retries})`);
  const policy: TransferPolicy = { retry: { retries, sleepMs: s.retrySleepMs ?? DEFAULT_RETRY_SLEEP_MS }, verify: s.verify ?? 'size' };
  if (s.bandwidthLimit !== undefined) {
    const schedule = typeof s.bandwidthLimit === 'string' ? parseBandwidth(s.bandwidthLimit) : s.bandwidthLimit;
    if (schedule.slots.some((x) => x.rate !== null)) policy.limiter = new BandwidthLimiter(schedule);
  }
  const limit = timeLimit({ maxDurationMs: s.maxDurationMs, stopAt: s.stopAt }, start);
  if (limit) policy.timeLimit = limit;
  if (s.order) policy.order = s.order;
  return policy;
}

