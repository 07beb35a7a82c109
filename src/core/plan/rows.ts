// The planner's rows: which paths get one, in tree order, each classified against the last-sync state.
// A pair unchanged on both sides since the last sync (nearly every path of a run with nothing to do)
// is "quiet": classified from the listings' and the state's numbers, counted, and given no row unless
// a row above it could take it in (see collectRows).

import type { Entry, EntryClass, PathState, Side } from '../types.js';
import { classifySide, decide, deleteKind, type Decision } from '../classify.js';
import { isWithin } from '../paths.js';
import type { Listing } from '../listing/listing.js';
import type { PlanInput, StateView } from '../planner.js';

/** one path of the plan; its last-sync record and its listed entries are made when something asks for
 *  them (most rows of a no-change run never do: they are classified from the listings' and the state's
 *  numbers) */
export class Row {
  lc: EntryClass = 'missing';
  rc: EntryClass = 'missing';
  d?: Decision;
  /** consumed by an ancestor's subtree action */
  consumed?: boolean;
  caseRename?: Entry;
  blocked?: boolean;
  private st: PathState | null | undefined;
  private le: Entry | null | undefined;
  private re: Entry | null | undefined;

  /** li, ri: the path's slot in each side's listing, -1 when not listed there */
  constructor(readonly path: string, readonly li: number, readonly ri: number, private readonly sides: Sides, private readonly view: StateView) {}

  get state(): PathState | undefined {
    if (this.st === undefined) this.st = this.view.get(this.path) ?? null;
    return this.st ?? undefined;
  }

  get local(): Entry | undefined {
    if (this.le === undefined) this.le = this.li < 0 ? null : this.sides.local.entryAt(this.li);
    return this.le ?? undefined;
  }

  get remote(): Entry | undefined {
    if (this.re === undefined) this.re = this.ri < 0 ? null : this.sides.remote.entryAt(this.ri);
    return this.re ?? undefined;
  }
}

export interface Sides { local: Listing; remote: Listing }


/**
 * Tree order: a folder's descendants right after it ("a", "a/b", "a-b"): strings compared as if
 * "/" sorted before every other character (what comparing with "/" replaced by "\u0000" gives),
 * without making a string per comparison.
 */
export const byTree = (a: string, b: string): number => {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return (x === 0x2f ? 0 : x) - (y === 0x2f ? 0 : y);
  }
  return a.length - b.length;
};


/**
 * Sort paths in tree order. The engine's own string order (UTF-16 units) differs from it only where
 * a "/" meets a character below it (" ", "-", "."…) at the first difference, so: the fast native
 * sort, then one pass that checks neighbours, and the tree comparator only if a pair is out of order.
 */
export function sortByTree(paths: string[]): void {
  paths.sort();
  for (let i = 1; i < paths.length; i++) {
    if (byTree(paths[i - 1], paths[i]) > 0) { paths.sort(byTree); return; }
  }
}


/**
 * The plan's rows, in tree order. `all` false: the pairs unchanged on both sides since the last sync
 * (nearly every path of a run with nothing to do) get no row — only counted, `quietFiles` — unless one
 * lies below a row that has something to do or below an unreadable entry (a folder action, a conflict,
 * a name rule may take in what is below it): then every path gets its row, as always.
 */
