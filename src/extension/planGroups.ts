// Plan → tree grouping and what to open for an entry (vscode-free). The extension decides nothing
// about syncing here: it only sorts the engine's actions for display and picks the actions a click
// on "Apply" hands back to the engine.

import type { Action, ActionKind } from '../core/types.js';
import { isWithin } from '../core/paths.js';
import { displayName } from './uriMap.js';

export type GroupId = 'uploads' | 'downloads' | 'deleteRemote' | 'deleteLocal' | 'conflicts';

export const GROUP_ORDER: GroupId[] = ['uploads', 'downloads', 'deleteRemote', 'deleteLocal', 'conflicts'];
/** deletions are split by the side that loses the file, said in words */
export const GROUP_LABELS: Record<GroupId, string> = {
  uploads: 'Uploads',
  downloads: 'Downloads',
  deleteRemote: 'Delete on the server',
  deleteLocal: 'Delete locally',
  conflicts: 'Conflicts',
};

export function groupOf(kind: ActionKind): GroupId | undefined {
  switch (kind) {
    case 'upload': case 'mkdir-remote': return 'uploads';
    case 'download': case 'mkdir-local': return 'downloads';
    case 'delete-remote': return 'deleteRemote';
    case 'delete-local': return 'deleteLocal';
    case 'conflict': return 'conflicts';
    default: return undefined; // equal, forget, skip: nothing to show
  }
}

export interface PlanGroup {
  id: GroupId;
  label: string;
  /** every action of the group (what "apply group" hands to the engine) */
  actions: Action[];
  /** the entries shown: a folder creation is hidden when something below it is shown */
  visible: Action[];
}

export function groupActions(actions: Action[]): PlanGroup[] {
  const groups: PlanGroup[] = [];
  for (const id of GROUP_ORDER) {
    const all = actions.filter((a) => groupOf(a.kind) === id);
    if (!all.length) continue;
    const visible = all.filter((a) => !isMkdir(a.kind) || !all.some((b) => b !== a && b.path !== a.path && isWithin(b.path, a.path)));
    groups.push({ id, label: GROUP_LABELS[id], actions: all, visible });
  }
  return groups;
}

function isMkdir(kind: ActionKind): boolean {
  return kind === 'mkdir-remote' || kind === 'mkdir-local';
}

/**
 * The actions to execute for the chosen ones, in plan order: the chosen actions plus the folder
 * creations they need (an upload into a new remote folder needs that folder's mkdir-remote).
 */
export function selectActions(all: Action[], chosen: Action[]): Action[] {
  const picked = new Set(chosen);
  for (const c of chosen) {
    const need: ActionKind | undefined =
      c.kind === 'upload' || c.kind === 'mkdir-remote' ? 'mkdir-remote' :
      c.kind === 'download' || c.kind === 'mkdir-local' ? 'mkdir-local' : undefined;
    if (!need) continue;
    for (const a of all) if (a.kind === need && a.path !== c.path && isWithin(c.path, a.path)) picked.add(a);
  }
  return all.filter((a) => picked.has(a));
}

/** What clicking an entry opens. */
export type OpenChoice =
  | { kind: 'diff' }
  | { kind: 'local' }
  | { kind: 'remote' }
  | { kind: 'message'; text: string };

function absent(cls: Action['localClass']): boolean {
  return cls === 'deleted' || cls === 'missing';
}

export function openChoice(a: Action): OpenChoice {
  const name = displayName(a.path);
  const localFile = a.local?.type === 'file' && !absent(a.localClass);
  const remoteFile = a.remote?.type === 'file' && !absent(a.remoteClass);
  if (a.kind === 'conflict') {
    const text = describeConflict(a);
    return localFile && remoteFile ? { kind: 'diff' } : { kind: 'message', text };
  }
  if (a.type === 'dir') {
    const n = a.children?.length ?? 0;
    const what = a.kind === 'delete-remote' ? 'deleted on the server' : a.kind === 'delete-local' ? 'deleted locally'
      : a.kind === 'mkdir-remote' ? 'created on the server' : a.kind === 'mkdir-local' ? 'created locally' : a.kind;
    return { kind: 'message', text: `Folder "${name}" will be ${what}${n ? ` (${n} entries below it)` : ''}. ${a.reason}` };
  }
  if (localFile && remoteFile) return { kind: 'diff' };
  if (localFile) return { kind: 'local' };
  if (remoteFile) return { kind: 'remote' };
  return { kind: 'message', text: `"${name}": ${a.reason}` };
}

