// Carrying out a 'merge' action: three-way merge of the local and the server version against the
// common version; a clean result is written to both sides (atomically, each re-checked just
// before writing) and recorded. Anything else leaves the conflict, both sides untouched.

import { Readable } from 'node:stream';
import type { Action, Entry, Target } from '../types.js';
import type { StateStore } from '../state.js';
import { SyncError } from '../errors.js';
import { BASE_NOT_TEXT, BASE_TOO_LARGE, type BaseStore } from './bases.js';
import { readAll } from './capture.js';
import { mergeText } from './text.js';

/** A merge that could not be done: the conflict stays, `message` says why. Not an error. */
export class MergeLeftConflict extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'MergeLeftConflict';
  }
}

export const NO_COMMON_VERSION = 'no common version';

/** Why this conflict cannot be merged, or undefined when it can (as far as the plan tells). */
export function mergeBlocker(c: Action, state: Pick<StateStore, 'get'>, bases: BaseStore | undefined): string | undefined {
  switch (c.conflict) {
    case 'both-modified': break;
    case 'both-new': return `${NO_COMMON_VERSION} (never synced)`;
    case 'modified-deleted': return 'deleted on one side: nothing to merge';
    case 'folder-deleted': return 'a folder deleted on one side: nothing to merge';
    case 'type-mismatch': return 'a file and a folder: nothing to merge';
    default: return 'not a conflict';
  }
  if (c.local?.type !== 'file' || c.remote?.type !== 'file') return 'not a file on both sides';
  if (!bases) return `${NO_COMMON_VERSION} ("mergeBase" is off)`;
  const ref = state.get(c.path)?.base;
  if (!ref) return NO_COMMON_VERSION;
  if (ref === BASE_NOT_TEXT) return 'not text';
  const limit = `over the merge size limit ("mergeBase": { "maxFileSize" } is ${bases.maxFileSize} bytes)`;
  if (ref === BASE_TOO_LARGE || c.local.size > bases.maxFileSize || c.remote.size > bases.maxFileSize) return limit;
  return undefined;
}

/** The merge action that replaces a conflict (its reason extends the conflict's). */
export function mergeActionFor(c: Action, by: Action['resolvedBy']): Action {
  return { ...c, kind: 'merged', resolvedBy: by, reason: `${c.reason}; merge`, bytes: (c.local?.size ?? 0) + (c.remote?.size ?? 0) };
}

/** The conflict a merge action goes back to when it cannot be done, saying why. */
export function leftConflict(a: Action, why: string): Action {
  return { ...a, kind: 'conflict', resolvedBy: undefined, reason: `${a.reason.replace(/; merge$/, '')}; not merged: ${why}` };
}

export interface MergeContext {
  local: Target;
  remote: Target;
  state: StateStore;
  bases?: BaseStore;
  signal?: AbortSignal;
}

export type MergeOutcome =
  /** `content`: the merged file; `local` / `remote`: what each side holds now */
  | { status: 'merged'; content: Buffer; local: Buffer; remote: Buffer }
  /** the three versions, when they could be read (the merge editor shows them) */
  | { status: 'conflict'; reason: string; base?: Buffer; local?: Buffer; remote?: Buffer };

/** Read the three versions and merge them in memory (nothing written). */
export async function tryMerge(a: Action, ctx: MergeContext): Promise<MergeOutcome> {
  const why = mergeBlocker(a.kind === 'merged' ? { ...a, kind: 'conflict' } : a, ctx.state, ctx.bases);
  if (why) return { status: 'conflict', reason: why };
  const bases = ctx.bases!;
  const base = bases.load(ctx.state.get(a.path)?.base);
  if (!base) return { status: 'conflict', reason: `${NO_COMMON_VERSION} (the kept copy is missing or damaged)` };
  const [L, R] = await Promise.all([
    ctx.local.read(a.path, ctx.signal).then((s) => readAll(s, bases.maxFileSize)),
    ctx.remote.read(a.path, ctx.signal).then((s) => readAll(s, bases.maxFileSize)),
  ]);
  if (!L || !R) return { status: 'conflict', reason: `over the merge size limit (${bases.maxFileSize} bytes)` };
  const m = mergeText(base, L, R);
  if (m.status === 'not-text') return { status: 'conflict', reason: 'not text', base, local: L, remote: R };
  if (m.status === 'conflict') {
    return { status: 'conflict', reason: `overlapping changes in ${m.conflicts} place${m.conflicts === 1 ? '' : 's'}`, base, local: L, remote: R };
  }
  return { status: 'merged', content: m.content, local: L, remote: R };
}

/**
 * Merge and write to both sides; throws MergeLeftConflict when it cannot merge (nothing written),
 * SyncError when a side changed after the plan (nothing written to that side).
 */
export async function performMerge(a: Action, ctx: MergeContext): Promise<{ local: Entry; remote: Entry }> {
  const m = await tryMerge(a, ctx);
  if (m.status !== 'merged') throw new MergeLeftConflict(m.reason);
  return writeMerged(a.path, m.content, { local: a.local!, remote: a.remote! }, ctx, { local: m.local, remote: m.remote });
}

/**
 * Write merged `content` to both sides (the server first), each re-checked against `planned` just
 * before; record the pair with `content` as the new common version. A side that already has
 * exactly `content` (`current`) is not rewritten.
 */
export async function writeMerged(
  path: string, content: Buffer, planned: { local: Entry; remote: Entry }, ctx: MergeContext, current?: { local?: Buffer; remote?: Buffer },
): Promise<{ local: Entry; remote: Entry }> {
  const write = async (t: Target, was: Entry, now?: Buffer): Promise<Entry> => {
    if (now && now.length === was.size && now.equals(content)) return was;
    await recheck(t, was);
    // and again inside the write, right before its rename (targets with recheckOnWrite): a save that
    // lands while the merged content is written is never written over
    return t.write(path, Readable.from([content]), { size: content.length, signal: ctx.signal, expect: was });
  };
  const remote = await write(ctx.remote, planned.remote, current?.remote);
  const local = await write(ctx.local, planned.local, current?.local);
  ctx.state.recordPair(path, 'file', local, remote, await ctx.bases?.keep(content));
  return { local, remote };
}

/** Never overwrite something that changed after it was read. */
async function recheck(t: Target, planned: Entry): Promise<void> {
  const now = await t.stat(planned.path);
  if (!now || now.type !== 'file' || now.size !== planned.size || now.mtime !== planned.mtime) {
    throw new SyncError('io', `Changed ${t.kind === 'local' ? 'locally' : 'on the server'} while merging; left alone`, {
      path: planned.path, hint: 'Run the sync again',
    });
  }
}
