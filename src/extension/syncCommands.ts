// The palette and explorer commands: whole-folder runs, current-file runs, explorer runs on files
// and folders (the engine's `paths` option limits a run to a subtree), the preview, compare, and
// the small per-folder settings. Every sync decision is the engine's.
import * as vscode from 'vscode';
import type { SyncMode } from '../core/types.js';
import type { RunOptions } from '../core/api.js';
import type { Commands } from './commands.js';
import type { ConflictUI } from './conflicts.js';
import type { FolderSession, Live, Services } from './folderSession.js';
import type { PlanView } from './planView.js';
import type { Results } from './results.js';
import type { Sessions } from './sessions.js';
import { plural } from './statusText.js';
import { displayName } from './uriMap.js';
import { settleDirty } from './dirtyDocs.js';
import { configTransferSettings } from '../core/config/transfer-settings.js';
import { presentGroupRun, runOnGroup } from './groups/groupRun.js';

const MODE_LABEL: Record<SyncMode, string> = { upload: 'Upload', download: 'Download', sync: 'Bidirectional' };

export class SyncCommands {
  constructor(
    private readonly sessions: Sessions,
    private readonly services: Services,
    private readonly commands: Commands,
    private readonly conflicts: ConflictUI,
    private readonly view: PlanView,
    private readonly results: Results,
  ) {
    const c = commands;
    c.register('remoteSync.upload', 'Upload', (uri?: vscode.Uri) => this.runFolder('upload', uri));
    c.register('remoteSync.download', 'Download', (uri?: vscode.Uri) => this.runFolder('download', uri));
    c.register('remoteSync.bidirectional', 'Bidirectional sync', (uri?: vscode.Uri) => this.runFolder('sync', uri));
    // the view's title button: the same, with a tooltip that says what it does
    c.register('remoteSync.view.bidirectional', 'Bidirectional sync', () => this.runFolder('sync'));
    c.register('remoteSync.preview', 'Preview', (uri?: vscode.Uri) => this.preview(uri));
    c.register('remoteSync.uploadCurrentFile', 'Upload Current File', () => this.runCurrent('upload'));
    c.register('remoteSync.downloadCurrentFile', 'Download Current File', () => this.runCurrent('download'));
    c.register('remoteSync.compareWithRemote', 'Compare with Remote', (uri?: vscode.Uri, uris?: vscode.Uri[]) => this.compare(uri, uris));
    c.register('remoteSync.explorer.upload', 'Upload', (uri?: vscode.Uri, uris?: vscode.Uri[]) => this.runPaths('upload', uri, uris));
    c.register('remoteSync.explorer.download', 'Download', (uri?: vscode.Uri, uris?: vscode.Uri[]) => this.runPaths('download', uri, uris));
    c.register('remoteSync.resolveConflicts', 'Resolve Conflicts', () => this.resolveConflicts());
    c.register('remoteSync.toggleUploadOnSave', 'Toggle Upload on Save', () => this.toggleUploadOnSave());
    c.register('remoteSync.selectTarget', 'Select Target', () => this.selectTarget());
    c.register('remoteSync.showLog', 'Show Log', () => services.log.show());
    c.register('remoteSync.cancel', 'Cancel', () => this.cancel());
  }

  /** run options from the config: the conflict policy "ask" means: skip now, then ask in the diff editor */
  private options(session: FolderSession, mode: SyncMode, paths?: string[]): RunOptions {
    const config = session.requireConfig();
    return {
      mode,
      paths,
      delete: mode !== 'sync' && config.deletePropagation,
      resolve: config.conflictPolicy === 'ask' ? 'skip' : config.conflictPolicy,
      concurrency: config.concurrency,
      maxDelete: config.maxDelete,
      transfer: configTransferSettings(config),
    };
  }

  private async run(session: FolderSession, mode: SyncMode, paths?: string[]): Promise<void> {
    const options = this.options(session, mode, paths);
    const what = paths ? `${MODE_LABEL[mode]} ${paths.length === 1 ? displayName(paths[0]) : plural(paths.length, 'path')}` : MODE_LABEL[mode];
    const label = `${what} → ${session.targetName}`;
    // a file open with unsaved changes is never replaced under its editor
    if (mode !== 'upload' && !(await settleDirty(session, paths, what))) return;
    const members = session.members;
    if (members) {
      // a server group: each member in parallel, with its own state (groups/groupRun.ts)
      const runs = await this.commands.withProgress(session, `${label} (${members.length} servers)`, (signal) =>
        runOnGroup(session, members, { ...options, signal }));
      presentGroupRun(session, this.services, what, session.targetName ?? '', runs);
      return;
    }
    const result = await this.commands.withProgress(session, label, (signal, onProgress) =>
      session.use((live) => live.engine.run({ ...options, signal, onProgress })));
    this.results.present(session, what, result, { paths, notify: paths === undefined });
  }

