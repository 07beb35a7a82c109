// "Delete on Server" from the remote explorer: what a delete would remove, and whether the server's
// copy changed since the last sync (then the user must confirm again: a change nobody has seen). The
// check carries every entry as listed (`entries`): a confirmation confirms exactly those, and a delete
// after it refuses when anything else is there by then (a file added on the server after the question).

import type { Entry, PathState } from '../types.js';
import { classifySide } from '../classify.js';
import { isWithin, joinPath } from '../paths.js';
import type { StateView } from './folder.js';

export interface DeleteCheck {
  /** files the delete removes (a folder: every file below it) */
  files: number;
  /** paths whose server copy changed (or appeared) since the last sync: the second confirmation names them */
  changed: string[];
  /** entries below the path the sync leaves out (names it cannot sync, temps of interrupted uploads): the
   *  listing does not show them, the delete would remove them: named in the second confirmation too */
  notSynced: { path: string; message: string }[];
  /** every entry as the server listed it (path → "file <size> <mtime>" or "dir"): what a confirmation confirms */
  entries: Record<string, string>;
}

const signature = (e: Entry): string => (e.type === 'dir' ? 'dir' : `file ${e.size} ${e.mtime}`);

/**
 * `entries`: the path itself and (a folder) everything below it, as the server reports them now.
 * A path never synced counts as changed: nobody has seen it here.
 */
export function checkRemoteDelete(entries: ReadonlyMap<string, Entry>, state: StateView, notSynced: DeleteCheck['notSynced'] = []): DeleteCheck {
  let files = 0;
  const changed: string[] = [];
  const seen: Record<string, string> = {};
  for (const [path, e] of entries) {
    seen[path] = signature(e);
    if (e.type === 'file') files++;
    const s: PathState | undefined = state.get(path);
    const c = classifySide(e, s, 'remote', state.hasState);
    if (c !== 'unmodified' && e.type === 'file') changed.push(path);
    else if (c !== 'unmodified' && !s) changed.push(path);
  }
  return { files, changed: changed.sort(), notSynced: [...notSynced].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), entries: seen };
}

/** what is there now (`now`) that the user did not confirm (`confirmed`): new entries, entries changed since, unsyncable ones */
export function notConfirmed(now: DeleteCheck, confirmed: DeleteCheck): string[] {
  const out: string[] = [];
  for (const [path, sig] of Object.entries(now.entries)) if (confirmed.entries?.[path] !== sig) out.push(path);
  const ok = new Set((confirmed.notSynced ?? []).map((n) => n.path));
  for (const n of now.notSynced) if (!ok.has(n.path)) out.push(n.path);
  return out.sort();
}

interface ListedProblems {
  badNames?: { path: string; name: string; message: string }[];
  unreadable?: { path: string; message: string }[];
  staleTemps?: string[];
}

/** what the target's last listing left out below `p`: entries it could not read, and entries it does not sync */
export function problemsBelow(target: unknown, p: string): { unreadable: { path: string; message: string }[]; notSynced: DeleteCheck['notSynced'] } {
  const l = target as ListedProblems;
  const below = (q: string) => q !== p && isWithin(q, p);
  return {
    unreadable: (l.unreadable ?? []).filter((u) => below(u.path) || u.path === p),
    notSynced: [
      ...(l.badNames ?? []).map((b) => ({ path: joinPath(b.path, b.name), message: b.message })).filter((b) => below(b.path)),
      ...(l.staleTemps ?? []).filter(below).map((t) => ({ path: t, message: 'a temporary file of an interrupted upload' })),
    ],
  };
}
