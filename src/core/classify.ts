// The classifier: a pure function from (what each side reports now, what the last sync recorded)
// to an operation. pyftpsync's matrix, with its known holes closed (see README "How conflicts are
// decided"). Folder-level rules (a deleted folder with changes below it) live in planner.ts,
// because they need the whole subtree.

import type { ActionKind, ConflictKind, Entry, EntryClass, PathState, Side, SyncMode } from './types.js';

export function classifySide(entry: Entry | undefined, state: PathState | undefined, side: Side, hasState: boolean): EntryClass {
  if (!entry) return state ? 'deleted' : 'missing';
  if (!state) return hasState ? 'new' : 'existing';
  if (entry.type !== state.type) return 'modified';
  if (entry.type === 'dir') return 'unmodified';
  const s = state[side];
  return entry.size === s.size && entry.mtime === s.mtime ? 'unmodified' : 'modified';
}

export type DecisionKind = ActionKind | 'compare';

export interface Decision {
  kind: DecisionKind;
  reason: string;
  /** for 'conflict', and for 'compare' (the conflict it becomes if the contents differ) */
  conflict?: ConflictKind;
  /** the destination holds an entry of the other type that must go first (file ↔ folder) */
  replace?: boolean;
  /** a file-vs-folder decision: it stands for the whole subtree below the path */
  subtree?: boolean;
  /** an excluded folder deleted by --delete-unmatched: with everything in it (Action.wholeFolder) */
  wholeFolder?: boolean;
}

export interface DecideInput {
  mode: SyncMode;
  local?: Entry;
  remote?: Entry;
  localClass: EntryClass;
  remoteClass: EntryClass;
  hasPathState: boolean;
  /** one-way runs: delete on the destination what the source does not have */
  delete?: boolean;
  /** one-way runs: overwrite a destination that changed since the last sync */
  force?: boolean;
}

const changed = (c: EntryClass) => c === 'new' || c === 'existing' || c === 'modified';
const where = (side: Side) => (side === 'local' ? 'locally' : 'on the server');
const other = (side: Side): Side => (side === 'local' ? 'remote' : 'local');

/** copy from `from` to the other side */
const copyKind = (from: Side, type: 'file' | 'dir'): ActionKind =>
  type === 'dir' ? (from === 'local' ? 'mkdir-remote' : 'mkdir-local') : (from === 'local' ? 'upload' : 'download');
const deleteKind = (on: Side): ActionKind => (on === 'local' ? 'delete-local' : 'delete-remote');

/** Decide one path. `undefined` means in sync: nothing to do, nothing to record. */
export function decide(input: DecideInput): Decision | undefined {
  return input.mode === 'sync' ? decideSync(input) : decideOneWay(input, input.mode === 'upload' ? 'local' : 'remote');
}

function decideSync(i: DecideInput): Decision | undefined {
  const { local: L, remote: R, localClass: lc, remoteClass: rc } = i;
  if (!L && !R) return i.hasPathState ? { kind: 'forget', reason: 'gone on both sides' } : undefined;

  if (L && R) {
    if (L.type !== R.type) {
      if (lc === 'unmodified') return { kind: copyKind('remote', R.type), reason: `replaced by a ${R.type === 'dir' ? 'folder' : 'file'} on the server`, replace: true };
      if (rc === 'unmodified') return { kind: copyKind('local', L.type), reason: `replaced by a ${L.type === 'dir' ? 'folder' : 'file'} locally`, replace: true };
      return { kind: 'conflict', conflict: 'type-mismatch', subtree: true, reason: `a ${L.type === 'dir' ? 'folder' : 'file'} locally, a ${R.type === 'dir' ? 'folder' : 'file'} on the server` };
    }
    if (L.type === 'dir') return i.hasPathState && lc === 'unmodified' && rc === 'unmodified' ? undefined : { kind: 'equal', reason: 'folder on both sides' };
    if (lc === 'unmodified' && rc === 'unmodified') return undefined;
    if (changed(lc) && rc === 'unmodified') return { kind: 'upload', reason: 'modified locally' };
    if (lc === 'unmodified' && changed(rc)) return { kind: 'download', reason: 'modified on the server' };
    return lc === 'modified' || rc === 'modified'
      ? { kind: 'compare', conflict: 'both-modified', reason: 'modified on both sides since the last sync' }
      : { kind: 'compare', conflict: 'both-new', reason: lc === 'existing' ? 'on both sides, never synced' : 'created on both sides' };
  }

  // present on one side only
  const side: Side = L ? 'local' : 'remote';
  const e = (L ?? R)!;
  const cls = L ? lc : rc;
  const otherCls = L ? rc : lc;
  if (otherCls === 'missing') return { kind: copyKind(side, e.type), reason: cls === 'existing' ? `only ${where(side)}` : `new ${where(side)}` };
  // the other side deleted it since the last sync
  if (cls === 'unmodified') return { kind: deleteKind(side), reason: `deleted ${where(other(side))}` };
  return { kind: 'conflict', conflict: 'modified-deleted', reason: `modified ${where(side)}, deleted ${where(other(side))}` };
}

