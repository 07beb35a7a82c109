// The "Remote Sync: Server" view: the selected target's folder as the server has it, listed one
// folder at a time (when it is expanded) through the engine, on the folder's warm connection.
// Each entry carries its sync status (decorations via its remote-sync: URI, and the tooltip).
import * as vscode from 'vscode';
import type { FolderItem } from '../../core/status/folder.js';
import { STATUS_BADGE } from '../../core/status/status.js';
import { formatBytes } from '../../core/progress/meter.js';
import { errorMessage } from '../../core/errors.js';
import type { FolderSession } from '../folderSession.js';
import type { Sessions } from '../sessions.js';
import type { StatusModel } from './statusModel.js';

export const SERVER_VIEW_ID = 'remoteSync.server';

export interface ServerNode {
  session: FolderSession;
  /** engine path ("" = the server folder itself) */
  path: string;
  type: 'file' | 'dir';
  item?: FolderItem;
  /** a workspace folder's root (multi-root: one per configured folder) */
  root?: boolean;
  /** a listing failed: the message, shown instead of the children */
  error?: string;
}

export class ServerTree implements vscode.TreeDataProvider<ServerNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ServerNode | undefined | void>();
  readonly onDidChangeTreeData = this.emitter.event;
  /** the listed folders' nodes, per folder, to refresh one folder */
  private readonly nodes = new Map<string, ServerNode>();
  private readonly disposables: vscode.Disposable[] = [this.emitter];

  constructor(private readonly sessions: Sessions, private readonly model: StatusModel) {
    this.disposables.push(sessions.onDidChange(() => this.refresh()));
  }

  private key(session: FolderSession, path: string): string {
    return `${session.key}\0${path}`;
  }

  /** list again: everything, one folder's subtree, or one folder (its node) */
  refresh(session?: FolderSession, dir?: string): void {
    if (!session) {
      this.nodes.clear();
      for (const s of this.sessions.all()) this.model.forget(s);
      this.emitter.fire();
      return;
    }
    const node = dir === undefined ? undefined : this.nodes.get(this.key(session, dir));
    if (dir && node) { this.emitter.fire(node); return; }
    this.emitter.fire();
  }

  getTreeItem(n: ServerNode): vscode.TreeItem {
    if (n.error !== undefined) {
      const t = new vscode.TreeItem(n.error, vscode.TreeItemCollapsibleState.None);
      t.iconPath = new vscode.ThemeIcon('error');
      t.tooltip = n.error;
      t.contextValue = 'server.error';
      return t;
    }
    if (n.root) {
      const t = new vscode.TreeItem(n.session.name, vscode.TreeItemCollapsibleState.Collapsed);
      t.description = n.session.targetName ? `→ ${n.session.targetName}` : 'no valid config';
      t.iconPath = new vscode.ThemeIcon('server');
      t.contextValue = 'server.dir.root';
      t.resourceUri = n.session.config ? n.session.remoteUri('') : undefined;
      return t;
    }
    const name = n.path.slice(n.path.lastIndexOf('/') + 1);
    const t = new vscode.TreeItem(n.session.remoteUri(n.path),
      n.type === 'dir' ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    t.label = name;
    const item = n.item;
    const status = item?.status;
    if (item?.remote && n.type === 'file') t.description = formatBytes(item.remote.size);
    t.tooltip = tooltip(n);
    t.contextValue = `server.${n.type}${status === 'server-only' ? '.serverOnly' : ''}`;
    if (n.type === 'file') t.command = { command: 'remoteSync.server.open', title: 'Open', arguments: [n] };
    if (status === 'excluded') t.description = `${t.description ?? ''} excluded`.trim();
    return t;
  }

  async getChildren(n?: ServerNode): Promise<ServerNode[]> {
    if (!n) {
      const configured = this.sessions.configured().filter((s) => s.config);
      if (configured.length === 1) return this.list(configured[0], '');
      return configured.map((session) => ({ session, path: '', type: 'dir' as const, root: true }));
    }
    if (n.type !== 'dir' || n.error !== undefined) return [];
    return this.list(n.session, n.path);
  }

  private async list(session: FolderSession, dir: string): Promise<ServerNode[]> {
    try {
      const items = await session.use((live) => live.engine.listFolder(dir), { exclusive: false });
      this.model.listed(session, dir, items);
      const nodes = items.map((item): ServerNode => ({ session, path: item.path, type: item.type, item }));
      for (const node of nodes) if (node.type === 'dir') this.nodes.set(this.key(session, node.path), node);
      return nodes;
    } catch (err) {
      session.log.error(`Server view: could not list ${dir || 'the server folder'}: ${errorMessage(err)}`);
      return [{ session, path: dir, type: 'file', error: `Could not list ${dir || session.targetName}: ${errorMessage(err)}` }];
    }
  }

  getParent(n: ServerNode): ServerNode | undefined {
    if (n.root || n.path === '') return undefined;
    const i = n.path.lastIndexOf('/');
    if (i < 0) return this.sessions.configured().filter((s) => s.config).length > 1 ? { session: n.session, path: '', type: 'dir', root: true } : undefined;
    return this.nodes.get(this.key(n.session, n.path.slice(0, i)));
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function tooltip(n: ServerNode): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  const item = n.item;
  md.appendMarkdown(`**${n.path}**`);
  if (item) md.appendMarkdown(` — ${STATUS_BADGE[item.status].text}`);
  const side = (label: string, e?: { size: number; mtime: number }) =>
    e ? `\n\n${label}: ${n.type === 'file' ? `${formatBytes(e.size)}, ` : ''}${new Date(e.mtime).toLocaleString()}` : `\n\n${label}: —`;
  md.appendMarkdown(side('Server', item?.remote));
  md.appendMarkdown(side('Local', item?.local));
  return md;
}
