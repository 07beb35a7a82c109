// Unit tests for the planner (src/core/planner.ts): listings + a StateView stub → Plan.
// No targets: listings are in-memory maps, sameContent is a stub that records its calls.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buildPlan, buildForcedPlan, orderActions, type PlanInput } from '../../src/core/planner.js';
import type { Action, ActionKind, Entry } from '../../src/core/types.js';
import { brief, D, F, map, StubState, synced, T } from './plan-fixtures.js';


const noCompare = async (p: string): Promise<boolean> => { throw new Error(`sameContent(${p}) must not be called`); };
function input(p: Partial<PlanInput> & Pick<PlanInput, 'local' | 'remote'>): PlanInput {
  return {
    mode: 'sync', localDisplay: '/l', remoteDisplay: 'sftp://h/r', state: new StubState(),
    isExcluded: () => false, excludedSeen: { local: [], remote: [] }, mtimeResolutionMs: 1000, sameContent: noCompare, ...p,
  };
}

// a synced tree: top.txt, a/, a/sub/, a/sub/z, a/x, a/y
const TREE = [F('top.txt'), D('a'), D('a/sub'), F('a/sub/z'), F('a/x'), F('a/y')];
const SUB = ['a/sub', 'a/sub/z', 'a/x', 'a/y'];
const without = (prefix: string) => TREE.filter((e) => e.path !== prefix && !e.path.startsWith(prefix + '/'));

