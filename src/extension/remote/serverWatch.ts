// Server changes announced (issue 8 item 3): "watchServer" checks the server every intervalSeconds
// (less often while the window is in the background, and after errors), and "Sync: Check Server for
// Changes" checks now. A check lists the server on the warm connection and compares it with the
// last-sync state (core/status/server-check.ts): nothing is transferred by it. What it found shows as ⇣N in the status bar and as letters on the files; when the
// open editor's file changed on the server, a message says so at once. "downloadServerChanges":
// auto downloads what changed only on the server (a local change is a conflict, never overwritten),
// ask offers it, off only shows it.
import * as vscode from 'vscode';
import { downloadablePaths, nextCheckDelay, serverChanges, type ServerChanges } from '../../core/status/server-watch.js';
import { errorMessage } from '../../core/errors.js';
import type { Action } from '../../core/types.js';
import type { Commands } from '../commands.js';
import type { ConflictUI } from '../conflicts.js';
import type { FolderSession } from '../folderSession.js';
import type { RemoteFileSystem } from '../remoteFs.js';
import type { Results } from '../results.js';
import type { Sessions } from '../sessions.js';
import { displayName, parseRemoteUri } from '../uriMap.js';
import { dirtyUnder } from '../dirtyDocs.js';
import { plural } from '../statusText.js';
import type { StatusModel } from './statusModel.js';

interface Watched {
  timer?: ReturnType<typeof setTimeout>;
  errors: number;
  running?: Promise<ServerChanges | undefined>;
  changes?: ServerChanges;
  /** the count last offered for download ("ask"): not asked again until it changes */
  asked?: number;
}

