// What saves leave behind, done when they pause (SessionOptions.idleCompactMs), never while one
// waits: the state journal saves append to is made durable and, past COMPACT_AFTER lines, compacted
// into the snapshot. Writing a 10k-entry snapshot on a save's path was the tail of save latency. Both
// run off the event loop (StateStore.compactInSteps, flushJournal), under the pair's lock, and a save
// that comes meanwhile interrupts them at once (the journal stays; nothing is lost). A journal far
// past the mark (saves that never pause) is compacted at once, so it stays bounded.
import type { Logger } from '../types.js';
import type { StateStore } from '../state.js';
import { errorMessage } from '../errors.js';

/** journal lines after which saves' journal is compacted when saves pause; and at once */
export const COMPACT_AFTER = 500;
export const COMPACT_NOW_AFTER = 20_000;

export interface IdleHost {
  state: StateStore;
  log: Logger;
  /** the session is open (a closed one compacts in close()) */
  isOpen(): boolean;
  /** run under the pair's lock */
  exclusive(fn: () => Promise<void>): Promise<void>;
  /** the common versions of the last saves are written (merge/bases.ts) */
  flushBases(): Promise<void>;
}

export class IdleCompactor {
  /** saves in flight */
  private saving = 0;
  private timer: NodeJS.Timeout | undefined;
  /** gives up the idle work in progress (set while it runs) */
  private interrupt: (() => void) | undefined;

  constructor(private readonly host: IdleHost, private readonly idleMs = 1000) {}

  /** a save starts: nothing of this runs until it ends; work in progress gives way */
  saveStarts(): void {
    this.cancel();
    this.saving++;
    this.interrupt?.();
  }

  /** a save ended: schedule the idle work for when saves pause */
  saveEnded(): void {
    this.saving--;
    this.schedule();
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    const { state } = this.host;
    if (!this.host.isOpen() || state.pending === 0 || this.saving > 0) return;
    if (state.pending > COMPACT_NOW_AFTER) {
      this.compactNow();
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.saving > 0) return; // that save schedules again when it ends
      void this.host.exclusive(async () => {
        if (this.saving > 0 || !this.host.isOpen()) return;
        const interrupted = new Promise<void>((resolve) => { this.interrupt = resolve; });
        try {
          await Promise.race([this.host.flushBases(), interrupted]);
          if (this.saving > 0) return;
          if (state.pending > COMPACT_AFTER) await state.compactInSteps(() => this.saving > 0, interrupted);
          else await Promise.race([state.flushJournal(), interrupted]); // the lines of the last saves are on disk
        } finally {
          this.interrupt = undefined;
        }
      }).catch((e: unknown) => this.host.log.warn(`compacting the last-sync state: ${errorMessage(e)}`));
    }, this.idleMs);
    this.timer.unref();
  }

  /** a failed compaction loses nothing: the journal stays and is applied on the next load */
  private compactNow(): void {
    try {
      this.host.state.compact();
    } catch (e) {
      this.host.log.warn(`compacting the last-sync state: ${errorMessage(e)}`);
    }
  }
}
