// Upload-on-save batching (vscode-free).
//
// The first save starts a batch right away (after `settleMs`; default 0: whatever arrives in the same
// turn of the event loop joins it). Saves that arrive while a batch is in flight are queued, deduplicated, and
// go out together as the next batch as soon as the current one finishes. So: quick repeated saves of
// one file are coalesced into at most one more upload, and Save All of many files becomes one or
// two batches over the warm connection — without delaying a lone save.

export interface SaveBatcherOptions {
  /** uploads one batch; errors are the callback's to report (a rejection is swallowed here) */
  flush: (paths: string[]) => Promise<void>;
  /** wait this long after the first save before starting a batch (ms; default 0) */
  settleMs?: number;
}

export class SaveBatcher {
  private queued = new Set<string>();
  private waiters: Array<() => void> = [];
  private timer: { cancel(): void } | undefined;
  private inFlight: Promise<void> | undefined;
  private disposed = false;
  /** statistics: batches flushed and saves that were merged into an already queued path */
  readonly stats = { batches: 0, saves: 0, coalesced: 0 };

  constructor(private readonly options: SaveBatcherOptions) {}

  /** queue a save; resolves when the batch holding it has been flushed */
  add(path: string): Promise<void> {
    if (this.disposed) return Promise.resolve();
    this.stats.saves++;
    if (this.queued.has(path)) this.stats.coalesced++;
    this.queued.add(path);
    const done = new Promise<void>((resolve) => this.waiters.push(resolve));
    if (!this.inFlight && !this.timer) this.schedule();
    return done;
  }

  /** paths waiting for the next batch */
  get pending(): string[] {
    return [...this.queued];
  }

  get busy(): boolean {
    return this.inFlight !== undefined || this.timer !== undefined;
  }

  /** resolves once nothing is queued or in flight */
  async drained(): Promise<void> {
    while (this.busy) {
      if (this.inFlight) await this.inFlight;
      else await new Promise((r) => setTimeout(r, (this.options.settleMs ?? 0) + 1));
    }
  }

  dispose(): void {
    this.disposed = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.queued.clear();
    for (const w of this.waiters.splice(0)) w();
  }

  private schedule(): void {
    const fire = () => {
      this.timer = undefined;
      this.startBatch();
    };
    const settle = this.options.settleMs ?? 0;
    if (settle > 0) {
      const t = setTimeout(fire, settle);
      this.timer = { cancel: () => clearTimeout(t) };
    } else {
      // after the events already received (Save All arrives as a burst), with no timer delay
      const i = setImmediate(fire);
      this.timer = { cancel: () => clearImmediate(i) };
    }
  }

  /** take everything queued as one batch; when it is done, saves queued meanwhile go next, at once */
  private startBatch(): void {
    if (this.disposed || !this.queued.size) return;
    const batch = [...this.queued];
    const waiters = this.waiters.splice(0);
    this.queued.clear();
    this.stats.batches++;
    this.inFlight = new Promise<void>((resolve) => resolve(this.options.flush(batch))).catch(() => undefined).then(() => {
      this.inFlight = undefined;
      // state is settled before anyone is woken: a save made by a waiter finds the batcher idle or busy, never stuck
      if (this.queued.size && !this.timer) this.startBatch();
      for (const w of waiters) w();
    });
  }
}
