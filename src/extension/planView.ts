// The "Remote Sync" view: the plan of a sync (a preview, or the conflicts a sync left) grouped as
// Uploads / Downloads / Deletions / Conflicts. Clicking an entry opens its diff; entries and groups
// can be applied (the engine executes exactly those actions) or skipped.
import * as vscode from 'vscode';
import type { Action } from '../core/types.js';
import type { Commands } from './commands.js';
import type { ConflictUI } from './conflicts.js';
import type { FolderSession, Services } from './folderSession.js';
import type { Sessions } from './sessions.js';
import type { Results } from './results.js';
import { actionsOf, nodesOf, type Node } from './nodes.js';
import { entryDescription, entryTooltip, groupOf, type GroupId } from './planGroups.js';
import { displayName, parseRemoteUri } from './uriMap.js';
import { plural } from './statusText.js';
import { settleDirty } from './dirtyDocs.js';
import { configTransferSettings } from '../core/config/transfer-settings.js';

export const VIEW_ID = 'remoteSync.plan';

const GROUP_ICONS: Record<GroupId, string> = {
  uploads: 'cloud-upload', downloads: 'cloud-download', deleteRemote: 'trash', deleteLocal: 'trash', conflicts: 'warning',
};

function entryIcon(a: Action): vscode.ThemeIcon {
  switch (a.kind) {
    case 'upload': return new vscode.ThemeIcon('arrow-up');
    case 'download': return new vscode.ThemeIcon('arrow-down');
    case 'mkdir-remote': case 'mkdir-local': return new vscode.ThemeIcon('new-folder');
    case 'delete-remote': case 'delete-local': return new vscode.ThemeIcon('trash');
    case 'conflict': return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
    default: return new vscode.ThemeIcon('circle-outline');
  }
}

