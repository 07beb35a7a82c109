// A dry run with merges planned: try each merge in memory (nothing written), so the report says
// which would be done and which stay conflicts, like the real run.

import type { Plan } from '../types.js';
import { mapLimit } from '../pool.js';
import { leftConflict, tryMerge, type MergeContext } from './perform.js';

export async function previewMerges(plan: Plan, ctx: MergeContext): Promise<Plan> {
  if (!plan.actions.some((a) => a.kind === 'merged')) return plan;
  const actions = await mapLimit(plan.actions, 4, async (a) => {
    if (a.kind !== 'merged') return a;
    const m = await tryMerge(a, ctx).catch((e: unknown) => ({ status: 'conflict' as const, reason: (e as Error).message }));
    return m.status === 'merged' ? a : leftConflict(a, m.reason);
  });
  return { ...plan, actions };
}