/** upload (src = local) or download (src = remote): the destination follows the source */
function decideOneWay(i: DecideInput, src: Side): Decision | undefined {
  const dst = other(src);
  const S = src === 'local' ? i.local : i.remote;
  const D = src === 'local' ? i.remote : i.local;
  const sc = src === 'local' ? i.localClass : i.remoteClass;
  const dc = src === 'local' ? i.remoteClass : i.localClass;
  const deleteHint = src === 'local' ? 'use --delete to delete it on the server too' : 'use --delete to delete it locally too';

  if (!S && !D) return i.hasPathState ? { kind: 'forget', reason: 'gone on both sides' } : undefined;

  if (S && !D) {
    return { kind: copyKind(src, S.type), reason: dc === 'deleted' ? `deleted ${where(dst)}; restoring it` : `new ${where(src)}` };
  }

  if (!S && D) {
    if (sc === 'missing') {
      return i.delete ? { kind: deleteKind(dst), reason: `not ${where(src)}` } : undefined;
    }
    // deleted on the source since the last sync
    if (!i.delete) return { kind: 'skip', reason: `deleted ${where(src)}; ${deleteHint}` };
    if (dc === 'unmodified' || i.force) return { kind: deleteKind(dst), reason: `deleted ${where(src)}` };
    return { kind: 'conflict', conflict: 'modified-deleted', reason: `deleted ${where(src)}, modified ${where(dst)}` };
  }

  // on both sides
  const s = S!;
  const d = D!;
  if (s.type !== d.type) {
    if (dc === 'unmodified' || i.force) return { kind: copyKind(src, s.type), reason: `replaced by a ${s.type === 'dir' ? 'folder' : 'file'} ${where(src)}`, replace: true };
    if (sc === 'unmodified') return { kind: 'skip', subtree: true, reason: `replaced ${where(dst)} since the last sync; use --force to overwrite` };
    return { kind: 'conflict', conflict: 'type-mismatch', subtree: true, reason: `a ${i.local!.type === 'dir' ? 'folder' : 'file'} locally, a ${i.remote!.type === 'dir' ? 'folder' : 'file'} on the server` };
  }
  if (s.type === 'dir') return i.hasPathState && sc === 'unmodified' && dc === 'unmodified' ? undefined : { kind: 'equal', reason: 'folder on both sides' };
  if (sc === 'unmodified' && dc === 'unmodified') return undefined;
  if (changed(sc) && dc === 'unmodified') return { kind: copyKind(src, 'file'), reason: `modified ${where(src)}` };
  if (sc === 'unmodified' && changed(dc)) {
    return i.force
      ? { kind: copyKind(src, 'file'), reason: `modified ${where(dst)}, overwritten (--force)` }
      : { kind: 'skip', reason: `modified ${where(dst)} since the last sync; use --force to overwrite` };
  }
  return sc === 'modified' || dc === 'modified'
    ? { kind: 'compare', conflict: 'both-modified', reason: 'modified on both sides since the last sync' }
    : { kind: 'compare', conflict: 'both-new', reason: sc === 'existing' ? 'on both sides, never synced' : 'created on both sides' };
}

/** Is this kind one that removes something on `side`? */
export function deletesOn(kind: ActionKind | DecisionKind, side: Side): boolean {
  return kind === deleteKind(side);
}

export { copyKind, deleteKind, other as otherSide };