describe('buildPlan: a folder deleted on one side', () => {
  test('unchanged subtree, deleted on the server → ONE delete-local of the folder, with children and fileCount', async () => {
    const plan = await buildPlan(input({ local: map(...TREE), remote: map(...without('a')), state: synced(...TREE) }));
    assert.deepEqual(brief(plan.actions), ['delete-local a']);
    const [a] = plan.actions;
    assert.equal(a.type, 'dir');
    assert.deepEqual(a.children, SUB);
    assert.equal(a.fileCount, 3);
    assert.match(a.reason, /deleted on the server/);
    assert.equal(plan.inSync, 1);
    assert.deepEqual(plan.stateOnly, []);
  });

  test('unchanged subtree, deleted locally → ONE delete-remote of the folder', async () => {
    const plan = await buildPlan(input({ local: map(...without('a')), remote: map(...TREE), state: synced(...TREE) }));
    assert.deepEqual(brief(plan.actions), ['delete-remote a']);
    assert.equal(plan.actions[0].fileCount, 3);
    assert.deepEqual(plan.actions[0].children, SUB);
  });

  test('a file below also gone on the other side (forget) does not block; fileCount counts only files still there', async () => {
    const local = map(...TREE.filter((e) => e.path !== 'a/y'));
    const plan = await buildPlan(input({ local, remote: map(...without('a')), state: synced(...TREE) }));
    assert.deepEqual(brief(plan.actions), ['delete-local a']);
    assert.equal(plan.actions[0].fileCount, 2);
    assert.deepEqual(plan.stateOnly, [], 'the forget is covered by the folder deletion');
  });

  test('a file below modified on the other side → ONE folder-deleted conflict; children consumed', async () => {
    const local = map(...TREE.filter((e) => e.path !== 'a/x'), F('a/x', 11));
    const plan = await buildPlan(input({ local, remote: map(...without('a')), state: synced(...TREE) }));
    assert.deepEqual(brief(plan.actions), ['conflict a'], 'a/x is not reported on its own');
    const c = plan.actions[0];
    assert.equal(c.conflict, 'folder-deleted');
    assert.match(c.reason, /deleted on the server, but a\/x changed locally/);
    assert.deepEqual(c.children, SUB);
    // keep local: recreate the folder on the server and upload everything below it
    assert.deepEqual(brief(c.alternatives!.local), ['mkdir-remote a', 'mkdir-remote a/sub', 'upload a/sub/z', 'upload a/x', 'upload a/y']);
    assert.ok(c.alternatives!.local.every((a) => a.reason === 'local version kept'));
    // keep remote: the deletion wins, the whole local folder goes
    assert.deepEqual(brief(c.alternatives!.remote), ['delete-local a']);
    assert.equal(c.alternatives!.remote[0].fileCount, 3);
    assert.deepEqual(c.alternatives!.remote[0].children, SUB);
  });

  test('a file added below on the other side → ONE folder-deleted conflict ("was added")', async () => {
    const local = map(...TREE, F('a/sub/new'));
    const plan = await buildPlan(input({ local, remote: map(...without('a')), state: synced(...TREE) }));
    assert.deepEqual(brief(plan.actions), ['conflict a']);
    const c = plan.actions[0];
    assert.equal(c.conflict, 'folder-deleted');
    assert.match(c.reason, /a\/sub\/new was added locally/);
    assert.ok(brief(c.alternatives!.local).includes('upload a/sub/new'));
    assert.equal(c.alternatives!.remote[0].fileCount, 4);
  });

  test('deleted locally, modified on the server → conflict; keep remote restores it locally, keep local deletes on the server', async () => {
    const remote = map(...TREE.filter((e) => e.path !== 'a/y'), F('a/y', 99));
    const plan = await buildPlan(input({ local: map(...without('a')), remote, state: synced(...TREE) }));
    assert.deepEqual(brief(plan.actions), ['conflict a']);
    const c = plan.actions[0];
    assert.match(c.reason, /deleted locally, but a\/y changed on the server/);
    assert.deepEqual(brief(c.alternatives!.remote), ['mkdir-local a', 'mkdir-local a/sub', 'download a/sub/z', 'download a/x', 'download a/y']);
    assert.deepEqual(brief(c.alternatives!.local), ['delete-remote a']);
    assert.equal(c.alternatives!.local[0].fileCount, 3);
  });

  test('a folder holding an excluded entry is kept (skip + reason); its other files are deleted one by one', async () => {
    const plan = await buildPlan(input({
      local: map(...TREE), remote: map(...without('a')), state: synced(...TREE),
      excludedSeen: { local: ['a/keep.log'], remote: [] },
    }));
    assert.deepEqual(brief(plan.actions), ['delete-local a/sub', 'delete-local a/x', 'delete-local a/y', 'skip a']);
    const skip = plan.actions.find((a) => a.kind === 'skip')!;
    assert.match(skip.reason, /excluded/);
    assert.match(skip.reason, /a\/keep\.log/);
    const sub = plan.actions[0];
    assert.deepEqual(sub.children, ['a/sub/z'], 'a sub-folder without excluded entries still goes whole');
    assert.equal(sub.fileCount, 1);
  });

  test('an excluded entry on the OTHER side does not keep the folder', async () => {
    const plan = await buildPlan(input({
      local: map(...TREE), remote: map(...without('a')), state: synced(...TREE),
      excludedSeen: { local: [], remote: ['a/keep.log'] },
    }));
    assert.deepEqual(brief(plan.actions), ['delete-local a']);
  });

  test('upload --delete: excluded entry in the remote folder keeps it; with deleteUnmatched it goes whole', async () => {
    const base = { mode: 'upload' as const, local: map(...without('a')), remote: map(...TREE), state: synced(...TREE), delete: true, excludedSeen: { local: [], remote: ['a/sub/x.log'] } };
    const kept = await buildPlan(input(base));
    assert.deepEqual(brief(kept.actions), ['delete-remote a/sub/z', 'delete-remote a/x', 'delete-remote a/y', 'skip a', 'skip a/sub']);
    const gone = await buildPlan(input({ ...base, deleteUnmatched: true }));
    assert.deepEqual(brief(gone.actions), ['delete-remote a']);
  });

  test('download --delete-unmatched: an excluded folder holding a built-in exclude (.git) is not removed whole', async () => {
    const isExcluded = (p: string, t: 'file' | 'dir') => (p === 'vendor' && t === 'dir') || p.endsWith('/.git') || p === '.git';
    const isBuiltinExcluded = (p: string) => p === '.git' || p.endsWith('/.git');
    const base = {
      mode: 'download' as const, local: map(F('k'), D('vendor'), D('vendor/lib'), F('vendor/lib/x.js')), remote: map(F('k')), state: synced(F('k')),
      delete: true, deleteUnmatched: true, isExcluded, isBuiltinExcluded, excludedSeen: { local: ['vendor/lib/.git'], remote: [] },
    };
    const plan = await buildPlan(input(base));
    assert.ok(!plan.actions.some((a) => a.wholeFolder || (a.kind === 'delete-local' && (a.path === 'vendor' || a.path === 'vendor/lib'))),
      `the folders holding vendor/lib/.git stay: ${brief(plan.actions)}`);
    assert.deepEqual(brief(plan.actions.filter((a) => a.kind === 'delete-local')), ['delete-local vendor/lib/x.js']);
    // nothing built-in inside: the excluded folder still goes whole
    const whole = await buildPlan(input({ ...base, excludedSeen: { local: [], remote: [] } }));
    assert.deepEqual(brief(whole.actions), ['delete-local vendor']);
    assert.equal(whole.actions[0].wholeFolder, true);
  });

  test('a folder replaced by a file on the server with an unchanged subtree → one download (+replace) covering it', async () => {
    const remote = map(...without('a'), F('a', 5));
    const plan = await buildPlan(input({ local: map(...TREE), remote, state: synced(...TREE) }));
    assert.deepEqual(brief(plan.actions), ['download a']);
    assert.equal(plan.actions[0].replace, true);
    assert.deepEqual(plan.actions[0].children, SUB);
  });

  test('…and with a modified file below → a type-mismatch conflict naming it', async () => {
    const local = map(...TREE.filter((e) => e.path !== 'a/x'), F('a/x', 11));
    const plan = await buildPlan(input({ local, remote: map(...without('a'), F('a', 5)), state: synced(...TREE) }));
    assert.deepEqual(brief(plan.actions), ['conflict a']);
    assert.equal(plan.actions[0].conflict, 'type-mismatch');
    assert.match(plan.actions[0].reason, /replaced by a file on the server, but a\/x changed locally/);
  });
});

