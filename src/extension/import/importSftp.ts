// Coming from vscode-sftp: "Sync: Import vscode-sftp Config" (also offered by Create Config, by a
// quiet one-time offer in a folder with only .vscode/sftp.json, and when remote-sync.json looks like
// a pasted sftp.json). The conversion is the engine's (core/import/sftp-json.ts, shared with the CLI);
// here: pick the folder, confirm a replacement, write the file, offer to keep secrets in SecretStorage.
import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';
import { parse } from 'jsonc-parser';
import { CONFIG_RELATIVE_PATH, parseConfigText, targetSpec } from '../../core/config/index.js';
import { convertSftpJson, looksLikeSftpJson, SFTP_JSON_RELATIVE_PATH, type SftpImport } from '../../core/import/sftp-json.js';
import { plural } from '../statusText.js';
import { openConfig } from '../createConfig.js';
import type { Services } from '../folderSession.js';
import type { Sessions } from '../sessions.js';

export const IMPORT_BUTTON = 'Import vscode-sftp settings';
const DECLINED_KEY = 'remoteSync.importOffer.declined';

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

export function sftpJsonUri(folder: vscode.WorkspaceFolder): vscode.Uri {
  return vscode.Uri.joinPath(folder.uri, ...SFTP_JSON_RELATIVE_PATH.split('/'));
}

/** remote-sync.json whose content is vscode-sftp's (pasted in): true when it looks like an sftp.json */
export function configLooksLikeSftpJson(configFile: string): boolean {
  try {
    return looksLikeSftpJson(parse(readFileSync(configFile, 'utf8')));
  } catch {
    return false;
  }
}

/** ".vscode/sftp.json": a path as the user sees it in that folder */
function inFolder(folder: vscode.WorkspaceFolder, uri: vscode.Uri): string {
  const base = folder.uri.path.replace(/\/$/, '');
  return uri.path.startsWith(`${base}/`) ? uri.path.slice(base.length + 1) : uri.fsPath;
}

export class SftpImporter {
  constructor(private readonly sessions: Sessions, private readonly services: Services) {}

  /** folders with a .vscode/sftp.json (and, for the offer, without a remote-sync.json) */
  async foldersWithSftpJson(withoutConfig: boolean): Promise<vscode.WorkspaceFolder[]> {
    const out: vscode.WorkspaceFolder[] = [];
    for (const s of this.sessions.all()) {
      if (withoutConfig && s.hasConfigFile) continue;
      if (await exists(sftpJsonUri(s.folder))) out.push(s.folder);
    }
    return out;
  }

  /** the quiet one-time offer at start-up */
  async offer(): Promise<void> {
    const folders = await this.foldersWithSftpJson(true);
    const declined = this.services.memento.get<string[]>(DECLINED_KEY) ?? [];
    const fresh = folders.filter((f) => !declined.includes(f.uri.toString()));
    if (!fresh.length) return;
    const where = fresh.length === 1 ? `"${fresh[0].name}" has` : `${plural(fresh.length, 'folder')} have`;
    const pick = await vscode.window.showInformationMessage(
      `Remote Sync: ${where} vscode-sftp settings (.vscode/sftp.json). Import them into .vscode/remote-sync.json?`,
      IMPORT_BUTTON, 'Not Now');
    if (pick === IMPORT_BUTTON) {
      for (const f of fresh) await this.run(f.uri);
    } else {
      // asked once: the command stays in the palette
      await this.services.memento.update(DECLINED_KEY, [...declined, ...fresh.map((f) => f.uri.toString())]);
    }
  }

