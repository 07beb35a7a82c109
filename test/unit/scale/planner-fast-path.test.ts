// The planner's no-change fast path and tree sort (src/core/planner.ts): a state that answers
// unchangedPair or unchangedRaw (the StateStore's compact table) must give exactly the plan the plain
// StateView gives, for random listings (plain maps and compact Listings) and states in every mode; the allocation-free tree order must be the
// order of the old comparator ("/" replaced by "\u0000").
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buildPlan, byTree, sortByTree, type PlanInput, type StateView } from '../../../src/core/planner.js';
import { StateTable } from '../../../src/core/state/table.js';
import { Listing } from '../../../src/core/listing/listing.js';
import type { Entry, PathState, SyncMode } from '../../../src/core/types.js';
import { StubState } from '../plan-fixtures.js';
import { rng } from '../../harness/rng.js';

/** the same records, answering through the compact table (as the StateStore does) */
class TableState implements StateView {
  readonly t = new StateTable();
  constructor(entries: Record<string, PathState>, readonly hasState: boolean) {
    for (const [p, s] of Object.entries(entries)) this.t.set(p, s);
  }
  get(p: string) { return this.t.get(p); }
  paths() { return this.t.paths(); }
  countFiles() { return this.t.fileCount; }
  get size() { return this.t.size; }
  unchangedPair(p: string, l: Entry, r: Entry) { return this.t.unchangedPair(p, l, r); }
}

/** the same, answering from the listed numbers (the StateStore's way: the planner reads them from the listings) */
class RawTableState extends TableState {
  unchangedRaw(p: string, ld: boolean, ls: number, lm: number, rd: boolean, rs: number, rm: number) { return this.t.unchangedRaw(p, ld, ls, lm, rd, rs, rm); }
}

/** the same, with listings made through the table's path index (the session's way: paired by slot) */
class IndexedTableState extends RawTableState {
  readonly pathIndex = { lookup: (p: string) => this.t.lookup(p), keyAt: (s: number) => this.t.keyAt(s), generation: 0 };
  unchangedAt(s: number, ld: boolean, ls: number, lm: number, rd: boolean, rs: number, rm: number) { return this.t.unchangedAt(s, ld, ls, lm, rd, rs, rm); }
}

const oldKey = (p: string) => p.replace(/\//g, '\u0000');
const oldByTree = (a: string, b: string) => (oldKey(a) < oldKey(b) ? -1 : oldKey(a) > oldKey(b) ? 1 : 0);

describe('planner: fast path and tree order', () => {
  test('byTree / sortByTree order paths as the old comparator did', () => {
    const r = rng(7);
    const alphabet = ['a', 'b', '-', '.', '/', ' ', 'é', '0', '_', 'Z'];
    for (let round = 0; round < 30; round++) {
      const paths = new Set<string>();
      while (paths.size < 300) {
        let s = '';
        const n = 1 + Math.floor(r() * 8);
        for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)];
        paths.add(s);
      }
      const list = [...paths];
      const want = [...list].sort(oldByTree);
      assert.deepEqual([...list].sort(byTree), want);
      const got = [...list];
      sortByTree(got);
      assert.deepEqual(got, want);
    }
    const plain = ['b/c', 'a', 'a/b', 'b'];
    sortByTree(plain);
    assert.deepEqual(plain, ['a', 'a/b', 'b', 'b/c']);
  });

  test('random listings and states: the same plan with and without the fast path, in every mode', async () => {
    const r = rng(12345);
    const T = 1_700_000_000_000;
    const pick = <X>(xs: X[]) => xs[Math.floor(r() * xs.length)];
    for (let round = 0; round < 150; round++) {
      const names = ['a', 'a/x', 'a/y', 'a/y/z', 'a-b', 'a.b', 'b', 'b/c', 'b/c/d', 'c', 'c/e'];
      const local = new Map<string, Entry>();
      const remote = new Map<string, Entry>();
      const state: Record<string, PathState> = {};
      for (const p of names) {
        const dirLike = names.some((q) => q.startsWith(p + '/'));
        const type = dirLike && r() < 0.85 ? 'dir' : 'file';
        const base = { size: Math.floor(r() * 3), mtime: T + Math.floor(r() * 2) * 1000 };
        const inState = r() < 0.7;
        if (inState) state[p] = { type: r() < 0.9 ? type : type === 'dir' ? 'file' : 'dir', local: { ...base }, remote: { ...base } };
        // each side: as recorded (most of the time), changed, or absent
        for (const side of [local, remote]) {
          const what = pick(['same', 'same', 'same', 'size', 'mtime', 'both', 'absent']);
          if (what === 'absent') continue;
          const s = { size: base.size + (what === 'size' || what === 'both' ? 1 : 0), mtime: base.mtime + (what === 'mtime' || what === 'both' ? 1000 : 0) };
          side.set(p, { path: p, type, size: type === 'dir' ? 0 : s.size, mtime: s.mtime });
        }
      }
      const hasState = Object.keys(state).length > 0 || r() < 0.5;
      const mode = pick<SyncMode>(['sync', 'upload', 'download']);
      const options = {
        delete: r() < 0.5, deleteUnmatched: mode !== 'sync' && r() < 0.3, force: r() < 0.3,
        scope: r() < 0.2 ? [pick(names)] : undefined,
        // (an unreadable entry takes in what is below it: quiet pairs there must get their rows)
        unreadable: r() < 0.2 ? { local: r() < 0.5 ? [pick(names)] : [], remote: r() < 0.5 ? [pick(names)] : [] } : undefined,
      };
      const input = (view: StateView): PlanInput => ({
        mode, localDisplay: 'L', remoteDisplay: 'R', local, remote, state: view, ...options,
        isExcluded: (p) => p === 'c/e', excludedSeen: { local: [], remote: [] },
        mtimeResolutionMs: 1000, sameContent: async (p) => p.length % 2 === 0,
      });
      const plain = await buildPlan(input(new StubState(state, hasState)));
      const fast = await buildPlan(input(new TableState(state, hasState)));
      assert.deepEqual(fast, plain, `round ${round} (${mode})`);
      const raw = await buildPlan({ ...input(new RawTableState(state, hasState)), local: Listing.from(local), remote: Listing.from(remote) });
      assert.deepEqual(raw, plain, `round ${round} (${mode}, compact listings)`);
      const indexed = new IndexedTableState(state, hasState);
      const shared = await buildPlan({ ...input(indexed), local: Listing.from(local, indexed.pathIndex), remote: Listing.from(remote, indexed.pathIndex) });
      assert.deepEqual(shared, plain, `round ${round} (${mode}, listings through the state's index)`);
    }
  });
});

