// What the CLI prints about a run: one line per action, the one-line summary, and the --json report.

import { SyncError, errorMessage } from '../core/errors.js';
import { redactDeep } from '../core/redact.js';
import type { Action, ActionKind, Entry, Stats, SyncMode, SyncResult } from '../core/types.js';

const LABELS: Record<ActionKind, [string, string]> = {
  'upload': ['↑', 'upload'],
  'download': ['↓', 'download'],
  'merged': ['⇅', 'merged'],
  'delete-remote': ['✗', 'delete remote'],
  'delete-local': ['✗', 'delete local'],
  'mkdir-remote': ['+', 'mkdir remote'],
  'mkdir-local': ['+', 'mkdir local'],
  'equal': ['=', 'equal'],
  'forget': ['-', 'forget'],
  'conflict': ['!', 'conflict'],
  'skip': ['-', 'skip'],
};

function shownPath(a: Pick<Action, 'path' | 'type'>): string {
  return a.type === 'dir' ? `${a.path}/` : a.path;
}

/** "↑ upload  a/b.txt (modified locally)", "! conflict a.txt — both sides changed" */
export function actionLine(a: Action): string {
  const [sym, label] = LABELS[a.kind] ?? ['?', a.kind];
  const head = `${sym} ${label.padEnd(8)}${label.length >= 8 ? ' ' : ''}${shownPath(a)}`;
  if (a.kind === 'conflict') return `${head} — ${a.reason}${a.conflict ? ` [${a.conflict}]` : ''}`;
  const by = a.resolvedBy ? `; conflict resolved: ${a.resolvedBy === 'user' ? 'your choice' : a.resolvedBy}` : '';
  return a.reason || by ? `${head} (${a.reason}${by})` : head;
}

export function errorLine(e: { path: string; kind?: ActionKind | string; message: string }): string {
  return `✗ failed   ${e.path || '/'}${e.kind ? ` (${String(e.kind).replace('-', ' ')})` : ''}: ${e.message}`;
}

/** "✗ not synced back\\slash.txt (local): …" — an entry left out because of its name or because it could not be read */
export function notSyncedLine(n: { path: string; side: string; message: string }): string {
  return `✗ not synced ${n.path || '/'} (${n.side === 'local' ? 'local' : 'server'}): ${n.message}`;
}

const MOVES = new Set<ActionKind>(['upload', 'download', 'merged', 'delete-remote', 'delete-local', 'mkdir-remote', 'mkdir-local']);

/** Does this action change something (shown at normal verbosity)? equal/forget/skip are details (-v). */
export function isChange(a: Action): boolean {
  return MOVES.has(a.kind);
}

export interface SummaryCounts {
  uploaded: number;
  downloaded: number;
  /** files merged three-way (written to both sides) */
  merged?: number;
  deleted: number;
  conflicts: number;
  errors: number;
  inSync: number;
  elapsedMs: number;
  dryRun: boolean;
  cancelled: boolean;
}

export function countsOf(result: SyncResult, dryRun: boolean, elapsedMs: number): SummaryCounts {
  const conflicts = result.conflicts.length;
  const inSync = result.stats?.inSync ?? result.plan.inSync;
  if (dryRun) {
    const n = (k: ActionKind) => result.plan.actions.filter((a) => a.kind === k && (a.type === 'file' || k.startsWith('delete'))).length;
    return {
      uploaded: n('upload'), downloaded: n('download'), ...(n('merged') ? { merged: n('merged') } : {}), deleted: n('delete-local') + n('delete-remote'),
      conflicts, errors: result.errors.length, inSync, elapsedMs, dryRun, cancelled: result.cancelled,
    };
  }
  const s = result.stats;
  return {
    uploaded: s.uploaded, downloaded: s.downloaded, ...(s.merged ? { merged: s.merged } : {}), deleted: s.deletedLocal + s.deletedRemote,
    conflicts, errors: result.errors.length, inSync, elapsedMs, dryRun, cancelled: result.cancelled,
  };
}

