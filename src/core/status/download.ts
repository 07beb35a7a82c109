// "Download" from the remote explorer is a one-way download run limited to the chosen paths; the
// classifier leaves a file alone when it changed locally since the last sync (a 'skip' in a one-way
// run). For the explorer those are conflicts to offer: the user has not seen the server's copy over
// their own change, and must choose. This picks them out of a plan or a result.

import type { Action, EntryClass } from '../types.js';

const localChange = (c: EntryClass): boolean => c === 'modified' || c === 'new' || c === 'existing';

/** the files a download left alone because they changed locally (their server copy is still there) */
export function downloadsHeldBack(actions: Action[]): Action[] {
  return actions.filter((a) => a.kind === 'skip' && a.type === 'file' && !!a.remote && !!a.local && localChange(a.localClass));
}
