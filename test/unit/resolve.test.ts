// Unit tests for conflict resolution (src/core/resolve.ts): pickSide for every strategy × conflict
// kind, applyResolution, and resolvePlan over plans built by the real planner.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { pickSide, applyResolution, resolvePlan } from '../../src/core/resolve.js';
import { buildPlan, type PlanInput, type StateView } from '../../src/core/planner.js';
import type { Action, ConflictKind, Entry, PathState, Plan, Resolution, ResolveStrategy, SyncMode } from '../../src/core/types.js';
import { brief, D, F, map, T } from './plan-fixtures.js';


function conflict(kind: ConflictKind, local: Entry | undefined, remote: Entry | undefined): Action {
  return { kind: 'conflict', conflict: kind, path: 'p', type: 'file', reason: 'r', local, remote, localClass: 'modified', remoteClass: 'modified', bytes: 0 };
}

// ------------------------------------------------------------------------------------------------
describe('pickSide: every strategy × conflict kind', () => {
  const cases: [string, Action, { new: Resolution | RegExp; old: Resolution | RegExp }][] = [
    ['both-modified, local newer', conflict('both-modified', F('p', 1, T + 5000), F('p', 2, T)), { new: 'local', old: 'remote' }],
    ['both-new, remote newer', conflict('both-new', F('p', 1, T), F('p', 2, T + 5000)), { new: 'remote', old: 'local' }],
    ['modified-deleted (deleted on the server)', conflict('modified-deleted', F('p'), undefined), { new: /one side was deleted/, old: /one side was deleted/ }],
    ['modified-deleted (deleted locally)', conflict('modified-deleted', undefined, F('p')), { new: /one side was deleted/, old: /one side was deleted/ }],
    ['folder-deleted', conflict('folder-deleted', D('p'), undefined), { new: /one side was deleted/, old: /one side was deleted/ }],
    ['type-mismatch (file | folder)', conflict('type-mismatch', F('p', 1, T + 9000), D('p')), { new: /a file and a folder/, old: /a file and a folder/ }],
    ['type-mismatch (folder | file)', conflict('type-mismatch', D('p'), F('p')), { new: /a file and a folder/, old: /a file and a folder/ }],
  ];
  for (const [name, c, want] of cases) {
    for (const strategy of ['skip', 'local', 'remote', 'new', 'old'] as const) {
      const expected: Resolution | RegExp = strategy === 'skip' ? /skipped \(--resolve skip\)/
        : strategy === 'local' || strategy === 'remote' ? strategy : want[strategy];
      test(`${strategy} × ${name} → ${expected instanceof RegExp ? `undecided ${expected}` : expected}`, () => {
        const got = pickSide(c, strategy);
        if (expected instanceof RegExp) {
          assert.equal(typeof got, 'object', `expected undecided, got ${String(got)}`);
          assert.match((got as { undecided: string }).undecided, expected);
        } else {
          assert.equal(got, expected);
        }
      });
    }
  }

  for (const [l, r] of [[T + 100, T + 900], [T, T], [T + 999, T]]) {
    for (const strategy of ['new', 'old'] as const) {
      test(`${strategy} with equal whole seconds (${l - T} ms vs ${r - T} ms) → undecided with the reason`, () => {
        const got = pickSide(conflict('both-modified', F('p', 1, l), F('p', 2, r)), strategy);
        assert.deepEqual(got, { undecided: 'both sides have the same modification time' });
      });
    }
  }

  test('new/old: one second apart is decided', () => {
    const c = conflict('both-new', F('p', 1, T + 1000), F('p', 2, T + 999));
    assert.equal(pickSide(c, 'new'), 'local');
    assert.equal(pickSide(c, 'old'), 'remote');
  });
});

describe('applyResolution', () => {
  const c: Action = {
    ...conflict('both-modified', F('p'), F('p')), reason: 'modified on both sides',
    alternatives: { local: [{ ...conflict('both-modified', F('p'), F('p')), kind: 'upload', reason: 'local version kept', conflict: undefined }], remote: [] },
  };
  test('skip → no actions; a missing alternatives list → no actions', () => {
    assert.deepEqual(applyResolution(c, 'skip', 'user'), []);
    assert.deepEqual(applyResolution({ ...c, alternatives: undefined }, 'local', 'local'), []);
  });
  test('the chosen alternatives, marked resolvedBy, reason = conflict reason; alternative reason', () => {
    const [a] = applyResolution(c, 'local', 'user');
    assert.equal(a.kind, 'upload');
    assert.equal(a.resolvedBy, 'user');
    assert.equal(a.reason, 'modified on both sides; local version kept');
    assert.equal(c.alternatives!.local[0].resolvedBy, undefined, 'the conflict is not mutated');
  });
});