  private async runFolder(mode: SyncMode, uri?: vscode.Uri): Promise<void> {
    const picked = await this.sessions.pickMany(uri instanceof vscode.Uri ? uri : undefined, `${MODE_LABEL[mode]}: which folder?`);
    for (const session of picked ?? []) {
      try {
        await this.run(session, mode);
      } catch (err) {
        if ((picked?.length ?? 0) <= 1) throw err;
        this.commands.report(MODE_LABEL[mode], err, { session }); // the other folders still run
      }
    }
  }

  private async runCurrent(mode: 'upload' | 'download'): Promise<void> {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || doc.isUntitled) {
      vscode.window.showInformationMessage('Remote Sync: open a file of the workspace first.');
      return;
    }
    const session = this.sessions.forUri(doc.uri);
    const rel = session?.relPath(doc.uri);
    if (!session || rel === undefined || rel === '') {
      vscode.window.showInformationMessage(`Remote Sync: ${displayName(doc.uri.path)} is not below the local root of a folder with a .vscode/remote-sync.json.`);
      return;
    }
    if (doc.isDirty) {
      if (mode === 'download') {
        vscode.window.showWarningMessage(`Remote Sync: ${displayName(rel)} has unsaved changes; save or revert them before downloading.`);
        return;
      }
      await doc.save();
    }
    const [path] = await this.withoutExcluded(session, [rel], mode === 'upload' ? 'Upload Current File' : 'Download Current File');
    if (path !== undefined) await this.run(session, mode, [path]);
  }

  /** explorer: files and folders, several at once, possibly in several workspace folders */
  private async runPaths(mode: 'upload' | 'download', uri?: vscode.Uri, uris?: vscode.Uri[]): Promise<void> {
    const byFolder = this.group(uri, uris);
    if (!byFolder.size) return this.runCurrent(mode);
    for (const [session, all] of byFolder) {
      const paths = await this.withoutExcluded(session, all, MODE_LABEL[mode]);
      if (!paths.length) continue;
      if (mode === 'upload') await this.saveDirty(session, paths);
      await this.run(session, mode, paths.includes('') ? undefined : paths);
    }
  }

  /** an excluded path is said to be excluded (and by which pattern), not reported "in sync" */
  private async withoutExcluded(session: FolderSession, paths: string[], what: string): Promise<string[]> {
    const out: string[] = [];
    const excluded: string[] = [];
    for (const p of paths) {
      if (p === '') { out.push(p); continue; }
      const isDir = !(await this.isLocalFile(session, p));
      const check = async (live: Live) => live.engine.excludedBy(p, isDir ? 'dir' : 'file');
      // a group's members share the config's filters: the first member's engine answers
      const members = session.members;
      const why = members ? await session.useMember(members[0], check) : await session.use(check, { exclusive: false });
      if (why) excluded.push(`${displayName(p)} is ${why.startsWith('excluded') || why.startsWith('not ') ? why : `excluded: ${why}`}`);
      else out.push(p);
    }
    if (excluded.length) {
      const where = this.sessions.configured().length > 1 ? ` (${session.name})` : '';
      session.log.info(`${what}: ${excluded.join('; ')}`);
      vscode.window.showInformationMessage(`Remote Sync${where}: ${what}: ${excluded.join('; ')}, so it is never synced.`, 'Open Config')
        .then((pick) => { if (pick) void vscode.window.showTextDocument(session.configUri); });
    }
    return out;
  }

  private async compare(uri?: vscode.Uri, uris?: vscode.Uri[]): Promise<void> {
    let byFolder = this.group(uri, uris);
    if (!byFolder.size) {
      const doc = vscode.window.activeTextEditor?.document;
      byFolder = doc ? this.group(doc.uri) : byFolder;
    }
    if (!byFolder.size) {
      vscode.window.showInformationMessage('Remote Sync: open or select a file of a folder with a .vscode/remote-sync.json.');
      return;
    }
    for (const [session, paths] of byFolder) {
      const [first] = paths;
      const isFile = paths.length === 1 && first !== '' && (await this.isLocalFile(session, first));
      if (isFile) await this.conflicts.compare(session, first);
      else await this.previewPaths(session, paths.includes('') ? undefined : paths);
    }
  }

  private async isLocalFile(session: FolderSession, rel: string): Promise<boolean> {
    try {
      return (await vscode.workspace.fs.stat(session.localUri(rel))).type === vscode.FileType.File;
    } catch {
      return true; // gone locally: compare shows the remote side (or says it is absent)
    }
  }

  private group(uri?: vscode.Uri, uris?: vscode.Uri[]): Map<FolderSession, string[]> {
    const list = uris?.length ? uris : uri instanceof vscode.Uri ? [uri] : [];
    const out = new Map<FolderSession, string[]>();
    for (const u of list) {
      const session = this.sessions.forUri(u);
      const rel = session?.relPath(u);
      if (!session?.hasConfigFile || rel === undefined) continue;
      out.set(session, [...(out.get(session) ?? []), rel]);
    }
    return out;
  }

  private async saveDirty(session: FolderSession, paths: string[]): Promise<void> {
    for (const doc of vscode.workspace.textDocuments) {
      if (!doc.isDirty) continue;
      const rel = session.relPath(doc.uri);
      if (rel !== undefined && paths.some((p) => p === '' || rel === p || rel.startsWith(p + '/'))) await doc.save();
    }
  }

  private async preview(uri?: vscode.Uri): Promise<void> {
    const picked = await this.sessions.pickMany(uri instanceof vscode.Uri ? uri : undefined, 'Preview: which folder?');
    for (const session of picked ?? []) await this.previewPaths(session);
  }

  /** the plan of a bidirectional sync, nothing changed; with the config's strategy applied to conflicts */
  private async previewPaths(session: FolderSession, paths?: string[]): Promise<void> {
    const config = session.requireConfig();
    const plan = await this.commands.withProgress(session, `Preview → ${session.targetName}`, (signal) =>
      session.use(async (live) => {
        const raw = await live.engine.plan({ mode: 'sync', paths, maxDelete: config.maxDelete, signal });
        const policy = config.conflictPolicy;
        // "merge": the conflicts are listed (with Merge), merges are done by a run or the Merge action
        return policy === 'ask' || policy === 'skip' || policy === 'merge' ? raw : live.engine.resolveConflicts(raw, policy);
      }));
    const { store } = this.services;
    if (paths) {
      store.merge(session.key, plan, plan.actions);
    } else {
      store.set(session.key, plan, 'preview');
    }
    const shown = plan.actions.filter((a) => a.kind !== 'equal' && a.kind !== 'forget' && a.kind !== 'skip').length;
    session.log.info(`Preview${paths ? ` of ${paths.join(', ')}` : ''}: ${plural(shown, 'action')}, ${plan.inSync} in sync`);
    if (!shown) {
      vscode.window.showInformationMessage(`Remote Sync: nothing to do, "${session.name}" is in sync with "${session.targetName}".`);
      return;
    }
    await this.view.reveal();
  }

  private async resolveConflicts(): Promise<void> {
    const { store } = this.services;
    let known = store.conflicts();
    if (!known.length) {
      const session = await this.sessions.pick(undefined, 'Resolve conflicts of which folder?');
      if (!session) return;
      await this.previewPaths(session);
      known = store.conflicts(session.key);
      if (!known.length) return;
    }
    await this.view.reveal();
    const first = known[0];
    const session = this.sessions.get(first.folder);
    if (session) await this.conflicts.openAction(session, first.action);
  }

  private async toggleUploadOnSave(): Promise<void> {
    const session = await this.sessions.pick(undefined, 'Toggle upload on save for which folder?');
    if (!session) return;
    session.requireConfig();
    const on = await session.toggleUploadOnSave();
    vscode.window.showInformationMessage(`Remote Sync: upload on save is ${on ? 'on' : 'off'} for "${session.name}".`);
  }

  private async selectTarget(): Promise<void> {
    const session = await this.sessions.pick(undefined, 'Select the target of which folder?');
    if (!session) return;
    const config = session.requireConfig();
    const items = Object.keys(config.targets).map((name) => {
      let description = '';
      try {
        const spec = session.spec(name);
        description = spec.protocol === 'local' ? spec.path : `${spec.protocol}://${spec.user ? spec.user + '@' : ''}${spec.host}${spec.port ? ':' + spec.port : ''}${spec.path}`;
      } catch (err) {
        description = String(err);
      }
      return { label: name, description, picked: name === session.targetName, detail: name === config.defaultTarget ? 'default target' : undefined };
    });
    // server groups: a save goes to each member (groups/groupSave.ts)
    for (const [name, members] of Object.entries(config.groups ?? {})) {
      items.push({
        label: name, description: `group: ${members.join(', ')}`, picked: name === session.targetName,
        detail: `${name === config.defaultTarget ? 'default target · ' : ''}upload on save goes to ${members.length} servers`,
      });
    }
    const pick = await vscode.window.showQuickPick(items, { placeHolder: `Target for ${session.name} (now: ${session.targetName})` });
    if (!pick || pick.label === session.targetName) return;
    this.services.store.clear(session.key);
    // the last result was about the other target: the status bar must not show it for this one
    this.services.activity.clearLast(session.key);
    await session.setTarget(pick.label);
  }

  private cancel(): void {
    const n = this.services.activity.cancelAll();
    if (!n) vscode.window.showInformationMessage('Remote Sync: nothing is running.');
    else this.services.log.info(`Cancel requested for ${plural(n, 'operation')}`);
  }
}
