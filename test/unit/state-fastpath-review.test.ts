// Adversarial review of the state's and the listings' fast paths (src/core/state.ts pathIndex and
// unchangedAt, state/table.ts, listing/listing.ts, plan/rows.ts): a record of one path must never be
// consulted for another, and the planner's fast path must decide as the classifier on full entries.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateStore, stateFileFor } from '../../src/core/state.js';
import { Listing } from '../../src/core/listing/listing.js';
import { buildPlan, type PlanInput } from '../../src/core/planner.js';
import type { Entry, PathState } from '../../src/core/types.js';
import { brief } from './plan-fixtures.js';
import { rng } from '../harness/rng.js';

const base = mkdtempSync(join(tmpdir(), 'rs-fastpath-review-'));
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
function store(): { s: StateStore; root: string } {
  const root = join(base, String(n++));
  mkdirSync(root);
  const id = `sftp://u@h/${n}`;
  const s = new StateStore(stateFileFor(root, id), root, id);
  s.load();
  return { s, root };
}
const ps = (size: number, mtime: number): PathState => ({ type: 'file', local: { size, mtime }, remote: { size, mtime } });
const input = (p: Partial<PlanInput> & Pick<PlanInput, 'local' | 'remote' | 'state'>): PlanInput => ({
  mode: 'sync', localDisplay: '/l', remoteDisplay: 'sftp://h/r',
  isExcluded: () => false, excludedSeen: { local: [], remote: [] }, mtimeResolutionMs: 1000,
  sameContent: async () => false, ...p,
});

describe('StateStore.pathIndex: a load that empties the state moves every slot', () => {
  test('the state folder removed between the local walk and the plan: the walk\'s listing keeps its paths', async () => {
    const { s, root } = store();
    s.record('a.txt', ps(1, 1000));
    s.record('b.txt', ps(2, 2000));
    s.compact();
    // the local walk of a run starts with the index of the state held from the last run…
    const local = new Listing(s.pathIndex);
    local.add('a.txt', 'file', 1, 1000);
    local.add('b.txt', 'file', 5, 5000); // changed locally
    // …the user removes the state folder (start over), and the run loads the state: there is none
    rmSync(join(root, '.remote-sync'), { recursive: true, force: true });
    s.load();
    assert.equal(s.hasState, false);
    assert.equal(local.has('a.txt'), true, 'a listed path is still listed');
    assert.equal(local.get('b.txt')?.size, 5);
    const remote = new Listing(s.pathIndex);
    remote.add('a.txt', 'file', 1, 1000);
    remote.add('b.txt', 'file', 2, 2000);
    // no state: both sides have both files, never synced → compared, never a blind download over the local edit
    const plan = await buildPlan(input({ local, remote, state: s }));
    assert.deepEqual(brief(plan.actions), ['conflict b.txt']);
    assert.deepEqual(brief(plan.stateOnly), ['equal a.txt']);
    // a record made in the new, empty table reuses slot 0: not the walk's 'a.txt'
    s.record('c.txt', ps(3, 3000));
    assert.equal(local.has('c.txt'), false, 'c.txt was never listed');
    assert.equal(local.get('a.txt')?.path, 'a.txt');
    s.closeJournal();
  });

  test('the state folder removed while an idle compaction is under way: the compaction gives up, never writes the old records back', async () => {
    const { s, root } = store();
    const entries: Record<string, unknown[]> = {};
    for (let i = 0; i < 50_000; i++) entries[`d/f${i}`] = ['f', i, 1000, i, 2000];
    s.record('x', null); s.compact(); // (the state folder, made as the store makes it)
    writeFileSync(s.file, JSON.stringify({ version: 1, local: root, remote: 'x', updated: '', entries }), { mode: 0o600 });
    s.load();
    s.record('new.txt', ps(1, 1000));
    const compacting = s.compactInSteps(() => false, new Promise(() => undefined));
    // (it yields between slices of records) meanwhile the user starts over and a plan loads the state
    rmSync(join(root, '.remote-sync'), { recursive: true, force: true });
    s.load();
    assert.equal(s.size, 0);
    assert.equal(await compacting, false, 'given up: the records it was writing are gone');
    assert.equal(existsSync(s.file), false, 'no snapshot of the old records written back');
    s.closeJournal();
  });
});

