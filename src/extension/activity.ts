// What is running and how the last operation ended, per workspace folder (vscode-free).
// The status bar renders it; "Sync: Cancel" aborts through it.

import type { ProgressEvent } from '../core/types.js';
import { TransferMeter, bytesLine, formatRate, type ProgressSnapshot } from '../core/progress/meter.js';

export type Level = 'ok' | 'warning' | 'error';

export interface Operation {
  id: number;
  folder: string;
  label: string;
  done: number;
  total: number;
  /** short: "37% · 12 MB/s" (big transfers) */
  detail?: string;
  /** one line for the tooltip: bytes, rate, time left, the current file */
  line?: string;
}

export interface LastResult {
  folder: string;
  label: string;
  /** short text for the status bar: "↑ index.html", "↑3 ↓1", "2 conflicts" */
  text: string;
  /** one line for the tooltip */
  detail?: string;
  level: Level;
  at: number;
}

export class ActivityModel {
  private ops = new Map<number, Operation & { controller?: AbortController }>();
  private lastByFolder = new Map<string, LastResult>();
  private nextId = 1;
  private listeners = new Set<() => void>();

  onChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  begin(folder: string, label: string, controller?: AbortController): number {
    const id = this.nextId++;
    this.ops.set(id, { id, folder, label, done: 0, total: 0, controller });
    this.emit();
    return id;
  }

  update(id: number, done: number, total: number, extra: { detail?: string; line?: string } = {}): void {
    const op = this.ops.get(id);
    if (!op || (op.done === done && op.total === total && op.detail === extra.detail && op.line === extra.line)) return;
    op.done = done;
    op.total = total;
    op.detail = extra.detail;
    op.line = extra.line;
    this.emit();
  }

  end(id: number, last?: Omit<LastResult, 'at' | 'folder'>, now = Date.now()): void {
    const op = this.ops.get(id);
    if (!op) return;
    this.ops.delete(id);
    if (last) this.lastByFolder.set(op.folder, { ...last, folder: op.folder, at: now });
    this.emit();
  }

  /** record how an operation ended (the status bar shows it) */
  record(folder: string, last: Omit<LastResult, 'at' | 'folder'>, now = Date.now()): void {
    this.lastByFolder.set(folder, { ...last, folder, at: now });
    this.emit();
  }

  /** abort every running operation that can be aborted; returns how many */
  cancelAll(): number {
    let n = 0;
    for (const op of this.ops.values()) {
      if (op.controller && !op.controller.signal.aborted) {
        op.controller.abort();
        n++;
      }
    }
    return n;
  }

  running(folder?: string): Operation[] {
    return [...this.ops.values()]
      .filter((o) => folder === undefined || o.folder === folder)
      .map(({ id, folder: f, label, done, total, detail, line }) => ({
        id, folder: f, label, done, total, ...(detail ? { detail } : {}), ...(line ? { line } : {}),
      }));
  }

  last(folder?: string): LastResult | undefined {
    if (folder !== undefined) return this.lastByFolder.get(folder);
    let latest: LastResult | undefined;
    for (const r of this.lastByFolder.values()) if (!latest || r.at >= latest.at) latest = r;
    return latest;
  }

  /** forget the last result only (another target was selected: its result says nothing about this one) */
  clearLast(folder: string): void {
    if (this.lastByFolder.delete(folder)) this.emit();
  }

  forget(folder: string): void {
    this.lastByFolder.delete(folder);
    for (const [id, op] of this.ops) if (op.folder === folder) this.ops.delete(id);
    this.emit();
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}

export interface ProgressUpdate {
  message: string;
  /** percentage points to add to a determinate progress bar */
  increment?: number;
}

/**
 * Turns the engine's progress events into what a person can read while a sync runs — count, percent,
 * bytes, rate, time left and the current file ("3/12 · 37% · 540 MB of 1.5 GB · 12 MB/s · 1 min 20 s
 * left · video.mp4") — throttled to a few updates a second so 10,000 small files do not flood the UI.
 */
export class ProgressCounter {
  private readonly meter: TransferMeter;
  private reportedPct = 0;
  private lastReport = -Infinity;
  private last: ProgressSnapshot | undefined;

  constructor(private readonly intervalMs = 250, private readonly clock: () => number = Date.now) {
    this.meter = new TransferMeter(clock);
  }

  get done(): number { return this.snapshot().filesDone; }
  get total(): number { return this.snapshot().filesTotal; }

  snapshot(): ProgressSnapshot {
    return this.last ?? this.meter.snapshot();
  }

  feed(event: ProgressEvent): ProgressUpdate | undefined {
    this.meter.feed(event);
    const now = this.clock();
    const p = this.meter.snapshot();
    const finished = p.filesTotal > 0 && p.filesDone >= p.filesTotal;
    if (!finished && now - this.lastReport < this.intervalMs) return undefined;
    this.lastReport = now;
    this.last = p;
    const pct = Math.min(100, p.percent);
    const increment = pct > this.reportedPct ? pct - this.reportedPct : undefined;
    if (increment) this.reportedPct = pct;
    return { message: progressMessage(p), increment };
  }
}

/** the progress notification's line */
export function progressMessage(p: ProgressSnapshot): string {
  const count = p.filesTotal > 0 ? `${p.filesDone}/${p.filesTotal}` : `${p.filesDone}`;
  return [count, bytesLine(p), p.current].filter(Boolean).join(' · ');
}

/** the status bar's short addition for a transfer with bytes to move: "37% · 12 MB/s · video.mp4" */
export function progressDetail(p: ProgressSnapshot): string | undefined {
  if (p.bytesTotal <= 0) return undefined;
  const file = p.current ? p.current.slice(p.current.lastIndexOf('/') + 1) : '';
  return [`${Math.floor(p.percent)}%`, p.rate > 0 ? formatRate(p.rate) : '', file].filter(Boolean).join(' · ');
}
