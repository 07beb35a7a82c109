// The planner: listings + last-sync state → a Plan (every action with its reason). Touches nothing
// but reads file contents where a "compare first" decision needs them.

import type { Action, ActionKind, Entry, Plan, PathState, Side, SyncMode } from './types.js';
import { copyKind, deleteKind, deletesOn, otherSide } from './classify.js';
import { isWithin, depthOf } from './paths.js';
import { mapLimit } from './pool.js';
import { applyNameRules, type NameRulesInput } from './names/plan-rules.js';
import type { NotSynced } from './types.js';
import { Listing, type PathIndex } from './listing/listing.js';
import { Row, byTree, collectRows, type Sides } from './plan/rows.js';

export { byTree, sortByTree } from './plan/rows.js';

export interface StateView {
  readonly hasState: boolean;
  get(path: string): PathState | undefined;
  paths(): Iterable<string>;
  countFiles(): number;
  /** how many paths it has a record of (optional: lets the planner tell that every record is listed) */
  readonly size?: number;
  /** there is a record of the path and both listed entries are unchanged since it (optional: lets the
   *  planner classify the usual path of a no-change run without making its PathState) */
  unchangedPair?(path: string, local: Entry, remote: Entry): boolean;
  /** the path index the listings were made with (ListOptions.index), and unchangedRaw by its slot:
   *  the planner then pairs the two listings' paths by slot, without a hash lookup (optional) */
  readonly pathIndex?: PathIndex;
  unchangedAt?(slot: number, localDir: boolean, localSize: number, localMtime: number, remoteDir: boolean, remoteSize: number, remoteMtime: number): boolean;
  /** unchangedPair from the listed numbers (optional, preferred: no Entry is made either) */
  unchangedRaw?(path: string, localDir: boolean, localSize: number, localMtime: number, remoteDir: boolean, remoteSize: number, remoteMtime: number): boolean;
}

export interface PlanInput extends NameRulesInput {
  mode: SyncMode;
  localDisplay: string;
  remoteDisplay: string;
  /** each side's listing (a Target.list result; a plain map is turned into one) */
  local: ReadonlyMap<string, Entry>;
  remote: ReadonlyMap<string, Entry>;
  state: StateView;
  /** paths the run is limited to (with their subtrees); empty = everything */
  scope?: string[];
  /** state paths to leave alone (excluded by the filters) */
  isExcluded: (path: string, type: 'file' | 'dir') => boolean;
  /** the built-in excludes (.git, .hg, .svn, .DS_Store, the state folder): never deleted, not even by --delete-unmatched */
  isBuiltinExcluded?: (path: string, type: 'file' | 'dir') => boolean;
  /** excluded entries seen while listing, per side (a folder holding one is never removed whole) */
  excludedSeen: { local: string[]; remote: string[] };
  delete?: boolean;
  deleteUnmatched?: boolean;
  force?: boolean;
  /** coarsest mtime resolution of the two sides (ms) */
  mtimeResolutionMs: number;
  /** same bytes on both sides? (only called for files of equal size: `size`) */
  sameContent: (path: string, size: number) => Promise<boolean>;
  /** --checksum: never take equal size and time as equal content (compare by hash) */
  checksum?: boolean;
  badNames?: string[];
  /** entries the listings left out (bad names, unreadable folders, link loops), already filtered */
  notSynced?: NotSynced[];
}

