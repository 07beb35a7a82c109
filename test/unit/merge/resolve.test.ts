// The merge strategy in conflict resolution: which conflicts become 'merged' actions and why the
// others stay (mergeBlocker), through resolvePlan with --resolve merge and an `ask` answering m.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolvePlan } from '../../../src/core/resolve.js';
import { mergeBlocker } from '../../../src/core/merge/perform.js';
import { BaseStore } from '../../../src/core/merge/bases.js';
import type { Action, ConflictKind, Entry, PathState, Plan } from '../../../src/core/types.js';

const T = 1_700_000_000_000;
const F = (path: string, size = 10): Entry => ({ path, type: 'file', size, mtime: T });
const D = (path: string): Entry => ({ path, type: 'dir', size: 0, mtime: T });
const conflict = (path: string, kind: ConflictKind, local?: Entry, remote?: Entry): Action => ({
  kind: 'conflict', conflict: kind, path, type: 'file', reason: 'r', local, remote, localClass: 'modified', remoteClass: 'modified', bytes: 0,
  alternatives: { local: [], remote: [] },
});
const HASH = 'a'.repeat(64);
const state = (bases: Record<string, string>) => ({
  get: (p: string): PathState | undefined => (p in bases ? { type: 'file', local: { size: 1, mtime: 1 }, remote: { size: 1, mtime: 1 }, base: bases[p] || undefined } : undefined),
});
const store = new BaseStore('/nonexistent/.remote-sync', 100);

test('mergeBlocker: only a both-modified file with a kept text version of both sizes in the limit merges', () => {
  const st = state({ ok: HASH, bin: 'binary', big: 'large', none: '' });
  assert.equal(mergeBlocker(conflict('ok', 'both-modified', F('ok'), F('ok')), st, store), undefined);
  assert.equal(mergeBlocker(conflict('bin', 'both-modified', F('bin'), F('bin')), st, store), 'not text');
  assert.match(mergeBlocker(conflict('big', 'both-modified', F('big'), F('big')), st, store)!, /^over the merge size limit/);
  assert.match(mergeBlocker(conflict('ok', 'both-modified', F('ok', 101), F('ok')), st, store)!, /^over the merge size limit/);
  assert.equal(mergeBlocker(conflict('none', 'both-modified', F('none'), F('none')), st, store), 'no common version');
  assert.equal(mergeBlocker(conflict('unknown', 'both-modified', F('unknown'), F('unknown')), st, store), 'no common version');
  assert.equal(mergeBlocker(conflict('ok', 'both-modified', F('ok'), F('ok')), st, undefined), 'no common version ("mergeBase" is off)');
  assert.equal(mergeBlocker(conflict('ok', 'both-new', F('ok'), F('ok')), st, store), 'no common version (never synced)');
  assert.match(mergeBlocker(conflict('ok', 'modified-deleted', F('ok'), undefined), st, store)!, /deleted on one side/);
  assert.match(mergeBlocker(conflict('ok', 'type-mismatch', F('ok'), D('ok')), st, store)!, /a file and a folder/);
  assert.match(mergeBlocker(conflict('ok', 'folder-deleted', D('ok'), undefined), st, store)!, /a folder deleted/);
});

test('resolvePlan merge: mergeable conflicts become merged actions, the rest stay with the reason', async () => {
  const st = state({ a: HASH, b: 'binary' });
  const plan: Plan = {
    mode: 'sync', local: '', remote: '', inSync: 0, stateOnly: [], badNames: [],
    counts: { localFiles: 2, remoteFiles: 2, stateFiles: 2, hadState: true },
    actions: [conflict('a', 'both-modified', F('a', 3), F('a', 4)), conflict('b', 'both-modified', F('b'), F('b'))],
  };
  const blocker = (c: Action) => mergeBlocker(c, st, store);
  const r = await resolvePlan(plan, 'merge', undefined, blocker);
  const a = r.actions.find((x) => x.path === 'a')!;
  assert.equal(a.kind, 'merged');
  assert.equal(a.resolvedBy, 'merge');
  assert.equal(a.bytes, 7);
  assert.equal(a.reason, 'r; merge');
  const b = r.actions.find((x) => x.path === 'b')!;
  assert.equal(b.kind, 'conflict');
  assert.equal(b.reason, 'r; not merged: not text');
  // without a blocker (an engine that cannot merge) nothing is merged
  const none = await resolvePlan(plan, 'merge');
  assert.deepEqual(none.actions.map((x) => x.kind), ['conflict', 'conflict']);
  // ask: m merges this one, s skips the other
  const asked = await resolvePlan(plan, 'ask', async (c) => (c.path === 'a' ? 'merge' : 'skip'), blocker);
  assert.deepEqual(asked.actions.map((x) => `${x.kind} ${x.path} ${x.resolvedBy ?? ''}`), ['merged a user', 'conflict b ']);
});
