// Upload on save with conflictPolicy "merge": the server copy changed since the last sync too, so
// merge (three-way) and write the result to both sides when that is clean; otherwise the conflict
// stays, saying why it was not merged.

import type { SaveOutcome } from '../api.js';
import type { Action } from '../types.js';
import type { SaveContext } from '../save.js';
import { MergeLeftConflict, mergeActionFor, mergeBlocker, performMerge } from './perform.js';

export async function saveByMerge(c: Action, ctx: SaveContext): Promise<SaveOutcome> {
  const why = mergeBlocker(c, ctx.state, ctx.bases);
  if (why) return { status: 'conflict', action: { ...c, reason: `${c.reason}; not merged: ${why}` } };
  const action = mergeActionFor(c, 'merge');
  try {
    await performMerge(action, ctx);
  } catch (e) {
    if (e instanceof MergeLeftConflict) return { status: 'conflict', action: { ...c, reason: `${c.reason}; not merged: ${e.message}` } };
    throw e;
  }
  ctx.log.info(`merged ${c.path} (saved)`);
  return { status: 'merged', action };
}
