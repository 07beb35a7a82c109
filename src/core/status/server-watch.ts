// Server changes announced (issue 8 item 3): what a check of the server found, from the plan of a
// bidirectional sync (the engine's own listing and classifier; nothing is transferred), and when the
// next check runs (less often in the background and after errors).

import type { Action } from '../types.js';

export interface ServerChanges {
  /** changed (new, modified, deleted) only on the server: a download would bring them (delete-local: a deletion) */
  serverOnly: Action[];
  /** changed on both sides: never downloaded over, offered */
  conflicts: Action[];
  /** files counted in the status bar (⇣N): server-only changes and conflicts */
  count: number;
}

const SERVER_SIDE = new Set(['download', 'mkdir-local', 'delete-local']);

export function serverChanges(actions: Action[]): ServerChanges {
  const serverOnly = actions.filter((a) => SERVER_SIDE.has(a.kind));
  const conflicts = actions.filter((a) => a.kind === 'conflict');
  const files = (a: Action) => (a.type === 'dir' ? (a.kind === 'delete-local' ? a.fileCount ?? 0 : 0) : 1);
  const count = serverOnly.reduce((n, a) => n + files(a), 0) + conflicts.length;
  return { serverOnly, conflicts, count };
}

/** the paths a download of the server's changes would transfer (never the conflicts, never deletions) */
export function downloadablePaths(c: ServerChanges): string[] {
  return c.serverOnly.filter((a) => a.kind === 'download').map((a) => a.path);
}

/**
 * Milliseconds until the next check: the interval while the window is focused; four times it in the
 * background; after consecutive errors doubled per error (at most 16 times the interval, at most an hour
 * more than the interval) so an unreachable server is not hammered.
 */
export function nextCheckDelay(intervalSeconds: number, state: { focused: boolean; errors: number }): number {
  let ms = intervalSeconds * 1000;
  if (!state.focused) ms *= 4;
  if (state.errors > 0) ms = Math.min(ms * 2 ** Math.min(state.errors, 4), ms + 3_600_000);
  return ms;
}
