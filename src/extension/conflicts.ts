// Conflicts in the diff editor: vscode.diff(remote, local) titled "name (remote ↔ local)", with
// editor-title actions in words — Keep Local / Keep Remote / Skip for a conflict, Apply / Skip for a
// planned entry — while a remote-sync diff is active (context keys), and the same words above the
// diff (CodeLens, conflicts/diffLens.ts). After a decision the next conflict opens. Conflicts without two files to compare get a message with the same three choices. Every
// decision goes to the engine's resolvePath, which transfers and records the state.
import * as vscode from 'vscode';
import type { Action, Plan, Resolution } from '../core/types.js';
import { SyncError } from '../core/errors.js';
import type { Commands } from './commands.js';
import type { FolderSession, Services } from './folderSession.js';
import type { Sessions } from './sessions.js';
import type { RemoteFileSystem } from './remoteFs.js';
import type { ConflictPresenter, Results } from './results.js';
import { describeConflict, openChoice } from './planGroups.js';
import { isNode, nodesOf, type Node } from './nodes.js';
import { REMOTE_SCHEME, displayName, parseRemoteUri } from './uriMap.js';
import { summarize } from './statusText.js';
import { ConflictRound, diffKindOf } from './conflicts/actions.js';
import { DiffLens } from './conflicts/diffLens.js';

export const DIFF_CONTEXT = 'remoteSync.remoteDiffActive';
/** "conflict" or "planned": which choices the editor title shows for the active Remote Sync diff */
export const DIFF_KIND_CONTEXT = 'remoteSync.remoteDiffKind';
export const PENDING_CONTEXT = 'remoteSync.conflictsPending';

export class ConflictUI implements ConflictPresenter, vscode.Disposable {
  private readonly offered = new Set<string>();
  /** the Merge action (merge/mergeUI.ts), offered first for a file changed on both sides */
  merger?: (session: FolderSession, rel: string) => Promise<void>;
  private readonly disposables: vscode.Disposable[] = [];
  private diffState = '';
  private readonly round = new ConflictRound();

  constructor(
    private readonly sessions: Sessions,
    private readonly services: Services,
    private readonly commands: Commands,
    private readonly remoteFs: RemoteFileSystem,
    private readonly results: Results,
  ) {
    const update = () => this.updateContext();
    this.disposables.push(
      vscode.window.tabGroups.onDidChangeTabs(update),
      vscode.window.tabGroups.onDidChangeTabGroups(update),
      vscode.window.onDidChangeActiveTextEditor(update),
      services.store.onChange(update),
      new DiffLens(sessions, services, (_s, entry) => this.positionOf(entry)),
    );
    update();
    commands.register('remoteSync.keepLocal', 'Keep Local', (arg, sel) => this.decide(arg, sel, 'local'));
    commands.register('remoteSync.keepRemote', 'Keep Remote', (arg, sel) => this.decide(arg, sel, 'remote'));
    commands.register('remoteSync.skip', 'Skip', (arg, sel) => this.decide(arg, sel, 'skip'));
    commands.register('remoteSync.nextConflict', 'Next Conflict', () => this.next());
    // the diff editor's title shows these as words (no icon): "Keep Local  Keep Remote  Skip", or "Apply  Skip"
    commands.register('remoteSync.diff.keepLocal', 'Keep Local', (arg, sel) => this.decide(arg, sel, 'local'));
    commands.register('remoteSync.diff.keepRemote', 'Keep Remote', (arg, sel) => this.decide(arg, sel, 'remote'));
    commands.register('remoteSync.diff.skip', 'Skip', (arg, sel) => this.decide(arg, sel, 'skip'));
    commands.register('remoteSync.diff.apply', 'Apply', (arg) => vscode.commands.executeCommand('remoteSync.apply', arg));
  }

  /** "2 of 5": this conflict's place in the current round of pending ones */
  private positionOf(entry: Action): { index: number; total: number } {
    const all = this.services.store.conflicts();
    const pos = this.round.position(all.length);
    const i = all.findIndex((c) => c.action === entry);
    return i < 0 ? pos : { index: pos.total - all.length + i + 1, total: pos.total };
  }

