// Unit tests for the name rules (src/core/names): reserved names, Windows and FTP name limits,
// case folding, and the planner's name rules (unreadable subtrees, names a side cannot store,
// case-only renames and case clashes on case-insensitive sides).

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ftpNameProblem, isReservedName, localNameRule, pathNameProblem, windowsNameProblem, assertStorable } from '../../src/core/names/rules.js';
import { foldCase, swapCase } from '../../src/core/names/case.js';
import { buildForcedPlan, buildPlan, type PlanInput } from '../../src/core/planner.js';
import { resolvePlan } from '../../src/core/resolve.js';
import { brief, D, F, map, StubState, synced } from './plan-fixtures.js';

describe('name rules', () => {
  test('the state folder name is reserved', () => {
    assert.equal(isReservedName('.remote-sync'), true);
    assert.equal(isReservedName('.remote-sync2'), false);
    assert.equal(isReservedName('remote-sync'), false);
  });

  test('Windows: device names, reserved characters, trailing dots and spaces', () => {
    for (const bad of ['CON', 'con', 'NUL', 'nul.txt', 'Aux.tar.gz', 'COM1', 'lpt9.log', 'a:b', 'x?y', 'a*b', 'q"q', 'a<b', 'a>b', 'a|b', 'tab\there', 'dot.', 'space ', 'back\\slash']) {
      assert.ok(windowsNameProblem(bad), `${JSON.stringify(bad)} must be refused`);
    }
    for (const ok of ['CONSOLE', 'nully.txt', 'com', 'a.b', '.hidden', 'ünïcödé 日本語', ' lead', 'COM10']) {
      assert.equal(windowsNameProblem(ok), undefined, `${JSON.stringify(ok)} is fine`);
    }
    assert.match(windowsNameProblem('CON')!, /device name/);
    assert.match(windowsNameProblem('a:b')!, /":" is not allowed/);
    assert.match(windowsNameProblem('x.')!, /trailing dot or space/);
  });

  test('the local rule depends on the platform (a parameter: tests run on Linux)', () => {
    assert.equal(localNameRule('linux'), undefined);
    assert.equal(localNameRule('darwin'), undefined);
    assert.equal(localNameRule('win32'), windowsNameProblem);
    assert.equal(pathNameProblem('ok/CON/x.txt', localNameRule('linux')), undefined);
    assert.match(pathNameProblem('ok/CON/x.txt', localNameRule('win32'))!, /device name/);
  });

  test('FTP: control characters and a trailing space are not stored as written (pure-ftpd: `note ` → `note_`)', () => {
    assert.ok(ftpNameProblem('note '));
    assert.ok(ftpNameProblem('tab\there.txt'));
    assert.ok(ftpNameProblem('new\nline'));
    assert.equal(ftpNameProblem(' lead'), undefined);
    assert.equal(ftpNameProblem('a:b'), undefined);
  });

  test('assertStorable throws a bad-name error naming the path before anything is written', () => {
    const t = { kind: 'ftp', capabilities: { nameProblem: ftpNameProblem } };
    assert.throws(() => assertStorable(t, 'dir/note '), (e: Error & { code?: string; path?: string }) => e.code === 'bad-name' && e.path === 'dir/note ' && /on the server/.test(e.message));
    assert.doesNotThrow(() => assertStorable(t, 'dir/note'));
    assert.doesNotThrow(() => assertStorable({ kind: 'local', capabilities: {} }, 'CON'));
  });

  test('case folding and swapping', () => {
    assert.equal(foldCase('README.md'), foldCase('readme.MD'));
    assert.notEqual(foldCase('a'), foldCase('b'));
    assert.equal(foldCase('Ä'), foldCase('a\u0308'), 'NFC first');
    assert.equal(swapCase('Readme'), 'rEADME');
    assert.equal(swapCase('123_.'), undefined, 'no letters: nothing to ask');
  });
});

// ---- the planner's name rules ---------------------------------------------------------------

function input(p: Partial<PlanInput> & Pick<PlanInput, 'local' | 'remote'>): PlanInput {
  return {
    mode: 'sync', localDisplay: '/l', remoteDisplay: 'ftp://h/r', state: new StubState(),
    isExcluded: () => false, excludedSeen: { local: [], remote: [] }, mtimeResolutionMs: 1000,
    sameContent: async () => false, ...p,
  };
}