function collectRowsSorted(input: PlanInput, sides: Sides, all: boolean): { rows: Row[]; quietFiles: number } {
  const scoped = !!input.scope?.length;
  const inScope = (p: string) => !scoped || input.scope!.some((s) => isWithin(p, s));
  const { local: L, remote: R } = sides;
  const state = input.state;
  // every path once: the local listing's, then the remote's the local one lacks, then the state's
  // neither lists (no Set of all paths: the two listings answer "seen already")
  const paths: string[] = [];
  for (const p of L.keys()) if (inScope(p)) paths.push(p);
  for (const p of R.keys()) if (!L.has(p) && inScope(p)) paths.push(p);
  if (scoped) {
    const above = new Set<string>();
    for (const p of scopeAncestors(input)) if (!inScope(p) && !above.has(p) && (L.has(p) || R.has(p))) { above.add(p); paths.push(p); }
  }
  for (const p of state.paths()) {
    if (L.has(p) || R.has(p) || !inScope(p)) continue;
    const type = state.get(p)!.type;
    if (!input.isExcluded(p, type) && !hasExcludedAncestor(p, input)) paths.push(p);
  }
  sortByTree(paths);
  const hasState = state.hasState;
  const oneWayDelete = input.deleteUnmatched && input.mode !== 'sync';
  const rows: Row[] = [];
  // the quiet pairs' files, and whether one lies below another row (then rows for all)
  let quietFiles = 0;
  let quietBelowLoud = false;
  const loud: string[] = []; // prefixes ("path/") of the rows (and unreadable entries) above the current path
  const unreadable = new Set([...(input.unreadable?.local ?? []), ...(input.unreadable?.remote ?? [])]);
  for (let k = 0; k < paths.length; k++) {
    const path = paths[k];
    while (loud.length && !path.startsWith(loud[loud.length - 1])) loud.pop();
    const li = L.slot(path);
    const ri = R.slot(path);
    // the usual path of a run with nothing to do: on both sides, unchanged on both since the last sync
    // (both match the recorded type, so they are of one type: the classifier's answer is "in sync")
    if (!all && li >= 0 && ri >= 0 && !oneWayDelete && unchanged(state, path, li, ri, sides)) {
      if (loud.length) quietBelowLoud = true;
      else if (!L.isDirAt(li) && (!scoped || inScope(path))) quietFiles++;
      if (unreadable.has(path)) loud.push(path + '/');
      continue;
    }
    const r = classified(input, new Row(path, li, ri, sides, state), hasState, all && li >= 0 && ri >= 0 && !oneWayDelete && unchanged(state, path, li, ri, sides));
    if (!scoped || inScope(path) || isCopyFolder(r.d)) {
      rows.push(r);
      loud.push(path + '/');
    }
  }
  if (quietBelowLoud) return collectRowsSorted(input, sides, true);
  return { rows, quietFiles };
}

/** a row classified: `quiet` (unchanged on both sides, known already) or by the classifier */
function classified(input: PlanInput, r: Row, hasState: boolean, quiet: boolean): Row {
  if (quiet) {
    r.lc = 'unmodified';
    r.rc = 'unmodified';
    return r;
  }
  const { local, remote } = r;
  const st = r.state;
  r.lc = classifySide(local, st, 'local', hasState);
  r.rc = classifySide(remote, st, 'remote', hasState);
  r.d = decide({ mode: input.mode, local, remote, localClass: r.lc, remoteClass: r.rc, hasPathState: !!st, delete: input.delete || input.deleteUnmatched, force: input.force });
  if (input.deleteUnmatched && input.mode !== 'sync') {
    const dst: Side = input.mode === 'upload' ? 'remote' : 'local';
    const e = dst === 'remote' ? remote : local;
    if (e && input.isExcluded(r.path, e.type)) {
      r.d = { kind: deleteKind(dst), reason: 'excluded by the filters (--delete-unmatched)', ...(e.type === 'dir' ? { wholeFolder: true } : {}) };
    }
  }
  return r;
}

/** the state's fast answer for a pair listed on both sides (false when the view has none) */
function unchanged(state: StateView, path: string, li: number, ri: number, { local: L, remote: R }: Sides): boolean {
  if (state.unchangedRaw) return state.unchangedRaw(path, L.isDirAt(li), L.sizeAt(li), L.mtimeAt(li), R.isDirAt(ri), R.sizeAt(ri), R.mtimeAt(ri));
  return !!state.unchangedPair && state.unchangedPair(path, L.entryAt(li), R.entryAt(ri));
}

const isCopyFolder = (d: { kind: string } | undefined): boolean => d?.kind === 'mkdir-local' || d?.kind === 'mkdir-remote';

