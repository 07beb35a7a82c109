// Sync status on every file, like git's letters: in the Explorer (local files) and in the server
// explorer (remote-sync: URIs). One map lookup per file from the StatusModel; nothing at paint time.
import * as vscode from 'vscode';
import { STATUS_BADGE, type SyncStatus } from '../../core/status/status.js';
import type { Sessions } from '../sessions.js';
import type { StatusModel } from './statusModel.js';
import { parseRemoteUri } from '../uriMap.js';

const COLORS: Partial<Record<SyncStatus, string>> = {
  'local-changed': 'gitDecoration.modifiedResourceForeground',
  'server-changed': 'gitDecoration.stageModifiedResourceForeground',
  'conflict': 'gitDecoration.conflictingResourceForeground',
  'local-only': 'gitDecoration.untrackedResourceForeground',
  'server-only': 'gitDecoration.addedResourceForeground',
  'excluded': 'gitDecoration.ignoredResourceForeground',
};

export class SyncDecorations implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri[]>();
  readonly onDidChangeFileDecorations = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [this.emitter];

  constructor(private readonly sessions: Sessions, private readonly model: StatusModel) {
    this.disposables.push(vscode.window.registerFileDecorationProvider(this));
    this.disposables.push(model.onDidChange(({ session, paths }) => {
      if (!session.config) return;
      this.emitter.fire(paths.flatMap((p) => [session.localUri(p), session.remoteUri(p)]));
    }));
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    const ref = parseRemoteUri(uri);
    const session = ref ? this.sessions.get(ref.folder) : this.sessions.forUri(uri);
    if (!session) return undefined;
    const rel = ref ? ref.path : session.relPath(uri);
    if (!rel) return undefined;
    const status = this.model.get(session, rel);
    if (!status || status === 'in-sync') return undefined;
    const badge = STATUS_BADGE[status];
    const color = COLORS[status];
    return {
      badge: badge.letter,
      tooltip: `Remote Sync: ${badge.text}`,
      color: color ? new vscode.ThemeColor(color) : undefined,
      propagate: false,
    };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
