// Listing both sides for a plan (the local walk overlapping the connection, a missing remote folder
// on a first upload, the names either side cannot hold, case-insensitive sides probed once per
// connection), and the planner's input made from those listings. Used by SyncSession.

import type { EntryType, Logger, Side, Target } from '../types.js';
import type { PlanOptions } from '../api.js';
import type { Filter } from '../filter.js';
import type { StateStore } from '../state.js';
import type { PlanInput } from '../planner.js';
import { isWithin } from '../paths.js';
import { sameContent } from '../compare.js';
import { SyncError } from '../errors.js';
import { listingProblems, type ListingProblems } from '../names/listing-problems.js';
import { probeCaseInsensitive } from '../names/probe.js';
import { foldCase } from '../names/case.js';
import { compareHashes } from '../transfer/hash.js';
import { Listing } from '../listing/listing.js';
import { badNamesOf } from './results.js';

export interface Listings {
  local: Listing;
  remote: Listing;
  excludedSeen: { local: string[]; remote: string[] };
  problems: ListingProblems;
  caseInsensitive: { local: boolean; remote: boolean };
}

/** what listing needs of the session */
export interface ListContext {
  local: Target;
  remote: Target;
  filter: Filter;
  state: StateStore;
  log: Logger;
  /** case-insensitive sides, probed once per connection (undefined: not known yet); set here once known */
  caseInsensitive: { local?: boolean; remote?: boolean };
}

/**
 * List both sides. With `connect` (opening the targets), the local walk starts before it and runs
 * while it waits on the server; nothing remote is listed before it is connected.
 */
export async function listBoth(ctx: ListContext, options: PlanOptions, scope: string[], connect?: () => Promise<void>): Promise<Listings> {
  const excludedSeen = { local: [] as string[], remote: [] as string[] };
  const oneWayDst: Side | undefined = options.deleteUnmatched && options.mode !== 'sync' ? (options.mode === 'upload' ? 'remote' : 'local') : undefined;
  const include = (side: Side) => (path: string, type: EntryType): boolean => {
    // (compared ignoring case: a scoped run must see another spelling of its path on a case-insensitive side)
    if (scope.length && !scope.some((s) => isWithin(path, s) || isWithin(s, path) || isWithin(foldCase(path), foldCase(s)) || isWithin(foldCase(s), foldCase(path)))) return false;
    const excluded = side === oneWayDst ? ctx.filter.isBuiltinExcluded(path, type) : ctx.filter.isExcluded(path, type);
    if (excluded) excludedSeen[side].push(path);
    return !excluded;
  };
  const index = ctx.state.pathIndex;
  let walk: Promise<Listing> | undefined;
  if (connect) {
    // (walked while the state loads: a listing stops using the index when a load changes it)
    walk = ctx.local.open().then(() => ctx.local.list({ include: include('local'), signal: options.signal, index }));
    walk.catch(() => undefined); // reported below, after a failed connect's own error
    await connect();
  }
  const [local, remote] = await Promise.all([
    walk ?? ctx.local.list({ include: include('local'), signal: options.signal, index }),
    ctx.remote.list({ include: include('remote'), signal: options.signal, index, prune: ctx.filter.pruneNames(oneWayDst === 'remote'), scoped: scope.length > 0 }).catch((e: unknown) => {
      // a first upload to a folder that does not exist yet: list it as empty (execute creates it)
      if (e instanceof SyncError && e.code === 'not-found' && !scope.length && ctx.state.countFiles() === 0) {
        return new Listing();
      }
      throw e;
    }),
  ]);
  const problems = listingProblems(ctx.local, ctx.remote, { isExcluded: (p, t) => ctx.filter.isExcluded(p, t), scope });
  const caseInsensitive = { local: await probeCase(ctx, 'local', local), remote: await probeCase(ctx, 'remote', remote) };
  return { local, remote, excludedSeen, problems, caseInsensitive };
}

/** an unknown side counts as case-insensitive for planning: two new names that differ only in case are
 *  a conflict there rather than a guess (a known case-sensitive side is told apart once it lists names) */
async function probeCase(ctx: ListContext, side: Side, listing: Listing): Promise<boolean> {
  const known = ctx.caseInsensitive[side];
  if (known !== undefined) return known;
  const target = side === 'local' ? ctx.local : ctx.remote;
  const found = await probeCaseInsensitive(target, listing, ctx.log);
  if (found !== undefined) {
    ctx.caseInsensitive[side] = found;
    target.capabilities.caseInsensitive = found;
    if (found) ctx.log.info(`${target.display}: names that differ only in case are the same file there`);
  }
  return found ?? true;
}

/** the planner's input from both listings */
export function planInputOf(ctx: ListContext, options: PlanOptions, scope: string[], l: Listings): PlanInput {
  return {
    mode: options.mode,
    localDisplay: ctx.local.display,
    remoteDisplay: ctx.remote.display,
    local: l.local,
    remote: l.remote,
    state: ctx.state,
    scope,
    isExcluded: (p, t) => ctx.filter.isExcluded(p, t),
    isBuiltinExcluded: (p, t) => ctx.filter.isBuiltinExcluded(p, t),
    excludedSeen: l.excludedSeen,
    delete: options.delete,
    deleteUnmatched: options.deleteUnmatched,
    force: options.force,
    mtimeResolutionMs: Math.max(ctx.local.capabilities.mtimeResolutionMs, ctx.remote.capabilities.mtimeResolutionMs),
    sameContent: options.checksum
      ? (p, size) => compareHashes(ctx.local, ctx.remote, p, options.signal, p, size).then((c) => c.same)
      : (p) => sameContent(ctx.local, ctx.remote, p, options.signal),
    checksum: options.checksum,
    badNames: badNamesOf(ctx.remote),
    notSynced: l.problems.notSynced,
    unreadable: l.problems.unreadable,
    caseInsensitive: l.caseInsensitive,
    nameRule: { local: ctx.local.capabilities.nameProblem, remote: ctx.remote.capabilities.nameProblem },
  };
}
