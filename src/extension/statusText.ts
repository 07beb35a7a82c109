// Texts computed from state (vscode-free): the status bar item and the one-line run summaries.

import type { SyncResult } from '../core/types.js';
import type { LastResult, Level, Operation } from './activity.js';

export interface StatusInput {
  folderName: string;
  /** more than one folder has a config: name the folder */
  multiRoot: boolean;
  target?: string;
  configError?: string;
  uploadOnSave: boolean;
  running: Operation[];
  last?: LastResult;
  /** unresolved conflicts known for the folder */
  conflicts: number;
}

export interface StatusView {
  text: string;
  tooltip: string;
  level: Level;
}

export function statusView(s: StatusInput): StatusView {
  const where = s.multiRoot ? `${s.folderName}: ` : '';
  if (s.configError) {
    return {
      text: `$(error) ${where}Remote Sync config`,
      tooltip: `.vscode/remote-sync.json is invalid: ${s.configError}\nClick to show the log.`,
      level: 'error',
    };
  }
  const target = s.target ?? '?';
  const lines = [`Remote Sync — ${s.folderName} → ${target}`, `Upload on save: ${s.uploadOnSave ? 'on' : 'off'}`];
  if (s.running.length) {
    const done = s.running.reduce((n, o) => n + o.done, 0);
    const total = s.running.reduce((n, o) => n + o.total, 0);
    const labels = [...new Set(s.running.map((o) => o.label))].join(', ');
    const count = total > 0 ? ` ${done}/${total}` : '';
    const detail = s.running.length === 1 && s.running[0].detail ? ` · ${s.running[0].detail}` : '';
    lines.push(`Running: ${labels}${count}`);
    for (const o of s.running) if (o.line) lines.push(`  ${o.label}: ${o.line}`);
    return { text: `$(sync~spin) ${where}${target} · ${labels}${count}${detail}`, tooltip: lines.join('\n') + '\nClick to show the log.', level: 'ok' };
  }
  const icon = s.uploadOnSave ? '$(cloud-upload)' : '$(cloud)';
  let text = `${icon} ${where}${target}`;
  let level: Level = 'ok';
  if (s.last) {
    // the conflicts still pending come from the view's store, never from an older result's text
    const rest = withoutConflicts(s.last.text, s.conflicts > 0);
    if (rest) text += ` · ${rest}`;
    // a warning that was only about conflicts ends with them
    const onlyConflictsWarned = rest !== s.last.text && s.last.level === 'warning' && !/cancelled/.test(rest);
    level = onlyConflictsWarned ? 'ok' : s.last.level;
    lines.push(`Last: ${s.last.label} — ${s.last.detail ?? s.last.text} (${new Date(s.last.at).toLocaleTimeString()})`);
  }
  if (s.conflicts > 0) {
    // "conflict: d.txt" (a save) already says it when it is the only one
    if (!(s.conflicts === 1 && / · conflict: /.test(text))) text += ` · ${plural(s.conflicts, 'conflict')}`;
    lines.push(`${plural(s.conflicts, 'conflict')} to resolve: click to open the next one`);
    if (level === 'ok') level = 'warning';
  }
  if (level === 'error') text = text.replace(/^\$\([^)]+\)/, '$(error)');
  else if (level === 'warning') text = text.replace(/^\$\([^)]+\)/, '$(warning)');
  return { text, tooltip: lines.join('\n') + (s.conflicts > 0 ? '' : '\nClick to show the log.'), level };
}

/** "↑3 · 2 conflicts · 1 error" → "↑3 · 1 error"; "conflict: a.txt" stays only while conflicts are pending */
function withoutConflicts(text: string, pending: boolean): string {
  return text.split(' · ').filter((part) => !/^\d+ conflicts?$/.test(part) && (pending || !/^conflict: /.test(part))).join(' · ');
}

export function plural(n: number, word: string, words = `${word}s`): string {
  return `${n} ${n === 1 ? word : words}`;
}

export interface Summary {
  /** "↑3 ↓1 ✕2 · 1 conflict" or "in sync" */
  short: string;
  /** "Uploaded 3, downloaded 1, deleted 2, 1 conflict left, 0 errors in 0.4 s" */
  line: string;
  level: Level;
  /** nothing was transferred or deleted, nothing left to decide */
  nothingToDo: boolean;
}

export function summarize(r: SyncResult): Summary {
  const s = r.stats;
  const deleted = s.deletedLocal + s.deletedRemote;
  const conflicts = r.conflicts.length;
  const errors = r.errors.length;
  const parts: string[] = [];
  if (s.uploaded) parts.push(`↑${s.uploaded}`);
  if (s.downloaded) parts.push(`↓${s.downloaded}`);
  if (s.merged) parts.push(`⇅${s.merged}`);
  if (deleted) parts.push(`✕${deleted}`);
  let short = parts.join(' ');
  if (conflicts) short += `${short ? ' · ' : ''}${plural(conflicts, 'conflict')}`;
  if (errors) short += `${short ? ' · ' : ''}${plural(errors, 'error')}`;
  if (r.cancelled) short += `${short ? ' · ' : ''}cancelled`;
  const nothingToDo = !short && r.done.length === 0;
  if (!short) short = 'in sync';
  const secs = (s.elapsedMs / 1000).toFixed(1);
  const line = nothingToDo
    ? `Nothing to do: ${plural(s.inSync, 'path')} in sync (${secs} s)`
    : `Uploaded ${s.uploaded}, downloaded ${s.downloaded}, ${s.merged ? `merged ${s.merged}, ` : ''}deleted ${deleted}, ${plural(conflicts, 'conflict')} left, ` +
      `${plural(errors, 'error')} in ${secs} s${r.cancelled ? ' (cancelled)' : ''}`;
  const level: Level = errors ? 'error' : conflicts || r.cancelled ? 'warning' : 'ok';
  return { short, line, level, nothingToDo };
}

/** status bar text for the outcome of one upload-on-save batch */
export function saveSummary(uploaded: string[], conflicts: string[]): { text: string; level: Level } | undefined {
  const name = (p: string) => p.slice(p.lastIndexOf('/') + 1);
  const parts: string[] = [];
  if (uploaded.length === 1) parts.push(`↑ ${name(uploaded[0])}`);
  else if (uploaded.length > 1) parts.push(`↑ ${uploaded.length} files`);
  if (conflicts.length === 1) parts.push(`conflict: ${name(conflicts[0])}`);
  else if (conflicts.length > 1) parts.push(plural(conflicts.length, 'conflict'));
  if (!parts.length) return undefined;
  return { text: parts.join(' · '), level: conflicts.length ? 'warning' : 'ok' };
}