describe('odd numbers in the state files: read back as written, or as NaN (equal to nothing)', () => {
  const fresh = (s: StateStore) => { const t = new StateStore(s.file, join(s.file, '..', '..'), 'again'); t.load(); return t; };

  test('a NaN time (a side that sent none) stays NaN through the journal and a compaction: never 0, never an unreadable state', () => {
    const { s } = store();
    s.record('a', { type: 'file', local: { size: 1, mtime: Number.NaN }, remote: { size: 1, mtime: 5 } });
    s.closeJournal();
    const j = fresh(s);
    assert.equal(j.get('a')?.local.mtime, Number.NaN, 'the journal\'s null is not a time of 0');
    assert.equal(j.unchangedRaw('a', false, 1, 0, false, 1, 5), false, 'a listed time of 0 is a change');
    s.compact();
    const c = fresh(s); // "The last-sync state file is unreadable" before
    assert.equal(c.get('a')?.local.mtime, Number.NaN);
    assert.equal(c.get('a')?.remote.mtime, 5);
  });

  test('planted journal lines: null sides are skipped, values that are not numbers never match, the state stays readable', () => {
    const { s } = store();
    s.record('keep', ps(1, 1000));
    s.closeJournal();
    appendFileSync(s.journalFile, [
      JSON.stringify({ p: 'nul', s: { type: 'file', local: null, remote: null } }), // TypeError before
      JSON.stringify({ p: 'str', s: { type: 'file', local: { size: 'abc', mtime: {} }, remote: { size: 1, mtime: 1000 } } }),
      JSON.stringify({ p: 'keep', s: { type: 'file', local: { size: '1', mtime: true }, remote: { size: 1, mtime: 1000 }, base: 7 } }),
    ].join('\n') + '\n');
    const t = fresh(s);
    assert.equal(t.get('nul'), undefined);
    assert.equal(t.unchangedRaw('str', false, 0, 0, false, 1, 1000), false);
    assert.equal(t.unchangedRaw('keep', false, 1, 1, false, 1, 1000), false, '"1" and true are not the numbers 1');
    assert.equal(t.get('keep')?.base, undefined);
    t.compact();
    assert.equal(fresh(t).unchangedRaw('keep', false, 1, 1, false, 1, 1000), false, 'readable after the compaction');
  });
});

// ---- differential: the planner with the store's fast paths vs. the classifier on full entries ----

// names a map keyed by plain objects, a sort, a prefix test or a normalisation could get wrong
const NAMES = ['a', 'A', 'a b', 'a-b', 'a.b', 'b', '__proto__', 'constructor', 'hasOwnProperty', '\u00e9', 'e\u0301', 'x\ny', 'back\\slash', 'z'.repeat(200)];
const SIZES = [0, 1, 10, 2 ** 31, 2 ** 32 + 1, 2 ** 53 + 2];
const MTIMES = [0, -1500, -0.5, 1.5, 1_700_000_000_000, 1_700_000_000_000.25, 1_700_000_000_001, 8.64e15];
type Val = { dir: boolean; size: number; mtime: number };

/** one random case: a synced state, two listings made with its index, changes to it in between */
function randomCase(seed: number) {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  // a tree of paths, each a file or a folder (a folder's children below it)
  const tree = new Map<string, boolean>(); // path → dir
  const grow = (dir: string, depth: number) => {
    const k = 1 + Math.floor(r() * 4);
    for (let i = 0; i < k; i++) {
      const p = dir ? `${dir}/${pick(NAMES)}` : pick(NAMES);
      if (tree.has(p)) continue;
      const isDir = depth < 2 && r() < 0.4;
      tree.set(p, isDir);
      if (isDir) grow(p, depth + 1);
    }
  };
  grow('', 0);
  const paths = [...tree.keys()];
  const val = (p: string): Val => (tree.get(p) ? { dir: true, size: 0, mtime: pick(MTIMES) } : { dir: false, size: pick(SIZES), mtime: pick(MTIMES) });
  /** a side as listed now: what was synced, changed a little (an mtime off by a fraction, a size, a type) */
  const side = (synced: Map<string, Val>): Map<string, Val> => {
    const out = new Map<string, Val>();
    for (const p of paths) {
      const parent = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '';
      if (parent && !out.get(parent)?.dir) continue; // never a child without its folder
      const x = r();
      if (x < 0.1) continue; // gone
      const v = synced.get(p) ?? val(p);
      if (x < 0.7 || v.dir) { out.set(p, { ...v }); continue; }
      out.set(p, x < 0.78 ? { ...v, mtime: v.mtime + pick([0.25, 1, -1, 0.0001]) } : x < 0.86 ? { ...v, size: v.size + 1 }
        : x < 0.9 ? { dir: true, size: 0, mtime: v.mtime } : val(p));
    }
    // a folder turned into a file loses its children
    for (const p of [...out.keys()]) {
      const parent = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '';
      if (parent && !out.get(parent)?.dir) out.delete(p);
    }
    return out;
  };
  const synced = new Map<string, Val>();
  for (const p of paths) if (r() < 0.8) synced.set(p, val(p));
  return { r, pick, paths, synced, local: side(synced), remote: side(synced) };
}

