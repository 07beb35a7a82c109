// Building blocks of the planner's unit tests (planner, names, resolve): entries, listings, a
// StateView stub, and a plan's actions in brief. Pure data: no targets, no file system.
import type { StateView } from '../../src/core/planner.js';
import type { Action, Entry, PathState } from '../../src/core/types.js';

export const T = 1_700_000_000_000;
export const F = (path: string, size = 10, mtime = T): Entry => ({ path, type: 'file', size, mtime });
export const D = (path: string): Entry => ({ path, type: 'dir', size: 0, mtime: T });
export const map = (...es: Entry[]) => new Map(es.map((e) => [e.path, e]));

export class StubState implements StateView {
  private readonly m: Map<string, PathState>;
  constructor(entries: Record<string, PathState> = {}, readonly hasState = Object.keys(entries).length > 0) {
    this.m = new Map(Object.entries(entries));
  }
  get(p: string) { return this.m.get(p); }
  paths() { return this.m.keys(); }
  countFiles() { return [...this.m.values()].filter((s) => s.type === 'file').length; }
}

/** state as after a sync where both sides reported exactly these entries */
export const synced = (...es: Entry[]) => new StubState(Object.fromEntries(es.map((e) => [e.path, {
  type: e.type, local: { size: e.size, mtime: e.mtime }, remote: { size: e.size, mtime: e.mtime },
}])));

export const brief = (as: Action[]) => as.map((a) => `${a.kind} ${a.path}`);
