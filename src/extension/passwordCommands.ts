// "Sync: Set Password" and "Sync: Forget Password" for the chosen target of a folder.
import * as vscode from 'vscode';
import type { RemoteSpec } from '../core/types.js';
import type { Commands } from './commands.js';
import type { FolderSession, Services } from './folderSession.js';
import type { Sessions } from './sessions.js';
import { loginLabel } from './secretKeys.js';

async function pickTarget(sessions: Sessions, uri: unknown, verb: string, target?: unknown): Promise<{ session: FolderSession; spec: RemoteSpec } | undefined> {
  const session = await sessions.pick(uri instanceof vscode.Uri ? uri : undefined, `${verb}: which folder?`);
  if (!session) return undefined;
  const config = session.requireConfig();
  const names = Object.keys(config.targets);
  let name = session.targetName;
  // called for a target (the login it refused): ask nothing more
  if (typeof target === 'string' && names.includes(target)) name = target;
  else if (names.length > 1) {
    const pick = await vscode.window.showQuickPick(
      names.map((n) => ({ label: n, description: n === session.targetName ? 'selected' : undefined })),
      { placeHolder: `${verb}: which target?` });
    if (!pick) return undefined;
    name = pick.label;
  }
  const spec = session.spec(name);
  if (spec.protocol === 'local') {
    vscode.window.showInformationMessage(`Remote Sync: target "${name}" is a local folder; it needs no password.`);
    return undefined;
  }
  return { session, spec };
}

export function registerPasswordCommands(commands: Commands, sessions: Sessions, services: Services): void {
  commands.register('remoteSync.setPassword', 'Set Password', async (uri?: unknown, target?: unknown) => {
    const picked = await pickTarget(sessions, uri, 'Set Password', target);
    if (!picked) return;
    const { session, spec } = picked;
    let kind: 'password' | 'passphrase' = 'password';
    if (spec.protocol === 'sftp' && spec.identity) {
      const pick = await vscode.window.showQuickPick([
        { label: `Password for ${loginLabel(spec)}`, secret: 'password' as const },
        { label: `Passphrase of the key ${spec.identity}`, secret: 'passphrase' as const },
      ], { placeHolder: 'Which secret?' });
      if (!pick) return;
      kind = pick.secret;
    }
    if (await services.secrets.setPassword(spec, kind)) {
      session.retire('the credentials changed');
      vscode.window.showInformationMessage(`Remote Sync: the ${kind} is stored in VS Code's secret storage.`);
    }
  });

  commands.register('remoteSync.forgetPassword', 'Forget Password', async (uri?: unknown) => {
    const picked = await pickTarget(sessions, uri, 'Forget Password');
    if (!picked) return;
    const forgotten = await services.secrets.forget(picked.spec);
    picked.session.retire('the credentials changed');
    vscode.window.showInformationMessage(forgotten.length
      ? `Remote Sync: forgot the ${forgotten.join(' and the ')}.`
      : `Remote Sync: nothing was stored for ${loginLabel(picked.spec)}.`);
  });
}
