// Asks once per workspace (remembered in workspaceState) before using a config that reaches outside
// the workspace folder, or whose knownHosts / privateKey / agent point into it (core/config/reach.ts).
// A "no" is not remembered: the next connection asks again.
import * as vscode from 'vscode';
import { SyncError } from '../core/errors.js';
import type { ProjectConfig } from '../core/config/types.js';
import { configReach, reachSignature } from '../core/config/reach.js';
import type { RemoteSpec } from '../core/types.js';

const pending = new Map<string, Promise<boolean>>();

export async function confirmConfigReach(config: ProjectConfig, spec: RemoteSpec, folderName: string, memento: vscode.Memento, key: string): Promise<void> {
  const findings = configReach(config.workspaceRoot, config.localRoot, spec);
  if (!findings.length) return;
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