  /** open the next pending conflict (after `after`), saying which of how many; or say that none is left */
  async next(after?: { folder: string; path: string }): Promise<void> {
    const all = this.services.store.conflicts();
    if (!all.length) {
      this.round.position(0);
      vscode.window.showInformationMessage('Remote Sync: All conflicts resolved.');
      return;
    }
    const start = after ? all.findIndex((c) => c.folder === after.folder && c.action.path > after.path) : 0;
    const pick = all[start < 0 ? 0 : start];
    const session = this.sessions.get(pick.folder);
    if (!session) return;
    // its place ("2 of 5") is in the diff's title
    await this.openAction(session, pick.action);
  }

  async openAction(session: FolderSession, action: Action): Promise<void> {
    const choice = openChoice(action);
    switch (choice.kind) {
      case 'diff': {
        const pos = action.kind === 'conflict' ? this.positionOf(action) : undefined;
        return this.openDiff(session, action.path, pos && pos.total > 1 ? ` · ${pos.index} of ${pos.total}` : '');
      }
      case 'local':
        await vscode.window.showTextDocument(session.localUri(action.path), { preview: true });
        return;
      case 'remote':
        await vscode.window.showTextDocument(session.remoteUri(action.path), { preview: true });
        return;
      case 'message':
        if (action.kind === 'conflict') this.askChoice(session, action, choice.text);
        else vscode.window.showInformationMessage(choice.text);
        return;
    }
  }

  async openDiff(session: FolderSession, rel: string, suffix = ''): Promise<void> {
    await vscode.commands.executeCommand('vscode.diff', session.remoteUri(rel), session.localUri(rel),
      `${displayName(rel)} (remote ↔ local)${suffix}`, { preview: false });
  }

  /** Compare with Remote for one file: a diff when the server has a file there, else a message */
  async compare(session: FolderSession, rel: string): Promise<void> {
    const entry = await session.use((live) => live.remote.stat(rel), { exclusive: false });
    const name = displayName(rel);
    if (!entry) {
      const pick = await vscode.window.showInformationMessage(
        `"${name}" does not exist on "${session.targetName}".`, 'Upload');
      if (pick) await vscode.commands.executeCommand('remoteSync.explorer.upload', session.localUri(rel));
      return;
    }
    if (entry.type === 'dir') {
      vscode.window.showInformationMessage(`"${name}" is a folder on "${session.targetName}", so there is no file to compare.`);
      return;
    }
    let localIsFile = false;
    try {
      localIsFile = (await vscode.workspace.fs.stat(session.localUri(rel))).type === vscode.FileType.File;
    } catch {
      // not here locally: show the server's copy alone
    }
    if (localIsFile) await this.openDiff(session, rel);
    else await vscode.window.showTextDocument(session.remoteUri(rel), { preview: true });
  }

  /** a conflict found on save (or a one-file run): never overwritten, offered instead */
  offer(session: FolderSession, action: Action, origin: 'save' | 'run' = 'run'): void {
    const plan: Plan = {
      mode: 'upload', local: '', remote: '', actions: [action], inSync: 0, stateOnly: [], badNames: [],
      counts: { localFiles: 0, remoteFiles: 0, stateFiles: 0, hadState: true },
    };
    this.services.store.merge(session.key, plan, [action]);
    const id = `${session.key}\0${action.path}`;
    if (this.offered.has(id)) return;
    this.offered.add(id);
    const done = () => this.offered.delete(id);
    if (openChoice(action).kind !== 'diff') {
      // deleted on one side, or a folder: "Download" could mean deleting the local file, so name the choices plainly
      this.askChoice(session, action, describeConflict(action), done);
      return;
    }
    const name = displayName(action.path);
    const text = origin === 'save'
      ? `"${name}" changed on the server since the last sync, so it was not uploaded.`
      : `"${name}" changed on both sides since the last sync; nothing was overwritten.`;
    const who = (vscode.workspace.workspaceFolders?.length ?? 0) > 1 ? `Remote Sync (${session.name})` : 'Remote Sync';
    const merge = this.merger && action.conflict === 'both-modified' ? ['Merge'] : [];
    vscode.window.showWarningMessage(`${who}: ${text}`, ...merge, 'Compare', 'Overwrite', 'Download').then((pick) => {
      done();
      const run = pick === 'Merge' ? this.merger?.(session, action.path)
        : pick === 'Compare' ? this.openAction(session, action)
        : pick === 'Overwrite' ? this.resolve(session, action.path, 'local')
        : pick === 'Download' ? this.resolve(session, action.path, 'remote') : undefined;
      run?.catch((err) => this.commands.report(pick ?? 'Conflict', err, { files: [action.path], session }));
    });
  }

