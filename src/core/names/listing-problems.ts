// What the listings left out and must be reported (item: nothing skipped silently): names that are
// not one plain path segment, entries that could not be read, link loops — unless the user's
// filters exclude them (then they were never part of the sync).

import type { NotSynced, Side, Target } from '../types.js';
import { isWithin, joinPath } from '../paths.js';

interface ListedProblems {
  badNames?: { path: string; name: string; message: string }[];
  unreadable?: { path: string; message: string }[];
}

export interface ListingProblems {
  notSynced: NotSynced[];
  /** paths (with their subtrees) a side could not read: nothing there is treated as deleted */
  unreadable: { local: string[]; remote: string[] };
}

export function listingProblems(local: Target, remote: Target, opts: {
  isExcluded: (path: string, type: 'file' | 'dir') => boolean;
  scope: string[];
}): ListingProblems {
  const notSynced: NotSynced[] = [];
  const unreadable = { local: [] as string[], remote: [] as string[] };
  const excluded = (p: string): boolean => {
    if (opts.isExcluded(p, 'file') && opts.isExcluded(p, 'dir')) return true; // its type is not known: excluded either way
    for (let i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) if (opts.isExcluded(p.slice(0, i), 'dir')) return true;
    return false;
  };
  const wanted = (p: string) => (!opts.scope.length || opts.scope.some((s) => isWithin(p, s))) && !excluded(p);
  for (const [side, t] of [['local', local], ['remote', remote]] as [Side, Target][]) {
    const l = t as unknown as ListedProblems;
    for (const b of l.badNames ?? []) {
      const path = joinPath(b.path, b.name);
      if (!wanted(path)) continue;
      notSynced.push({
        path, side,
        message: side === 'local'
          ? `This local name is not a plain file name on every side (${JSON.stringify(b.name)}: "\\\\" is a folder separator on Windows and many servers); not synced. Rename it, or exclude it`
          : `${b.message}; not synced. Rename it on the server, or exclude it`,
      });
    }
    for (const u of l.unreadable ?? []) {
      unreadable[side].push(u.path);
      if (wanted(u.path)) notSynced.push({ path: u.path, side, message: u.message });
    }
  }
  return { notSynced, unreadable };
}
