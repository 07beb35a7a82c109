// Conflict resolution strategies. Every strategy handles every conflict kind: where it cannot
// decide, the conflict stays, with the reason.

import type { Action, Answer, Plan, Resolution, ResolveStrategy } from './types.js';
import { orderActions } from './planner.js';
import { mergeActionFor } from './merge/perform.js';

/** Which side a strategy picks for one conflict, or why it cannot. */
export function pickSide(conflict: Action, strategy: Exclude<ResolveStrategy, 'ask'>): Resolution | { undecided: string } {
  switch (strategy) {
    case 'skip': return { undecided: 'skipped (--resolve skip)' };
    case 'merge': return { undecided: 'not merged' }; // resolvePlan merges before picking a side
    case 'local': return 'local';
    case 'remote': return 'remote';
    case 'new':
    case 'old': {
      const L = conflict.local;
      const R = conflict.remote;
      if (!L || !R) return { undecided: `cannot tell which is ${strategy === 'new' ? 'newer' : 'older'}: one side was deleted, and a deletion has no time` };
      if (L.type !== 'file' || R.type !== 'file') return { undecided: `cannot compare times of ${conflict.conflict === 'type-mismatch' ? 'a file and a folder' : 'folders'}` };
      // compare at whole seconds: the precision every protocol gives
      const l = Math.floor(L.mtime / 1000);
      const r = Math.floor(R.mtime / 1000);
      if (l === r) return { undecided: 'both sides have the same modification time' };
      const localNewer = l > r;
      return (strategy === 'new') === localNewer ? 'local' : 'remote';
    }
  }
}

/** The actions that carry out `resolution` for a conflict ([] for skip). */
export function applyResolution(conflict: Action, resolution: Resolution, by: ResolveStrategy | 'user'): Action[] {
  if (resolution === 'skip' || !conflict.alternatives) return [];
  return conflict.alternatives[resolution].map((a) => ({ ...a, resolvedBy: by, reason: `${conflict.reason}; ${a.reason}` }));
}

/**
 * Resolve the plan's conflicts with a strategy; 'ask' calls `ask` for each one in turn.
 * Unresolved conflicts stay in the plan as 'conflict' actions with the reason.
 */
export async function resolvePlan(
  plan: Plan, strategy: ResolveStrategy, ask?: (c: Action) => Promise<Answer>,
  /** 'merge': why a conflict cannot be merged (undefined: it can); not given = merging is not available */
  mergeBlocker?: (c: Action) => string | undefined,
): Promise<Plan> {
  const out: Action[] = [];
  for (const a of plan.actions) {
    if (a.kind !== 'conflict') { out.push(a); continue; }
    if (a.conflict === 'case-clash') { out.push(a); continue; } // no side's version fixes it: a name must change
    let resolution: Resolution;
    let by: ResolveStrategy | 'user' = strategy;
    if (strategy === 'merge') {
      const why = mergeBlocker ? mergeBlocker(a) : 'merging is not available here';
      out.push(why ? { ...a, reason: `${a.reason}; not merged: ${why}` } : mergeActionFor(a, by));
      continue;
    }
    if (strategy === 'ask') {
      if (!ask) { out.push({ ...a, reason: `${a.reason}; not resolved (no one to ask)` }); continue; }
      const answer = await ask(a);
      by = 'user';
      if (answer === 'skip') { out.push({ ...a, reason: `${a.reason}; skipped` }); continue; }
      if (answer === 'merge') {
        const why = mergeBlocker ? mergeBlocker(a) : 'merging is not available here';
        out.push(why ? { ...a, reason: `${a.reason}; not merged: ${why}` } : mergeActionFor(a, by));
        continue;
      }
      resolution = answer;
    } else {
      const pick = pickSide(a, strategy);
      if (typeof pick === 'object') { out.push({ ...a, reason: `${a.reason}; ${pick.undecided}` }); continue; }
      resolution = pick;
    }
    const actions = applyResolution(a, resolution, by);
    if (!actions.length) out.push({ ...a, reason: `${a.reason}; ${resolution} version kept, nothing to change in a one-way run`, kind: 'skip' });
    out.push(...actions);
  }
  const stateOnly = [...plan.stateOnly];
  const actions: Action[] = [];
  for (const a of out) (a.kind === 'equal' || a.kind === 'forget' ? stateOnly : actions).push(a);
  return { ...plan, actions: orderActions(actions), stateOnly };
}