describe('buildPlan: file-vs-folder and excluded entries', () => {
  test('a type-mismatch conflict (folder locally, file on the server, no state) consumes the folder\'s children',
    async () => {
      const plan = await buildPlan(input({ local: map(D('a'), F('a/f')), remote: map(F('a')), state: new StubState({}, true) }));
      assert.deepEqual(brief(plan.actions), ['conflict a']);
    });

  test('upload: a folder replaced by a file on the server is skipped together with its subtree',
    async () => {
      const st = synced(D('a'), F('a/f'));
      const plan = await buildPlan(input({ mode: 'upload', local: map(D('a'), F('a/f')), remote: map(F('a', 5, T + 5000)), state: st }));
      assert.deepEqual(brief(plan.actions), ['skip a']);
    });

  test('download / upload without --delete: a folder replaced by a file on the source never takes a file on the destination that was never synced',
    async () => {
      const st = synced(D('a'));
      const down = await buildPlan(input({ mode: 'download', local: map(D('a'), F('a/mine')), remote: map(F('a', 5, T + 5000)), state: st }));
      assert.deepEqual(brief(down.actions), ['conflict a'], 'a/mine exists only locally: kept, the replace is a conflict');
      assert.match(down.actions[0].reason, /a\/mine was added locally/);
      const up = await buildPlan(input({ mode: 'upload', local: map(F('a', 5, T + 5000)), remote: map(D('a'), F('a/theirs')), state: st }));
      assert.deepEqual(brief(up.actions), ['conflict a'], 'a/theirs exists only on the server: kept');
      // with --delete the destination mirrors the source: the folder goes, with what the plan shows in it
      const mirror = await buildPlan(input({ mode: 'download', local: map(D('a'), F('a/mine')), remote: map(F('a', 5, T + 5000)), state: st, delete: true }));
      assert.deepEqual(brief(mirror.actions), ['download a']);
      assert.deepEqual(mirror.actions[0].children, ['a/mine']);
    });

  test('a folder holding an excluded entry is never removed by a replace (folder → file on the server)',
    async () => {
      const plan = await buildPlan(input({
        local: map(D('a'), F('a/f')), remote: map(F('a', 5, T + 5000)), state: synced(D('a'), F('a/f')),
        excludedSeen: { local: ['a/x.log'], remote: [] },
      }));
      const a = plan.actions.find((x) => x.path === 'a')!;
      assert.ok(a.kind === 'skip' || a.kind === 'conflict', `got ${a.kind}${a.replace ? ' +replace' : ''}`);
    });
});

