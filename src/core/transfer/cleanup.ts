// Clean-ups before a run: partial transfers the run will not resume, and temp files an
// interrupted write left behind (SyncSession calls these once the pair's lock is held).

import type { Logger, Plan, Target } from '../types.js';
import { isWithin, normalizeRelPath } from '../paths.js';
import { mapLimit } from '../pool.js';
import { errorMessage } from '../errors.js';
import type { PartialStore } from './partials.js';
import { cleanPartials } from './resume.js';

/**
 * Partial transfers older than a week, or of files this run does not transfer (deleted, excluded,
 * in sync by now), are removed; a scoped run judges only the partials in its scope.
 */
export async function cleanRunPartials(store: PartialStore, remote: Target, plan: Plan, paths: string[] | undefined, log: Logger): Promise<void> {
  const planned = new Set(plan.actions.filter((a) => a.kind === 'upload' || a.kind === 'download').map((a) => `${a.kind}\0${a.path}`));
  const scope = (paths ?? []).map(normalizeRelPath);
  await cleanPartials(store, remote, (r) => planned.has(`${r.direction}\0${r.path}`) || (scope.length > 0 && !scope.some((s) => isWithin(r.path, s))), log);
}

/** Temp files left by an interrupted write (ours, by name) are removed before a run (the next listing refreshes the list); resumable partials (`keep`, on the remote) are kept. */
export async function cleanStaleTemps(local: Target, remote: Target, keep: Set<string>, log: Logger): Promise<void> {
  for (const t of [local, remote]) {
    const stale = ((t as { staleTemps?: string[] }).staleTemps ?? []).filter((p) => t !== remote || !keep.has(p));
    await mapLimit(stale, 4, async (p) => {
      try { await t.removeFile(p); log.info(`removed stale temp file ${p}`); } catch (e) { log.warn(`could not remove stale temp file ${p}: ${errorMessage(e)}`); }
    });
  }
}