// ------------------------------------------------------------------------------------------------
// plans from the real planner

class StubState implements StateView {
  readonly hasState = true;
  private readonly m: Map<string, PathState>;
  constructor(es: Entry[]) {
    this.m = new Map(es.map((e) => [e.path, { type: e.type, local: { size: e.size, mtime: e.mtime }, remote: { size: e.size, mtime: e.mtime } }]));
  }
  get(p: string) { return this.m.get(p); }
  paths() { return this.m.keys(); }
  countFiles() { return [...this.m.values()].filter((s) => s.type === 'file').length; }
}

function plan(mode: SyncMode, local: Entry[], remote: Entry[], state: Entry[], extra: Partial<PlanInput> = {}): Promise<Plan> {
  return buildPlan({
    mode, localDisplay: 'L', remoteDisplay: 'R', local: map(...local), remote: map(...remote), state: new StubState(state),
    isExcluded: () => false, excludedSeen: { local: [], remote: [] }, mtimeResolutionMs: 1000, sameContent: async () => false, ...extra,
  });
}

// bm: both modified (local newer); bn: both new (remote newer); md: modified locally, deleted on the server;
// fd: folder deleted on the server, fd/x modified locally (fd/gone gone on both sides); tm: file locally, folder on the server; up: plain upload
const syncPlan = () => plan('sync',
  [F('bm', 11, T + 9000), F('bn', 1, T), F('md', 12), D('fd'), F('fd/x', 13), F('tm'), F('up', 14)],
  [F('bm', 21, T + 2000), F('bn', 2, T + 5000), D('tm'), F('up')],
  [F('bm'), F('md'), D('fd'), F('fd/x'), F('fd/gone'), F('up')]);

describe('resolvePlan (sync)', () => {
  test('the test plan has the five conflict kinds and one upload', async () => {
    const p = await syncPlan();
    assert.deepEqual(p.actions.map((a) => `${a.kind}${a.conflict ? `(${a.conflict})` : ''} ${a.path}`), [
      'upload up', 'conflict(both-modified) bm', 'conflict(both-new) bn', 'conflict(folder-deleted) fd', 'conflict(modified-deleted) md', 'conflict(type-mismatch) tm',
    ]);
  });

  test("'local' replaces every conflict by its local alternative", async () => {
    const p = await syncPlan();
    const r = await resolvePlan(p, 'local');
    assert.deepEqual(brief(r.actions), ['mkdir-remote fd', 'upload tm', 'upload bm', 'upload bn', 'upload fd/x', 'upload md', 'upload up']);
    assert.equal(r.actions.find((a) => a.path === 'tm')!.replace, true);
    for (const a of r.actions.filter((x) => x.path !== 'up')) {
      assert.equal(a.resolvedBy, 'local');
      assert.match(a.reason, /; local version kept$/);
    }
    assert.deepEqual(brief(r.stateOnly), ['forget fd/gone'], "the alternative's forget goes to stateOnly");
    assert.equal(p.actions.filter((a) => a.kind === 'conflict').length, 5, 'the input plan is not changed');
  });

  test("'remote' replaces every conflict by its remote alternative", async () => {
    const r = await resolvePlan(await syncPlan(), 'remote');
    assert.deepEqual(brief(r.actions), ['mkdir-local tm', 'download bm', 'download bn', 'upload up', 'delete-local fd', 'delete-local md']);
    assert.equal(r.actions.find((a) => a.path === 'md')!.fileCount, 1);
    assert.equal(r.actions.find((a) => a.path === 'fd')!.fileCount, 1);
    assert.ok(r.actions.filter((a) => a.path !== 'up').every((a) => a.resolvedBy === 'remote'));
  });

  test("'skip' leaves every conflict, with the reason", async () => {
    const r = await resolvePlan(await syncPlan(), 'skip');
    const cs = r.actions.filter((a) => a.kind === 'conflict');
    assert.equal(cs.length, 5);
    assert.ok(cs.every((c) => c.reason.endsWith('; skipped (--resolve skip)')), cs.map((c) => c.reason).join('\n'));
  });

  test("'new' decides the file-vs-file conflicts by time; the others stay with a reason", async () => {
    const r = await resolvePlan(await syncPlan(), 'new');
    assert.deepEqual(brief(r.actions), ['upload bm', 'download bn', 'upload up', 'conflict fd', 'conflict md', 'conflict tm']);
    assert.match(r.actions.find((a) => a.path === 'md')!.reason, /one side was deleted/);
    assert.match(r.actions.find((a) => a.path === 'fd')!.reason, /one side was deleted/);
    assert.match(r.actions.find((a) => a.path === 'tm')!.reason, /a file and a folder/);
  });

  test("'old' picks the other sides", async () => {
    const r = await resolvePlan(await syncPlan(), 'old');
    assert.deepEqual(brief(r.actions).slice(0, 3), ['download bm', 'upload bn', 'upload up']);
  });

  test("'ask' calls the callback once per conflict, in plan order, and honours skip", async () => {
    const asked: string[] = [];
    const answers: Record<string, Resolution> = { bm: 'remote', bn: 'skip', fd: 'local', md: 'skip', tm: 'remote' };
    const r = await resolvePlan(await syncPlan(), 'ask', async (c) => { asked.push(c.path); assert.equal(c.kind, 'conflict'); return answers[c.path]; });
    assert.deepEqual(asked, ['bm', 'bn', 'fd', 'md', 'tm']);
    assert.deepEqual(brief(r.actions), ['mkdir-local tm', 'mkdir-remote fd', 'download bm', 'upload fd/x', 'upload up', 'conflict bn', 'conflict md']);
    assert.match(r.actions.find((a) => a.path === 'bn')!.reason, /; skipped$/);
    assert.ok(r.actions.filter((a) => a.kind !== 'conflict' && a.path !== 'up').every((a) => a.resolvedBy === 'user'));
  });

  test("'ask' without a callback leaves the conflicts (no one to ask)", async () => {
    const r = await resolvePlan(await syncPlan(), 'ask');
    const cs = r.actions.filter((a) => a.kind === 'conflict');
    assert.equal(cs.length, 5);
    assert.ok(cs.every((c) => /no one to ask/.test(c.reason)));
  });
});

