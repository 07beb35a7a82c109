// The pair's lock (lock.ts) as one session holds it. The calls of a session take turns; the lock file
// is taken for a call and released after it — except after a save: then it is kept until saves pause
// (the idle work releases it, or `lingerMs` after the last save), so a burst of saves creates and
// removes the file once instead of per save (two metadata writes in the state folder on every save's
// path). The guarantee is unchanged: one sync at a time per pair; another process (the CLI) waits
// for the lock as for any run, at most until saves pause.
import { acquireLock, type LockOptions, type SyncLock } from '../lock.js';
import { SyncError } from '../errors.js';

export class PairLock {
  private lock: SyncLock | undefined;
  private turn: Promise<void> = Promise.resolve();
  private lingerTimer: NodeJS.Timeout | undefined;

  constructor(private readonly file: string, private readonly options: Omit<LockOptions, 'signal'>, private readonly lingerMs: number) {}

  /**
   * Run `fn` holding the lock, after this session's earlier calls. `fresh`: the lock was taken for this
   * call (another process may have changed the state folder since the last one). `keep`: hold the lock
   * on afterwards until saves pause. `wait`: false — another process holding the lock is a SyncError('busy') at once.
   */
  async run<T>(signal: AbortSignal | undefined, fn: (fresh: boolean) => Promise<T>, keep = false, wait = true): Promise<T> {
    const before = this.turn;
    let done!: () => void;
    this.turn = new Promise<void>((resolve) => { done = resolve; });
    try {
      await untilOrAborted(before, signal);
    } catch (e) {
      void before.then(done); // our turn is given up only once the one before ends
      throw e;
    }
    try {
      this.cancelLinger();
      let fresh = false;
      if (!this.lock?.stillHeld()) {
        this.lock = await acquireLock(this.file, { ...this.options, signal, ...(wait ? {} : { wait: false }) });
        fresh = true;
      }
      return await fn(fresh);
    } finally {
      if (keep) this.linger();
      else this.release();
      done();
    }
  }

  /** release a lock kept after a save (close); a call in progress keeps its lock */
  releaseKept(): void {
    if (this.lingerTimer) this.release();
  }

  /** release the lock now (end of a call) */
  private release(): void {
    this.cancelLinger();
    this.lock?.release();
    this.lock = undefined;
  }

  private linger(): void {
    this.cancelLinger();
    this.lingerTimer = setTimeout(() => { this.lingerTimer = undefined; this.release(); }, this.lingerMs);
    this.lingerTimer.unref();
  }

  private cancelLinger(): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
  }
}

function untilOrAborted(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return p;
  const cancelled = () => new SyncError('aborted', 'Cancelled while waiting for another sync of this pair');
  if (signal.aborted) return Promise.reject(cancelled());
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    void p.then(() => { signal.removeEventListener('abort', onAbort); resolve(); });
  });
}
