// "downloadOnOpen": when a file is opened, one stat of its server copy (on the warm connection) is
// checked against the last-sync state. A server change over an unchanged local copy is downloaded
// (the open editor reloads it); a change on both sides is offered, never overwritten. The editor
// never waits: it opens the local copy at once; an answer within ~300 ms is acted on silently, a
// later one only while the document is still unedited (else it is offered).
import * as vscode from 'vscode';
import { stat } from 'node:fs/promises';
import { decideOnOpen } from '../../core/status/open.js';
import { errorMessage } from '../../core/errors.js';
import type { Entry } from '../../core/types.js';
import type { Commands } from '../commands.js';
import type { ConflictUI } from '../conflicts.js';
import type { FolderSession } from '../folderSession.js';
import type { Results } from '../results.js';
import type { Sessions } from '../sessions.js';
import { displayName } from '../uriMap.js';
import { dirtyUnder } from '../dirtyDocs.js';

/** how long an answer counts as "at once" */
export const OPEN_CHECK_QUICK_MS = 300;

export class DownloadOnOpen implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  /** files being checked (an open fires more than once for one file) */
  private readonly checking = new Set<string>();

  constructor(private readonly sessions: Sessions, private readonly commands: Commands, private readonly conflicts: ConflictUI, private readonly results: Results) {
    this.disposables.push(vscode.workspace.onDidOpenTextDocument((doc) => void this.opened(doc)));
  }

  private async opened(doc: vscode.TextDocument): Promise<void> {
    if (doc.uri.scheme !== 'file') return;
    const session = this.sessions.forUri(doc.uri);
    if (!session?.config?.downloadOnOpen) return;
    const rel = session.relPath(doc.uri);
    if (!rel || session.muted.has(rel)) return;
    const key = `${session.key}\0${rel}`;
    if (this.checking.has(key)) return;
    this.checking.add(key);
    const started = Date.now();
    try {
      const local = await localEntry(doc.uri.fsPath, rel);
      const answer = await session.use(async (live) => {
        if (live.engine.excludedBy(rel, 'file')) return undefined;
        return { remote: await live.engine.statRemote(rel), state: live.engine.lastSync(rel) };
      }, { exclusive: false });
      if (!answer) return;
      const ms = Date.now() - started;
      const decision = decideOnOpen(local, answer.remote, answer.state);
      session.log.info(`Download on open: ${rel}: ${decision} (server checked in ${ms} ms)`);
      const late = ms > OPEN_CHECK_QUICK_MS;
      if (decision === 'download') {
        if (doc.isDirty || (late && doc.version > 1)) this.offer(session, rel, `"${displayName(rel)}" changed on the server since the last sync, and you have started editing it.`);
        else await this.download(session, rel);
      } else if (decision === 'conflict') {
        this.offer(session, rel, `"${displayName(rel)}" changed on the server and here since the last sync; nothing was overwritten.`);
      } else if (decision === 'deleted') {
        vscode.window.showWarningMessage(`Remote Sync: "${displayName(rel)}" was deleted on the server "${session.targetName}" since the last sync; the local copy is unchanged.`);
      }
    } catch (err) {
      // an open must not fail because the server could not be asked: log it, no dialog
      session.log.warn(`Download on open: could not check ${rel} on the server: ${errorMessage(err)}`);
    } finally {
      this.checking.delete(key);
    }
  }

  private async download(session: FolderSession, rel: string): Promise<void> {
    const result = await session.use((live) => {
      // the download may have waited behind a sync: edits begun meanwhile are never replaced under the editor
      if (dirtyUnder(session, [rel]).length) return Promise.resolve(undefined);
      return live.engine.run({ mode: 'download', paths: [rel], resolve: 'skip' });
    });
    if (!result) {
      this.offer(session, rel, `"${displayName(rel)}" changed on the server since the last sync, and you have started editing it.`);
      return;
    }
    this.results.present(session, `Download on open ${displayName(rel)}`, result, { paths: [rel] });
    if (result.done.some((a) => a.path === rel)) vscode.window.setStatusBarMessage(`Remote Sync: ${displayName(rel)} updated from the server`, 5000);
  }

  private offer(session: FolderSession, rel: string, text: string): void {
    vscode.window.showWarningMessage(`Remote Sync: ${text}`, 'Compare', 'Download').then((pick) => {
      const run = pick === 'Compare' ? this.conflicts.openDiff(session, rel)
        : pick === 'Download' ? this.conflicts.resolve(session, rel, 'remote') : undefined;
      run?.catch((err) => this.commands.report(pick ?? 'Download', err, { files: [rel], session }));
    });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

async function localEntry(fsPath: string, rel: string): Promise<Entry | undefined> {
  try {
    const s = await stat(fsPath);
    return { path: rel, type: s.isDirectory() ? 'dir' : 'file', size: s.size, mtime: Math.floor(s.mtimeMs) };
  } catch {
    return undefined;
  }
}
