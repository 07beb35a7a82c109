// Upload on save. Saves go through a per-folder SaveBatcher (quick repeated saves of one file are
// coalesced, Save All goes as one batch) to the engine's saveFiles: one remote stat per file,
// classified against the last-sync state; a remote copy changed since the last sync is never
// overwritten but offered as a conflict. Deletes and renames made in the workspace are propagated
// only when the config says so (deletePropagation), and then through the engine's planner.
import * as vscode from 'vscode';
import type { Commands } from './commands.js';
import type { ConflictUI } from './conflicts.js';
import type { FolderSession, Services } from './folderSession.js';
import type { RemoteFileSystem } from './remoteFs.js';
import type { Results } from './results.js';
import type { Sessions } from './sessions.js';
import { SaveBatcher } from './saveBatcher.js';
import { saveSummary } from './statusText.js';
import { configTransferSettings } from '../core/config/transfer-settings.js';
import { presentGroupSave, saveToGroup } from './groups/groupSave.js';

export class SaveHandler implements vscode.Disposable {
  private readonly batchers = new Map<string, SaveBatcher>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly sessions: Sessions,
    private readonly services: Services,
    private readonly commands: Commands,
    private readonly conflicts: ConflictUI,
    private readonly remoteFs: RemoteFileSystem,
    private readonly results: Results,
  ) {
    this.disposables.push(
      vscode.workspace.onDidSaveTextDocument((doc) => this.onSave(doc.uri)),
      vscode.workspace.onDidDeleteFiles((e) => this.propagate(e.files.map((uri) => ({ uri })), 'Delete')),
      vscode.workspace.onDidRenameFiles((e) => this.propagate(
        e.files.flatMap((f) => [{ uri: f.oldUri }, { uri: f.newUri }]), 'Rename')),
    );
  }

  /** a save: queue it for upload if the folder uploads on save and the file is under the local root */
  onSave(uri: vscode.Uri): Promise<void> | undefined {
    const session = this.sessions.forUri(uri);
    if (!session?.config || !session.uploadOnSave) return undefined;
    const rel = session.relPath(uri);
    if (rel === undefined || rel === '' || session.muted.has(rel)) return undefined;
    return this.batcher(session).add(rel);
  }

  private batcher(session: FolderSession): SaveBatcher {
    let b = this.batchers.get(session.key);
    if (!b) {
      b = new SaveBatcher({ flush: (paths) => this.flush(session, paths) });
      this.batchers.set(session.key, b);
    }
    return b;
  }

  private async flush(session: FolderSession, paths: string[]): Promise<void> {
    const { activity, store } = this.services;
    const started = Date.now();
    const members = session.members;
    if (members) return this.flushGroup(session, members, paths);
    try {
      const outcomes = await this.commands.quietly(session, 'upload on save',
        (signal) => session.use((live) => live.engine.saveFiles(paths, { signal, merge: session.config?.conflictPolicy === 'merge' })));
      const uploaded: string[] = [];
      const conflicted: string[] = [];
      const failed: string[] = [];
      for (const [path, outcome] of outcomes) {
        switch (outcome.status) {
          case 'uploaded':
            uploaded.push(path);
            break;
          case 'merged': // the server copy changed too: merged (three-way) and written to both sides
            uploaded.push(path);
            session.log.info(`Merged on save (the server's changes kept too): ${path}`);
            break;
          case 'conflict':
            conflicted.push(path);
            session.log.warn(`Not uploaded, conflict: ${path}: ${outcome.action.reason}`);
            this.conflicts.offer(session, outcome.action, 'save');
            break;
          case 'in-sync':
            session.log.debug(`Save of ${path}: ${outcome.reason}`);
            break;
          case 'excluded':
            session.log.debug(`Save of ${path} not uploaded: ${outcome.reason}`);
            break;
          case 'error':
            failed.push(`${path}: ${outcome.message}`);
            break;
        }
      }
      if (uploaded.length) {
        session.log.info(`Uploaded on save: ${uploaded.join(', ')} (${Date.now() - started} ms)`);
        this.remoteFs.changed(session, uploaded);
        store.remove(session.key, uploaded);
      }
      if (failed.length) {
        activity.record(session.key, { label: 'Upload on save', text: `${failed.length} upload${failed.length > 1 ? 's' : ''} failed`, level: 'error' });
        this.commands.report('Upload on save', new Error(failed.join('; ')), { files: failed.map((f) => f.split(':')[0]), session });
        if (!uploaded.length && !conflicted.length) return;
      }
      const summary = saveSummary(uploaded, conflicted);
      if (summary) activity.record(session.key, { label: 'Upload on save', text: summary.text, level: summary.level });
    } catch (err) {
      activity.record(session.key, { label: 'Upload on save', text: 'upload failed', level: 'error' });
      this.commands.report('Upload on save', err, { files: paths, session });
    }
  }

  /** the chosen target is a server group: each member in parallel (groups/groupSave.ts) */
  private async flushGroup(session: FolderSession, members: string[], paths: string[]): Promise<void> {
    const group = session.targetName ?? '';
    try {
      const merge = session.config?.conflictPolicy === 'merge';
      const r = await this.commands.quietly(session, `upload on save to ${members.length} servers`, (signal) => saveToGroup(session, members, paths, merge, signal));
      presentGroupSave(session, this.services, group, r);
      const everywhere = paths.filter((p) => r.members.every((m) => m.uploaded.includes(p)));
      if (everywhere.length) this.services.store.remove(session.key, everywhere);
    } catch (err) {
      this.services.activity.record(session.key, { label: 'Upload on save', text: 'upload failed', level: 'error' });
      this.commands.report('Upload on save', err, { files: paths, session });
    }
  }

  /** deletes and renames in the workspace: an upload run with delete over the affected paths */
  private propagate(items: Array<{ uri: vscode.Uri }>, what: 'Delete' | 'Rename'): void {
    const byFolder = new Map<FolderSession, string[]>();
    for (const { uri } of items) {
      const session = this.sessions.forUri(uri);
      if (!session?.config?.deletePropagation || !session.uploadOnSave) continue;
      const rel = session.relPath(uri);
      if (rel === undefined || rel === '') continue;
      byFolder.set(session, [...(byFolder.get(session) ?? []), rel]);
    }
    for (const [session, paths] of byFolder) {
      const config = session.requireConfig();
      const label = `${what} on the server`;
      this.commands.quietly(session, label, (signal) => session.use((live) => live.engine.run({
        mode: 'upload', delete: true, paths, signal,
        resolve: config.conflictPolicy === 'ask' ? 'skip' : config.conflictPolicy,
        concurrency: config.concurrency, maxDelete: config.maxDelete, transfer: configTransferSettings(config),
      }))).then(
        (result) => { this.results.present(session, label, result, { paths }); },
        (err) => this.commands.report(label, err, { files: paths, session }),
      );
    }
  }

  /** for tests and shutdown: resolves when every queued save has been handled */
  async drained(): Promise<void> {
    await Promise.all([...this.batchers.values()].map((b) => b.drained()));
  }

  dispose(): void {
    for (const b of this.batchers.values()) b.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
