// Sync status of one path, as the remote explorer and the file decorations show it: a pure function
// of what each side reported (the last listing) and what the last sync recorded. The same classes the
// classifier uses (classify.ts), reduced to what a user asks: "did this change, where?"

import { classifySide } from '../classify.js';
import type { Entry, EntryClass, PathState } from '../types.js';

export type SyncStatus =
  | 'in-sync'         // both sides as the last sync left them
  | 'local-changed'   // changed (or deleted) locally since the last sync
  | 'server-changed'  // changed (or deleted) on the server since the last sync
  | 'conflict'        // changed on both sides since the last sync
  | 'local-only'      // only here, never synced
  | 'server-only'     // only on the server, never synced
  | 'unsynced'        // on both sides, never synced: a sync compares the contents
  | 'excluded';       // left out of every sync by the filters

const changed = (c: EntryClass): boolean => c === 'modified' || c === 'new' || c === 'existing' || c === 'deleted';

/**
 * The status of one path. `local`/`remote`: what each side reports (undefined: absent, or not known
 * for `remote` when `remoteKnown` is false); `state`: the last-sync record of the path; `hasState`:
 * whether the pair was ever synced. Undefined when the path is on neither side and not in the state.
 */
export function pathStatus(input: {
  local?: Entry;
  remote?: Entry;
  state?: PathState;
  hasState: boolean;
  excluded?: boolean;
}): SyncStatus | undefined {
  const { local, remote, state, hasState } = input;
  if (!local && !remote && !state) return undefined;
  if (input.excluded) return 'excluded';
  const lc = classifySide(local, state, 'local', hasState);
  const rc = classifySide(remote, state, 'remote', hasState);
  if (!local && !remote) return undefined; // gone on both sides: nothing to show
  if (local && !remote) {
    if (rc === 'deleted') return lc === 'unmodified' ? 'server-changed' : 'conflict';
    return 'local-only';
  }
  if (!local && remote) {
    if (lc === 'deleted') return rc === 'unmodified' ? 'local-changed' : 'conflict';
    return 'server-only';
  }
  // on both sides
  if (lc === 'existing' || lc === 'new') return rc === 'existing' || rc === 'new' ? 'unsynced' : 'conflict';
  const l = changed(lc);
  const r = changed(rc);
  if (l && r) return 'conflict';
  if (l) return 'local-changed';
  if (r) return 'server-changed';
  return 'in-sync';
}

/** how much a status asks for attention: a folder shows its most urgent child's */
const WEIGHT: Record<SyncStatus, number> = {
  'excluded': 0, 'in-sync': 1, 'unsynced': 2, 'local-only': 3, 'server-only': 4, 'local-changed': 5, 'server-changed': 6, 'conflict': 7,
};

/**
 * A folder's status from its children's: the most urgent one (a conflict anywhere below shows on
 * every folder above it). In sync when every child is (or has no status); excluded stays excluded.
 */
export function rollUp(children: Iterable<SyncStatus | undefined>): SyncStatus {
  let worst: SyncStatus = 'in-sync';
  for (const s of children) if (s && s !== 'excluded' && WEIGHT[s] > WEIGHT[worst]) worst = s;
  return worst;
}

/** git-like one-letter badges and their meaning (the decorations' tooltips) */
export const STATUS_BADGE: Record<SyncStatus, { letter: string; text: string }> = {
  'in-sync': { letter: '', text: 'in sync with the server' },
  'local-changed': { letter: 'M', text: 'changed locally since the last sync' },
  'server-changed': { letter: 'S', text: 'changed on the server since the last sync' },
  'conflict': { letter: '!', text: 'changed on both sides since the last sync (a conflict)' },
  'local-only': { letter: 'L', text: 'only local, not on the server' },
  'server-only': { letter: 'R', text: 'only on the server' },
  'unsynced': { letter: '?', text: 'on both sides, never synced (a sync compares the contents)' },
  'excluded': { letter: 'E', text: 'excluded from syncing' },
};

/** Roll file statuses up to every folder above them: path → status for files and their ancestors. */
export function withFolders(files: Map<string, SyncStatus>): Map<string, SyncStatus> {
  const out = new Map(files);
  for (const [path, status] of files) {
    if (status === 'in-sync' || status === 'excluded') continue;
    let p = path;
    for (let i = p.lastIndexOf('/'); i > 0; i = p.lastIndexOf('/')) {
      p = p.slice(0, i);
      const before = out.get(p);
      if (before && WEIGHT[before] >= WEIGHT[status]) break;
      out.set(p, status);
    }
  }
  return out;
}
