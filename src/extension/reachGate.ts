// Asks once per workspace (remembered in workspaceState) before using a config that reaches outside
// the workspace folder, or whose knownHosts / privateKey / agent point into it (core/config/reach.ts).
// A "no" is not remembered: the next connection asks again. A config listed in the user's own settings
// (`remoteSync.trustedConfigs`) is not asked about (the demo of `npm start` lists its own).
import { isAbsolute, resolve } from 'node:path';
import * as vscode from 'vscode';
import { SyncError } from '../core/errors.js';
import type { ProjectConfig } from '../core/config/types.js';
import { configReach, reachSignature } from '../core/config/reach.js';
import type { RemoteSpec } from '../core/types.js';

const pending = new Map<string, Promise<boolean>>();

/**
 * The configs the user trusts in their user settings (`remoteSync.trustedConfigs`, application scope):
 * only the global value is read, never one a workspace could bring
 */
function trustedInUserSettings(file: string): boolean {
  const listed = vscode.workspace.getConfiguration('remoteSync').inspect<unknown>('trustedConfigs')?.globalValue;
  return Array.isArray(listed) && listed.some((p) => typeof p === 'string' && isAbsolute(p) && resolve(p) === resolve(file));
}

export async function confirmConfigReach(config: ProjectConfig, spec: RemoteSpec, folderName: string, memento: vscode.Memento, key: string): Promise<void> {
  const findings = configReach(config.workspaceRoot, config.localRoot, spec);
  if (!findings.length || trustedInUserSettings(config.file)) return;
  const signature = reachSignature(findings);
  const allowed = memento.get<string[]>(key) ?? [];
  if (allowed.includes(signature)) return;
  let asking = pending.get(key + '\n' + signature);
  if (!asking) {
    const allow = 'Allow for This Workspace';
    asking = Promise.resolve(vscode.window.showWarningMessage(
      `The Remote Sync config of "${folderName}" reaches outside this workspace. Use it?`,
      {
        modal: true,
        detail: `${findings.map((f) => `• ${f.message}`).join('\n')}\n\n${config.file}\n\n` +
          'Allow this only if you wrote this config yourself: a config that came with a cloned repository can use these ' +
          'settings to read or overwrite your files, or to trust a server you never checked. You are asked again if it changes.',
      },
      allow,
    )).then((pick) => pick === allow);
    pending.set(key + '\n' + signature, asking);
    void asking.finally(() => pending.delete(key + '\n' + signature));
  }
  if (await asking) {
    if (!(memento.get<string[]>(key) ?? []).includes(signature)) await memento.update(key, [...(memento.get<string[]>(key) ?? []), signature]);
    return;
  }
  throw new SyncError('config', `Not connecting: the config reaches outside the workspace (${findings.map((f) => f.setting).join(', ')}) and was not allowed`, {
    path: config.file, hint: 'Change the config, or connect again and allow it',
  });
}