const stateOf = (v: Val): PathState => ({ type: v.dir ? 'dir' : 'file', local: { size: v.size, mtime: v.mtime }, remote: { size: v.size, mtime: v.mtime } });

/** the store's records, as a plain view without any fast path (the classifier on full entries) */
function slowView(s: StateStore) {
  const m = new Map<string, PathState>();
  for (const p of s.paths()) m.set(p, s.get(p)!);
  const files = [...m.values()].filter((x) => x.type === 'file').length;
  return { hasState: s.hasState, get: (p: string) => m.get(p), paths: () => m.keys(), countFiles: () => files };
}

const show = (plan: Awaited<ReturnType<typeof buildPlan>>) => ({
  actions: plan.actions.map((a) => `${a.kind} ${a.path} [${a.localClass}/${a.remoteClass}] ${a.reason} ${a.children?.join('|') ?? ''} ${a.fileCount ?? ''}`),
  stateOnly: plan.stateOnly.map((a) => `${a.kind} ${a.path}`),
  inSync: plan.inSync, counts: plan.counts,
});

describe('differential: fast path vs. classifier on full entries', () => {
  test('random trees, values at the edges, the state changed between the listings and the plan', async () => {
    const { s, root } = store();
    const other = new StateStore(s.file, root, 'other'); // another process writing the same pair
    const modes = [{ mode: 'sync' }, { mode: 'upload' }, { mode: 'download', delete: true }, { mode: 'upload', deleteUnmatched: true }] as const;
    for (let seed = 1; seed <= 250; seed++) {
      const c = randomCase(seed);
      // the last sync: records made one by one (slots in record order), sometimes compacted and read again
      s.load();
      for (const p of [...s.paths()]) s.record(p, null);
      for (const [p, v] of c.synced) s.record(p, stateOf(v));
      if (c.r() < 0.3) { s.compact(); other.load(); }
      const mutate = () => {
        const x = c.r();
        const p = c.pick(c.paths);
        if (x < 0.3) s.record(p, null); // forgotten: its slot free for the next record
        else if (x < 0.6) s.record(p, stateOf({ dir: false, size: c.pick(SIZES), mtime: c.pick(MTIMES) }));
        else if (x < 0.8) { other.load(); other.record(p, null); other.record(c.pick(c.paths), stateOf({ dir: false, size: 1, mtime: 1.5 })); other.closeJournal(); s.load(); }
        else if (x < 0.85) { s.closeJournal(); rmSync(join(root, '.remote-sync'), { recursive: true, force: true }); s.load(); } // started over
      };
      const listed = (m: Map<string, Val>) => {
        const l = new Listing(c.r() < 0.85 ? s.pathIndex : undefined);
        const order = [...m].sort(() => c.r() - 0.5);
        for (const [p, v] of order) {
          l.add(p, v.dir ? 'dir' : 'file', v.size, v.mtime);
          if (c.r() < 0.2) mutate();
        }
        return l;
      };
      const local = listed(c.local);
      if (c.r() < 0.5) mutate();
      const remote = listed(c.remote);
      if (c.r() < 0.5) mutate();
      for (const m of modes) {
        const common = {
          ...m, isExcluded: (p: string) => p.endsWith('a.b'), sameContent: async (p: string) => p.length % 2 === 0,
          caseInsensitive: { local: false, remote: seed % 3 === 0 },
          unreadable: { local: seed % 5 === 0 ? [c.pick(c.paths)] : [], remote: [] },
          scope: seed % 7 === 0 ? [c.pick(c.paths)] : undefined,
        };
        const fast = await buildPlan(input({ ...common, local, remote, state: s }));
        const asMap = (l: Listing) => new Map<string, Entry>([...l.values()].map((e) => [e.path, e]));
        const slow = await buildPlan(input({ ...common, local: asMap(local), remote: asMap(remote), state: slowView(s) }));
        assert.deepEqual(show(fast), show(slow), `seed ${seed}, mode ${JSON.stringify(m)}`);
      }
    }
    s.closeJournal();
  });
});
