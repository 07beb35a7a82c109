// Files changed outside the editor (issue 8 item 5): "watch": { "files": ["dist/**"], "upload": true,
// "delete": false } watches those patterns below the local root; a burst of events (a build, a git
// checkout) is coalesced into one batch and uploaded through the same path as a save (one stat each,
// never over a server change: those become conflicts), with the usual progress. Deletions only with
// "delete": true, and a batch over maxDelete stops with the same safety message as a sync.
// Also "Sync: Upload Changed Files": exactly what the state says changed locally since the last sync.
import * as vscode from 'vscode';
import { WatchBatch, decideWatchBatch, changedLocally } from '../../core/watch/batch.js';
import type { Commands } from '../commands.js';
import type { ConflictUI } from '../conflicts.js';
import type { FolderSession, Services } from '../folderSession.js';
import type { Results } from '../results.js';
import type { Sessions } from '../sessions.js';
import { plural } from '../statusText.js';

/** quiet time after the last event before a batch goes */
export const WATCH_SETTLE_MS = 400;

interface Watching {
  config: string;
  watchers: vscode.Disposable[];
  batch: WatchBatch;
  timer?: ReturnType<typeof setTimeout>;
  running?: Promise<void>;
}

export class FileWatch implements vscode.Disposable {
  private readonly folders = new Map<string, Watching>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly sessions: Sessions,
    private readonly services: Services,
    private readonly commands: Commands,
    private readonly conflicts: ConflictUI,
    private readonly results: Results,
  ) {
    commands.register('remoteSync.uploadChanged', 'Upload Changed Files', async (uri?: vscode.Uri) => {
      const picked = await sessions.pickMany(uri instanceof vscode.Uri ? uri : undefined, 'Upload changed files: which folder?');
      for (const s of picked ?? []) await this.uploadChanged(s);
    });
    this.disposables.push(sessions.onDidChange(() => this.update()));
    this.update();
  }

  /** (re)create the watchers of every folder whose "watch" setting changed */
  private update(): void {
    const live = new Set<string>();
    for (const s of this.sessions.all()) {
      const w = s.config?.watch;
      const key = w ? JSON.stringify([s.config!.localRoot, w]) : '';
      const old = this.folders.get(s.key);
      if (old && old.config === key) { live.add(s.key); continue; }
      if (old) this.stop(s.key);
      if (!w) continue;
      const root = vscode.Uri.file(s.config!.localRoot);
      const watching: Watching = { config: key, watchers: [], batch: new WatchBatch() };
      for (const pattern of w.files) {
        const fsw = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(root, pattern));
        watching.watchers.push(fsw,
          fsw.onDidCreate((u) => this.event(s, u, 'changed')),
          fsw.onDidChange((u) => this.event(s, u, 'changed')),
          fsw.onDidDelete((u) => this.event(s, u, 'deleted')));
      }
      this.folders.set(s.key, watching);
      live.add(s.key);
      s.log.info(`Watching ${w.files.join(', ')} for changes made outside the editor (upload ${w.upload ? 'on' : 'off'}, delete ${w.delete ? 'on' : 'off'})`);
    }
    for (const k of [...this.folders.keys()]) if (!live.has(k)) this.stop(k);
  }

  private stop(key: string): void {
    const w = this.folders.get(key);
    if (!w) return;
    if (w.timer) clearTimeout(w.timer);
    for (const d of w.watchers) d.dispose();
    this.folders.delete(key);
  }

  private event(session: FolderSession, uri: vscode.Uri, kind: 'changed' | 'deleted'): void {
    const w = this.folders.get(session.key);
    const rel = session.relPath(uri);
    if (!w || !rel || session.muted.has(rel)) return;
    // a file saved in the editor is uploaded by upload on save already
    if (kind === 'changed' && session.uploadOnSave && vscode.workspace.textDocuments.some((d) => d.uri.fsPath === uri.fsPath)) return;
    w.batch.add(rel, kind);
    if (w.timer) clearTimeout(w.timer);
    w.timer = setTimeout(() => { w.timer = undefined; void this.flush(session, w); }, WATCH_SETTLE_MS);
  }

  private async flush(session: FolderSession, w: Watching): Promise<void> {
    if (w.running) { await w.running; if (w.batch.size && !w.timer) return this.flush(session, w); return; }
    if (!w.batch.size) return;
    const run = this.runBatch(session, w).catch((err) => this.commands.report('Upload changed files', err, { session }));
    w.running = run.finally(() => { w.running = undefined; });
    await w.running;
    if (w.batch.size && !w.timer) await this.flush(session, w);
  }

  private async runBatch(session: FolderSession, w: Watching): Promise<void> {
    const watch = session.config?.watch;
    const batch = w.batch.take();
    if (!watch) return;
    const config = session.requireConfig();
    // files only; a created folder is walked: the file watcher may report the folder alone when
    // a build writes it and its files at once (its files then come with no event of their own)
    const found = new Set<string>();
    for (const p of batch.changed) {
      try {
        const type = (await vscode.workspace.fs.stat(session.localUri(p))).type;
        if (type & vscode.FileType.File) found.add(p);
        else if (type & vscode.FileType.Directory) for (const f of await filesBelow(session, p)) found.add(f);
      } catch { /* gone again */ }
    }
    const changed = [...found];
    const syncedFiles = await session.use((live) => Promise.resolve(live.engine.syncedFiles()), { exclusive: false });
    const decision = decideWatchBatch({ changed, deleted: batch.deleted }, {
      upload: watch.upload, delete: watch.delete, maxDelete: config.maxDelete, syncedFiles, where: session.targetName ?? '',
    });
    if (decision.notDeleted) session.log.info(`Watch: ${decision.notDeleted}`);
    const label = `Upload ${plural(decision.upload.length + decision.delete.length, 'changed file')}`;
    if (decision.upload.length) {
      const outcomes = await this.commands.withProgress(session, `${label} → ${session.targetName}`, (signal) =>
        session.use((live) => live.engine.saveFiles(decision.upload, { signal })));
      let uploaded = 0;
      const conflicts: string[] = [];
      for (const [path, o] of outcomes) {
        if (o.status === 'uploaded') uploaded++;
        else if (o.status === 'conflict') { conflicts.push(path); if (conflicts.length <= 3) this.conflicts.offer(session, o.action, 'save'); }
        else if (o.status === 'error') session.log.error(`Watch: upload ${path}: ${o.message}`);
      }
      const errors = [...outcomes.values()].filter((o) => o.status === 'error').length;
      const text = `${uploaded ? `↑${uploaded}` : 'nothing to upload'}${conflicts.length ? ` · ${plural(conflicts.length, 'conflict')}` : ''}${errors ? ` · ${plural(errors, 'error')}` : ''}`;
      session.log.info(`Watch: uploaded ${uploaded} of ${decision.upload.length} changed files${conflicts.length ? `; conflicts (not overwritten): ${conflicts.join(', ')}` : ''}`);
      this.services.activity.record(session.key, { label: 'Watch', text, detail: `Files changed outside the editor: ${text}`, level: errors ? 'error' : conflicts.length ? 'warning' : 'ok' });
      if (errors) vscode.window.showErrorMessage(`Remote Sync: ${plural(errors, 'changed file')} could not be uploaded; see the log.`, 'Show Log').then((p) => { if (p) this.services.log.show(); });
    }
    if (decision.delete.length) {
      // the limit was checked above against every synced file; the run re-checks each deletion against the state
      const result = await this.commands.withProgress(session, `Delete ${plural(decision.delete.length, 'file')} → ${session.targetName}`, (signal, onProgress) =>
        session.use((live) => live.engine.run({ mode: 'upload', paths: decision.delete, delete: true, resolve: 'skip', maxDelete: decision.delete.length, signal, onProgress })));
      this.results.present(session, 'Watch: delete', result, { paths: decision.delete });
    }
  }

  private async uploadChanged(session: FolderSession): Promise<void> {
    const config = session.requireConfig();
    const result = await this.commands.withProgress(session, `Upload Changed Files → ${session.targetName}`, (signal, onProgress) =>
      session.use(async (live) => {
        const plan = changedLocally(await live.engine.plan({ mode: 'upload', delete: config.deletePropagation, maxDelete: config.maxDelete, signal }));
        if (!plan.actions.length) return undefined;
        return live.engine.execute(plan, { maxDelete: config.maxDelete, concurrency: config.concurrency, signal, onProgress });
      }));
    if (!result) {
      vscode.window.showInformationMessage(`Remote Sync: nothing changed locally since the last sync with "${session.targetName}".`);
      return;
    }
    this.results.present(session, 'Upload Changed Files', result, { notify: true });
  }

  dispose(): void {
    for (const k of [...this.folders.keys()]) this.stop(k);
    for (const d of this.disposables) d.dispose();
  }
}

/** the files below a folder of the workspace (links not followed), at most `limit` */
async function filesBelow(session: FolderSession, dir: string, limit = 20_000): Promise<string[]> {
  const out: string[] = [];
  const queue = [dir];
  while (queue.length && out.length < limit) {
    const d = queue.shift()!;
    let entries: [string, vscode.FileType][];
    try { entries = await vscode.workspace.fs.readDirectory(session.localUri(d)); } catch { continue; }
    for (const [name, type] of entries) {
      if (type & vscode.FileType.SymbolicLink) continue;
      const rel = `${d}/${name}`;
      if (type & vscode.FileType.Directory) queue.push(rel);
      else if (type & vscode.FileType.File) out.push(rel);
    }
  }
  return out;
}
