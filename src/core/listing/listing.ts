// What one side reported for every path below its root (Target.list), compact: one slot per path,
// its numbers in typed arrays and its path string kept once (the walks pass the last-sync state's own
// copy: ListOptions.intern), instead of an Entry object per path. At 100,000 paths that is ~50 bytes a
// path beside the string instead of ~140. An Entry is made only when one is asked for (get, values,
// iteration: the code that needs single entries); the planner reads the numbers by slot.
//
// Read-only to its users (a ReadonlyMap<string, Entry>); the walks fill it with add().

import type { Entry, EntryType } from '../types.js';

const FILE = 1;
const DIR = 2;
/** no mode reported */
const NO_MODE = -1;

export class Listing implements ReadonlyMap<string, Entry> {
  /** path → slot */
  private readonly index = new Map<string, number>();
  private pathOf: string[] = [];
  /** 0: a removed slot */
  private kind = new Uint8Array(0);
  private sizes = new Float64Array(0);
  private mtimes = new Float64Array(0);
  private modes = new Int32Array(0);
  private used = 0;
  private files = 0;

  /** a listing of these entries (tests, and callers that list a few paths themselves) */
  static from(entries: Iterable<Entry> | ReadonlyMap<string, Entry>): Listing {
    if (entries instanceof Listing) return entries;
    const out = new Listing();
    if (isMap(entries)) for (const [p, e] of entries.entries()) out.add(p, e.type, e.size, e.mtime, e.mode);
    else for (const e of entries) out.add(e.path, e.type, e.size, e.mtime, e.mode);
    return out;
  }

  /** record `path` (a later add of the same path replaces it); folders are listed with size 0 */
  add(path: string, type: EntryType, size: number, mtime: number, mode?: number): void {
    // one hash operation for a new path (the walks' case): a repeated one is found by the size
    let i = this.used;
    const before = this.index.size;
    this.index.set(path, i);
    if (this.index.size !== before) {
      this.used++;
      if (i >= this.kind.length) this.grow(Math.max(256, this.kind.length * 2));
      this.pathOf[i] = path;
    } else {
      i = this.pathOf.lastIndexOf(path); // (rare: a path added again) its slot keeps it
      this.index.set(path, i);
      if (this.kind[i] === FILE) this.files--;
    }
    this.kind[i] = type === 'dir' ? DIR : FILE;
    if (type !== 'dir') this.files++;
    this.sizes[i] = size;
    this.mtimes[i] = mtime;
    this.modes[i] = mode === undefined ? NO_MODE : mode;
  }

  /** forget `path` (its slot stays unused) */
  delete(path: string): boolean {
    const i = this.index.get(path);
    if (i === undefined) return false;
    if (this.kind[i] === FILE) this.files--;
    this.kind[i] = 0;
    this.index.delete(path);
    return true;
  }

  get size(): number { return this.index.size; }
  /** entries that are files */
  get fileCount(): number { return this.files; }

  has(path: string): boolean { return this.index.has(path); }

  /** the slot of `path`, or -1 */
  slot(path: string): number {
    const i = this.index.get(path);
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
    const i = this.index.get(path);
    return i === undefined ? undefined : this.entryAt(i);
  }

  keys(): MapIterator<string> { return this.index.keys(); }

  *values(): MapIterator<Entry> {
    for (const i of this.index.values()) yield this.entryAt(i);
  }

  *entries(): MapIterator<[string, Entry]> {
    for (const [p, i] of this.index) yield [p, this.entryAt(i)];
  }

  [Symbol.iterator](): MapIterator<[string, Entry]> { return this.entries(); }

  forEach(fn: (value: Entry, key: string, map: ReadonlyMap<string, Entry>) => void, thisArg?: unknown): void {
    for (const [p, i] of this.index) fn.call(thisArg, this.entryAt(i), p, this);
  }

  get [Symbol.toStringTag](): string { return 'Listing'; }

  private grow(n: number): void {
    const k = new Uint8Array(n); k.set(this.kind); this.kind = k;
    const s = new Float64Array(n); s.set(this.sizes); this.sizes = s;
    const m = new Float64Array(n); m.set(this.mtimes); this.mtimes = m;
    const o = new Int32Array(n); o.set(this.modes); this.modes = o;
  }
}

function isMap(x: Iterable<Entry> | ReadonlyMap<string, Entry>): x is ReadonlyMap<string, Entry> {
  return typeof (x as ReadonlyMap<string, Entry>).get === 'function' && typeof (x as ReadonlyMap<string, Entry>).values === 'function';
}
