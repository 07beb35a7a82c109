// Transfer progress for people (vscode-free, shared by the CLI's --progress line and the editor's
// progress notification and status bar): files and bytes done including the bytes of files still
// in flight, percent, rate over the last few seconds, and the time left.

import type { ProgressEvent } from '../types.js';

export interface ProgressSnapshot {
  filesDone: number;
  filesTotal: number;
  /** bytes moved so far, including partly transferred files */
  bytesDone: number;
  bytesTotal: number;
  /** 0–100: by bytes when there are bytes to move, else by files */
  percent: number;
  /** bytes per second over the last few seconds (0 until measurable) */
  rate: number;
  /** ms left at the current rate (undefined until measurable) */
  etaMs?: number;
  /** the file being transferred most recently */
  current?: string;
}

const MOVES = new Set(['upload', 'download']);

export class TransferMeter {
  private filesDone = 0;
  private filesTotal = 0;
  private bytesTotal = 0;
  private bytesFinished = 0;
  private readonly inFlight = new Map<string, number>();
  private current: string | undefined;
  private haveStats = false;
  private readonly samples: Array<{ t: number; bytes: number }> = [];
  private readonly started: number;

  constructor(private readonly clock: () => number = Date.now, private readonly windowMs = 5000) {
    this.started = clock();
  }

  feed(event: ProgressEvent): void {
    switch (event.type) {
      case 'plan': {
        const work = event.plan.actions.filter((a) => a.kind !== 'conflict' && a.kind !== 'skip');
        this.filesTotal = work.length;
        this.bytesTotal = work.reduce((n, a) => n + (MOVES.has(a.kind) ? a.bytes : 0), 0);
        break;
      }
      case 'action-start':
        this.current = event.action.path;
        break;
      case 'bytes':
        this.inFlight.set(event.path, event.bytes);
        this.current = event.path;
        break;
      case 'action-done':
        this.inFlight.delete(event.action.path);
        if (MOVES.has(event.action.kind)) this.bytesFinished += event.action.bytes;
        if (!this.haveStats) this.filesDone++;
        break;
      case 'action-error':
        this.inFlight.delete(event.action.path);
        if (!this.haveStats) this.filesDone++;
        break;
      case 'stats':
        this.haveStats = true;
        this.filesDone = event.filesDone;
        this.filesTotal = event.filesTotal;
        if (event.bytesTotal) this.bytesTotal = event.bytesTotal;
        this.bytesFinished = Math.max(this.bytesFinished, event.bytesDone);
        break;
    }
    this.sample();
  }

  private bytesNow(): number {
    let n = this.bytesFinished;
    for (const b of this.inFlight.values()) n += b;
    return this.bytesTotal ? Math.min(n, this.bytesTotal) : n;
  }

  private sample(): void {
    const t = this.clock();
    const bytes = this.bytesNow();
    const last = this.samples[this.samples.length - 1];
    if (last && last.t === t) last.bytes = bytes;
    else this.samples.push({ t, bytes });
    while (this.samples.length > 2 && t - this.samples[1].t >= this.windowMs) this.samples.shift();
  }

  snapshot(): ProgressSnapshot {
    const bytesDone = this.bytesNow();
    const now = this.clock();
    const first = this.samples[0];
    const span = first ? now - first.t : 0;
    // a rate needs at least a second of history (else one fast chunk reads as a huge rate)
    const rate = first && span >= 1000 ? Math.max(0, ((bytesDone - first.bytes) * 1000) / span) : 0;
    const left = Math.max(0, this.bytesTotal - bytesDone);
    const etaMs = rate > 0 && this.bytesTotal > 0 && now - this.started >= 2000 ? (left / rate) * 1000 : undefined;
    const percent = this.bytesTotal > 0 ? (100 * bytesDone) / this.bytesTotal
      : this.filesTotal > 0 ? (100 * this.filesDone) / this.filesTotal : 0;
    return {
      filesDone: this.filesDone, filesTotal: this.filesTotal, bytesDone, bytesTotal: this.bytesTotal,
      percent: Math.min(100, percent), rate, etaMs, current: this.current,
    };
  }
}

export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/** "45 s", "3 min 20 s", "1 h 05 min" */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** "37% · 540 MB of 1.5 GB · 12 MB/s · 1 min 20 s left" (parts that are not known yet are left out) */
export function bytesLine(p: ProgressSnapshot): string {
  if (p.bytesTotal <= 0) return '';
  const parts = [`${Math.floor(p.percent)}%`, `${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}`];
  if (p.rate > 0) parts.push(formatRate(p.rate));
  if (p.etaMs !== undefined) parts.push(`${formatDuration(p.etaMs)} left`);
  return parts.join(' · ');
}