export async function buildPlan(input: PlanInput): Promise<Plan> {
  const sides: Sides = { local: Listing.from(input.local), remote: Listing.from(input.remote) };
  const { rows, quietFiles } = collectRows(input, sides, false);
  const notSynced = [...(input.notSynced ?? []), ...applyNameRules(rows, input)];
  const descendants = (i: number): Row[] => {
    const out: Row[] = [];
    const prefix = rows[i].path + '/';
    for (let j = i + 1; j < rows.length && rows[j].path.startsWith(prefix); j++) out.push(rows[j]);
    return out;
  };

  // Folder rules: a folder removed on one side goes whole only if nothing below it changed on the other.
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r.consumed || !r.d) continue;
    if (r.d.subtree) { for (const b of descendants(i)) b.consumed = true; continue; }
    const removedSide = removesFolderOn(r);
    if (!removedSide) continue;
    const below = descendants(i);
    // --delete-unmatched removes what the user's filters exclude, never a built-in exclude (.git, the
    // state folder…): the destination's listing left those out, so the plan never showed them
    const keeps = (p: string) => !input.deleteUnmatched || (!!input.isBuiltinExcluded && (input.isBuiltinExcluded(p, 'dir') || input.isBuiltinExcluded(p, 'file')));
    const excludedInside = input.excludedSeen[removedSide].find((p) => isWithin(p, r.path) && p !== r.path && keeps(p));
    if (excludedInside) {
      const replacing = !!r.d.replace;
      r.d = { kind: 'skip', reason: `folder kept: it holds excluded entries (${excludedInside})` };
      if (replacing) for (const b of below) b.consumed = true; // the new type cannot be applied
      continue; // a plain delete: the entries below are decided one by one
    }
    // a row with nothing to do that still has an entry on that side is one a one-way run without
    // --delete keeps (not on the source, never synced): the folder's removal must not take it either
    const blocker = below.find((b) => (b.d ? !deletesOn(b.d.kind, removedSide) && b.d.kind !== 'forget' : !!b[removedSide]));
    if (blocker) {
      const verb = blocker.d?.kind === 'conflict' || blocker.d?.kind === 'compare' ? 'changed' : describeChange(blocker, removedSide);
      r.d = {
        kind: 'conflict',
        conflict: r.d.replace ? 'type-mismatch' : 'folder-deleted',
        reason: r.d.replace
          ? `${r.d.reason}, but ${blocker.path} ${verb} ${removedSide === 'local' ? 'locally' : 'on the server'}`
          : `deleted ${removedSide === 'local' ? 'on the server' : 'locally'}, but ${blocker.path} ${verb} ${removedSide === 'local' ? 'locally' : 'on the server'}`,
      };
    }
    for (const b of below) b.consumed = true;
  }

  // Compare first: equal size + equal mtime, or equal bytes, is "equal"; otherwise the conflict.
  const toCompare = rows.filter((r) => !r.consumed && r.d?.kind === 'compare');
  await mapLimit(toCompare, 8, async (r) => {
    const L = r.local!;
    const R = r.remote!;
    let same = false;
    let how = '';
    if (L.size === R.size) {
      // Equal size and time is enough for pairs never synced (a first run over a big tree must not
      // download everything). Both sides modified since the last sync: always compare the bytes —
      // two quick edits can share a size and a timestamp.
      const res = Math.max(1, input.mtimeResolutionMs);
      const timeOk = !input.checksum && r.d!.conflict === 'both-new' && input.mtimeResolutionMs <= 2000 && Math.floor(L.mtime / res) === Math.floor(R.mtime / res);
      if (timeOk) { same = true; how = 'same size and time'; }
      else if (await input.sameContent(r.path, L.size)) { same = true; how = 'same content'; }
    }
    r.d = same
      ? { kind: 'equal', reason: how }
      : { kind: 'conflict', conflict: r.d!.conflict, reason: `${r.d!.reason}${L.size !== R.size ? ' (sizes differ)' : ' (contents differ)'}` };
  });

  const plan: Plan = {
    mode: input.mode, local: input.localDisplay, remote: input.remoteDisplay,
    actions: [], stateOnly: [], inSync: quietFiles,
    counts: {
      localFiles: sides.local.fileCount, remoteFiles: sides.remote.fileCount,
      stateFiles: input.state.countFiles(), hadState: input.state.hasState,
    },
    badNames: input.badNames ?? [],
    notSynced,
  };
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r.consumed) continue;
    if (!r.d) { if ((r.local ?? r.remote)?.type === 'file') plan.inSync++; continue; }
    const a = toAction(r, r.d.kind as ActionKind, r.d.reason);
    if (r.d.replace) a.replace = true;
    if (r.d.wholeFolder) a.wholeFolder = true;
    if (r.d.conflict) a.conflict = r.d.conflict;
    if (r.caseRename) a.caseRename = r.caseRename;
    const below = descendants(i);
    if (below.length && (a.kind === 'conflict' || isSubtreeAction(a))) a.children = below.map((b) => b.path);
    if (below.length && isSubtreeAction(a)) a.shownFiles = shownFilesOf(removedOn(a), below);
    if (a.kind === 'delete-local' || a.kind === 'delete-remote') a.fileCount = countDeleted(a, below);
    else if (a.replace) a.fileCount = countReplaced(r, a, below);
    if (a.conflict === 'case-clash') {
      a.alternatives = { local: [], remote: [] }; // no side's version fixes it: one name must change
    } else if (a.kind === 'conflict') {
      a.alternatives = { local: forced('local', r, below, input.mode), remote: forced('remote', r, below, input.mode) };
    }
    if (a.kind === 'equal' || a.kind === 'forget') {
      plan.stateOnly.push(a);
      if (a.kind === 'equal' && a.type === 'file') plan.inSync++;
    } else {
      plan.actions.push(a);
    }
  }
  plan.actions = orderActions(plan.actions);
  return plan;
}

