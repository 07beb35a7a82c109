// What is running and how the last operation ended, per workspace folder (vscode-free).
// The status bar renders it; "Sync: Cancel" aborts through it.

import type { ProgressEvent } from '../core/types.js';

export type Level = 'ok' | 'warning' | 'error';

export interface Operation {
  id: number;
  folder: string;
  label: string;
  done: number;
  total: number;
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

  update(id: number, done: number, total: number): void {
    const op = this.ops.get(id);
    if (!op || (op.done === done && op.total === total)) return;
    op.done = done;
    op.total = total;
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
      .map(({ id, folder: f, label, done, total }) => ({ id, folder: f, label, done, total }));
  }

  last(folder?: string): LastResult | undefined {
    if (folder !== undefined) return this.lastByFolder.get(folder);
    let latest: LastResult | undefined;
    for (const r of this.lastByFolder.values()) if (!latest || r.at >= latest.at) latest = r;
    return latest;
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
 * Turns the engine's progress events into a running count ("12/40 · a/b.txt") for `withProgress`,
 * throttled so 10,000 small files do not flood the UI.
 */
export class ProgressCounter {
  done = 0;
  total = 0;
  private current = '';
  private haveStats = false;
  private reportedPct = 0;
  private lastReport = -Infinity;

  constructor(private readonly intervalMs = 100, private readonly clock: () => number = Date.now) {}

  feed(event: ProgressEvent): ProgressUpdate | undefined {
    switch (event.type) {
      case 'plan':
        this.total = event.plan.actions.filter((a) => a.kind !== 'conflict' && a.kind !== 'skip').length;
        break;
      case 'stats':
        this.haveStats = true;
        this.done = event.filesDone;
        this.total = event.filesTotal;
        break;
      case 'action-start':
        this.current = event.action.path;
        break;
      case 'action-done':
      case 'action-error':
        if (!this.haveStats) this.done++;
        break;
      case 'bytes':
        return undefined;
    }
    const now = this.clock();
    const finished = this.total > 0 && this.done >= this.total;
    if (!finished && now - this.lastReport < this.intervalMs) return undefined;
    this.lastReport = now;
    const pct = this.total > 0 ? Math.min(100, (100 * this.done) / this.total) : 0;
    const increment = pct > this.reportedPct ? pct - this.reportedPct : undefined;
    if (increment) this.reportedPct = pct;
    const count = this.total > 0 ? `${this.done}/${this.total}` : `${this.done}`;
    return { message: this.current ? `${count} · ${this.current}` : count, increment };
  }
}
