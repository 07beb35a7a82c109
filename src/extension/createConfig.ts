// "Sync: Create Config": writes the engine's commented starter file to .vscode/remote-sync.json
// of a workspace folder (or opens the existing one). The config watcher picks it up.
import * as vscode from 'vscode';
import { CONFIG_RELATIVE_PATH, STARTER_CONFIG } from '../core/config/index.js';
import type { Sessions } from './sessions.js';

export async function createConfig(sessions: Sessions, uri?: vscode.Uri): Promise<void> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (!folders.length) {
    vscode.window.showInformationMessage('Remote Sync: open a folder first; the config lives in its .vscode folder.');
    return;
  }
  let folder = uri ? vscode.workspace.getWorkspaceFolder(uri) : undefined;
  if (!folder) {
    const without = sessions.all().filter((s) => !s.hasConfigFile).map((s) => s.folder);
    const candidates = without.length ? without : folders;
    folder = candidates.length === 1 ? candidates[0]
      : (await vscode.window.showQuickPick(candidates.map((f) => ({ label: f.name, description: f.uri.fsPath, folder: f })),
        { placeHolder: 'Create .vscode/remote-sync.json in which folder?' }))?.folder;
  }
  if (!folder) return;
  const file = vscode.Uri.joinPath(folder.uri, ...CONFIG_RELATIVE_PATH.split('/'));
  let exists = true;
  try {
    await vscode.workspace.fs.stat(file);
  } catch {
    exists = false;
  }
  if (!exists) {
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(file, '..'));
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(STARTER_CONFIG));
  }
  await vscode.window.showTextDocument(file);
  if (exists) vscode.window.showInformationMessage(`Remote Sync: ${folder.name} already has ${CONFIG_RELATIVE_PATH}.`);
}
