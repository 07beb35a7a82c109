// What one side reported for every path below its root (Target.list), compact: one slot per path,
// its numbers in typed arrays, instead of an Entry object per path. An Entry is made only when one is
// asked for (get, values, iteration: the code that needs single entries); the planner reads the
// numbers by slot.
//
// A path the last-sync state knows (nearly all of them in a run after the first) is found through the
// state's own index (ListOptions.index): the listing keeps the state's string for it and, by the
// state's slot, its own slot — no map of its own, one hash lookup per listed path. The rest (new paths,
// or all of them without an index) are in a map of the listing's own. Should the index change under
// it (a record removed, the state read again), the listing stops using it and indexes every path itself.
//
// Read-only to its users (a ReadonlyMap<string, Entry>); the walks fill it with add().

import type { Entry, EntryType } from '../types.js';

const FILE = 1;
const DIR = 2;
/** no mode reported */
const NO_MODE = -1;

/** the last-sync state's path index (state/table.ts), shared by the listings of a run */
export interface PathIndex {
  /** the slot of `path`, or -1 */
  lookup(path: string): number;
  /** the index's own string for a slot */
  keyAt(slot: number): string;
  /** changes whenever a slot may come to stand for another path (a record removed, the state read again) */
  readonly generation: number;
  /** paths it has: what a listing made with it expects to hold, about (its first capacity) */
  readonly size?: number;
}

export class Listing implements ReadonlyMap<string, Entry> {
  /** path → slot, for the paths not found through the shared index */
  private own = new Map<string, number>();
  private shared: PathIndex | undefined;
  private sharedGen = 0;
  /** shared slot → our slot + 1 (0: not listed through it) */
  private bySlot = new Int32Array(0);
  /** our slot → shared slot, or -1 */
  private sharedOf = new Int32Array(0);
  private pathOf: string[] = [];
  /** 0: a removed slot */
  private kind = new Uint8Array(0);
  private sizes = new Float64Array(0);
  private mtimes = new Float64Array(0);
  private modes = new Int32Array(0);
  private used = 0;
  private count = 0;
  private files = 0;

  constructor(index?: PathIndex) {
    if (index) {
      this.shared = index;
      this.sharedGen = index.generation;
      // room for what the last sync saw (and a little more) from the start: no copies while it grows
      if (index.size) {
        this.grow(index.size + (index.size >> 6) + 256);
        this.bySlot = new Int32Array(index.size + 256);
      }
    }
  }

  /** a listing of these entries (tests, and callers that list a few paths themselves) */
  static from(entries: Iterable<Entry> | ReadonlyMap<string, Entry>, index?: PathIndex): Listing {
    if (entries instanceof Listing) return entries;
    const out = new Listing(index);
    if (isMap(entries)) for (const [p, e] of entries.entries()) out.add(p, e.type, e.size, e.mtime, e.mode);
    else for (const e of entries) out.add(e.path, e.type, e.size, e.mtime, e.mode);
    return out;
  }

  /** record `path` (a later add of the same path replaces it); folders are listed with size 0 */
  add(path: string, type: EntryType, size: number, mtime: number, mode?: number): void {
    const idx = this.index();
    let s = -1;
    let i = -1;
    if (idx) {
      s = idx.lookup(path);
      if (s >= 0) {
        path = idx.keyAt(s); // the state's string: one copy of the path in memory
        if (s < this.bySlot.length) i = this.bySlot[s] - 1;
      }
    }
    if (s >= 0) {
      if (i < 0 && this.own.size) i = this.own.get(path) ?? -1; // (listed before the state had a record of it)
      if (i < 0) {
        i = this.newSlot(path, s);
        if (s >= this.bySlot.length) this.bySlot = growInt(this.bySlot, Math.max(s + 1, this.bySlot.length * 2, 256));
        this.bySlot[s] = i + 1;
      }
    } else {
      // one hash operation for a new path: a repeated one is told by the map's size
      const before = this.own.size;
      this.own.set(path, this.used);
      if (this.own.size !== before) i = this.newSlot(path, -1);
      else this.own.set(path, i = this.pathOf.lastIndexOf(path)); // (rare: a path added again keeps its slot)
    }
    if (this.kind[i] === FILE) this.files--;
    this.kind[i] = type === 'dir' ? DIR : FILE;
    if (type !== 'dir') this.files++;
    this.sizes[i] = size;
    this.mtimes[i] = mtime;
    this.modes[i] = mode === undefined ? NO_MODE : mode;
  }

  private newSlot(path: string, s: number): number {
    const i = this.used++;
    if (i >= this.kind.length) this.grow(Math.max(256, this.kind.length * 2));
    this.pathOf[i] = path;
    this.sharedOf[i] = s;
    this.count++;
    return i;
  }