describe('planner: unreadable entries are left alone, never taken as deleted', () => {
  test('a local folder that could not be read: nothing below it is deleted on the server', async () => {
    const tree = [D('secret'), F('secret/a'), F('secret/b'), F('ok.txt')];
    const plan = await buildPlan(input({
      local: map(D('secret'), F('ok.txt')), remote: map(...tree), state: synced(...tree),
      unreadable: { local: ['secret'], remote: [] },
    }));
    assert.deepEqual(brief(plan.actions), [], 'no delete-remote of secret/a, secret/b');
  });

  test('a local entry that could not be stat-ed (missing from the listing): its server copy stays', async () => {
    const tree = [F('deep'), F('ok.txt')];
    const plan = await buildPlan(input({ local: map(F('ok.txt')), remote: map(...tree), state: synced(...tree), unreadable: { local: ['deep'], remote: [] } }));
    assert.deepEqual(brief(plan.actions), ['skip deep']);
    assert.match(plan.actions[0].reason, /could not be read locally/);
  });

  test('a server folder that could not be read: nothing local below it is deleted', async () => {
    const tree = [D('locked'), F('locked/x')];
    const plan = await buildPlan(input({ local: map(...tree), remote: map(D('locked')), state: synced(...tree), unreadable: { local: [], remote: ['locked'] } }));
    assert.deepEqual(brief(plan.actions), []);
  });

  test('without the unreadable list the same listing WOULD delete (the test can fail)', async () => {
    const tree = [D('locked'), F('locked/x')];
    const plan = await buildPlan(input({ local: map(...tree), remote: map(D('locked')), state: synced(...tree) }));
    assert.deepEqual(brief(plan.actions), ['delete-local locked/x']);
  });
});

describe('planner: names a side cannot store', () => {
  test('an upload of `note ` to an FTP server is an error for that file; the rest goes on', async () => {
    const plan = await buildPlan(input({
      local: map(F('note '), F('note_'), D('dir\tx'), F('dir\tx/in.txt')), remote: new Map(),
      nameRule: { remote: ftpNameProblem },
    }));
    assert.deepEqual(brief(plan.actions), ['upload note_', 'skip dir\tx', 'skip note ']);
    assert.deepEqual(plan.notSynced!.map((n) => [n.path, n.side]), [['dir\tx', 'remote'], ['note ', 'remote']]);
    assert.match(plan.notSynced![1].message, /cannot be stored on the server.*trailing space.*Nothing was written/);
  });

  test('a download of `CON` or `a:b` to a Windows disk is an error for that file, never written under another name', async () => {
    const plan = await buildPlan(input({ local: new Map(), remote: map(F('CON'), F('a:b'), F('fine.txt')), nameRule: { local: localNameRule('win32') } }));
    assert.deepEqual(brief(plan.actions), ['download fine.txt', 'skip CON', 'skip a:b']);
    assert.equal(plan.notSynced!.length, 2);
    assert.ok(plan.notSynced!.every((n) => n.side === 'local'));
  });

  test('listing problems passed in are kept in the plan', async () => {
    const plan = await buildPlan(input({ local: new Map(), remote: new Map(), notSynced: [{ path: 'back\\slash.txt', side: 'local', message: 'm' }] }));
    assert.deepEqual(plan.notSynced, [{ path: 'back\\slash.txt', side: 'local', message: 'm' }]);
  });
});