/** "0.4 s", "12.3 s", "2 min 5 s" */
export function formatSeconds(ms: number): string {
  if (ms < 60_000) return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The line that ends every run:
 * "Uploaded 3, downloaded 3, deleted 4, 9 conflicts skipped, 0 errors in 0.4 s",
 * "Nothing to do: 123 files in sync (0.3 s)", "Dry run: would upload 3, …".
 */
export function summaryLine(c: SummaryCounts): string {
  const time = formatSeconds(c.elapsedMs);
  const merged = c.merged ?? 0;
  if (!c.cancelled && c.uploaded + c.downloaded + merged + c.deleted + c.conflicts + c.errors === 0) {
    return `Nothing to do: ${plural(c.inSync, 'file')} in sync (${time})`;
  }
  const tail = `${plural(c.conflicts, 'conflict')} skipped, ${plural(c.errors, 'error')} in ${time}`;
  if (c.dryRun) return `Dry run: would upload ${c.uploaded}, download ${c.downloaded}, ${merged ? `merge ${merged}, ` : ''}delete ${c.deleted}, ${tail}`;
  const body = `uploaded ${c.uploaded}, downloaded ${c.downloaded}, ${merged ? `merged ${merged}, ` : ''}deleted ${c.deleted}, ${tail}`;
  return c.cancelled ? `Cancelled: ${body}` : body[0].toUpperCase() + body.slice(1);
}

/** The summary of a run that failed before or while it ran (nothing or part done). */
export function failureSummary(err: unknown, elapsedMs: number): string {
  const time = formatSeconds(elapsedMs);
  if (err instanceof SyncError && err.code === 'safety') return `Stopped by a safety check, nothing changed (${time})`;
  if (err instanceof SyncError && err.code === 'aborted') return `Cancelled (${time})`;
  return `Failed after ${time}`;
}

// ---- --json ---------------------------------------------------------------------------------

export type ActionStatus = 'done' | 'planned' | 'error' | 'skipped';

export interface JsonAction {
  path: string;
  kind: ActionKind;
  type: Action['type'];
  reason: string;
  bytes: number;
  status: ActionStatus;
  error?: string;
  conflict?: string;
  resolvedBy?: string;
}

export interface JsonReport {
  mode: SyncMode;
  local: string;
  remote: string;
  dryRun: boolean;
  actions: JsonAction[];
  conflicts: { path: string; kind: string; type: Action['type']; reason: string; local?: JsonSide; remote?: JsonSide }[];
  errors: { path?: string; kind?: string; code?: string; message: string }[];
  stats: Stats;
  summary: string;
  exitCode: number;
}

interface JsonSide { size: number; mtime: string }

const side = (e?: Entry): JsonSide | undefined => (e ? { size: e.size, mtime: new Date(e.mtime).toISOString() } : undefined);

export const ZERO_STATS: Stats = {
  uploaded: 0, downloaded: 0, deletedLocal: 0, deletedRemote: 0, foldersCreated: 0, bytesUp: 0, bytesDown: 0,
  conflicts: 0, merged: 0, skipped: 0, errors: 0, inSync: 0, elapsedMs: 0,
};

const key = (path: string, kind: string) => `${kind}\0${path}`;

export function buildReport(input: {
  mode: SyncMode; local: string; remote: string; dryRun: boolean;
  result?: SyncResult; error?: unknown; exitCode: number; summary: string; elapsedMs: number;
}): JsonReport {
  const { result } = input;
  const done = new Set((result?.done ?? []).map((a) => key(a.path, a.kind)));
  const failed = new Map((result?.errors ?? []).map((e) => [key(e.path, e.kind), e.message]));
  const actions: JsonAction[] = (result?.plan.actions ?? []).map((a) => {
    const k = key(a.path, a.kind);
    let status: ActionStatus;
    if (a.kind === 'conflict' || a.kind === 'skip') status = 'skipped';
    else if (failed.has(k)) status = 'error';
    else if (input.dryRun) status = 'planned';
    else status = done.has(k) ? 'done' : 'skipped';
    const j: JsonAction = { path: a.path, kind: a.kind, type: a.type, reason: a.reason, bytes: a.bytes, status };
    if (status === 'error') j.error = failed.get(k);
    if (a.conflict) j.conflict = a.conflict;
    if (a.resolvedBy) j.resolvedBy = a.resolvedBy;
    return j;
  });
  const errors: JsonReport['errors'] = (result?.errors ?? []).map((e) => ({ path: e.path, kind: e.kind, message: e.message }));
  if (input.error !== undefined) {
    const e = input.error;
    errors.push(e instanceof SyncError
      ? { ...(e.path !== undefined ? { path: e.path } : {}), code: e.code, message: errorMessage(e) }
      : { message: errorMessage(e) });
  }
  // the sides as typed may hold a password (LOCAL and REMOTE swapped, a mistyped URL)
  return redactDeep({
    mode: input.mode,
    local: input.local,
    remote: input.remote,
    dryRun: input.dryRun,
    actions,
    conflicts: (result?.conflicts ?? []).map((c) => ({
      path: c.path, kind: c.conflict ?? 'conflict', type: c.type, reason: c.reason,
      ...(c.local ? { local: side(c.local) } : {}), ...(c.remote ? { remote: side(c.remote) } : {}),
    })),
    errors,
    stats: { ...ZERO_STATS, ...(result?.stats ?? {}), elapsedMs: result?.stats?.elapsedMs ?? input.elapsedMs },
    summary: input.summary,
    exitCode: input.exitCode,
  });
}