describe('buildPlan: compare first (both-new / both-modified)', () => {
  const calls: string[] = [];
  const same = (v: boolean) => async (p: string) => { calls.push(p); return v; };
  const firstRun = (l: Entry, r: Entry, extra: Partial<PlanInput> = {}) =>
    buildPlan(input({ local: map(l), remote: map(r), state: new StubState({}, false), ...extra }));

  test('equal size + same second → equal, recorded in stateOnly, no byte compare', async () => {
    const plan = await firstRun(F('f', 10, T + 100), F('f', 10, T + 900));
    assert.deepEqual(plan.actions, []);
    assert.deepEqual(brief(plan.stateOnly), ['equal f']);
    assert.equal(plan.stateOnly[0].reason, 'same size and time');
    assert.ok(plan.stateOnly[0].local && plan.stateOnly[0].remote, 'equal carries both entries for the state');
    assert.equal(plan.inSync, 1);
  });

  test('equal size, different time → sameContent called; true → equal', async () => {
    calls.length = 0;
    const plan = await firstRun(F('f', 10, T), F('f', 10, T + 5000), { sameContent: same(true) });
    assert.deepEqual(calls, ['f']);
    assert.deepEqual(brief(plan.stateOnly), ['equal f']);
    assert.equal(plan.stateOnly[0].reason, 'same content');
  });

  test('equal size, different time, bytes differ → conflict both-new "(contents differ)"', async () => {
    calls.length = 0;
    const plan = await firstRun(F('f', 10, T), F('f', 10, T + 5000), { sameContent: same(false) });
    assert.deepEqual(calls, ['f']);
    assert.deepEqual(brief(plan.actions), ['conflict f']);
    assert.equal(plan.actions[0].conflict, 'both-new');
    assert.match(plan.actions[0].reason, /never synced \(contents differ\)/);
    assert.ok(plan.actions[0].alternatives, 'a conflict carries its alternatives');
    assert.deepEqual(brief(plan.actions[0].alternatives!.local), ['upload f']);
    assert.deepEqual(brief(plan.actions[0].alternatives!.remote), ['download f']);
  });

  test('different size → conflict "(sizes differ)" without calling sameContent', async () => {
    const plan = await firstRun(F('f', 10, T), F('f', 11, T));
    assert.deepEqual(brief(plan.actions), ['conflict f']);
    assert.match(plan.actions[0].reason, /\(sizes differ\)/);
  });

  test('both modified since the last sync, same bytes → equal (state refreshed), not a conflict', async () => {
    calls.length = 0;
    const plan = await buildPlan(input({ local: map(F('f', 20, T + 1000)), remote: map(F('f', 20, T + 7000)), state: synced(F('f')), sameContent: same(true) }));
    assert.deepEqual(calls, ['f']);
    assert.deepEqual(plan.actions, []);
    assert.deepEqual(brief(plan.stateOnly), ['equal f']);
  });

  test('both modified, sizes differ → conflict both-modified', async () => {
    const plan = await buildPlan(input({ local: map(F('f', 20)), remote: map(F('f', 21)), state: synced(F('f')) }));
    assert.equal(plan.actions[0].conflict, 'both-modified');
  });

  test('2 s resolution (FAT-like): same 2-second slot → equal without reading', async () => {
    const plan = await firstRun(F('f', 10, T), F('f', 10, T + 1500), { mtimeResolutionMs: 2000 });
    assert.deepEqual(brief(plan.stateOnly), ['equal f']);
  });

  for (const res of [60_000, 2001]) {
    test(`coarse resolution ${res} ms: identical mtimes still compare bytes`, async () => {
      calls.length = 0;
      const plan = await firstRun(F('f', 10, T), F('f', 10, T), { mtimeResolutionMs: res, sameContent: same(false) });
      assert.deepEqual(calls, ['f']);
      assert.deepEqual(brief(plan.actions), ['conflict f']);
    });
  }
});