/**
 * The plan that makes the `winner` side's version of the scope paths (and everything below them)
 * win, whatever the classifier would say: the user's explicit "keep local" / "keep remote".
 */
export function buildForcedPlan(input: PlanInput, winner: Side): Plan {
  const sides: Sides = { local: Listing.from(input.local), remote: Listing.from(input.remote) };
  const { rows } = collectRows(input, sides, true);
  // the name rules hold here too: never write a name a side cannot store, nor one that clashes in case
  const notSynced = [...(input.notSynced ?? []), ...applyNameRules(rows, input)];
  const blocked = rows.filter((r) => r.blocked).map((r) => r.path);
  const actions: Action[] = [];
  const stateOnly: Action[] = [];
  const roots = rows.filter((r) => !rows.some((o) => o !== r && isWithin(r.path, o.path)));
  for (const root of roots) {
    const below = rows.filter((r) => r !== root && isWithin(r.path, root.path));
    for (const a of forced(winner, root, below, 'sync')) {
      if (blocked.some((b) => isWithin(a.path, b))) continue;
      (a.kind === 'equal' || a.kind === 'forget' ? stateOnly : actions).push(a);
    }
  }
  return {
    mode: 'sync', local: input.localDisplay, remote: input.remoteDisplay,
    actions: orderActions(actions), stateOnly, inSync: 0,
    counts: { localFiles: sides.local.fileCount, remoteFiles: sides.remote.fileCount, stateFiles: input.state.countFiles(), hadState: input.state.hasState },
    badNames: input.badNames ?? [],
    notSynced,
  };
}

/** The side on which this row's action removes a whole folder, if it does. */
function removesFolderOn(r: Row): Side | undefined {
  const k = r.d!.kind;
  if (k === 'delete-local' && r.local?.type === 'dir') return 'local';
  if (k === 'delete-remote' && r.remote?.type === 'dir') return 'remote';
  if (r.d!.replace) {
    if ((k === 'upload' || k === 'mkdir-remote') && r.remote?.type === 'dir') return 'remote';
    if ((k === 'download' || k === 'mkdir-local') && r.local?.type === 'dir') return 'local';
  }
  return undefined;
}

function describeChange(b: Row, removedSide: Side): string {
  const cls = removedSide === 'local' ? b.lc : b.rc;
  return cls === 'new' || cls === 'existing' ? 'was added' : 'was modified';
}

/** the side a folder action removes its folder on */
function removedOn(a: Action): Side {
  return a.kind === 'delete-local' || a.kind === 'download' || a.kind === 'mkdir-local' ? 'local' : 'remote';
}

/** the files on `side` below a folder being removed there, as listed: what its removal may take */
function shownFilesOf(side: Side, rows: Row[]): Record<string, { size: number; mtime: number }> {
  const out: Record<string, { size: number; mtime: number }> = {};
  for (const b of rows) {
    const e = side === 'local' ? b.local : b.remote;
    if (e?.type === 'file') out[b.path] = { size: e.size, mtime: e.mtime };
  }
  return out;
}

/** actions whose execution covers the whole subtree below their path */
function isSubtreeAction(a: Action): boolean {
  return a.replace === true || ((a.kind === 'delete-local' || a.kind === 'delete-remote') && a.type === 'dir');
}

function toAction(r: Row, kind: ActionKind, reason: string): Action {
  const e = r.local ?? r.remote;
  const type = kind === 'upload' || kind === 'mkdir-remote' ? r.local!.type
    : kind === 'download' || kind === 'mkdir-local' ? r.remote!.type
      : kind === 'delete-local' ? r.local!.type
        : kind === 'delete-remote' ? r.remote!.type
          : (e?.type ?? r.state?.type ?? 'file');
  const bytes = kind === 'upload' ? r.local!.size : kind === 'download' ? r.remote!.size : 0;
  return { kind, path: r.path, type, reason, local: r.local, remote: r.remote, localClass: r.lc, remoteClass: r.rc, bytes };
}

