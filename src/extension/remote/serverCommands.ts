// The server view's actions: Open (read-only), Download / Download and Open (through the
// classifier: a local change is never overwritten, it is offered as a conflict), Compare with Local,
// Upload (pick files, or drop them from the Explorer onto a folder), Delete on Server (confirmed,
// and confirmed again when the server's copy changed since the last sync), Refresh, Copy Path.
import * as vscode from 'vscode';
import * as nodePath from 'node:path';
import { downloadsHeldBack } from '../../core/status/download.js';
import { settleDirty } from '../dirtyDocs.js';
import type { Commands } from '../commands.js';
import type { ConflictUI } from '../conflicts.js';
import type { FolderSession } from '../folderSession.js';
import type { RemoteFileSystem } from '../remoteFs.js';
import type { Results } from '../results.js';
import type { Sessions } from '../sessions.js';
import { displayName } from '../uriMap.js';
import { plural } from '../statusText.js';
import { SERVER_VIEW_ID, ServerTree, type ServerNode } from './serverTree.js';
import type { StatusModel } from './statusModel.js';

const parentOf = (p: string): string => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');

export class ServerCommands implements vscode.Disposable, vscode.TreeDragAndDropController<ServerNode> {
  readonly dropMimeTypes = ['text/uri-list'];
  readonly dragMimeTypes: string[] = [];
  private readonly view: vscode.TreeView<ServerNode>;

  constructor(
    private readonly sessions: Sessions,
    private readonly commands: Commands,
    private readonly tree: ServerTree,
    private readonly conflicts: ConflictUI,
    private readonly results: Results,
    private readonly remoteFs: RemoteFileSystem,
    private readonly model: StatusModel,
  ) {
    this.view = vscode.window.createTreeView(SERVER_VIEW_ID, { treeDataProvider: tree, dragAndDropController: this, canSelectMany: false, showCollapseAll: true });
    const c = commands;
    c.register('remoteSync.server.open', 'Open', (n?: ServerNode) => this.open(this.node(n)));
    c.register('remoteSync.server.download', 'Download', (n?: ServerNode) => this.download(this.node(n), false));
    c.register('remoteSync.server.downloadAndOpen', 'Download and Open', (n?: ServerNode) => this.download(this.node(n), true));
    c.register('remoteSync.server.compare', 'Compare with Local', (n?: ServerNode) => { const x = this.node(n); return x && conflicts.compare(x.session, x.path); });
    c.register('remoteSync.server.upload', 'Upload', (n?: ServerNode) => this.pickAndUpload(this.node(n)));
    c.register('remoteSync.server.delete', 'Delete on Server', (n?: ServerNode) => this.delete(this.node(n)));
    c.register('remoteSync.server.refresh', 'Refresh', (n?: ServerNode) => this.refresh(n));
    c.register('remoteSync.server.copyPath', 'Copy Path', (n?: ServerNode) => this.copyPath(this.node(n)));
  }

  /** the node a command is about: the argument (context menu, click) or the selection (keyboard) */
  private node(n?: ServerNode): ServerNode | undefined {
    const x = n && typeof n === 'object' && 'session' in n ? n : this.view.selection[0];
    return x && x.error === undefined ? x : undefined;
  }

  private refresh(n?: ServerNode): void {
    const x = n && typeof n === 'object' && 'session' in n ? n : undefined;
    if (!x) { this.tree.refresh(); return; }
    this.model.forget(x.session, x.path);
    this.tree.refresh(x.session, x.type === 'dir' ? x.path : parentOf(x.path));
  }

  /** Open: the server's copy, read-only; a file only on the server is downloaded into the workspace first, then opened */
  private async open(n?: ServerNode): Promise<void> {
    if (!n || n.type !== 'file') return;
    if (n.item?.status === 'server-only') {
      await this.download(n, true);
      return;
    }
    await vscode.window.showTextDocument(n.session.remoteUri(n.path), { preview: true });
  }

