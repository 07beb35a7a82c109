// When and in what order transfers run: --max-duration / --stop-at (stop starting new transfers
// when the time is up; the ones running finish) and --order (what goes first when not everything
// fits in the time given). Pure: the executor asks `timeUp()` before each action.
import type { Action } from '../types.js';
import { SyncError } from '../errors.js';
import { parseClock } from './bandwidth.js';

export const TRANSFER_ORDERS = ['newest', 'oldest', 'smallest', 'largest', 'name'] as const;
export type TransferOrder = (typeof TRANSFER_ORDERS)[number];

/** "2h", "90m", "1h30m", "45s", "1d", "500ms", a plain number = seconds → ms; undefined when unreadable */
export function parseDuration(text: string): number | undefined {
  const s = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  let total = 0;
  let rest = s;
  if (!rest) return undefined;
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)/.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * unit[m[2]];
    rest = rest.slice(m[0].length);
  }
  return Math.round(total);
}

/** the next time the clock shows `hhmm` (local time) after `now`: today, or tomorrow if past */
export function nextClockTime(hhmm: string, now: Date): Date | undefined {
  const minutes = parseClock(hhmm);
  if (minutes === undefined) return undefined;
  const at = new Date(now);
  at.setHours(Math.floor(minutes / 60), minutes % 60, 0, 0);
  if (at.getTime() <= now.getTime()) at.setDate(at.getDate() + 1);
  return at;
}

export interface TimeLimit {
  /** ms since the epoch after which no new transfer starts */
  deadline: number;
  /** which option set it, for the summary */
  by: 'max-duration' | 'stop-at';
}

/** the earlier of start + maxDuration and the next stopAt; undefined when neither is given */
export function timeLimit(opts: { maxDurationMs?: number; stopAt?: string }, start: number): TimeLimit | undefined {
  const limits: TimeLimit[] = [];
  if (opts.maxDurationMs !== undefined) limits.push({ deadline: start + opts.maxDurationMs, by: 'max-duration' });
  if (opts.stopAt !== undefined) {
    const at = nextClockTime(opts.stopAt, new Date(start));
    if (!at) throw new SyncError('usage', `--stop-at: '${opts.stopAt}' is not a time of day`, { hint: 'Give it as HH:MM, e.g. --stop-at 06:00' });
    limits.push({ deadline: at.getTime(), by: 'stop-at' });
  }
  return limits.sort((a, b) => a.deadline - b.deadline)[0];
}

const isCopy = (a: Action) => a.kind === 'upload' || a.kind === 'download';
const sourceOf = (a: Action) => (a.kind === 'upload' ? a.local : a.remote);

/**
 * The copies of one wave in the order asked for (stable: equal keys keep the plan's order).
 * Without an order, big files (over 8 MB) go first so they overlap with the many small ones.
 */
export function orderTransfers(actions: readonly Action[], order?: TransferOrder): Action[] {
  const key = (a: Action): number | string => {
    const src = sourceOf(a);
    switch (order) {
      case 'newest': return -(src?.mtime ?? 0);
      case 'oldest': return src?.mtime ?? 0;
      case 'smallest': return a.bytes;
      case 'largest': return -a.bytes;
      case 'name': return a.path;
      default: return a.bytes > 8e6 ? 0 : 1;
    }
  };
  const indexed = actions.map((a, i) => ({ a, i, k: isCopy(a) ? key(a) : 1 }));
  indexed.sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : x.i - y.i));
  return indexed.map((x) => x.a);
}

/** "2h 05m", "3m 20s", "12s" */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m) return `${m}m ${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}
