// Merging one file on request (the editor's Merge action): clean → written to both sides, with an
// Undo that puts the local file back and the conflict with it; otherwise the three versions, for
// a merge by hand.

import { Readable } from 'node:stream';
import type { MergePathOutcome } from '../api.js';
import type { Plan } from '../types.js';
import { SyncError } from '../errors.js';
import { tryMerge, writeMerged, type MergeContext } from './perform.js';

export async function mergeOnePath(plan: Plan, path: string, ctx: MergeContext): Promise<MergePathOutcome> {
  const c = plan.actions.find((a) => a.path === path);
  if (!c || c.kind !== 'conflict') {
    return { status: 'no-conflict', reason: c ? `not a conflict (${c.reason})` : 'in sync: nothing to merge' };
  }
  const m = await tryMerge(c, ctx);
  if (m.status === 'conflict') return m;
  const before = ctx.state.get(path);
  const previous = m.local;
  const written = await writeMerged(path, m.content, { local: c.local!, remote: c.remote! }, ctx, { local: m.local, remote: m.remote });
  return {
    status: 'merged',
    previous,
    undo: async () => {
      const now = await ctx.local.stat(path);
      if (!now || now.type !== 'file' || now.size !== written.local.size || now.mtime !== written.local.mtime) {
        throw new SyncError('io', 'Changed locally since the merge; not undone', { path, hint: 'Undo your later edits in the editor instead' });
      }
      // (and again inside the write, right before its rename: an editor save landing meanwhile is not written over)
      if (!previous.equals(m.content)) await ctx.local.write(path, Readable.from([previous]), { size: previous.length, signal: ctx.signal, expect: now });
      // the state as before the merge: the file is a conflict again (its server copy keeps the merge)
      ctx.state.record(path, before ?? null);
    },
  };
}
