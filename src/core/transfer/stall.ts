// A stalled connection (packets silently dropped, the socket still open) is detected within the
// target's timeout (config "timeoutSeconds", CLI --timeout, default 30 s), reported as what it is,
// and dropped: the target reconnects and the run goes on.
import { SyncError } from '../errors.js';

export const DEFAULT_TIMEOUT_SECONDS = 30;

export function timeoutSecondsOf(spec: { timeoutSeconds?: number }): number {
  const t = spec.timeoutSeconds;
  return typeof t === 'number' && t > 0 ? t : DEFAULT_TIMEOUT_SECONDS;
}

/** "No response from the server for 30 s" — a connection error, so targets reconnect and retry */
export function stalledError(server: string, seconds: number, opts: { what?: string; path?: string; cause?: unknown } = {}): SyncError {
  return new SyncError('connect', `No response from the server for ${seconds} s`, {
    path: opts.path,
    detail: `${server}${opts.what ? `, while trying to ${opts.what}` : ''}`,
    hint: 'The connection stalled and was dropped; Remote Sync reconnects and goes on. If this repeats, check the network, or wait longer with --timeout / "timeoutSeconds"',
    cause: opts.cause,
  });
}

/**
 * Calls `onIdle` once when `touch()` was not called for `ms` while `busy()` (default: always) —
 * time spent waiting for the consumer does not count. `stop()` ends the watch.
 */
export class IdleWatch {
  private last = Date.now();
  private readonly timer: NodeJS.Timeout;
  private fired = false;

  constructor(private readonly ms: number, onIdle: () => void, busy: () => boolean = () => true) {
    this.timer = setInterval(() => {
      if (!busy()) { this.last = Date.now(); return; }
      if (this.fired || Date.now() - this.last < this.ms) return;
      this.fired = true;
      this.stop();
      onIdle();
    }, Math.max(50, Math.min(1000, Math.floor(ms / 4))));
    this.timer.unref();
  }

  touch(): void { this.last = Date.now(); }

  stop(): void { clearInterval(this.timer); }
}
