// A pool of logged-in FTP connections: FTP runs one transfer per connection, so parallel work
// borrows one each. Connections open lazily, are reused for the whole run, and a connection the
// server closed is dropped and replaced on the next borrow.
import type { Client } from 'basic-ftp';

export class FtpPool {
  private readonly idle: Client[] = [];
  private readonly all = new Set<Client>();
  private opening = 0;
  private waiters: Array<() => void> = [];
  /** bumped by closeAll(): a connection that finishes opening after it is not kept */
  private generation = 0;

  constructor(
    private max: number,
    private readonly connect: () => Promise<Client>,
    /** the server refused another connection (per-user / per-IP limit): shrink to what is open and wait */
    private readonly isLimit: (err: unknown) => boolean = () => false,
    private readonly onShrink: (max: number) => void = () => {},
  ) {}

  /** the most connections this pool opens (lowered when the server limits connections) */
  get limit(): number { return this.max; }

  /** connections currently open (idle or borrowed) */
  get size(): number { return this.all.size; }

  /** Borrow a logged-in connection; opens one when none is idle and the pool is not full. */
  async acquire(signal?: AbortSignal): Promise<Client> {
    for (;;) {
      signal?.throwIfAborted();
      while (this.idle.length > 0) {
        const c = this.idle.pop()!;
        if (!c.closed) return c;
        this.all.delete(c);
      }
      if (this.all.size + this.opening < this.max) {
        this.opening++;
        const gen = this.generation;
        try {
          const c = await this.connect();
          if (gen !== this.generation) { c.close(); continue; }
          this.all.add(c);
          return c;
        } catch (e) {
          // others open or opening: use those (a limit error with none at all is for the caller)
          const others = this.all.size + this.opening - 1;
          if (!this.isLimit(e) || others <= 0) throw e;
          if (others < this.max) { this.max = others; this.onShrink(others); }
          continue; // connections may have come back meanwhile: look again before waiting
        } finally {
          this.opening--;
          // a failed open frees a slot: let a waiter try
          this.wakeOne();
        }
      }
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          this.waiters = this.waiters.filter((w) => w !== wake);
          reject(signal!.reason ?? new Error('aborted'));
        };
        const wake = () => { signal?.removeEventListener('abort', onAbort); resolve(); };
        this.waiters.push(wake);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
  }

  /** Give a connection back; a closed one (or `discard`) is dropped and its slot freed. */
  release(c: Client, discard = false): void {
    if (discard || c.closed || !this.all.has(c)) {
      this.all.delete(c);
      if (!c.closed) c.close();
    } else {
      this.idle.push(c);
    }
    this.wakeOne();
  }

  /** Close the idle connections: after one died, the others are suspect (e.g. the server restarted). */
  dropIdle(): void {
    for (const c of this.idle.splice(0)) { this.all.delete(c); c.close(); this.wakeOne(); }
  }

  private wakeOne(): void {
    const w = this.waiters.shift();
    if (w) w();
  }

  /** Close every connection, also borrowed ones (their operations fail). Later borrows open new ones. */
  closeAll(): void {
    this.generation++;
    for (const c of this.all) c.close();
    this.all.clear();
    this.idle.length = 0;
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }
}
