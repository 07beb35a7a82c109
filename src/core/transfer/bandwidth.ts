// A considerate client: one bandwidth limit for the whole run — every connection, both directions —
// as rclone's --bwlimit: a rate ("512K", "2M", "off") or a timetable ("08:00,512K 19:00,off": from
// 08:00 512 KiB/s, from 19:00 no limit; before the first time of the day the last one still holds).
// The limiter is a token bucket that may go into debt: a chunk passes after the time the bytes
// before it "cost", so the total over a few seconds stays within a few percent of the rate.
import { Readable } from 'node:stream';
import { SyncError } from '../errors.js';
import { sleepFor } from './retry.js';
import { fdPumpOf, offerFdPump } from './fd-pump.js';

/** bytes per second; null = no limit */
export type Rate = number | null;

export interface BandwidthSlot {
  /** minutes after midnight (local time) the slot starts */
  start: number;
  rate: Rate;
}

/** A fixed rate (one slot starting at 0:00) or a timetable. */
export interface BandwidthSchedule {
  slots: BandwidthSlot[];
  /** as written, for messages */
  text: string;
}

const UNITS: Record<string, number> = { '': 1024, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/**
 * "512K", "2M", "1.5M", "100KiB", "2MB", "800B", "off" → bytes per second (null = off).
 * A plain number is KiB/s, as in rclone. Undefined for anything else.
 */
export function parseRate(text: string): Rate | undefined {
  const s = text.trim().toLowerCase();
  if (s === 'off' || s === 'unlimited' || s === '0') return null;
  const m = /^(\d+(?:\.\d+)?)\s*([bkmg]?)(?:i?b)?(?:\/s)?$/.exec(s);
  if (!m) return undefined;
  const n = Number(m[1]) * UNITS[m[2]];
  return n >= 1 ? Math.round(n) : undefined;
}

/** "2M" or "08:00,512K 19:00,off"; throws a usage error naming the bad part and the forms allowed */
export function parseBandwidth(text: string, what = '--bwlimit'): BandwidthSchedule {
  const parts = text.trim().split(/\s+/).filter(Boolean);
  const bad = (part: string) => new SyncError('usage', `${what}: cannot read '${part}' (in '${text}')`, {
    hint: 'Give a rate such as 512K or 2M (per second; off for no limit), or a timetable such as "08:00,512K 19:00,off"',
  });
  if (parts.length === 0) throw bad(text);
  if (parts.length === 1 && !parts[0].includes(',')) {
    const rate = parseRate(parts[0]);
    if (rate === undefined) throw bad(parts[0]);
    return { slots: [{ start: 0, rate }], text };
  }
  const slots: BandwidthSlot[] = [];
  for (const part of parts) {
    const [time, r, extra] = part.split(',');
    const start = parseClock(time ?? '');
    const rate = parseRate(r ?? '');
    if (extra !== undefined || start === undefined || rate === undefined) throw bad(part);
    if (slots.some((s) => s.start === start)) throw new SyncError('usage', `${what}: ${time} appears twice in '${text}'`, { hint: 'Give each time of the timetable once' });
    slots.push({ start, rate });
  }
  slots.sort((a, b) => a.start - b.start);
  return { slots, text };
}

/** "06:00", "6:00", "23:59" → minutes after midnight */
export function parseClock(text: string): number | undefined {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h < 24 && min < 60 ? h * 60 + min : undefined;
}

/** the rate in force at `when` (local time): the last slot started today, else the last of the day before */
export function rateAt(schedule: BandwidthSchedule, when: Date): Rate {
  const minutes = when.getHours() * 60 + when.getMinutes();
  let current = schedule.slots[schedule.slots.length - 1];
  for (const s of schedule.slots) if (s.start <= minutes) current = s;
  return current.rate;
}

/** "2.0 MiB/s" */
export function formatRate(rate: Rate): string {
  if (rate === null) return 'off';
  if (rate >= 1024 ** 2) return `${(rate / 1024 ** 2).toFixed(1)} MiB/s`;
  if (rate >= 1024) return `${(rate / 1024).toFixed(0)} KiB/s`;
  return `${rate} B/s`;
}


/** Shared by every transfer of a run: `take(n)` resolves when `n` more bytes may go. */
export class BandwidthLimiter {
  private tokens: number;
  private last: number;
  private lastRate: Rate | undefined;

  constructor(readonly schedule: BandwidthSchedule, private readonly now: () => number = Date.now) {
    this.last = now();
    this.tokens = 0;
  }

  /** the rate now (the timetable is looked up at most once a second by the callers' pace) */
  currentRate(): Rate {
    return rateAt(this.schedule, new Date(this.now()));
  }

  /** how long the caller must wait before sending `n` bytes (ms); books them */
  reserve(n: number): number {
    const rate = this.currentRate();
    const now = this.now();
    if (rate !== this.lastRate) {
      // a new slot of the timetable: start from an empty bucket at the new rate
      this.lastRate = rate;
      this.tokens = 0;
      this.last = now;
    }
    if (rate === null) return 0;
    // a burst of at most 1/8 s worth: the rate holds over any stretch longer than that
    const burst = rate / 8;
    this.tokens = Math.min(burst, this.tokens + ((now - this.last) * rate) / 1000);
    this.last = now;
    this.tokens -= n;
    return this.tokens >= 0 ? 0 : (-this.tokens / rate) * 1000;
  }

  async take(n: number, signal?: AbortSignal): Promise<void> {
    const wait = this.reserve(n);
    if (wait > 0) await sleepFor(wait, signal);
  }
}

/** pieces small enough that several transfers interleave smoothly under one limit */
const PIECE = 64 * 1024;

/** `source`, paced by `limiter` (a chunk is split into pieces of at most 64 KiB) */
export function throttled(source: Readable, limiter: BandwidthLimiter, signal?: AbortSignal): Readable {
  async function* paced(): AsyncGenerator<Buffer> {
    for await (const chunk of source as AsyncIterable<Buffer | string>) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      for (let at = 0; at < b.length; at += PIECE) {
        const piece = b.subarray(at, Math.min(b.length, at + PIECE));
        await limiter.take(piece.length, signal);
        yield piece;
      }
    }
  }
  const out = Readable.from(paced(), { objectMode: false });
  // destroying the paced stream (a failed write) must release the source (an open handle, a data connection)
  out.once('close', () => { if (!source.destroyed) source.destroy(); });
  // a source that can write into a local file itself (fd-pump.ts) still can, paced by the limiter
  const pump = fdPumpOf(source);
  if (pump) {
    offerFdPump(out, async (fd, opts) => {
      try {
        return await pump(fd, { ...opts, limiter });
      } finally {
        out.destroy();
      }
    });
  }
  return out;
}