export class ServerWatch implements vscode.Disposable {
  private readonly folders = new Map<string, Watched>();
  /** editor files announced, with the server version announced (announced once per version) */
  private readonly announced = new Map<string, string>();
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly sessions: Sessions,
    private readonly commands: Commands,
    private readonly conflicts: ConflictUI,
    private readonly results: Results,
    private readonly model: StatusModel,
    remoteFs: RemoteFileSystem,
  ) {
    this.item = vscode.window.createStatusBarItem('remoteSync.serverChanges', vscode.StatusBarAlignment.Left, 49);
    this.item.name = 'Remote Sync: server changes';
    this.item.command = 'remoteSync.preview';
    this.disposables.push(this.item);
    commands.register('remoteSync.checkServer', 'Check Server for Changes', async (uri?: vscode.Uri) => {
      const picked = await sessions.pickMany(uri instanceof vscode.Uri ? uri : undefined, 'Check which folder\'s server?');
      for (const s of picked ?? []) await this.check(s, true);
    });
    this.disposables.push(
      sessions.onDidChange(() => this.scheduleAll()),
      vscode.window.onDidChangeWindowState((w) => { if (w.focused) this.scheduleAll(); }),
      vscode.window.onDidChangeActiveTextEditor(() => this.announceActive()),
      // a transfer ran: those paths are no longer server changes
      remoteFs.onDidChangeFile((events) => {
        for (const e of events) {
          const ref = parseRemoteUri(e.uri);
          const w = ref && this.folders.get(ref.folder);
          if (!ref || !w?.changes) continue;
          const keep = (a: Action) => a.path !== ref.path;
          w.changes = serverChanges([...w.changes.serverOnly.filter(keep), ...w.changes.conflicts.filter(keep)]);
        }
        this.render();
      }),
    );
    this.scheduleAll();
  }

  private watched(session: FolderSession): Watched {
    let w = this.folders.get(session.key);
    if (!w) this.folders.set(session.key, w = { errors: 0 });
    return w;
  }

  private scheduleAll(): void {
    for (const s of this.sessions.all()) this.schedule(s);
    this.render();
  }

  /** (re)arm the timer of a folder: only with "watchServer" in its config */
  private schedule(session: FolderSession): void {
    const w = this.watched(session);
    if (w.timer) clearTimeout(w.timer);
    w.timer = undefined;
    const interval = session.config?.watchServer?.intervalSeconds;
    if (!interval) { w.changes = undefined; return; }
    const delay = nextCheckDelay(interval, { focused: vscode.window.state.focused, errors: w.errors });
    w.timer = setTimeout(() => {
      w.timer = undefined;
      void this.check(session, false).finally(() => this.schedule(session));
    }, delay);
  }

  /** one check of the server; `manual`: the command (says "no changes", shows errors) */
  async check(session: FolderSession, manual: boolean): Promise<ServerChanges | undefined> {
    const w = this.watched(session);
    if (w.running) return w.running;
    const run = async (): Promise<ServerChanges | undefined> => {
      const started = Date.now();
      try {
        session.requireConfig();
        const checked = await session.use((live) => live.engine.checkServer(), { exclusive: false });
        const changes = serverChanges(checked.actions);
        w.errors = 0;
        w.changes = changes;
        session.log.info(`Server check: ${plural(changes.count, 'change')} on "${session.targetName}" (${checked.remoteFiles} files listed in ${Date.now() - started} ms)`);
        this.model.checked(session, [...changes.serverOnly, ...changes.conflicts]);
        this.render();
        this.announceActive();
        if (manual && changes.count === 0) vscode.window.showInformationMessage(`Remote Sync: nothing changed on "${session.targetName}" since the last sync.`);
        await this.followUp(session, w, changes, manual);
        return changes;
      } catch (err) {
        w.errors++;
        session.log.warn(`Server check failed (${w.errors} in a row; checking less often): ${errorMessage(err)}`);
        if (manual) throw err;
        return undefined;
      }
    };
    w.running = run().finally(() => { w.running = undefined; });
    return w.running;
  }

  /** "downloadServerChanges": auto downloads (the classifier again: never over a local change), ask offers once per count */
  private async followUp(session: FolderSession, w: Watched, changes: ServerChanges, manual: boolean): Promise<void> {
    const paths = downloadablePaths(changes);
    const mode = session.config?.downloadServerChanges ?? 'off';
    if (!paths.length || mode === 'off') return;
    if (mode === 'ask') {
      if (!manual && w.asked === paths.length) return;
      w.asked = paths.length;
      const pick = await vscode.window.showInformationMessage(
        `Remote Sync: ${plural(paths.length, 'file')} changed on "${session.targetName}" since the last sync.`, 'Download', 'Preview');
      if (pick === 'Preview') { await vscode.commands.executeCommand('remoteSync.preview', session.folder.uri); return; }
      if (pick !== 'Download') return;
    }
    const label = 'Download server changes';
    try {
      await this.download(session, paths, label);
    } catch (err) {
      // the check itself worked: a failed download is the download's error. Asked for (the button, the
      // command): shown with "Show Log"; automatic: in the log, as the next check tries again
      if (mode === 'ask' || manual) this.commands.report(label, err, { files: paths, session });
      else session.log.warn(`${label} failed: ${errorMessage(err)}`);
    }
  }

  private async download(session: FolderSession, all: string[], label: string): Promise<void> {
    // a file open with unsaved changes is not replaced under its editor: it stays a server change (⇣), announced
    const dirty = new Set(dirtyUnder(session, all));
    const paths = all.filter((p) => !dirty.has(p));
    if (dirty.size) session.log.info(`${label}: not downloaded, unsaved changes in the editor: ${[...dirty].join(', ')}`);
    if (!paths.length) return;
    const result = await session.use((live) => live.engine.run({ mode: 'download', paths, resolve: 'skip' }));
    this.results.present(session, label, result, { paths });
  }

  /** the open editor's file changed on the server: say so before it is edited further */
  private announceActive(): void {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || doc.uri.scheme !== 'file') return;
    const session = this.sessions.forUri(doc.uri);
    const rel = session?.relPath(doc.uri);
    const changes = session && this.folders.get(session.key)?.changes;
    if (!session || !rel || !changes) return;
    const action = [...changes.serverOnly, ...changes.conflicts].find((a) => a.path === rel && a.type === 'file');
    if (!action) return;
    const id = `${session.key}\0${rel}`;
    const version = `${action.kind}:${action.remote?.size}:${action.remote?.mtime}`;
    if (this.announced.get(id) === version) return;
    this.announced.set(id, version);
    const name = displayName(rel);
    const text = action.kind === 'conflict' ? `${name} changed on the server and here since the last sync`
      : action.kind === 'delete-local' ? `${name} was deleted on the server` : `${name} changed on the server`;
    const canDownload = action.kind === 'download';
    const buttons = canDownload ? ['Compare', 'Download'] : action.remote ? ['Compare'] : [];
    vscode.window.showWarningMessage(`Remote Sync: ${text} — ${canDownload ? 'Compare / Download' : action.remote ? 'Compare' : 'the local copy is unchanged'}`, ...buttons).then((pick) => {
      const run = pick === 'Compare' ? this.conflicts.openDiff(session, rel)
        // the classifier again: a local edit since is held back, never overwritten
        : pick === 'Download' ? (doc.isDirty ? this.conflicts.openDiff(session, rel) : this.download(session, [rel], `Download ${name}`)) : undefined;
      run?.catch((err) => this.commands.report(pick ?? 'Download', err, { files: [rel], session }));
    });
  }

  private render(): void {
    let total = 0;
    const lines: string[] = [];
    for (const s of this.sessions.all()) {
      const c = this.folders.get(s.key)?.changes;
      if (!c?.count) continue;
      total += c.count;
      lines.push(`${plural(c.count, 'change')} on "${s.targetName}"${this.sessions.configured().length > 1 ? ` (${s.name})` : ''}${c.conflicts.length ? `, ${plural(c.conflicts.length, 'conflict')}` : ''}`);
    }
    if (!total) { this.item.hide(); return; }
    this.item.text = `⇣${total}`;
    this.item.tooltip = `Remote Sync: changed on the server since the last sync: ${lines.join('; ')}. Click for the preview.`;
    this.item.show();
  }

  dispose(): void {
    for (const w of this.folders.values()) if (w.timer) clearTimeout(w.timer);
    for (const d of this.disposables) d.dispose();
  }
}
