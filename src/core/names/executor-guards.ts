// The executor's name guards (kept here so executor.ts only calls them):
// - before a copy: the destination can store the name as written, and a planned case-only rename
//   on a case-insensitive side is carried out first;
// - a copy that failed (a name the server rewrote, a case clash it did not announce) keeps every
//   deletion of the same name (in any case) on that side from running: nothing is deleted because of it.

import { randomBytes } from 'node:crypto';
import type { Action, Entry, Target } from '../types.js';
import { SyncError } from '../errors.js';
import { foldCase } from './case.js';
import { assertStorable } from './rules.js';

export interface FailedCopies { local: Set<string>; remote: Set<string> }
export const newFailedCopies = (): FailedCopies => ({ local: new Set(), remote: new Set() });

export function noteFailedCopy(a: Action, failed: FailedCopies): void {
  if (a.kind === 'upload' || a.kind === 'mkdir-remote') failed.remote.add(foldCase(a.path));
  if (a.kind === 'download' || a.kind === 'mkdir-local') failed.local.add(foldCase(a.path));
}

export function guardDelete(a: Action, failed: FailedCopies): void {
  const side = a.kind === 'delete-remote' ? 'remote' : a.kind === 'delete-local' ? 'local' : undefined;
  if (side && failed[side].has(foldCase(a.path))) {
    throw new SyncError('io', 'Not deleted: writing the same name (in another case) failed in this run; left alone', {
      path: a.path, hint: 'See the error of that file, then run the sync again',
    });
  }
}

/**
 * Before writing `a.path` on `dst`: refuse a name it cannot store; carry out a case-only rename
 * (the old spelling is the same file there). `checkUnchanged` is the executor's own check.
 */
export async function prepareName(dst: Target, a: Action, state: { forgetTree(path: string): void },
  checkUnchanged: (t: Target, e: Entry) => Promise<void>): Promise<void> {
  assertStorable(dst, a.path);
  if (!a.caseRename) return;
  await checkUnchanged(dst, a.caseRename);
  try {
    await dst.rename(a.caseRename.path, a.path);
  } catch {
    // some servers refuse a rename onto "an existing name" that is the file itself: go through a
    // visible intermediate name (never a temp name, which a later run would clean up as stale)
    const via = `${a.path}.rs-rename-${randomBytes(3).toString('hex')}`;
    await dst.rename(a.caseRename.path, via);
    try {
      await dst.rename(via, a.path);
    } catch (e) {
      await dst.rename(via, a.caseRename.path).catch(() => undefined);
      throw e;
    }
  }
  state.forgetTree(a.caseRename.path);
}