export class PlanView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<Node | undefined | void>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly view: vscode.TreeView<Node>;
  private readonly disposables: vscode.Disposable[] = [this.emitter];

  constructor(
    private readonly sessions: Sessions,
    private readonly services: Services,
    private readonly commands: Commands,
    private readonly conflicts: ConflictUI,
    private readonly results: Results,
  ) {
    this.view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: this, canSelectMany: true, showCollapseAll: true });
    this.disposables.push(this.view, services.store.onChange(() => this.refresh()), sessions.onDidChange(() => this.refresh()));
    commands.register('remoteSync.openEntry', 'Open', (node: Node) => this.open(node));
    commands.register('remoteSync.apply', 'Apply', (arg, sel) => this.apply(nodesOf(arg, sel), arg));
    commands.register('remoteSync.clearPlan', 'Clear', () => services.store.clear());
    this.refresh();
  }

  private refresh(): void {
    this.emitter.fire();
    const conflicts = this.services.store.conflicts().length;
    this.view.badge = conflicts ? { value: conflicts, tooltip: `${plural(conflicts, 'conflict')} to resolve` } : undefined;
    const { store } = this.services;
    const previews = this.folderKeys().filter((k) => store.origin(k) === 'preview');
    const applied = previews.reduce((n, k) => n + store.applied(k), 0);
    this.view.message = !previews.length ? undefined
      : applied ? `Preview: ${plural(applied, 'entry', 'entries')} applied; the rest has not changed yet. Apply entries or groups, or run Sync: Bidirectional.`
        : 'Preview: nothing has changed yet. Apply entries or groups, or run Sync: Bidirectional.';
  }

  private folderKeys(): string[] {
    return this.services.store.folderKeys().filter((k) => this.sessions.get(k));
  }

  async reveal(): Promise<void> {
    await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
  }

  getChildren(node?: Node): Node[] {
    const { store } = this.services;
    if (!node) {
      const keys = this.folderKeys();
      if (keys.length === 1) return this.getChildren({ kind: 'folder', folder: keys[0] });
      return keys.map((folder) => ({ kind: 'folder', folder }));
    }
    if (node.kind === 'folder') return store.groups(node.folder).map((group) => ({ kind: 'group', folder: node.folder, group }));
    if (node.kind === 'group') return node.group.visible.map((action) => ({ kind: 'entry', folder: node.folder, action }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const session = this.sessions.get(node.folder);
    if (node.kind === 'folder') {
      const item = new vscode.TreeItem(session?.name ?? node.folder, vscode.TreeItemCollapsibleState.Expanded);
      item.description = `→ ${session?.targetName ?? ''}`;
      item.contextValue = 'folder';
      item.iconPath = new vscode.ThemeIcon('root-folder');
      return item;
    }
    if (node.kind === 'group') {
      const item = new vscode.TreeItem(node.group.label, vscode.TreeItemCollapsibleState.Expanded);
      item.description = String(node.group.visible.length);
      item.contextValue = `group:${node.group.id}`;
      item.iconPath = new vscode.ThemeIcon(GROUP_ICONS[node.group.id]);
      item.id = `${node.folder}#${node.group.id}`;
      return item;
    }
    const a = node.action;
    const item = new vscode.TreeItem(displayName(a.path) + (a.type === 'dir' ? '/' : ''), vscode.TreeItemCollapsibleState.None);
    item.description = entryDescription(a);
    item.tooltip = `${entryTooltip(a)}\nlocal: ${a.localClass} · remote: ${a.remoteClass}`;
    item.iconPath = entryIcon(a);
    item.contextValue = `entry:${groupOf(a.kind)}`;
    item.id = `${node.folder}#${a.kind}#${a.path}`;
    item.command = { command: 'remoteSync.openEntry', title: 'Open', arguments: [node] };
    return item;
  }

  private async open(node: Node): Promise<void> {
    const session = this.sessions.get(node.folder);
    if (!session || node.kind !== 'entry') return;
    await this.conflicts.openAction(session, node.action);
  }

  /** hand exactly the chosen (non-conflict) actions to the engine */
  private async apply(given: Node[], arg?: unknown): Promise<void> {
    const { store } = this.services;
    // from the diff editor (its title or the words above it): the entry of the open diff
    const nodes = given.length ? given : this.entryNodeOf(arg);
    for (const [folder, actions] of actionsOf(nodes, (f) => store.pending(f))) {
      const session = this.sessions.get(folder);
      if (!session) continue;
      const chosen = actions.filter((a) => a.kind !== 'conflict');
      if (!chosen.length) {
        vscode.window.showInformationMessage('Remote Sync: a conflict is applied with Keep Local or Keep Remote.');
        continue;
      }
      const plan = store.planFor(folder, chosen);
      if (!plan) continue;
      // a planned download or local delete never replaces a file under an editor with unsaved changes
      const writesHere = plan.actions.filter((a) => a.kind === 'download' || a.kind === 'delete-local' || a.kind === 'mkdir-local').map((a) => a.path);
      if (writesHere.length && !(await settleDirty(session, writesHere, 'Apply'))) continue;
      const config = session.requireConfig();
      const label = `Apply ${plural(plan.actions.length, 'action')}`;
      const result = await this.commands.withProgress(session, label, (signal, onProgress) =>
        session.use((live) => live.engine.execute(plan, { signal, onProgress, concurrency: config.concurrency, maxDelete: config.maxDelete, transfer: configTransferSettings(config) })));
      this.results.present(session, label, result, { paths: plan.actions.map((a) => a.path), notify: true });
    }
  }

  private entryNodeOf(arg: unknown): Node[] {
    const ref = this.conflicts.activeRemoteEditor() ?? (arg instanceof vscode.Uri ? this.refOf(arg) : undefined);
    const action = ref && this.services.store.find(ref.session.key, ref.rel);
    if (!ref || !action) {
      vscode.window.showInformationMessage('Remote Sync: select entries in the Remote Sync view (or open a planned entry\'s diff) to apply them.');
      return [];
    }
    void this.conflicts.closeDiffs(ref.session, ref.rel);
    return [{ kind: 'entry', folder: ref.session.key, action }];
  }

  private refOf(uri: vscode.Uri): { session: FolderSession; rel: string } | undefined {
    const remote = parseRemoteUri(uri);
    const session = remote ? this.sessions.get(remote.folder) : this.sessions.forUri(uri);
    const rel = remote?.path ?? session?.relPath(uri);
    return session && rel !== undefined ? { session, rel } : undefined;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