describe('planner: a big tree with nothing or little to do', () => {
  const T = 1_700_000_000_000;
  const build = () => {
    const local: Entry[] = [];
    const state: Record<string, PathState> = {};
    for (let d = 0; d < 30; d++) {
      const dir = `d${d}`;
      local.push({ path: dir, type: 'dir', size: 0, mtime: T });
      state[dir] = { type: 'dir', local: { size: 0, mtime: T }, remote: { size: 0, mtime: T } };
      for (let f = 0; f < 100; f++) {
        const p = `${dir}/f${f}`;
        local.push({ path: p, type: 'file', size: f, mtime: T + f * 1000 });
        state[p] = { type: 'file', local: { size: f, mtime: T + f * 1000 }, remote: { size: f, mtime: T + f * 1000 } };
      }
    }
    return { local, remote: local.map((e) => ({ ...e })), state };
  };
  const plan = (local: Entry[], remote: Entry[], view: StateView, extra: Partial<PlanInput> = {}) => buildPlan({
    mode: 'sync', localDisplay: 'L', remoteDisplay: 'R', local: Listing.from(local), remote: Listing.from(remote), state: view,
    isExcluded: () => false, excludedSeen: { local: [], remote: [] }, mtimeResolutionMs: 1000, sameContent: async () => false, ...extra,
  });

  test('the same plan as the plain state view: no change, one change, a deletion, a new folder, an unreadable folder', async () => {
    const cases: [string, (x: ReturnType<typeof build>) => Partial<PlanInput> | void][] = [
      ['nothing changed', () => {}],
      ['one file changed locally', (x) => { x.local.find((e) => e.path === 'd3/f7')!.size = 999; }],
      ['a file deleted on the server', (x) => { x.remote.splice(x.remote.findIndex((e) => e.path === 'd4/f1'), 1); }],
      ['a folder deleted locally', (x) => { for (let i = x.local.length - 1; i >= 0; i--) if (x.local[i].path === 'd5' || x.local[i].path.startsWith('d5/')) x.local.splice(i, 1); }],
      ['a new folder on the server', (x) => { x.remote.push({ path: 'new', type: 'dir', size: 0, mtime: T }, { path: 'new/a', type: 'file', size: 1, mtime: T }); }],
      ['a folder that type-changed in the state', (x) => { x.state['d6'] = { type: 'file', local: { size: 0, mtime: T }, remote: { size: 0, mtime: T } }; }],
      ['an unreadable folder', () => ({ unreadable: { local: ['d7'], remote: [] } })],
    ];
    for (const [name, change] of cases) {
      const x = build();
      const extra = change(x) ?? {};
      const plain = await plan(x.local, x.remote, new StubState(x.state, true), extra);
      const fast = await plan(x.local, x.remote, new RawTableState(x.state, true), extra);
      assert.deepEqual(fast, plain, name);
      const indexed = new IndexedTableState(x.state, true);
      const shared = await buildPlan({
        mode: 'sync', localDisplay: 'L', remoteDisplay: 'R', local: Listing.from(x.local, indexed.pathIndex), remote: Listing.from(x.remote, indexed.pathIndex), state: indexed,
        isExcluded: () => false, excludedSeen: { local: [], remote: [] }, mtimeResolutionMs: 1000, sameContent: async () => false, ...extra,
      });
      assert.deepEqual(shared, plain, `${name} (through the index)`);
      if (name === 'nothing changed') assert.deepEqual([fast.actions.length, fast.inSync], [0, 3000]);
    }
  });
});
