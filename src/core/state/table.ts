// The last-sync state in memory, compact: one slot per path, its numbers in Float64Arrays and its
// type in a Uint8Array, instead of three objects per path. At 100,000 paths that is ~60 bytes a path
// (plus the path itself) instead of ~1.9 KB; a PathState object is made only when one is asked for.

import type { Entry, EntryType, PathState } from '../types.js';

const FILE = 1;
const DIR = 2;

export class StateTable {
  /** path → slot */
  private readonly index = new Map<string, number>();
  private type = new Uint8Array(0);
  private ls = new Float64Array(0);
  private lm = new Float64Array(0);
  private rs = new Float64Array(0);
  private rm = new Float64Array(0);
  /** the path of each slot (the index's own key string: see intern) */
  private keys: (string | undefined)[] = [];
  /** common version for merges, by slot (most paths have one: a plain array of shared strings) */
  private base: (string | undefined)[] = [];
  private readonly free: number[] = [];
  private used = 0;
  private files = 0;

  constructor(capacity = 0) {
    if (capacity > 0) this.grow(capacity);
  }

  get size(): number { return this.index.size; }
  /** paths recorded as files */
  get fileCount(): number { return this.files; }

  has(path: string): boolean { return this.index.has(path); }

  /** the slot of `path`, or -1 (listings find their paths through it: listing/listing.ts PathIndex) */
  lookup(path: string): number {
    const i = this.index.get(path);
    return i === undefined ? -1 : i;
  }

  /** the path of a slot in use */
  keyAt(slot: number): string { return this.keys[slot]!; }

  /** set a path's record from its numbers (the parser's and the journal's way in: no object made) */
  setRaw(path: string, dir: boolean, localSize: number, localMtime: number, remoteSize: number, remoteMtime: number, base?: string): void {
    let i = this.index.get(path);
    if (i === undefined) {
      i = this.free.length ? this.free.pop()! : this.used++;
      if (i >= this.type.length) this.grow(Math.max(64, this.type.length * 2));
      this.index.set(path, i);
      this.keys[i] = path;
    } else if (this.type[i] === FILE) {
      this.files--;
    }
    this.fill(i, dir, localSize, localMtime, remoteSize, remoteMtime, base);
  }

  /**
   * setRaw for a table being filled from a file, with one hash operation: false when the path was
   * there already — the table is then not to be used (the parser starts over the slow way).
   */
  addFresh(path: string, dir: boolean, localSize: number, localMtime: number, remoteSize: number, remoteMtime: number, base?: string): boolean {
    const before = this.index.size;
    const i = this.free.length ? this.free.pop()! : this.used++;
    this.index.set(path, i);
    if (this.index.size === before) return false;
    if (i >= this.type.length) this.grow(Math.max(64, this.type.length * 2));
    this.keys[i] = path;
    this.fill(i, dir, localSize, localMtime, remoteSize, remoteMtime, base);
    return true;
  }

  /** a slot's record (its path is set): the numbers, and the file count */
  private fill(i: number, dir: boolean, localSize: number, localMtime: number, remoteSize: number, remoteMtime: number, base: string | undefined): void {
    this.type[i] = dir ? DIR : FILE;
    if (!dir) this.files++;
    this.ls[i] = localSize;
    this.lm[i] = localMtime;
    this.rs[i] = remoteSize;
    this.rm[i] = remoteMtime;
    this.base[i] = base;
  }

  set(path: string, s: PathState): void {
    this.setRaw(path, s.type === 'dir', s.local.size, s.local.mtime, s.remote.size, s.remote.mtime, s.base);
  }

  delete(path: string): boolean {
    const i = this.index.get(path);
    if (i === undefined) return false;
    if (this.type[i] === FILE) this.files--;
    this.type[i] = 0;
    this.base[i] = undefined;
    this.keys[i] = undefined;
    this.index.delete(path);
    this.free.push(i);
    return true;
  }

  /** a fresh object (the caller may keep or change it) */
  get(path: string): PathState | undefined {
    const i = this.index.get(path);
    if (i === undefined) return undefined;
    const st: PathState = {
      type: this.type[i] === DIR ? 'dir' : 'file',
      local: { size: this.ls[i], mtime: this.lm[i] },
      remote: { size: this.rs[i], mtime: this.rm[i] },
    };
    const b = this.base[i];
    if (b !== undefined) st.base = b;
    return st;
  }

  /**
   * Is there a record of the path, with both listed entries unchanged since it (same type as
   * recorded; files: same size and mtime on each side)? The classifier's usual question in a run
   * with nothing to do, answered with one lookup and no object made.
   */
  unchangedPair(path: string, local: Entry, remote: Entry): boolean {
    const i = this.index.get(path);
    if (i === undefined) return false;
    const t = this.type[i] === DIR ? 'dir' : 'file';
    if (local.type !== t || remote.type !== t) return false;
    if (t === 'dir') return true;
    return this.ls[i] === local.size && this.lm[i] === local.mtime && this.rs[i] === remote.size && this.rm[i] === remote.mtime;
  }

  /** unchangedPair from the listed numbers (the planner reads them from the listings: no Entry made) */
  unchangedRaw(path: string, localDir: boolean, localSize: number, localMtime: number, remoteDir: boolean, remoteSize: number, remoteMtime: number): boolean {
    const i = this.index.get(path);
    if (i === undefined) return false;
    const dir = this.type[i] === DIR;
    if (localDir !== dir || remoteDir !== dir) return false;
    if (dir) return true;
    return this.ls[i] === localSize && this.lm[i] === localMtime && this.rs[i] === remoteSize && this.rm[i] === remoteMtime;
  }

  /** unchangedRaw for the path at `slot` (a slot in use) */
  unchangedAt(slot: number, localDir: boolean, localSize: number, localMtime: number, remoteDir: boolean, remoteSize: number, remoteMtime: number): boolean {
    // (a freed slot keeps its last numbers: never "unchanged", whatever a stale index says)
    if (this.type[slot] === 0) return false;
    const dir = this.type[slot] === DIR;
    if (localDir !== dir || remoteDir !== dir) return false;
    if (dir) return true;
    return this.ls[slot] === localSize && this.lm[slot] === localMtime && this.rs[slot] === remoteSize && this.rm[slot] === remoteMtime;
  }

  paths(): IterableIterator<string> { return this.index.keys(); }

  /** every record as the snapshot stores it: [path, type letter, localSize, localMtime, remoteSize, remoteMtime, base?] */
  *records(): IterableIterator<[string, 'f' | 'd', number, number, number, number, string | undefined]> {
    for (const [p, i] of this.index) yield [p, this.type[i] === DIR ? 'd' : 'f', this.ls[i], this.lm[i], this.rs[i], this.rm[i], this.base[i]];
  }

  private grow(n: number): void {
    const t = new Uint8Array(n); t.set(this.type); this.type = t;
    const g = (a: Float64Array) => { const b = new Float64Array(n); b.set(a); return b; };
    this.ls = g(this.ls);
    this.lm = g(this.lm);
    this.rs = g(this.rs);
    this.rm = g(this.rm);
  }
}