// ------------------------------------------------------------------------------------------------
const writesOn = (a: Action) => (a.kind === 'download' || a.kind === 'mkdir-local' || a.kind === 'delete-local' ? 'local'
  : a.kind === 'upload' || a.kind === 'mkdir-remote' || a.kind === 'delete-remote' ? 'remote' : undefined);

describe('resolvePlan: one-way runs never write to the source', () => {
  // upload --delete: bm both modified (remote newer), md deleted locally + modified on the server, tm folder locally / file on the server (never synced)
  const upload = () => plan('upload',
    [F('bm', 11, T + 2000), D('tm')],
    [F('bm', 21, T + 9000), F('md', 22, T + 9000), F('tm')],
    [F('bm'), F('md')], { delete: true });
  // the mirror image for download
  const download = () => plan('download',
    [F('bm', 21, T + 9000), F('md', 22, T + 9000), F('tm')],
    [F('bm', 11, T + 2000), D('tm')],
    [F('bm'), F('md')], { delete: true });

  test('upload plan: three conflicts, no alternative for the destination', async () => {
    const p = await upload();
    assert.deepEqual(p.actions.map((a) => `${a.kind}(${a.conflict}) ${a.path}`), ['conflict(both-modified) bm', 'conflict(modified-deleted) md', 'conflict(type-mismatch) tm']);
    for (const c of p.actions) {
      assert.deepEqual(c.alternatives!.remote, [], `${c.path}: keeping the server version changes nothing in an upload`);
      assert.ok(c.alternatives!.local.every((a) => writesOn(a) !== 'local'));
    }
  });

  for (const [mode, make, src] of [['upload', upload, 'local'], ['download', download, 'remote']] as const) {
    for (const strategy of ['local', 'remote', 'new', 'old', 'skip'] as ResolveStrategy[]) {
      test(`${mode} --resolve ${strategy}: nothing written on the ${src} side`, async () => {
        const r = await resolvePlan(await make(), strategy);
        for (const a of r.actions) assert.notEqual(writesOn(a), src, `${a.kind} ${a.path}`);
      });
    }
    test(`${mode} 'ask' answering the source's side everywhere: nothing written on the ${src} side`, async () => {
      const dst = src === 'local' ? 'remote' : 'local';
      const r = await resolvePlan(await make(), 'ask', async () => dst);
      assert.deepEqual(r.actions.map((a) => a.kind), ['skip', 'skip', 'skip']);
      assert.ok(r.actions.every((a) => /nothing to change in a one-way run/.test(a.reason)));
    });
  }

  test("upload --resolve local: the destination is made like the source", async () => {
    const r = await resolvePlan(await upload(), 'local');
    assert.deepEqual(brief(r.actions), ['mkdir-remote tm', 'upload bm', 'delete-remote md']);
    assert.equal(r.actions[0].replace, true);
  });

  test("upload --resolve new: remote is newer for bm → skip (kept), not a download", async () => {
    const r = await resolvePlan(await upload(), 'new');
    const bm = r.actions.find((a) => a.path === 'bm')!;
    assert.equal(bm.kind, 'skip');
  });
});
