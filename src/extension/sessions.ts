// All workspace folders' sessions (multi-root: each folder has its own config, state and connection),
// and how a command finds the folder it is about.
import * as vscode from 'vscode';
import { FolderSession, type Services } from './folderSession.js';
import { parseRemoteUri } from './uriMap.js';

export class Sessions implements vscode.Disposable {
  private map = new Map<string, FolderSession>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(private readonly services: Services) {
    for (const folder of vscode.workspace.workspaceFolders ?? []) this.add(folder);
    this.disposables.push(vscode.workspace.onDidChangeWorkspaceFolders((e) => {
      for (const folder of e.removed) {
        const key = folder.uri.toString();
        this.map.get(key)?.dispose();
        this.map.delete(key);
        services.store.clear(key);
        services.activity.forget(key);
      }
      for (const folder of e.added) this.add(folder);
      this.update();
    }));
    this.update();
  }

  private add(folder: vscode.WorkspaceFolder): void {
    const session = new FolderSession(folder, this.services, () => this.configured().length > 1);
    this.map.set(session.key, session);
    session.onDidChange(() => this.update());
    session.load(true);
  }

  private update(): void {
    void vscode.commands.executeCommand('setContext', 'remoteSync.hasConfig', this.configured().length > 0);
    this.changed.fire();
  }

  all(): FolderSession[] {
    return [...this.map.values()];
  }

  /** folders with a config file (valid or not) */
  configured(): FolderSession[] {
    return this.all().filter((s) => s.hasConfigFile);
  }

  get(key: string): FolderSession | undefined {
    return this.map.get(key);
  }

  /** the folder a local or remote-sync URI belongs to */
  forUri(uri: vscode.Uri): FolderSession | undefined {
    const ref = parseRemoteUri(uri);
    if (ref) return this.map.get(ref.folder);
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    return folder && folder.uri.scheme === uri.scheme ? this.map.get(folder.uri.toString()) : undefined;
  }

  /** the folder of the active editor, if it has a config */
  active(): FolderSession | undefined {
    const uri = vscode.window.activeTextEditor?.document.uri;
    const s = uri && this.forUri(uri);
    if (s?.hasConfigFile) return s;
    const configured = this.configured();
    return configured.length === 1 ? configured[0] : undefined;
  }

  /**
   * The folder a command is about: the given URI's, else the active editor's, else the only
   * configured one, else the user picks. Undefined when the user cancelled or there is no config.
   */
  async pick(uri?: vscode.Uri, placeHolder = 'Workspace folder'): Promise<FolderSession | undefined> {
    if (uri) {
      const s = this.forUri(uri);
      if (s) return s;
    }
    const active = this.active();
    if (active) return active;
    const configured = this.configured();
    if (!configured.length) {
      const pick = await vscode.window.showInformationMessage(
        'Remote Sync: no workspace folder has a .vscode/remote-sync.json yet.', 'Create Config');
      if (pick) await vscode.commands.executeCommand('remoteSync.createConfig');
      return undefined;
    }
    const item = await vscode.window.showQuickPick(
      configured.map((s) => ({ label: s.name, description: s.targetName ?? s.configError, session: s })),
      { placeHolder },
    );
    return item?.session;
  }

  dispose(): void {
    for (const s of this.map.values()) s.dispose();
    this.map.clear();
    for (const d of this.disposables) d.dispose();
  }
}