  /** "Sync: Import vscode-sftp Config"; `source` may be the folder, its sftp.json, or a remote-sync.json holding sftp.json content */
  async run(uri?: vscode.Uri, source?: vscode.Uri): Promise<boolean> {
    const folder = await this.pickFolder(uri);
    if (!folder) return false;
    const from = source ?? sftpJsonUri(folder);
    const dest = vscode.Uri.joinPath(folder.uri, ...CONFIG_RELATIVE_PATH.split('/'));
    const fromShown = inFolder(folder, from);
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(from));
    } catch {
      vscode.window.showWarningMessage(`Remote Sync: ${fromShown} was not found, so there is nothing to import. Sync: Create Config writes a starter file instead.`, 'Create Config')
        .then((pick) => { if (pick) void vscode.commands.executeCommand('remoteSync.createConfig', folder.uri); });
      return false;
    }
    const result = convertSftpJson(text, fromShown);
    parseConfigText(result.text, dest.fsPath); // what is written must load
    const replacing = from.toString() !== dest.toString() && await exists(dest);
    if (replacing) {
      const replace = 'Replace';
      const pick = await vscode.window.showWarningMessage(`"${folder.name}" already has ${CONFIG_RELATIVE_PATH}. Replace it with the settings imported from ${fromShown}?`,
        { modal: true }, replace);
      if (pick !== replace) return false;
    }
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(dest, '..'));
    await vscode.workspace.fs.writeFile(dest, new TextEncoder().encode(result.text));
    this.services.log.info(`Imported ${fromShown} into ${CONFIG_RELATIVE_PATH} of "${folder.name}": ${result.targets.join(', ')}` +
      (result.unsupported.length ? `; not carried over: ${result.unsupported.map((u) => u.split(':')[0]).join(', ')}` : ''));
    await this.keepSecrets(result, dest, folder);
    await openConfig(dest);
    const skipped = result.unsupported.length ? ` ${plural(result.unsupported.length, 'setting')} with no equivalent ${result.unsupported.length === 1 ? 'is' : 'are'} listed at the top of the file.` : '';
    void vscode.window.showInformationMessage(
      `Remote Sync: imported ${fromShown} into ${CONFIG_RELATIVE_PATH} of "${folder.name}" (${plural(result.targets.length, 'target')}: ${result.targets.join(', ')}).${skipped}`,
      'Preview').then((pick) => { if (pick) void vscode.commands.executeCommand('remoteSync.preview', folder.uri); });
    return true;
  }

  /** a password or passphrase in sftp.json: into SecretStorage if the user agrees, never into the file */
  private async keepSecrets(result: SftpImport, dest: vscode.Uri, folder: vscode.WorkspaceFolder): Promise<void> {
    if (!result.secrets.length) return;
    const config = parseConfigText(result.text, dest.fsPath);
    const list = result.secrets.map((s) => `a ${s.kind} for "${s.target}"`).join(', ');
    const store = 'Store in Secret Storage';
    const pick = await vscode.window.showWarningMessage(
      `The vscode-sftp settings of "${folder.name}" hold ${list}.`,
      { modal: true, detail: "Remote Sync never writes secrets into its config file. Keep them in VS Code's secret storage " +
        '(the OS keychain on the desktop)? Otherwise they are asked for at the first login. Consider removing them from sftp.json.' },
      store, "Don't Store");
    if (pick !== store) return;
    const stored = new Set<string>();
    for (const s of result.secrets) {
      const spec = targetSpec(config, s.target);
      if (s.kind === 'passphrase' && !spec.identity) continue;
      stored.add(await this.services.secrets.storeImported(spec, s.kind, s.value));
    }
    if (stored.size) void vscode.window.showInformationMessage(`Remote Sync: stored the ${[...stored].join(' and the ')} in VS Code's secret storage.`);
  }

  private async pickFolder(uri?: vscode.Uri): Promise<vscode.WorkspaceFolder | undefined> {
    const given = uri ? vscode.workspace.getWorkspaceFolder(uri) : undefined;
    if (given) return given;
    const all = vscode.workspace.workspaceFolders ?? [];
    if (!all.length) {
      vscode.window.showInformationMessage('Remote Sync: open a folder first; the config lives in its .vscode folder.');
      return undefined;
    }
    const withSftp = await this.foldersWithSftpJson(false);
    const candidates = withSftp.length ? withSftp : [...all];
    if (candidates.length === 1) return candidates[0];
    const pick = await vscode.window.showQuickPick(candidates.map((f) => ({ label: f.name, description: f.uri.fsPath, folder: f })),
      { placeHolder: 'Import the vscode-sftp settings of which folder?' });
    return pick?.folder;
  }
}
