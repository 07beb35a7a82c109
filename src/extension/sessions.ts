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
   * The folder a command is about: the given URI's (the command came from a file), else the only
   * configured one, else the user picks — the active editor's folder first, never silently.
   * Undefined when the user cancelled or there is no config.
   */
  async pick(uri?: vscode.Uri, placeHolder = 'Workspace folder'): Promise<FolderSession | undefined> {
    const [one] = (await this.choose(uri, placeHolder, false)) ?? [];
    return one;
  }

  /** like pick, with "All folders" first when more than one folder has a config */
  async pickMany(uri: vscode.Uri | undefined, placeHolder: string): Promise<FolderSession[] | undefined> {
    return this.choose(uri, placeHolder, true);
  }

  private async choose(uri: vscode.Uri | undefined, placeHolder: string, allowAll: boolean): Promise<FolderSession[] | undefined> {
    if (uri) {
      const s = this.forUri(uri);
      if (s) return [s];
    }
    const configured = this.configured();
    if (configured.length === 1) return configured;
    if (!configured.length) {
      const sftp = await this.withSftpJson();
      const buttons = sftp ? ['Import vscode-sftp Config', 'Create Config'] : ['Create Config'];
      const pick = await vscode.window.showInformationMessage(
        `Remote Sync: no workspace folder has a .vscode/remote-sync.json yet${sftp ? ` ("${sftp.name}" has vscode-sftp settings you can import)` : ''}.`, ...buttons);
      if (pick === 'Create Config') await vscode.commands.executeCommand('remoteSync.createConfig');
      else if (pick) await vscode.commands.executeCommand('remoteSync.importSftpConfig', sftp?.uri);
      return undefined;
    }
    const editorUri = vscode.window.activeTextEditor?.document.uri;
    const active = editorUri ? this.forUri(editorUri) : undefined;
    const ordered = active && configured.includes(active) ? [active, ...configured.filter((s) => s !== active)] : configured;
    type Item = vscode.QuickPickItem & { sessions: FolderSession[] };
    const items: Item[] = ordered.map((s) => ({
      label: s.name,
      description: s.targetName ? `→ ${s.targetName}` : s.configError ? 'invalid config' : undefined,
      detail: s === active ? 'the active editor\'s folder' : undefined,
      sessions: [s],
    }));
    const usable = configured.filter((s) => s.config);
    if (allowAll && usable.length > 1) {
      items.unshift({ label: 'All folders', description: usable.map((s) => s.name).join(', '), sessions: usable });
    }
    const item = await vscode.window.showQuickPick(items, { placeHolder });
    return item?.sessions;
  }

  private async withSftpJson(): Promise<vscode.WorkspaceFolder | undefined> {
    for (const s of this.all()) {
      try {
        await vscode.workspace.fs.stat(vscode.Uri.joinPath(s.folder.uri, '.vscode', 'sftp.json'));
        return s.folder;
      } catch {
        // none here
      }
    }
    return undefined;
  }

  dispose(): void {
    for (const s of this.map.values()) s.dispose();
    this.map.clear();
    for (const d of this.disposables) d.dispose();
  }
}