/** the folders above the scope paths: a run limited to a file in a folder the destination does not
 *  have yet creates that folder first (only folder creations are kept from these rows) */
function scopeAncestors(input: PlanInput): string[] {
  const out: string[] = [];
  for (const s of input.scope ?? []) {
    for (let i = s.indexOf('/'); i > 0; i = s.indexOf('/', i + 1)) out.push(s.slice(0, i));
  }
  return out;
}

function hasExcludedAncestor(path: string, input: PlanInput): boolean {
  let i = path.indexOf('/');
  while (i >= 0) {
    if (input.isExcluded(path.slice(0, i), 'dir')) return true;
    i = path.indexOf('/', i + 1);
  }
  return false;
}


/**
 * The plan's rows, in tree order (see collectRowsSorted; `all`: every path gets its row). An unscoped
 * run first goes once over the two listings without sorting anything: the usual run, nothing or a few
 * paths to do, then sorts and classifies only the paths with something to do. It takes the sorted way
 * when the state has records neither listing has (their paths need a row: deleted, excluded…) or a
 * quiet pair lies below another row or an unreadable entry.
 */
export function collectRows(input: PlanInput, sides: Sides, all: boolean): { rows: Row[]; quietFiles: number } {
  const state = input.state;
  const oneWayDelete = input.deleteUnmatched && input.mode !== 'sync';
  if (all || input.scope?.length || oneWayDelete || state.size === undefined || (!state.unchangedRaw && !state.unchangedPair)) {
    return collectRowsSorted(input, sides, all);
  }
  const { local: L, remote: R } = sides;
  const seenRemote = new Uint8Array(R.slotCount);
  const quietLocal = new Uint8Array(L.slotCount);
  const loud: string[] = [];
  let quietFiles = 0;
  let recorded = 0; // listed paths the state has a record of
  // both listings made with the state's index: their paths are paired by the state's slots
  const idx = state.pathIndex;
  const bySlot = idx && state.unchangedAt && L.sharesIndex(idx) && R.sharesIndex(idx) ? idx : undefined;
  for (let li = 0; li < L.slotCount; li++) {
    if (!L.isListedAt(li)) continue;
    const path = L.pathAt(li);
    const s = bySlot ? L.sharedSlotAt(li) : -1;
    const ri = s >= 0 ? R.slotOfShared(s, bySlot!) : R.slot(path);
    if (ri >= 0) {
      seenRemote[ri] = 1;
      if (s >= 0 ? state.unchangedAt!(s, L.isDirAt(li), L.sizeAt(li), L.mtimeAt(li), R.isDirAt(ri), R.sizeAt(ri), R.mtimeAt(ri)) : unchanged(state, path, li, ri, sides)) {
        quietLocal[li] = 1;
        recorded++;
        if (!L.isDirAt(li)) quietFiles++;
        continue;
      }
    }
    loud.push(path);
  }
  for (let ri = 0; ri < R.slotCount; ri++) if (R.isListedAt(ri) && !seenRemote[ri]) loud.push(R.pathAt(ri));
  for (const p of loud) if (state.get(p)) recorded++;
  if (recorded !== state.size) return collectRowsSorted(input, sides, false);
  const unreadable = [...(input.unreadable?.local ?? []), ...(input.unreadable?.remote ?? [])];
  if (loud.length || unreadable.length) {
    const above = new Set([...loud, ...unreadable]);
    for (let li = 0; li < L.slotCount; li++) {
      if (!quietLocal[li]) continue;
      const p = L.pathAt(li);
      for (let k = p.indexOf('/'); k > 0; k = p.indexOf('/', k + 1)) if (above.has(p.slice(0, k))) return collectRowsSorted(input, sides, false);
    }
  }
  sortByTree(loud);
  const hasState = state.hasState;
  return { rows: loud.map((p) => classified(input, new Row(p, L.slot(p), R.slot(p), sides, state), hasState, false)), quietFiles };
}