  private async download(n: ServerNode | undefined, thenOpen: boolean): Promise<void> {
    if (!n) return;
    const { session, path } = n;
    const config = session.requireConfig();
    const what = `Download ${path ? displayName(path) : session.targetName}`;
    if (!(await settleDirty(session, path ? [path] : undefined, what))) return;
    const result = await this.commands.withProgress(session, `${what} ← ${session.targetName}`, (signal, onProgress) =>
      session.use((live) => live.engine.run({
        mode: 'download', paths: path ? [path] : undefined, resolve: 'skip', concurrency: config.concurrency, maxDelete: config.maxDelete, signal, onProgress,
      })));
    this.results.present(session, what, result, { paths: path ? [path] : undefined });
    const held = downloadsHeldBack(result.plan.actions);
    for (const a of held.slice(0, 3)) this.offerHeldBack(session, a.path);
    if (held.length > 3) session.log.warn(`${what}: ${plural(held.length, 'file')} changed locally since the last sync were not downloaded over`);
    this.refreshAround(session, path);
    if (thenOpen && n.type === 'file' && !held.some((a) => a.path === path) && !result.errors.length) {
      await vscode.window.showTextDocument(session.localUri(path), { preview: false });
    }
  }

  /** a download left a local change alone: the user chooses, having seen both */
  private offerHeldBack(session: FolderSession, rel: string): void {
    vscode.window.showWarningMessage(
      `Remote Sync: "${displayName(rel)}" changed locally since the last sync, so the server's copy was not downloaded over it.`,
      'Compare', 'Download Anyway', 'Keep Mine',
    ).then((pick) => {
      const run = pick === 'Compare' ? this.conflicts.openDiff(session, rel)
        : pick === 'Download Anyway' ? this.conflicts.resolve(session, rel, 'remote') : undefined;
      run?.then(() => this.refreshAround(session, rel)).catch((err) => this.commands.report(pick ?? 'Download', err, { files: [rel], session }));
    });
  }

  private refreshAround(session: FolderSession, path: string): void {
    this.tree.refresh(session, parentOf(path));
  }

