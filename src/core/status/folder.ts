// One folder of a target, listed lazily (the remote explorer opens folders one at a time): the
// target's own recursive listing, told to walk only the path down to the folder and the folder's
// direct children (one directory read per level; nothing below the folder is visited).

import type { Entry, EntryType, Target } from '../types.js';
import type { PathState } from '../types.js';
import { SyncError } from '../errors.js';
import { pathStatus, type SyncStatus } from './status.js';

/** is `path` on the way to `dir`, or a direct child of it? (engine paths; "" is the root) */
export function onTheWay(dir: string, path: string): boolean {
  if (dir === '') return !path.includes('/');
  if (dir === path || dir.startsWith(path + '/')) return true;
  return path.startsWith(dir + '/') && !path.slice(dir.length + 1).includes('/');
}

/** the direct children of `dir` a target reports (an empty map when the folder does not exist) */
export async function listChildren(target: Target, dir: string, signal?: AbortSignal): Promise<ReadonlyMap<string, Entry>> {
  let all: ReadonlyMap<string, Entry>;
  try {
    all = await target.list({ include: (p: string, _t: EntryType) => onTheWay(dir, p), signal, scoped: true });
  } catch (e) {
    if (e instanceof SyncError && e.code === 'not-found') return new Map();
    throw e;
  }
  const out = new Map<string, Entry>();
  for (const [p, e] of all) if (p !== dir && onTheWay(dir, p) && (dir === '' || p.startsWith(dir + '/'))) out.set(p, e);
  return out;
}

/** one entry of a listed folder, with its status */
export interface FolderItem {
  path: string;
  name: string;
  type: EntryType;
  local?: Entry;
  remote?: Entry;
  status: SyncStatus;
}

export interface StateView {
  get(path: string): PathState | undefined;
  readonly hasState: boolean;
}

/**
 * The entries of folder `dir` as the server explorer shows them: every child the server has, plus
 * (with `withLocalOnly`) those only here, each with its status against the last sync. A folder's
 * status is its own (its children are not listed here: they roll up when they are).
 */
export function folderItems(input: {
  dir: string;
  local: ReadonlyMap<string, Entry>;
  remote: ReadonlyMap<string, Entry>;
  state: StateView;
  isExcluded: (path: string, type: EntryType) => boolean;
  withLocalOnly?: boolean;
}): FolderItem[] {
  const names = new Set<string>(input.remote.keys());
  if (input.withLocalOnly) for (const p of input.local.keys()) names.add(p);
  const items: FolderItem[] = [];
  for (const path of names) {
    const local = input.local.get(path);
    const remote = input.remote.get(path);
    const type = (remote ?? local)!.type;
    const status = pathStatus({ local, remote, state: input.state.get(path), hasState: input.state.hasState, excluded: input.isExcluded(path, type) })
      ?? 'in-sync';
    items.push({ path, name: path.slice(path.lastIndexOf('/') + 1), type, local, remote, status });
  }
  return items.sort((a, b) => (a.type === b.type ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.type === 'dir' ? -1 : 1));
}