describe('buildPlan: scope, filters, counts', () => {
  const st = synced(F('a/x'), F('ab/q'), F('top.txt'), D('a'), D('ab'));
  const local = map(D('a'), F('a/x', 11), D('ab'), F('ab/q', 12));
  const remote = map(D('a'), F('a/x'), D('ab'), F('ab/q'));

  test('scope [a] limits the plan to a and below (not "ab", not the gone top.txt)', async () => {
    const plan = await buildPlan(input({ local, remote, state: st, scope: ['a'] }));
    assert.deepEqual(brief(plan.actions), ['upload a/x']);
    assert.deepEqual(plan.stateOnly, []);
  });

  test('scope [ab/q] → only that file; no scope → everything, incl. the forget', async () => {
    assert.deepEqual(brief((await buildPlan(input({ local, remote, state: st, scope: ['ab/q'] }))).actions), ['upload ab/q']);
    const all = await buildPlan(input({ local, remote, state: st }));
    assert.deepEqual(brief(all.actions), ['upload a/x', 'upload ab/q']);
    assert.deepEqual(brief(all.stateOnly), ['forget top.txt']);
  });

  test('state paths excluded by the filters (or below an excluded folder) are left alone', async () => {
    const s = synced(F('x.log'), D('build'), F('build/out'), F('keep'));
    const plan = await buildPlan(input({
      local: map(F('keep')), remote: map(F('keep')), state: s,
      isExcluded: (p) => p.endsWith('.log') || p === 'build',
    }));
    assert.deepEqual(plan.actions, []);
    assert.deepEqual(plan.stateOnly, [], 'no forget, no delete for excluded state paths');
  });

  test('deleteUnmatched (upload): an excluded entry on the server is deleted, with the reason', async () => {
    const plan = await buildPlan(input({
      mode: 'upload', local: map(F('keep')), remote: map(F('keep'), F('x.log')), state: synced(F('keep')),
      deleteUnmatched: true, isExcluded: (p) => p.endsWith('.log'),
    }));
    assert.deepEqual(brief(plan.actions), ['delete-remote x.log']);
    assert.match(plan.actions[0].reason, /excluded by the filters \(--delete-unmatched\)/);
    assert.equal(plan.actions[0].fileCount, 1);
  });

  test('deleteUnmatched (download): excluded local entry is deleted; without it nothing happens', async () => {
    const base = { mode: 'download' as const, local: map(F('keep'), F('x.log')), remote: map(F('keep')), state: synced(F('keep')), isExcluded: (p: string) => p.endsWith('.log') };
    assert.deepEqual(brief((await buildPlan(input({ ...base, deleteUnmatched: true }))).actions), ['delete-local x.log']);
    assert.deepEqual(brief((await buildPlan(input(base))).actions), []);
  });

  test('counts: files per side and in the state, hadState; badNames passed through', async () => {
    const plan = await buildPlan(input({ local, remote: map(F('z')), state: st, badNames: ['bad\\name'] }));
    assert.deepEqual(plan.counts, { localFiles: 2, remoteFiles: 1, stateFiles: 3, hadState: true });
    assert.deepEqual(plan.badNames, ['bad\\name']);
    assert.equal(plan.mode, 'sync');
    assert.equal(plan.local, '/l');
    assert.equal(plan.remote, 'sftp://h/r');
  });

  test('a second plan over an in-sync tree is empty', async () => {
    const plan = await buildPlan(input({ local: map(...TREE), remote: map(...TREE), state: synced(...TREE) }));
    assert.deepEqual(plan.actions, []);
    assert.deepEqual(plan.stateOnly, []);
    assert.equal(plan.inSync, TREE.filter((e) => e.type === 'file').length, 'inSync counts files');
  });
});

describe('orderActions', () => {
  const act = (kind: ActionKind, path: string, replace = false): Action =>
    ({ kind, path, type: kind.startsWith('mkdir') ? 'dir' : 'file', reason: 'r', localClass: 'new', remoteClass: 'missing', bytes: 0, ...(replace ? { replace } : {}) });

  test('mkdirs shallow→deep, then copies, then deletes deep→shallow, then conflicts, then skips; replace first in its phase', () => {
    const shuffled = [
      act('skip', 's'), act('delete-remote', 'd'), act('conflict', 'c'), act('upload', 'b/f'), act('delete-local', 'd/e/f'),
      act('mkdir-remote', 'm/n/o'), act('download', 'a'), act('mkdir-local', 'm'), act('delete-remote', 'd/e'),
      act('mkdir-remote', 'm/n'), act('upload', 'z', true), act('mkdir-local', 'r', true),
    ];
    assert.deepEqual(brief(orderActions(shuffled)), [
      'mkdir-local r', // replace before every other mkdir
      'mkdir-local m', 'mkdir-remote m/n', 'mkdir-remote m/n/o',
      'upload z', // replace before other copies
      'download a', 'upload b/f',
      'delete-local d/e/f', 'delete-remote d/e', 'delete-remote d',
      'conflict c', 'skip s',
    ]);
  });

  test('keeps a folder\'s descendants together ("a", "a/b", then "a-b"); does not mutate its input', () => {
    const input = [act('upload', 'a-b'), act('upload', 'a/b'), act('upload', 'a')];
    assert.deepEqual(brief(orderActions(input)), ['upload a', 'upload a/b', 'upload a-b']);
    assert.deepEqual(brief(input), ['upload a-b', 'upload a/b', 'upload a']);
  });
});

