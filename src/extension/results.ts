// After a sync: one place that logs the result, updates the status bar and the view, and tells the
// user — a summary, the errors naming the file, and the conflicts left (the first one opens).
import * as vscode from 'vscode';
import type { Action, SyncResult } from '../core/types.js';
import type { FolderSession, Services } from './folderSession.js';
import type { RemoteFileSystem } from './remoteFs.js';
import { plural, summarize, type Summary } from './statusText.js';
import { editorReason } from './planGroups.js';

export interface ConflictPresenter {
  /** show one conflict: its diff, or a message when there is nothing to compare */
  openAction(session: FolderSession, action: Action): Promise<void>;
  /** a notification with Compare / Overwrite / Download (saves and single-file runs) */
  offer(session: FolderSession, action: Action, origin?: 'save' | 'run'): void;
}

export interface PresentOptions {
  /** the run was limited to these paths (explorer, current file): the view keeps its other entries */
  paths?: string[];
  /** also show a notification when everything went well */
  notify?: boolean;
}

export class Results {
  conflicts!: ConflictPresenter;

  constructor(private readonly services: Services, private readonly remoteFs: RemoteFileSystem) {}

  present(session: FolderSession, label: string, result: SyncResult, options: PresentOptions = {}): Summary {
    const { activity, store, log } = this.services;
    const sum = summarize(result);
    // multi-root: every message names its folder
    const who = (vscode.workspace.workspaceFolders?.length ?? 0) > 1 ? `Remote Sync (${session.name})` : 'Remote Sync';
    session.log.info(`${label}: ${sum.line}`);
    for (const e of result.errors) session.log.error(`${label}: ${e.kind} ${e.path}: ${e.message}`);
    for (const c of result.conflicts) session.log.warn(`Conflict on ${c.path}: ${editorReason(c)}`);
    activity.record(session.key, { label, text: sum.short, detail: sum.line, level: sum.level });

    const touched = result.done.map((a) => a.path);
    this.remoteFs.changed(session, touched);
    if (options.paths === undefined) {
      store.set(session.key, { ...result.plan, actions: result.conflicts }, 'result');
    } else {
      store.remove(session.key, touched, 'applied');
      store.merge(session.key, result.plan, result.conflicts);
    }

    if (result.errors.length) {
      const first = result.errors[0];
      const more = result.errors.length > 1 ? ` (and ${plural(result.errors.length - 1, 'more error')})` : '';
      vscode.window.showErrorMessage(`${who}: ${label}: ${first.path || '/'}: ${first.message}${more}`, 'Show Log')
        .then((pick) => { if (pick) log.show(); });
    }
    if (result.conflicts.length === 1 && options.paths !== undefined) {
      this.conflicts.offer(session, result.conflicts[0]);
    } else if (result.conflicts.length) {
      void this.conflicts.openAction(session, result.conflicts[0]).catch((err) => session.log.error(String(err)));
      vscode.window.showWarningMessage(`${who}: ${label}: ${sum.line}`, 'Resolve Conflicts', 'Show Log').then((pick) => {
        if (pick === 'Resolve Conflicts') vscode.commands.executeCommand('remoteSync.resolveConflicts');
        else if (pick === 'Show Log') log.show();
      });
    } else if (options.notify && !result.errors.length) {
      vscode.window.showInformationMessage(`${who}: ${label}: ${sum.line}`);
    }
    return sum;
  }
}