  /** forget `path` (its slot stays unused) */
  delete(path: string): boolean {
    const i = this.slot(path);
    if (i < 0) return false;
    if (this.kind[i] === FILE) this.files--;
    this.kind[i] = 0;
    this.count--;
    const s = this.sharedOf[i];
    if (s >= 0) this.bySlot[s] = 0;
    else this.own.delete(this.pathOf[i]);
    return true;
  }

  get size(): number { return this.count; }
  /** entries that are files */
  get fileCount(): number { return this.files; }

  has(path: string): boolean { return this.slot(path) >= 0; }

  /** the slot of `path`, or -1 */
  slot(path: string): number {
    const idx = this.index();
    if (idx) {
      const s = idx.lookup(path);
      if (s >= 0 && s < this.bySlot.length && this.bySlot[s] > 0) return this.bySlot[s] - 1;
    }
    if (!this.own.size) return -1;
    const i = this.own.get(path);
    return i === undefined ? -1 : i;
  }

  /** this listing finds its paths through `index` (unchanged since): its slots can be used as they are */
  sharesIndex(index: PathIndex): boolean { return this.index() === index; }
  /** the shared index's slot of our slot `i` (-1: not found through it); see sharesIndex */
  sharedSlotAt(i: number): number { return this.sharedOf[i]; }
  /** our slot for the shared index's slot `s`, or -1 (see sharesIndex) */
  slotOfShared(s: number, index: PathIndex): number {
    if (s < this.bySlot.length && this.bySlot[s] > 0) return this.bySlot[s] - 1;
    if (!this.own.size) return -1;
    const i = this.own.get(index.keyAt(s)); // (listed before the state had a record of it)
    return i === undefined ? -1 : i;
  }

  /** slots used so far (some may be removed: isListedAt) */
  get slotCount(): number { return this.used; }
  isListedAt(i: number): boolean { return this.kind[i] !== 0; }
  isDirAt(i: number): boolean { return this.kind[i] === DIR; }
  typeAt(i: number): EntryType { return this.kind[i] === DIR ? 'dir' : 'file'; }
  sizeAt(i: number): number { return this.sizes[i]; }
  mtimeAt(i: number): number { return this.mtimes[i]; }
  pathAt(i: number): string { return this.pathOf[i]; }

  /** a fresh Entry for slot `i` (the caller may keep or change it) */
  entryAt(i: number): Entry {
    const e: Entry = { path: this.pathOf[i], type: this.kind[i] === DIR ? 'dir' : 'file', size: this.sizes[i], mtime: this.mtimes[i] };
    if (this.modes[i] !== NO_MODE) e.mode = this.modes[i];
    return e;
  }

  get(path: string): Entry | undefined {
    const i = this.slot(path);
    return i < 0 ? undefined : this.entryAt(i);
  }

  *keys(): MapIterator<string> {
    for (let i = 0; i < this.used; i++) if (this.kind[i] !== 0) yield this.pathOf[i];
  }

  *values(): MapIterator<Entry> {
    for (let i = 0; i < this.used; i++) if (this.kind[i] !== 0) yield this.entryAt(i);
  }

  *entries(): MapIterator<[string, Entry]> {
    for (let i = 0; i < this.used; i++) if (this.kind[i] !== 0) yield [this.pathOf[i], this.entryAt(i)];
  }

  [Symbol.iterator](): MapIterator<[string, Entry]> { return this.entries(); }

  forEach(fn: (value: Entry, key: string, map: ReadonlyMap<string, Entry>) => void, thisArg?: unknown): void {
    for (let i = 0; i < this.used; i++) if (this.kind[i] !== 0) fn.call(thisArg, this.entryAt(i), this.pathOf[i], this);
  }

  get [Symbol.toStringTag](): string { return 'Listing'; }

  /** the shared index while it still means what it meant when this listing began; else every path in `own` */
  private index(): PathIndex | undefined {
    const idx = this.shared;
    if (idx && idx.generation !== this.sharedGen) {
      this.shared = undefined;
      this.bySlot = new Int32Array(0);
      for (let i = 0; i < this.used; i++) {
        if (this.sharedOf[i] < 0) continue;
        this.sharedOf[i] = -1;
        if (this.kind[i] !== 0) this.own.set(this.pathOf[i], i);
      }
      return undefined;
    }
    return idx;
  }

  private grow(n: number): void {
    const k = new Uint8Array(n); k.set(this.kind); this.kind = k;
    const s = new Float64Array(n); s.set(this.sizes); this.sizes = s;
    const m = new Float64Array(n); m.set(this.mtimes); this.mtimes = m;
    this.modes = growInt(this.modes, n);
    this.sharedOf = growInt(this.sharedOf, n);
  }
}

function growInt(a: Int32Array<ArrayBuffer>, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

function isMap(x: Iterable<Entry> | ReadonlyMap<string, Entry>): x is ReadonlyMap<string, Entry> {
  return typeof (x as ReadonlyMap<string, Entry>).get === 'function' && typeof (x as ReadonlyMap<string, Entry>).values === 'function';
}
