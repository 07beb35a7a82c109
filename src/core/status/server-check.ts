// One check of the server (the server watch, "Sync: Check Server for Changes"): only the server is
// listed, and each entry compared with what the server reported at the last sync (the state). Only
// the paths that changed there are looked up locally (one local stat each) to tell a server change
// from a conflict. Cheaper than a sync's plan, which also lists and classifies the whole local side.

import type { Action, Entry, EntryType, Target } from '../types.js';
import type { StateView } from './folder.js';
import { classifySide } from '../classify.js';
import { pathStatus } from './status.js';
import { mapLimit } from '../pool.js';

export interface ServerCheckResult {
  /** what changed on the server, as the actions a bidirectional sync would plan (download,
   *  mkdir-local, delete-local) or conflicts; the local side is looked up only for these */
  actions: Action[];
  remoteFiles: number;
}

export async function checkServer(input: {
  remote: ReadonlyMap<string, Entry>;
  local: Pick<Target, 'stat'>;
  state: StateView & { paths(): Iterable<string> };
  isExcluded: (path: string, type: EntryType) => boolean;
}): Promise<ServerCheckResult> {
  const { remote, state } = input;
  const candidates: string[] = [];
  let remoteFiles = 0;
  for (const [p, e] of remote) {
    if (e.type === 'file') remoteFiles++;
    if (classifySide(e, state.get(p), 'remote', state.hasState) !== 'unmodified') candidates.push(p);
  }
  for (const p of state.paths()) {
    const s = state.get(p);
    if (s && s.type === 'file' && !remote.has(p) && !input.isExcluded(p, 'file')) candidates.push(p); // deleted on the server
  }
  const actions: Action[] = [];
  await mapLimit(candidates, 16, async (path) => {
    const r = remote.get(path);
    const st = state.get(path);
    const local = await input.local.stat(path);
    const status = pathStatus({ local, remote: r, state: st, hasState: state.hasState });
    const base = {
      path, type: (r ?? local)?.type ?? 'file', local, remote: r, bytes: r?.type === 'file' ? r.size : 0,
      localClass: classifySide(local, st, 'local', state.hasState), remoteClass: classifySide(r, st, 'remote', state.hasState),
    } as const;
    if (status === 'server-changed' || status === 'server-only') {
      if (!r) actions.push({ ...base, kind: 'delete-local', reason: 'deleted on the server', fileCount: 1 });
      else actions.push({ ...base, kind: r.type === 'dir' ? 'mkdir-local' : 'download', reason: status === 'server-only' ? 'new on the server' : 'modified on the server' });
    } else if (status === 'conflict' || (status === 'unsynced' && local && r && (local.type !== r.type || local.size !== r.size))) {
      actions.push({ ...base, kind: 'conflict', conflict: status === 'unsynced' ? 'both-new' : 'both-modified', reason: 'changed on the server and locally since the last sync' });
    }
  });
  actions.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { actions, remoteFiles };
}