  private askChoice(session: FolderSession, action: Action, text: string, done?: () => void): void {
    const who = (vscode.workspace.workspaceFolders?.length ?? 0) > 1 ? `Remote Sync (${session.name})` : 'Remote Sync';
    vscode.window.showWarningMessage(`${who}: ${text}`, 'Keep Local', 'Keep Remote', 'Skip').then((pick) => {
      done?.();
      if (!pick) return;
      const r: Resolution = pick === 'Keep Local' ? 'local' : pick === 'Keep Remote' ? 'remote' : 'skip';
      this.resolve(session, action.path, r).catch((err) => this.commands.report(pick, err, { files: [action.path], session }));
    });
  }

  /** Keep Local / Keep Remote / Skip from the editor title, a tree entry or group, or a URI */
  private async decide(arg: unknown, selected: unknown, resolution: Resolution): Promise<void> {
    const targets = this.targetsOf(arg, selected, resolution === 'skip');
    if (!targets.length) {
      vscode.window.showInformationMessage('Remote Sync: open a conflict (its diff) or select one in the Remote Sync view first.');
      return;
    }
    const hadConflict = targets.some(({ session, rel }) => this.services.store.find(session.key, rel)?.kind === 'conflict');
    for (const { session, rel } of targets) await this.resolve(session, rel, resolution);
    // one at a time (from the diff, its words, or one entry): go on with the next conflict
    if (hadConflict && targets.length === 1) {
      const [{ session, rel }] = targets;
      await this.next({ folder: session.key, path: rel });
    }
  }

  targetsOf(arg: unknown, selected: unknown, anyKind: boolean): Array<{ session: FolderSession; rel: string }> {
    const out: Array<{ session: FolderSession; rel: string }> = [];
    if (isNode(arg)) {
      for (const n of nodesOf(arg, selected)) {
        const session = this.sessions.get(n.folder);
        if (session) for (const a of this.actionsOfNode(n, anyKind)) out.push({ session, rel: a.path });
      }
      return out;
    }
    const diff = this.activeRemoteEditor();
    if (diff) return [diff];
    if (arg instanceof vscode.Uri) {
      const session = this.sessions.forUri(arg);
      const rel = parseRemoteUri(arg)?.path ?? session?.relPath(arg);
      if (session && rel !== undefined) out.push({ session, rel });
    }
    return out;
  }

  /** the entries a node stands for: conflicts only, unless skipping (any entry can be skipped) */
  private actionsOfNode(n: Node, anyKind: boolean): Action[] {
    if (n.kind === 'entry') return [n.action];
    const all = n.kind === 'group' ? n.group.actions : this.services.store.pending(n.folder);
    return anyKind ? all : all.filter((a) => a.kind === 'conflict');
  }