/**
 * What "the `winner` side is right" means for a conflict at `root` and everything below it:
 * the loser side is made like the winner. One-way runs never write to their source: there,
 * a win for the destination means "leave it" (no actions).
 */
function forced(winner: Side, root: Row, below: Row[], mode: SyncMode): Action[] {
  const loser = otherSide(winner);
  if ((mode === 'upload' && winner === 'remote') || (mode === 'download' && winner === 'local')) return [];
  const out: Action[] = [];
  const rows = [root, ...below];
  const consumed = new Set<string>();
  for (const r of rows) {
    if (consumed.has(r.path)) continue;
    const W = winner === 'local' ? r.local : r.remote;
    const O = winner === 'local' ? r.remote : r.local;
    const reason = `${winner === 'local' ? 'local' : 'server'} version kept`;
    let a: Action | undefined;
    if (W && (!O || O.type !== W.type)) {
      a = toAction(r, copyKind(winner, W.type), reason);
      if (O) a.replace = true;
      if (O?.type === 'dir') {
        const sub = below.filter((b) => isWithin(b.path, r.path) && b.path !== r.path && !(winner === 'local' ? b.local : b.remote));
        for (const b of sub) consumed.add(b.path);
        if (sub.length) { a.children = sub.map((b) => b.path); a.shownFiles = shownFilesOf(loser, sub); } // what the folder's removal takes (RemoveDirOptions.only)
        // the files the folder's removal takes count against --max-delete (checkSafety), as in buildPlan
        a.fileCount = sub.filter((b) => (loser === 'local' ? b.local : b.remote)?.type === 'file').length;
      }
    } else if (W && O) {
      if (W.type === 'file' && (r === root || r.lc !== 'unmodified' || r.rc !== 'unmodified')) a = toAction(r, copyKind(winner, 'file'), reason);
      else if (W.type === 'dir' && !r.state) a = toAction(r, 'equal', 'folder on both sides');
    } else if (!W && O) {
      a = toAction(r, deleteKind(loser), reason);
      if (O.type === 'dir') {
        const sub = below.filter((b) => isWithin(b.path, r.path) && b.path !== r.path);
        for (const b of sub) consumed.add(b.path);
        if (sub.length) { a.children = sub.map((b) => b.path); a.shownFiles = shownFilesOf(loser, sub); }
        a.fileCount = sub.filter((b) => (loser === 'local' ? b.local : b.remote)?.type === 'file').length;
      } else {
        a.fileCount = 1;
      }
    } else if (r.state) {
      a = toAction(r, 'forget', 'gone on both sides');
    }
    if (a) out.push(a);
  }
  return orderActions(out);
}

const PHASE: Record<ActionKind, number> = {
  'mkdir-remote': 0, 'mkdir-local': 0, upload: 1, download: 1, merged: 1, equal: 1, forget: 1,
  'delete-remote': 2, 'delete-local': 2, conflict: 3, skip: 4,
};

/** folders first (shallow to deep), then copies, then deletions (deep to shallow), then the rest */
export function orderActions(actions: Action[]): Action[] {
  return [...actions].sort((a, b) => {
    const pa = PHASE[a.kind] - (a.replace ? 0.5 : 0);
    const pb = PHASE[b.kind] - (b.replace ? 0.5 : 0);
    if (pa !== pb) return pa - pb;
    if (PHASE[a.kind] === 0) return depthOf(a.path) - depthOf(b.path) || byTree(a.path, b.path);
    if (PHASE[a.kind] === 2) return depthOf(b.path) - depthOf(a.path) || byTree(a.path, b.path);
    return byTree(a.path, b.path);
  });
}

function countDeleted(a: Action, below: Row[]): number {
  if (a.type === 'file') return 1;
  const side = a.kind === 'delete-local' ? 'local' : 'remote';
  return below.filter((b) => b[side]?.type === 'file').length;
}

/** files a replacing copy removes on its destination (a folder there: the files below it) */
function countReplaced(r: Row, a: Action, below: Row[]): number {
  const dst: Side = a.kind === 'upload' || a.kind === 'mkdir-remote' ? 'remote' : 'local';
  if (r[dst]?.type !== 'dir') return 1;
  return below.filter((b) => b[dst]?.type === 'file').length;
}
