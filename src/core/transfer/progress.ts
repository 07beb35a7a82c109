// Progress numbers for the run and for one big file: bytes, percent, rate (over the last few
// seconds, so a stall shows at once) and the time left at that rate.

export interface ProgressFigures {
  bytesDone: number;
  bytesTotal: number;
  /** 0..100 (100 when there is nothing to move) */
  percent: number;
  /** bytes per second over the last few seconds (0 before there is anything to measure) */
  rate: number;
  /** seconds left at that rate; undefined while the rate is unknown */
  etaSeconds?: number;
}

/** A sliding window of (time, bytes done) samples. */
export class RateMeter {
  private readonly samples: { t: number; bytes: number }[] = [];

  constructor(private readonly windowMs = 5000, private readonly now: () => number = Date.now) {}

  /** note the cumulative byte count now; returns the figures */
  update(bytesDone: number, bytesTotal: number): ProgressFigures {
    const t = this.now();
    const last = this.samples[this.samples.length - 1];
    if (last && t - last.t < 100) last.bytes = bytesDone; // at most ten samples a second
    else this.samples.push({ t, bytes: bytesDone });
    while (this.samples.length > 2 && t - this.samples[1].t >= this.windowMs) this.samples.shift();
    return this.figures(bytesDone, bytesTotal);
  }

  figures(bytesDone: number, bytesTotal: number): ProgressFigures {
    const first = this.samples[0];
    const t = this.now();
    const span = first ? t - first.t : 0;
    const rate = first && span >= 200 ? Math.max(0, ((bytesDone - first.bytes) * 1000) / span) : 0;
    const percent = bytesTotal > 0 ? Math.min(100, (bytesDone / bytesTotal) * 100) : 100;
    const out: ProgressFigures = { bytesDone, bytesTotal, percent, rate };
    if (rate > 0) out.etaSeconds = Math.max(0, (bytesTotal - bytesDone) / rate);
    return out;
  }
}
