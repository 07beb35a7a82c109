// "Delete on Server" from the remote explorer: what a delete would remove, and whether the server's
// copy changed since the last sync (then the user must confirm again: a change nobody has seen).

import type { Entry, PathState } from '../types.js';
import { classifySide } from '../classify.js';
import type { StateView } from './folder.js';

export interface DeleteCheck {
  /** files the delete removes (a folder: every file below it) */
  files: number;
  /** paths whose server copy changed (or appeared) since the last sync: the second confirmation names them */
  changed: string[];
}

/**
 * `entries`: the path itself and (a folder) everything below it, as the server reports them now.
 * A path never synced counts as changed: nobody has seen it here.
 */
export function checkRemoteDelete(entries: Map<string, Entry>, state: StateView): DeleteCheck {
  let files = 0;
  const changed: string[] = [];
  for (const [path, e] of entries) {
    if (e.type === 'file') files++;
    const s: PathState | undefined = state.get(path);
    const c = classifySide(e, s, 'remote', state.hasState);
    if (c !== 'unmodified' && e.type === 'file') changed.push(path);
    else if (c !== 'unmodified' && !s) changed.push(path);
  }
  return { files, changed: changed.sort() };
}