describe('planner: case-insensitive sides', () => {
  test('README.md → readme.md locally, server case-insensitive: one upload that renames first, NO delete', async () => {
    const old = F('README.md');
    const plan = await buildPlan(input({
      local: map(F('readme.md')), remote: map(old), state: synced(old),
      caseInsensitive: { local: false, remote: true },
    }));
    assert.deepEqual(brief(plan.actions), ['upload readme.md']);
    assert.equal(plan.actions[0].caseRename?.path, 'README.md');
  });

  test('the same rename with a case-sensitive server: upload + delete, as before', async () => {
    const old = F('README.md');
    const plan = await buildPlan(input({ local: map(F('readme.md')), remote: map(old), state: synced(old), caseInsensitive: { local: false, remote: false } }));
    assert.deepEqual(brief(plan.actions), ['upload readme.md', 'delete-remote README.md']);
  });

  test('a folder renamed in case only: mkdir with rename, files below copied, the old folder not deleted', async () => {
    const tree = [D('Docs'), F('Docs/a.txt')];
    const plan = await buildPlan(input({
      local: map(D('docs'), F('docs/a.txt')), remote: map(...tree), state: synced(...tree), caseInsensitive: { local: false, remote: true },
    }));
    assert.deepEqual(brief(plan.actions), ['mkdir-remote docs', 'upload docs/a.txt']);
    assert.equal(plan.actions[0].caseRename?.path, 'Docs');
  });

  test('a case-only rename on the server, local disk case-insensitive (macOS): download with rename, no local delete', async () => {
    const old = F('Photo.JPG');
    const plan = await buildPlan(input({ local: map(old), remote: map(F('photo.jpg')), state: synced(old), caseInsensitive: { local: true, remote: false } }));
    assert.deepEqual(brief(plan.actions), ['download photo.jpg']);
    assert.equal(plan.actions[0].caseRename?.path, 'Photo.JPG');
  });

  test('README.md and readme.md on a case-sensitive server, local disk case-insensitive: a conflict with the reason, never an overwrite', async () => {
    const plan = await buildPlan(input({ local: new Map(), remote: map(F('README.md', 5), F('readme.md', 7)), caseInsensitive: { local: true, remote: false } }));
    assert.deepEqual(brief(plan.actions), ['conflict README.md', 'conflict readme.md']);
    for (const a of plan.actions) {
      assert.equal(a.conflict, 'case-clash');
      assert.match(a.reason, /differs only in case.*this local disk/);
    }
    const resolved = await resolvePlan(plan, 'remote');
    assert.deepEqual(brief(resolved.actions), ['conflict README.md', 'conflict readme.md'], 'no strategy writes either one');
  });

  test('a new name clashing with a synced one on a case-insensitive server: conflict for the new one; the synced one stays', async () => {
    const a = F('Index.html');
    const plan = await buildPlan(input({ local: map(a, F('index.html')), remote: map(a), state: synced(a), caseInsensitive: { local: false, remote: true } }));
    assert.deepEqual(brief(plan.actions), ['conflict index.html']);
  });

  test('folders that differ in case: the clash covers the folder, nothing below is uploaded', async () => {
    const plan = await buildPlan(input({ local: map(D('A'), F('A/x'), D('a'), F('a/y')), remote: new Map(), caseInsensitive: { local: false, remote: true } }));
    assert.deepEqual(brief(plan.actions), ['conflict A', 'conflict a']);
    assert.deepEqual(plan.actions[0].children, ['A/x']);
  });

  test('case-sensitive on both sides: two names that differ in case are two files', async () => {
    const plan = await buildPlan(input({ local: map(F('A'), F('a')), remote: new Map() }));
    assert.deepEqual(brief(plan.actions), ['upload A', 'upload a']);
  });
});

describe('forced resolutions (Keep Local / Keep Remote) keep the name rules', () => {
  test('Keep Local of a case clash on a case-insensitive server writes nothing (the other spelling is outside the scope)', async () => {
    const plan = buildForcedPlan(input({
      local: map(F('Notes.txt'), F('notes.txt')), remote: map(F('Notes.txt')), scope: ['notes.txt'], caseInsensitive: { local: false, remote: true },
    }), 'local');
    assert.deepEqual(brief(plan.actions), []);
  });

  test('Keep Local of `note ` to an FTP server writes nothing and reports why', async () => {
    const plan = buildForcedPlan(input({ local: map(F('note ')), remote: new Map(), scope: ['note '], nameRule: { remote: ftpNameProblem } }), 'local');
    assert.deepEqual(brief(plan.actions), []);
    assert.equal(plan.notSynced!.length, 1);
  });

  test('without a rule standing in the way, Keep Local still uploads (the test can fail)', async () => {
    const plan = buildForcedPlan(input({ local: map(F('notes.txt')), remote: new Map(), scope: ['notes.txt'], caseInsensitive: { local: false, remote: true } }), 'local');
    assert.deepEqual(brief(plan.actions), ['upload notes.txt']);
  });
});

describe('case probe (writes nothing)', () => {
  test('a case-sensitive local folder: by a listed name, and by its own path when nothing is listed', async () => {
    const { mkdtempSync, writeFileSync, mkdirSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { LocalTarget } = await import('../../src/core/targets/local.js');
    const { probeCaseInsensitive, probeLocalFolder } = await import('../../src/core/names/probe.js');
    const base = mkdtempSync(join(tmpdir(), 'rs-probe-'));
    try {
      const root = join(base, 'Site');
      mkdirSync(root);
      const t = new LocalTarget(root);
      assert.equal(await probeCaseInsensitive(t, new Map()), false, 'its own path, in the other case, does not exist');
      writeFileSync(join(root, 'Readme.md'), 'x');
      assert.equal(await probeCaseInsensitive(t, await t.list()), false);
      writeFileSync(join(root, 'rEADME.MD'), 'y');
      assert.equal(await probeCaseInsensitive(t, await t.list()), false, 'both spellings listed');
      mkdirSync(join(base, 'sITE'));
      assert.equal(probeLocalFolder(root), false, 'another folder with the other spelling: not the same inode');
      assert.equal(probeLocalFolder(join(base, '123')), undefined, 'no letters, nothing to ask');
    } finally { rmSync(base, { recursive: true, force: true }); }
  });
});
