// One sync at a time per (local root, remote) pair: a lock file beside the pair's state file,
// `<local root>/.remote-sync/<id>.lock`, holding the owner's pid, host and start time. Created with
// O_EXCL; a lock left by a process that no longer runs on this host is taken over. Two runs of one
// pair (two terminals, or the CLI and the editor) would otherwise delete each other's temp files.
import { closeSync, openSync, readFileSync, readdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { ensureStateDirOf } from './state/state-dir.js';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { SyncError } from './errors.js';

export interface LockInfo {
  pid: number;
  host: string;
  /** ISO time the lock was taken */
  started: string;
  /** who holds it: "remote-sync sync", "VS Code" */
  owner?: string;
}

export interface LockOptions {
  /** wait for the other run to finish (default) instead of failing at once */
  wait?: boolean;
  /** called once when the lock is held by someone else and we wait */
  onWait?: (holder: LockInfo, description: string) => void;
  signal?: AbortSignal;
  /** written into the lock for the others' messages */
  owner?: string;
  /** how often to look again while waiting (ms) */
  pollMs?: number;
}

/** the lock file of a pair, beside its state file (`<id>.json` → `<id>.lock`) */
export function lockFileFor(stateFile: string): string {
  return stateFile.replace(/\.json$/, '') + '.lock';
}

/** "pid 123 on host, started 2024-05-01 12:00:03 UTC (remote-sync sync)" */
export function describeHolder(h: LockInfo): string {
  const when = h.started ? `, started ${h.started.replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC')}` : '';
  return `pid ${h.pid} on ${h.host}${when}${h.owner ? ` (${h.owner})` : ''}`;
}

/** locks this process holds (file → content), released on exit */
const held = new Map<string, string>();
/** waiters in this process, woken at once when a lock of this process is released (others poll) */
const wakers = new Map<string, Set<() => void>>();
let exitHook = false;

function readRaw(file: string): string | undefined {
  try { return readFileSync(file, 'utf8'); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function parse(raw: string): LockInfo | undefined {
  try {
    const v = JSON.parse(raw) as LockInfo;
    return typeof v.pid === 'number' && typeof v.host === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** a lock whose owner is gone: a dead pid on this host, or our own pid in a lock we do not hold */
function isStale(file: string, raw: string, info: LockInfo | undefined): boolean {
  if (!info) {
    // being written right now, or garbage: stale once it has been like that for a while
    try { return Date.now() - statSync(file).mtimeMs > 10_000; } catch { return false; }
  }
  if (info.host !== hostname()) return false; // cannot tell whether a process on another machine runs
  if (info.pid === process.pid) return held.get(file) !== raw;
  return !alive(info.pid);
}

/** remove a stale lock, unless someone else took it over first (one takeover at a time) */
function takeOver(file: string, seen: string): void {
  const claim = `${file}.takeover`;
  let fd: number;
  try {
    fd = openSync(claim, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    try { if (Date.now() - statSync(claim).mtimeMs > 10_000) unlinkSync(claim); } catch { /* gone meanwhile */ }
    return;
  }
  try {
    if (readRaw(file) === seen) unlinkSync(file);
  } finally {
    closeSync(fd);
    try { unlinkSync(claim); } catch { /* best effort */ }
  }
}

function tryCreate(file: string, info: LockInfo): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw new SyncError('io', `Could not create the sync lock ${file}`, { path: file, detail: (e as Error).message, cause: e });
  }
  const raw = JSON.stringify(info) + '\n';
  try { writeSync(fd, raw); } finally { closeSync(fd); }
  return raw;
}

export class SyncLock {
  private released = false;
  constructor(readonly file: string, private readonly raw: string) {}

  /** the lock file is still there with our content (a lock kept between calls: nobody removed it) */
  stillHeld(): boolean {
    if (this.released) return false;
    try { return readRaw(this.file) === this.raw; } catch { return false; }
  }

  /** remove the lock file (only if it is still ours) */
  release(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this.file);
    try {
      if (readRaw(this.file) === this.raw) unlinkSync(this.file);
    } catch { /* already gone */ }
    for (const wake of wakers.get(this.file) ?? []) wake();
  }
}

/**
 * Take the lock of a pair: at once when free or stale; else wait for it (polling) or, with
 * `wait: false`, fail with a SyncError('busy') naming the other process.
 */
export async function acquireLock(file: string, options: LockOptions = {}): Promise<SyncLock> {
  ensureStateDirOf(file);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => { for (const [f, raw] of held) { try { if (readRaw(f) === raw) unlinkSync(f); } catch { /* best effort */ } } });
  }
  const info: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString(), ...(options.owner ? { owner: options.owner } : {}) };
  let told = false;
  for (;;) {
    if (options.signal?.aborted) throw new SyncError('aborted', 'Cancelled while waiting for another sync of this pair');
    const raw = tryCreate(file, info);
    if (raw !== undefined) {
      held.set(file, raw);
      return new SyncLock(file, raw);
    }
    const seen = readRaw(file);
    if (seen === undefined) continue; // released meanwhile: try again at once
    const holder = parse(seen);
    if (isStale(file, seen, holder)) {
      takeOver(file, seen);
      continue;
    }
    const who = holder ? describeHolder(holder) : 'another process';
    if (options.wait === false) {
      throw new SyncError('busy', `Another sync of this folder pair is running: ${who}`, {
        path: file, hint: 'Wait for it to finish (run without --no-wait to wait), or stop that process',
      });
    }
    if (!told) {
      told = true;
      options.onWait?.(holder ?? { pid: 0, host: '?', started: '' }, who);
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, options.pollMs ?? 200);
      const set = wakers.get(file) ?? new Set<() => void>();
      wakers.set(file, set);
      set.add(done);
      function done() {
        clearTimeout(t);
        options.signal?.removeEventListener('abort', done);
        set.delete(done);
        if (!set.size && wakers.get(file) === set) wakers.delete(file);
        resolve();
      }
      options.signal?.addEventListener('abort', done, { once: true });
    });
  }
}
