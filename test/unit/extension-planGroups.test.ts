import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Action, ActionKind, Plan } from '../../src/core/types.js';
import { describeConflict, entryDescription, entryTooltip, groupActions, openChoice, selectActions } from '../../src/extension/planGroups.js';
import { PlanStore } from '../../src/extension/planStore.js';
import { actionsOf, nodesOf, type Node } from '../../src/extension/nodes.js';

function act(kind: ActionKind, path: string, extra: Partial<Action> = {}): Action {
  const file = { path, type: 'file' as const, size: 1, mtime: 1 };
  return {
    kind, path, type: 'file', reason: `${kind} reason`, localClass: 'modified', remoteClass: 'unmodified', bytes: 1,
    local: file, remote: file, ...extra,
  };
}

function plan(actions: Action[]): Plan {
  return { mode: 'sync', local: '/l', remote: 'sftp://h/r', actions, inSync: 3, stateOnly: [], badNames: ['x'],
    counts: { localFiles: 1, remoteFiles: 1, stateFiles: 1, hadState: true } };
}

const mk = act('mkdir-remote', 'new', { type: 'dir' });
const up = act('upload', 'new/a.txt', { remote: undefined, remoteClass: 'missing' });
const up2 = act('upload', 'b.txt');
const down = act('download', 'c.txt');
const delR = act('delete-remote', 'old', { type: 'dir', children: ['old/1', 'old/2'] });
const conflict = act('conflict', 'd.txt', { conflict: 'both-modified' });
const emptyDir = act('mkdir-local', 'empty', { type: 'dir' });
const eq = act('equal', 'e.txt');

test('actions are grouped Uploads/Downloads/Delete on the server/Delete locally/Conflicts; folder creations hide behind their files', () => {
  const delL = act('delete-local', 'gone.txt');
  const groups = groupActions([conflict, mk, up, eq, up2, down, delR, emptyDir, delL]);
  assert.deepEqual(groups.map((g) => g.id), ['uploads', 'downloads', 'deleteRemote', 'deleteLocal', 'conflicts']);
  assert.deepEqual(groups.map((g) => g.label), ['Uploads', 'Downloads', 'Delete on the server', 'Delete locally', 'Conflicts']);
  assert.equal(entryDescription(delL), 'will be deleted here');
  assert.equal(entryDescription(act('delete-remote', 'a/b.txt')), 'will be deleted on the server · a');
  assert.match(entryTooltip(delL), /^gone\.txt\nwill be deleted here\nWhy: delete-local reason$/);
  const asked = act('conflict', 'x.txt', { reason: 'modified on both sides since the last sync; skipped (--resolve skip)' });
  assert.equal(entryDescription(asked), 'modified on both sides since the last sync', 'the editor\'s words, not the CLI flag');
  assert.deepEqual(groups[0].actions.map((a) => a.path), ['new', 'new/a.txt', 'b.txt']);
  assert.deepEqual(groups[0].visible.map((a) => a.path), ['new/a.txt', 'b.txt']);
  assert.deepEqual(groups[1].visible.map((a) => a.path), ['c.txt', 'empty']); // an empty folder stays visible
  assert.equal(groups[0].label, 'Uploads');
});

test('applying an upload into a new folder also applies that folder creation, in plan order', () => {
  const all = [mk, up, up2, down];
  assert.deepEqual(selectActions(all, [up]).map((a) => a.path), ['new', 'new/a.txt']);
  assert.deepEqual(selectActions(all, [down, up2]).map((a) => a.path), ['b.txt', 'c.txt']);
});

test('what an entry opens', () => {
  assert.deepEqual(openChoice(up2), { kind: 'diff' });
  assert.deepEqual(openChoice(up), { kind: 'local' });
  assert.deepEqual(openChoice(act('download', 'n.txt', { local: undefined, localClass: 'missing' })), { kind: 'remote' });
  assert.equal(openChoice(delR).kind, 'message');
  assert.match((openChoice(delR) as { text: string }).text, /deleted on the server \(2 entries/);
  assert.deepEqual(openChoice(conflict), { kind: 'diff' });
});

test('conflicts without two files get a clear message instead of a broken diff', () => {
  const remoteDeleted = act('conflict', 'r.txt', { conflict: 'modified-deleted', remote: undefined, remoteClass: 'deleted' });
  const c1 = openChoice(remoteDeleted);
  assert.equal(c1.kind, 'message');
  assert.match((c1 as { text: string }).text, /deleted on the server but changed locally.*Keep Local uploads it again/);
  const remoteDir = act('conflict', 'x', { conflict: 'type-mismatch', remote: { path: 'x', type: 'dir', size: 0, mtime: 0 } });
  const c2 = openChoice(remoteDir);
  assert.equal(c2.kind, 'message');
  assert.match((c2 as { text: string }).text, /a file locally and a folder on the server/);
  const localDeleted = act('conflict', 'l.txt', { conflict: 'modified-deleted', local: undefined, localClass: 'deleted', remoteClass: 'modified' });
  assert.match(describeConflict(localDeleted), /deleted locally but changed on the server/);
  const folderGone = act('conflict', 'f', { type: 'dir', conflict: 'folder-deleted', remote: undefined, remoteClass: 'deleted' });
  assert.match(describeConflict(folderGone), /Folder "f" was deleted on the server/);
  assert.match(describeConflict(conflict), /changed on both sides/);
});

test('plan store: preview, merge, remove, plan for chosen entries', () => {
  const store = new PlanStore();
  let events = 0;
  store.onChange(() => events++);
  store.set('f', plan([mk, up, up2, eq, conflict]), 'preview');
  assert.equal(store.origin('f'), 'preview');
  assert.deepEqual(store.pending('f').map((a) => a.path), ['new', 'new/a.txt', 'b.txt', 'd.txt']); // no 'equal'
  const p = store.planFor('f', [up, conflict])!;
  assert.deepEqual(p.actions.map((a) => a.path), ['new', 'new/a.txt']);
  assert.deepEqual(p.badNames, []);
  assert.equal(p.mode, 'sync');
  store.merge('f', plan([]), [act('conflict', 'b.txt', { conflict: 'both-modified' })]);
  assert.equal(store.find('f', 'b.txt')?.kind, 'conflict');
  assert.deepEqual(store.conflicts().map((c) => c.action.path), ['d.txt', 'b.txt']);
  store.remove('f', ['new', 'new/a.txt', 'b.txt', 'd.txt']);
  assert.deepEqual(store.folderKeys(), []);
  store.set('g', plan([eq]), 'result');
  assert.deepEqual(store.folderKeys(), [], 'nothing to show: no entry');
  assert.ok(events >= 4);
});

test('tree context arguments: clicked node or the selection; groups stand for all their actions', () => {
  const store = new PlanStore();
  store.set('f', plan([mk, up, up2]), 'preview');
  const [g] = store.groups('f');
  const groupNode: Node = { kind: 'group', folder: 'f', group: g };
  const entry: Node = { kind: 'entry', folder: 'f', action: up2 };
  assert.deepEqual(nodesOf(entry, undefined), [entry]);
  assert.deepEqual(nodesOf(entry, [entry, groupNode]), [entry, groupNode]);
  assert.deepEqual(nodesOf('not a node', undefined), []);
  const m = actionsOf([entry, groupNode], (f) => store.pending(f));
  assert.deepEqual(m.get('f')!.map((a) => a.path), ['b.txt', 'new', 'new/a.txt']);
});
