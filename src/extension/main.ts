// Entry point: builds the extension's parts and ties them to its lifetime. With no
// .vscode/remote-sync.json in the workspace this only registers commands and reads no config.
import * as vscode from 'vscode';
import { errorMessage } from '../core/errors.js';
import { ActivityModel } from './activity.js';
import { Commands } from './commands.js';
import { ConflictUI } from './conflicts.js';
import { createConfig } from './createConfig.js';
import { SftpImporter } from './import/importSftp.js';
import type { Services } from './folderSession.js';
import { Log } from './log.js';
import { registerPasswordCommands } from './passwordCommands.js';
import { PlanStore } from './planStore.js';
import { PlanView } from './planView.js';
import { RemoteFileSystem } from './remoteFs.js';
import { SyncDecorations } from './remote/decorations.js';
import { DownloadOnOpen } from './remote/downloadOnOpen.js';
import { FileWatch } from './remote/fileWatch.js';
import { ServerCommands } from './remote/serverCommands.js';
import { ServerTree } from './remote/serverTree.js';
import { ServerWatch } from './remote/serverWatch.js';
import { StatusModel } from './remote/statusModel.js';
import { Results } from './results.js';
import { SaveHandler } from './saveHandler.js';
import { Secrets } from './secrets.js';
import { Sessions } from './sessions.js';
import { StatusBar } from './statusBar.js';
import { SyncCommands } from './syncCommands.js';
import { MergeUI } from './merge/mergeUI.js';

let sessions: Sessions | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = new Log();
  context.subscriptions.push(log);
  const started = Date.now();
  try {
    const services: Services = {
      log,
      secrets: new Secrets(context.secrets, log),
      memento: context.workspaceState,
      activity: new ActivityModel(),
      store: new PlanStore(),
    };
    const commands = new Commands(context, services);
    sessions = new Sessions(services);
    const remoteFs = new RemoteFileSystem(sessions);
    const results = new Results(services, remoteFs);
    const conflicts = new ConflictUI(sessions, services, commands, remoteFs, results);
    results.conflicts = conflicts;
    const view = new PlanView(sessions, services, commands, conflicts, results);
    new SyncCommands(sessions, services, commands, conflicts, view, results);
    registerPasswordCommands(commands, sessions, services);
    // the server view and the sync status of every file (issue 8)
    const statusModel = new StatusModel(sessions, services.store, remoteFs);
    const serverTree = new ServerTree(sessions, statusModel);
    context.subscriptions.push(statusModel, serverTree, new SyncDecorations(sessions, statusModel),
      new ServerCommands(sessions, commands, serverTree, conflicts, results, remoteFs, statusModel),
      new DownloadOnOpen(sessions, commands, conflicts, results),
      new ServerWatch(sessions, commands, conflicts, results, statusModel, remoteFs),
      new FileWatch(sessions, services, commands, conflicts, results));
    // the status bar item: the next conflict while some are pending, else the log
    commands.register('remoteSync.statusClick', 'Status', () =>
      services.store.conflicts().length ? conflicts.next() : log.show());
    const s = sessions;
    commands.register('remoteSync.createConfig', 'Create Config', (uri?: vscode.Uri) => createConfig(s, uri));
    const importer = new SftpImporter(s, services);
    commands.register('remoteSync.importSftpConfig', 'Import vscode-sftp Config',
      (uri?: vscode.Uri, source?: vscode.Uri) => importer.run(uri instanceof vscode.Uri ? uri : undefined, source instanceof vscode.Uri ? source : undefined));
    void importer.offer().catch((err) => log.warn(`vscode-sftp import offer: ${errorMessage(err)}`));
    context.subscriptions.push(
      sessions, remoteFs, conflicts, view, new MergeUI(services, commands, conflicts, remoteFs),
      new SaveHandler(sessions, services, commands, conflicts, remoteFs, results),
      new StatusBar(sessions, services),
    );
    log.info(`Remote Sync ${context.extension.packageJSON.version} activated in ${Date.now() - started} ms ` +
      `(${sessions.configured().length} folder(s) with a config)`);
  } catch (err) {
    log.error(`Activation failed: ${errorMessage(err)}`);
    if (err instanceof Error && err.stack) log.error(err.stack);
    vscode.window.showErrorMessage(`Remote Sync failed to start: ${errorMessage(err)}`, 'Show Log')
      .then((pick) => { if (pick) log.show(); });
    throw err;
  }
}

/** close the connections before the extension host goes away */
export async function deactivate(): Promise<void> {
  const s = sessions;
  sessions = undefined;
  if (s) await Promise.all(s.all().map((f) => f.disconnect('closing')));
}