  /** Upload on a folder: pick files (the local copy of the folder first) */
  private async pickAndUpload(n?: ServerNode): Promise<void> {
    if (!n) return;
    if (n.type === 'file') { await this.upload(n.session, parentOf(n.path), [n.session.localUri(n.path)]); return; }
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: true, canSelectFiles: true, canSelectFolders: true, defaultUri: n.session.localUri(n.path),
      openLabel: `Upload to ${n.path || n.session.targetName}`,
    });
    if (picked?.length) await this.upload(n.session, n.path, picked);
  }

  async handleDrop(target: ServerNode | undefined, data: vscode.DataTransfer): Promise<void> {
    const text = await data.get('text/uri-list')?.asString();
    if (!text) return;
    const uris = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => vscode.Uri.parse(l));
    const session = target?.session ?? (uris[0] && this.sessions.forUri(uris[0])) ?? this.sessions.active();
    if (!session) return;
    const dir = !target ? '' : target.type === 'dir' ? target.path : parentOf(target.path);
    await this.upload(session, dir, uris).catch((err) => this.commands.report('Upload', err, { session }));
  }

  /**
   * Upload these local files or folders into server folder `dir`. The workspace mirrors the server,
   * so a file from elsewhere (or from another folder) is first copied to the local counterpart of
   * `dir` — never over an existing local file — and then uploaded through the classifier like a save
   * (a server change since the last sync is never overwritten).
   */
  private async upload(session: FolderSession, dir: string, sources: vscode.Uri[]): Promise<void> {
    const paths: string[] = [];
    for (const src of sources) {
      const name = nodePath.basename(src.fsPath);
      const dest = dir ? `${dir}/${name}` : name;
      if (session.relPath(src) === dest) { paths.push(dest); continue; }
      const destUri = session.localUri(dest);
      let exists = true;
      try { await vscode.workspace.fs.stat(destUri); } catch { exists = false; }
      if (exists) {
        vscode.window.showWarningMessage(`Remote Sync: "${dest}" already exists in the workspace, so ${src.fsPath} was not copied over it. ` +
          'Rename one of them, or copy it there yourself and upload that.');
        continue;
      }
      await vscode.workspace.fs.copy(src, destUri, { overwrite: false });
      session.log.info(`Copied ${src.fsPath} to ${dest} to upload it`);
      paths.push(dest);
    }
    if (!paths.length) return;
    const config = session.requireConfig();
    const what = `Upload ${paths.length === 1 ? displayName(paths[0]) : plural(paths.length, 'path')}`;
    const result = await this.commands.withProgress(session, `${what} → ${session.targetName}`, (signal, onProgress) =>
      session.use((live) => live.engine.run({ mode: 'upload', paths, resolve: 'skip', concurrency: config.concurrency, maxDelete: config.maxDelete, signal, onProgress })));
    this.results.present(session, what, result, { paths });
    this.tree.refresh(session, dir);
  }

  private async delete(n?: ServerNode): Promise<void> {
    if (!n || !n.path) return;
    const { session, path } = n;
    const where = `the server "${session.targetName}"`;
    const kind = n.type === 'dir' ? 'the folder' : '';
    const ok = await vscode.window.showWarningMessage(`Delete ${kind ? `${kind} ` : ''}"${path}" on ${where}?`,
      { modal: true, detail: 'Only the server\'s copy is deleted; the local copy (if any) stays, and the next sync uploads it again.' }, 'Delete on Server');
    if (ok !== 'Delete on Server') return;
    let result = await session.use((live) => live.engine.deleteRemote(path));
    // asked again for what nobody here has seen; the delete then removes exactly what was confirmed (the
    // engine refuses, and this asks once more, when anything else is there by then)
    while (result.status === 'changed') {
      const { check, notConfirmed } = result;
      const list = (xs: string[]) => xs.slice(0, 5).join(', ') + (xs.length > 5 ? ` and ${xs.length - 5} more` : '');
      const parts = notConfirmed ? [`changed again on ${where} since you confirmed (${list(notConfirmed)})`] : [
        ...(check.changed.length ? [`changed on ${where} since the last sync (${list(check.changed)})`] : []),
        ...(check.notSynced.length ? [`holds ${plural(check.notSynced.length, 'entry', 'entries')} on ${where} that the sync leaves out (${list(check.notSynced.map((n) => `${n.path}: ${n.message}`))})`] : []),
      ];
      const again = await vscode.window.showWarningMessage(
        `"${path}" ${parts.join(' and ')}. Delete it anyway?`,
        { modal: true, detail: `Nobody here has seen ${notConfirmed ? 'those' : 'that'}: Compare first, or delete it and lose the server's version. Only what is listed now is deleted (${plural(check.files, 'file')}).` }, 'Delete Anyway');
      if (again !== 'Delete Anyway') return;
      result = await session.use((live) => live.engine.deleteRemote(path, { confirmed: check }));
    }
    if (result.status === 'deleted') {
      session.log.info(`Deleted on ${where}: ${path}${n.type === 'dir' ? ` (${plural(result.files, 'file')})` : ''}`);
      vscode.window.setStatusBarMessage(`Remote Sync: deleted ${path} on ${session.targetName}`, 5000);
    } else if (result.status === 'gone') {
      vscode.window.showInformationMessage(`Remote Sync: "${path}" was already gone from ${where}.`);
    }
    this.remoteFs.changed(session, [path]);
    this.model.forget(session, path);
    this.tree.refresh(session, parentOf(path));
  }

  private async copyPath(n?: ServerNode): Promise<void> {
    if (!n) return;
    const root = n.session.spec().path.replace(/\/+$/, '');
    const full = n.path ? `${root}/${n.path}` : root || '/';
    await vscode.env.clipboard.writeText(full);
    vscode.window.setStatusBarMessage(`Remote Sync: copied ${full}`, 3000);
  }

  dispose(): void {
    this.view.dispose();
  }
}
