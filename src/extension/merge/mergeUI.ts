// The Merge action for a conflict (editor title of the remote diff, the Remote Sync view, the
// conflict notification): the engine merges (three-way, against the common version of the last
// sync). Clean: written to both sides at once, with Undo. Overlapping: VS Code's merge editor with
// the common version as base, the server's version and yours as inputs, and the local file as the
// result; saving the result (Complete Merge) uploads it and records the state.
import * as vscode from 'vscode';
import { buffer } from 'node:stream/consumers';
import type { MergePathOutcome } from '../../core/api.js';
import { SyncError } from '../../core/errors.js';
import type { Commands } from '../commands.js';
import type { ConflictUI } from '../conflicts.js';
import type { FolderSession, Services } from '../folderSession.js';
import type { RemoteFileSystem } from '../remoteFs.js';
import { displayName } from '../uriMap.js';
import { MergeDocs } from './mergeDocs.js';

interface OpenMerge {
  session: FolderSession;
  rel: string;
  /** the server's version the merge started from: uploaded over only if it is still that */
  remote: Buffer;
  docs: vscode.Uri[];
}

export class MergeUI implements vscode.Disposable {
  /** created on the first merge editor (activation stays cheap) */
  private docsProvider: MergeDocs | undefined;
  /** merges open in the merge editor, by local file URI */
  private readonly open = new Map<string, OpenMerge>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly services: Services,
    private readonly commands: Commands,
    private readonly conflicts: ConflictUI,
    private readonly remoteFs: RemoteFileSystem,
  ) {
    commands.register('remoteSync.merge', 'Merge', (arg, sel) => this.mergeCommand(arg, sel));
    // the diff editor's title shows it as a word (no icon), beside Keep Local / Keep Remote / Skip
    commands.register('remoteSync.diff.merge', 'Merge', (arg, sel) => this.mergeCommand(arg, sel));
    conflicts.merger = (session, rel) => this.merge(session, rel);
    this.disposables.push(
      vscode.workspace.onDidSaveTextDocument((doc) => { void this.onSave(doc.uri); }),
      vscode.window.tabGroups.onDidChangeTabs((e) => this.onTabsClosed(e.closed ?? [])),
    );
  }

  private get docs(): MergeDocs {
    if (!this.docsProvider) {
      this.docsProvider = new MergeDocs();
      this.disposables.push(this.docsProvider);
    }
    return this.docsProvider;
  }

  private async mergeCommand(arg: unknown, selected: unknown): Promise<void> {
    const targets = this.conflicts.targetsOf(arg, selected, false);
    if (!targets.length) {
      vscode.window.showInformationMessage('Remote Sync: open a conflict (its diff) or select one in the Remote Sync view first.');
      return;
    }
    for (const { session, rel } of targets) await this.merge(session, rel);
  }

  /** Merge one conflicting file. */
  async merge(session: FolderSession, rel: string): Promise<void> {
    const name = displayName(rel);
    const localUri = session.localUri(rel);
    if (this.open.has(localUri.toString())) {
      vscode.window.showInformationMessage(`Remote Sync: "${name}" is already open in the merge editor: finish the merge there and save.`);
      return;
    }
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === localUri.toString());
    session.muted.add(rel); // no upload on save while merging
    let editing = false;
    try {
      if (doc?.isDirty) await doc.save();
      const outcome = await this.commands.quietly(session, 'Merge',
        (signal) => session.use((live) => live.engine.mergePath(rel, { signal })));
      switch (outcome.status) {
        case 'merged':
          this.merged(session, rel, outcome);
          return;
        case 'no-conflict':
          this.services.store.remove(session.key, [rel]);
          vscode.window.showInformationMessage(`Remote Sync: "${name}" needs no merge: ${outcome.reason}.`);
          return;
        case 'conflict':
          if (!outcome.base || !outcome.local || !outcome.remote || outcome.reason === 'not text') {
            this.cannotMerge(session, rel, outcome.reason);
            return;
          }
          await this.openEditor(session, rel, { base: outcome.base, local: outcome.local, remote: outcome.remote }, outcome.reason);
          editing = true;
          return;
      }
    } finally {
      if (!editing) session.muted.delete(rel);
    }
  }

  private merged(session: FolderSession, rel: string, outcome: Extract<MergePathOutcome, { status: 'merged' }>): void {
    const name = displayName(rel);
    this.remoteFs.changed(session, [rel]);
    this.services.store.remove(session.key, [rel]);
    this.conflicts.closeDiffs(session, rel);
    session.log.info(`Merged ${rel}: both changes written locally and to the server`);
    this.services.activity.record(session.key, { label: 'Merge', text: `⇅ ${name}`, detail: `Merged ${rel} (both sides)`, level: 'ok' });
    vscode.window.showInformationMessage(`Remote Sync: merged "${name}": your changes and the server's are now on both sides.`, 'Undo')
      .then((pick) => { if (pick) return this.undo(session, rel, outcome); })
      .then(undefined, (err) => this.commands.report('Undo Merge', err, { files: [rel], session }));
  }

  /** put the local file back as it was and the conflict with it (the server keeps the merged file) */
  private async undo(session: FolderSession, rel: string, outcome: Extract<MergePathOutcome, { status: 'merged' }>): Promise<void> {
    session.muted.add(rel);
    try {
      await session.use(() => outcome.undo());
      const plan = await session.use((live) => live.engine.plan({ mode: 'sync', paths: [rel] }));
      this.services.store.merge(session.key, plan, plan.actions);
      session.log.info(`Merge of ${rel} undone: the local file is as it was; the conflict is back`);
      vscode.window.showInformationMessage(`Remote Sync: merge undone: "${displayName(rel)}" is as it was locally; the conflict is back.`);
    } finally {
      session.muted.delete(rel);
    }
  }

  private cannotMerge(session: FolderSession, rel: string, reason: string): void {
    session.log.info(`Not merged ${rel}: ${reason}`);
    vscode.window.showWarningMessage(`Remote Sync: "${displayName(rel)}" cannot be merged: ${reason}.`, 'Compare', 'Keep Local', 'Keep Remote')
      .then((pick) => pick === 'Compare' ? this.conflicts.openDiff(session, rel)
        : pick === 'Keep Local' ? this.conflicts.resolve(session, rel, 'local')
        : pick === 'Keep Remote' ? this.conflicts.resolve(session, rel, 'remote') : undefined)
      .then(undefined, (err) => this.commands.report('Merge', err, { files: [rel], session }));
  }

  private async openEditor(session: FolderSession, rel: string, v: { base: Buffer; local: Buffer; remote: Buffer }, reason: string): Promise<void> {
    const localUri = session.localUri(rel);
    const target = session.targetName ?? 'server';
    const base = this.docs.add(rel, 'common version', v.base);
    const server = this.docs.add(rel, 'server', v.remote);
    const yours = this.docs.add(rel, 'yours', v.local);
    this.open.set(localUri.toString(), { session, rel, remote: v.remote, docs: [base, server, yours] });
    session.log.info(`Merging ${rel} in the merge editor (${reason})`);
    try {
      // the command the built-in Git extension uses to open the merge editor
      await vscode.commands.executeCommand('_open.mergeEditor', {
        base,
        input1: { uri: server, title: 'Server', description: target, detail: 'their version' },
        input2: { uri: yours, title: 'Yours', description: 'local', detail: 'your version' },
        output: localUri,
      });
    } catch (err) {
      this.close(localUri.toString());
      throw err;
    }
    vscode.window.showInformationMessage(
      `Remote Sync: "${displayName(rel)}" has ${reason}. Settle them in the merge editor and save the result (Complete Merge): it is then uploaded.`);
  }

  /** the result was saved: upload it (if the server still has the version merged against) and record the state */
  private async onSave(uri: vscode.Uri): Promise<void> {
    const key = uri.toString();
    const m = this.open.get(key);
    if (!m) return;
    const { session, rel } = m;
    const name = displayName(rel);
    this.close(key, false);
    try {
      const now = await session.use((live) => live.engine.readRemote(rel).then((s) => buffer(s)), { exclusive: false });
      if (!now.equals(m.remote)) {
        const again = await vscode.window.showWarningMessage(
          `Remote Sync: "${name}" changed on the server while you were merging, so your result was not uploaded.`, 'Merge Again');
        if (again) await this.merge(session, rel);
        return;
      }
      const result = await this.commands.quietly(session, 'Merge',
        (signal) => session.use((live) => live.engine.resolvePath(rel, 'local', { signal })));
      if (result.errors.length) throw new SyncError('io', result.errors[0].message, { path: result.errors[0].path || rel });
      this.remoteFs.changed(session, [rel]);
      this.services.store.remove(session.key, [rel]);
      this.conflicts.closeDiffs(session, rel);
      session.log.info(`Merged ${rel} in the merge editor: uploaded`);
      this.services.activity.record(session.key, { label: 'Merge', text: `⇅ ${name}`, detail: `Merged ${rel} (merge editor), uploaded`, level: 'ok' });
      vscode.window.showInformationMessage(`Remote Sync: merged "${name}" and uploaded the result.`);
    } catch (err) {
      this.commands.report('Merge', err, { files: [rel], session });
    } finally {
      session.muted.delete(rel);
    }
  }

  /** the merge editor closed without a save: the conflict stays as it was */
  private onTabsClosed(closed: readonly vscode.Tab[]): void {
    for (const tab of closed) {
      // a merge editor tab (TabInputTextMerge: in the API's typings only as a proposal)
      const result = (tab.input as { result?: unknown } | undefined)?.result;
      if (!(result instanceof vscode.Uri)) continue;
      const key = result.toString();
      const m = this.open.get(key);
      if (!m) continue;
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
      if (doc?.isDirty) continue; // still being edited in a plain editor: its save completes the merge
      this.close(key);
      m.session.log.info(`Merge editor for ${m.rel} closed without saving: the conflict stays`);
    }
  }

  private close(key: string, unmute = true): void {
    const m = this.open.get(key);
    if (!m) return;
    this.open.delete(key);
    this.docsProvider?.forget(m.docs);
    if (unmute) m.session.muted.delete(m.rel);
  }

  dispose(): void {
    for (const key of [...this.open.keys()]) this.close(key);
    for (const d of this.disposables) d.dispose();
  }
}
