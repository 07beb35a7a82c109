// "Sync: Create Config": writes the engine's commented starter file to .vscode/remote-sync.json
// of a workspace folder (or opens the existing one); with a vscode-sftp .vscode/sftp.json there, it
// offers to import that instead. The file opens as JSON with Comments. The config watcher picks it up.
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
  if (!exists && await hasSftpJson(folder)) {
    const pick = await vscode.window.showQuickPick([
      { label: 'Import vscode-sftp settings', description: '.vscode/sftp.json', importing: true },
      { label: 'Start from the commented starter file', importing: false },
    ], { placeHolder: `"${folder.name}" has vscode-sftp settings: import them?` });
    if (!pick) return;
    if (pick.importing) {
      await vscode.commands.executeCommand('remoteSync.importSftpConfig', folder.uri);
      return;
    }
  }
  if (!exists) {
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(file, '..'));
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(STARTER_CONFIG));
  }
  await openConfig(file);
  if (exists) vscode.window.showInformationMessage(`Remote Sync: ${folder.name} already has ${CONFIG_RELATIVE_PATH}.`);
}

async function hasSftpJson(folder: vscode.WorkspaceFolder): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder.uri, '.vscode', 'sftp.json'));
    return true;
  } catch {
    return false;
  }
}

/** open the config as JSON with Comments from the start (no "comments are not allowed" flash before the schema applies) */
export async function openConfig(file: vscode.Uri): Promise<void> {
  let doc = await vscode.workspace.openTextDocument(file);
  if (doc.languageId !== 'jsonc') doc = await vscode.languages.setTextDocumentLanguage(doc, 'jsonc');
  await vscode.window.showTextDocument(doc);
}
