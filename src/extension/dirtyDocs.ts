// Files open with unsaved changes, before anything writes local files (download, bidirectional sync,
// a planned download applied, server changes downloaded). The engine only sees the file on disk: a
// buffer it cannot see would otherwise be left over a file replaced under it.
import * as vscode from 'vscode';
import type { FolderSession } from './folderSession.js';
import { displayName } from './uriMap.js';

/** engine paths of the documents with unsaved changes below `paths` (the whole folder when undefined) */
export function dirtyUnder(session: FolderSession, paths?: string[]): string[] {
  const out: string[] = [];
  for (const doc of vscode.workspace.textDocuments) {
    if (!doc.isDirty || doc.uri.scheme !== 'file') continue;
    const rel = session.relPath(doc.uri);
    if (rel === undefined || rel === '') continue;
    if (!paths || paths.some((p) => p === '' || rel === p || rel.startsWith(p + '/'))) out.push(rel);
  }
  return out;
}

/**
 * Before a run that may write local files below `paths`: files with unsaved changes there are saved
 * first, when the user says so — then they are local changes, which the engine never downloads over.
 * false: the user did not want that, and nothing is to run.
 */
export async function settleDirty(session: FolderSession, paths: string[] | undefined, what: string): Promise<boolean> {
  const dirty = dirtyUnder(session, paths);
  if (!dirty.length) return true;
  const names = dirty.length <= 3 ? dirty.map((p) => `"${displayName(p)}"`).join(', ') : `${dirty.length} files`;
  const save = 'Save and Continue';
  const pick = await vscode.window.showWarningMessage(`Remote Sync: ${what}: ${names} ${dirty.length > 1 ? 'have' : 'has'} unsaved changes.`, {
    modal: true,
    detail: 'Saved first, they are local changes, which the sync never downloads over (a change on the server too is a conflict). Or cancel, and save or revert them yourself.',
  }, save);
  if (pick !== save) {
    session.log.info(`${what}: not started, unsaved changes in ${dirty.join(', ')}`);
    return false;
  }
  const set = new Set(dirty);
  for (const doc of vscode.workspace.textDocuments) {
    const rel = doc.isDirty ? session.relPath(doc.uri) : undefined;
    if (rel !== undefined && set.has(rel) && !(await doc.save())) {
      vscode.window.showWarningMessage(`Remote Sync: ${what}: "${displayName(rel)}" could not be saved; nothing was done.`);
      return false;
    }
  }
  return true;
}