/** A clear sentence for a conflict, naming what each choice does. */
export function describeConflict(a: Action): string {
  const name = displayName(a.path);
  const localGone = absent(a.localClass) || !a.local;
  const remoteGone = absent(a.remoteClass) || !a.remote;
  switch (a.conflict) {
    case 'type-mismatch': {
      const l = a.local?.type === 'dir' ? 'a folder' : 'a file';
      const r = a.remote?.type === 'dir' ? 'a folder' : 'a file';
      return `"${name}" is ${l} locally and ${r} on the server, so there is nothing to compare. ` +
        `Keep Local replaces the server's ${r.slice(2)} with the local ${l.slice(2)}; Keep Remote does the opposite.`;
    }
    case 'case-clash':
      return `"${name}" ${a.reason}. Keep Local and Keep Remote change nothing here: rename one of them, then sync again.`;
    case 'folder-deleted':
      return remoteGone
        ? `Folder "${name}" was deleted on the server, but something below it changed locally since the last sync. ` +
          'Keep Local uploads the local folder again; Keep Remote deletes it locally too.'
        : `Folder "${name}" was deleted locally, but something below it changed on the server since the last sync. ` +
          'Keep Local deletes it on the server too; Keep Remote downloads it again.';
    default:
      break;
  }
  if (remoteGone && !localGone) {
    return `"${name}" was deleted on the server but changed locally since the last sync. ` +
      'Keep Local uploads it again; Keep Remote deletes the local copy.';
  }
  if (localGone && !remoteGone) {
    return `"${name}" was deleted locally but changed on the server since the last sync. ` +
      'Keep Local deletes it on the server; Keep Remote downloads it again.';
  }
  if (a.remote?.type === 'dir' || a.local?.type === 'dir') {
    return `"${name}" is a folder on one side, so there is nothing to compare. Choose Keep Local or Keep Remote.`;
  }
  const how = a.conflict === 'both-new' ? 'appeared on both sides with different content' : 'changed on both sides since the last sync';
  return `"${name}" ${how}. Keep Local uploads your copy; Keep Remote downloads the server's.`;
}

/** what applying the entry will do, in words */
export function willHappen(a: Action): string {
  const dir = a.type === 'dir';
  switch (a.kind) {
    case 'upload': return a.remote ? 'will replace the server\'s copy' : 'will be uploaded';
    case 'download': return a.local ? 'will replace your copy' : 'will be downloaded';
    case 'mkdir-remote': return 'folder will be created on the server';
    case 'mkdir-local': return 'folder will be created here';
    case 'delete-remote': return dir ? `will be deleted on the server${a.fileCount ? ` (${a.fileCount} file${a.fileCount === 1 ? '' : 's'})` : ''}` : 'will be deleted on the server';
    case 'delete-local': return dir ? `will be deleted here${a.fileCount ? ` (${a.fileCount} file${a.fileCount === 1 ? '' : 's'})` : ''}` : 'will be deleted here';
    case 'conflict': return 'you decide: Keep Local, Keep Remote or Skip';
    default: return a.kind;
  }
}

/**
 * The engine's reason in the editor's words: the extension runs the policy "ask" as "skip, then ask
 * in the diff editor", so the CLI's "skipped (--resolve skip)" is not what happened here.
 */
export function editorReason(a: Action): string {
  return a.reason.replace(/; skipped \(--resolve skip\)$/, '').replace(/; skipped$/, '');
}

/** tree entry description: what will happen (and where); the tooltip says why */
export function entryDescription(a: Action): string {
  const i = a.path.lastIndexOf('/');
  const what = a.kind === 'conflict' ? editorReason(a) : willHappen(a);
  return i < 0 ? what : `${what} · ${a.path.slice(0, i)}`;
}

/** tree entry tooltip: the path, what will happen, and why */
export function entryTooltip(a: Action): string {
  return `${a.path}\n${willHappen(a)}\nWhy: ${editorReason(a)}`;
}