describe('buildForcedPlan', () => {
  const st = synced(D('d'), F('d/f'), F('same'), F('gone'));

  test('a file that wins over a folder: the copy replacing the folder counts its files (--max-delete)', async () => {
    const plan = await buildPlan(input({ local: map(F('docs'), F('k')), remote: map(D('docs'), F('docs/a'), F('docs/b'), D('docs/s'), F('docs/s/c'), F('k')), state: new StubState({}, true), sameContent: async () => true }));
    const c = plan.actions.find((a) => a.path === 'docs')!;
    assert.equal(c.conflict, 'type-mismatch');
    const [up] = c.alternatives!.local;
    assert.equal(`${up.kind} ${up.path} ${up.replace}`, 'upload docs true');
    assert.equal(up.fileCount, 3, 'the folder removal takes 3 server files');
    const forced = buildForcedPlan(input({ local: map(F('docs')), remote: map(D('docs'), F('docs/a'), F('docs/b')), state: new StubState({}, true) }), 'local');
    assert.equal(forced.actions[0].fileCount, 2);
  });

  test("'local' wins: local-only → upload/mkdir, remote-only → delete-remote, both → upload, both gone → forget", async () => {
    const plan = buildForcedPlan(input({
      local: map(D('d'), F('d/f'), F('d/new'), F('same')), remote: map(D('d'), F('d/f'), F('same'), F('only-remote'), D('rdir'), F('rdir/x')), state: st,
    }), 'local');
    assert.deepEqual(brief(plan.actions), ['upload d/new', 'upload same', 'delete-remote only-remote', 'delete-remote rdir']);
    const rdir = plan.actions.find((a) => a.path === 'rdir')!;
    assert.deepEqual(rdir.children, ['rdir/x']);
    assert.equal(rdir.fileCount, 1);
    assert.equal(plan.actions.find((a) => a.path === 'only-remote')!.fileCount, 1);
    assert.deepEqual(brief(plan.stateOnly), ['forget gone']);
    assert.ok(plan.actions.every((a) => a.reason === 'local version kept'));
    assert.equal(plan.mode, 'sync');
  });

  test("'remote' wins, scoped to a folder: the local folder is made like the server's", async () => {
    const plan = buildForcedPlan(input({
      local: map(D('d'), F('d/f', 11), F('d/extra'), F('other', 5)), remote: map(D('d'), F('d/f'), F('other')), state: st, scope: ['d'],
    }), 'remote');
    assert.deepEqual(brief(plan.actions), ['download d/f', 'delete-local d/extra']);
  });

  test('file vs folder, local (file) wins → one upload +replace covering the server folder', async () => {
    const input0 = input({ local: map(F('p')), remote: map(D('p'), F('p/q'), D('p/r'), F('p/r/s')), state: new StubState({}, true) });
    const plan = buildForcedPlan(input0, 'local');
    assert.deepEqual(brief(plan.actions), ['upload p']);
    assert.equal(plan.actions[0].replace, true);
  });

  test('file vs folder, remote (folder) wins → mkdir-local +replace, then its files', async () => {
    const plan = buildForcedPlan(input({ local: map(F('p')), remote: map(D('p'), F('p/q'), D('p/r'), F('p/r/s')), state: new StubState({}, true) }), 'remote');
    assert.deepEqual(brief(plan.actions), ['mkdir-local p', 'mkdir-local p/r', 'download p/q', 'download p/r/s']);
    assert.equal(plan.actions[0].replace, true);
    assert.equal(plan.actions[1].replace, undefined);
  });

  test('winner lacks a folder the loser has → one delete of the folder, children listed', async () => {
    const plan = buildForcedPlan(input({ local: map(D('x'), F('x/1'), F('x/2'), D('x/y')), remote: new Map(), state: new StubState({}, true) }), 'remote');
    assert.deepEqual(brief(plan.actions), ['delete-local x']);
    assert.deepEqual(plan.actions[0].children, ['x/1', 'x/2', 'x/y']);
    assert.equal(plan.actions[0].fileCount, 2);
  });
});
