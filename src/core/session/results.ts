// Small pieces of a session's results: the errors of entries not synced, an empty result, and the
// names a target refused to list.

import type { ActionError, Plan, SyncResult, Target } from '../types.js';
import { emptyStats } from '../executor.js';

/** every entry not synced because of its name, or because it could not be read, is an error of the run */
export function notSyncedErrors(plan: Plan): ActionError[] {
  if (plan.notSynced) return plan.notSynced.map((n) => ({ path: n.path, kind: 'skip' as const, message: n.message }));
  return plan.badNames.map((b) => ({ path: b, kind: 'skip' as const, message: 'the server listed a name that is not a plain file name; not written locally' }));
}

export function badNamesOf(t: Target): string[] {
  const b = (t as { badNames?: { path: string; name: string }[] }).badNames ?? [];
  // path is the folder the name was listed in
  return b.map((x) => (x.path ? `${x.path}/${x.name}` : x.name));
}

/** the result of a decision to leave things as they are */
export function nothingDone(local: Target, remote: Target, state: { countFiles(): number; hasState: boolean }): SyncResult {
  const plan: Plan = {
    mode: 'sync', local: local.display, remote: remote.display, actions: [], stateOnly: [], inSync: 0,
    counts: { localFiles: 0, remoteFiles: 0, stateFiles: state.countFiles(), hadState: state.hasState },
    badNames: [],
  };
  return { plan, stats: emptyStats(), conflicts: [], errors: [], done: [], cancelled: false };
}