  async resolve(session: FolderSession, rel: string, resolution: Resolution): Promise<void> {
    const name = displayName(rel);
    if (resolution === 'skip') {
      this.services.store.remove(session.key, [rel]);
      session.log.info(`Skipped ${rel}: left as it is on both sides`);
      this.closeDiffs(session, rel);
      return;
    }
    const localUri = session.localUri(rel);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === localUri.toString());
    session.muted.add(rel);
    try {
      if (doc?.isDirty) {
        if (resolution === 'local') {
          await doc.save();
        } else {
          const discard = 'Discard Changes and Download';
          const pick = await vscode.window.showWarningMessage(`"${name}" has unsaved changes.`,
            { modal: true, detail: "Keep Remote replaces the file with the server's copy." }, discard);
          if (pick !== discard) return;
          await vscode.window.showTextDocument(doc);
          await vscode.commands.executeCommand('workbench.action.files.revert');
        }
      }
      const label = resolution === 'local' ? 'Keep Local' : 'Keep Remote';
      // Keep Local overwrites the server's copy: only the one the conflict showed (the diff's left side is
      // read once; a newer upload by someone else must be seen before it is overwritten)
      const known = this.services.store.find(session.key, rel);
      const expect = resolution === 'local' && known ? { remote: known.remote ?? null } : undefined;
      const result = await this.commands.quietly(session, label,
        (signal) => session.use((live) => live.engine.resolvePath(rel, resolution, { signal, expect })))
        .catch(async (err: unknown) => {
          if (expect && err instanceof SyncError && err.code === 'safety') await this.refresh(session, rel);
          throw err;
        });
      if (result.errors.length) {
        throw new SyncError('io', result.errors[0].message, { path: result.errors[0].path || rel });
      }
      this.remoteFs.changed(session, [rel, ...result.done.map((a) => a.path)]);
      this.services.store.remove(session.key, [rel, ...result.done.map((a) => a.path)]);
      const arrow = resolution === 'local' ? '↑' : '↓';
      session.log.info(`${label} ${rel}: ${summarize(result).line}`);
      this.services.activity.record(session.key, { label, text: `${arrow} ${name}`, detail: `${label}: ${rel}`, level: 'ok' });
      if (result.conflicts.length) this.results.present(session, label, result, { paths: [rel] });
      else this.closeDiffs(session, rel);
    } finally {
      session.muted.delete(rel);
    }
  }

  /** the server changed under a conflict: the entry and the open diff show it as it is now */
  private async refresh(session: FolderSession, rel: string): Promise<void> {
    this.remoteFs.changed(session, [rel]);
    try {
      const plan = await session.use((live) => live.engine.plan({ mode: 'sync', paths: [rel] }));
      this.services.store.merge(session.key, plan, plan.actions.filter((a) => a.path === rel));
    } catch (err) {
      session.log.warn(`Could not look at ${rel} again: ${String(err)}`);
    }
  }

  /** the remote-sync diff (or remote file) in the active editor */
  activeRemoteEditor(): { session: FolderSession; rel: string } | undefined {
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    const uri = input instanceof vscode.TabInputTextDiff ? input.original
      : input instanceof vscode.TabInputText ? input.uri : undefined;
    const ref = uri && uri.scheme === REMOTE_SCHEME ? parseRemoteUri(uri) : undefined;
    const session = ref && this.sessions.get(ref.folder);
    return session && ref ? { session, rel: ref.path } : undefined;
  }

  private updateContext(): void {
    const diff = this.activeRemoteEditor();
    const kind = diff ? diffKindOf(this.services.store.find(diff.session.key, diff.rel)) : '';
    const pending = this.services.store.conflicts().length > 0;
    const state = `${kind}|${pending}`;
    if (state === this.diffState) return;
    this.diffState = state;
    void vscode.commands.executeCommand('setContext', DIFF_CONTEXT, diff !== undefined);
    void vscode.commands.executeCommand('setContext', DIFF_KIND_CONTEXT, kind);
    void vscode.commands.executeCommand('setContext', PENDING_CONTEXT, pending);
  }

  closeDiffs(session: FolderSession, rel: string): void {
    const remote = session.remoteUri(rel).toString();
    const tabs: vscode.Tab[] = [];
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        const input = tab.input;
        const uri = input instanceof vscode.TabInputTextDiff ? input.original : input instanceof vscode.TabInputText ? input.uri : undefined;
        if (uri?.toString() === remote) tabs.push(tab);
      }
    }
    if (tabs.length) void vscode.window.tabGroups.close(tabs);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
