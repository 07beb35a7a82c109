// Words above a Remote Sync diff: a CodeLens on line 1 of both sides — "Conflict 2 of 5 — changed on
// both sides   Keep Local | Keep Remote | Skip" (or "Planned download — …   Apply | Skip" for a
// preview entry), like VS Code's merge-conflict decorations, so a first-time user sees words, not
// only the editor-title icons.
import * as vscode from 'vscode';
import type { Action } from '../../core/types.js';
import type { FolderSession, Services } from '../folderSession.js';
import type { Sessions } from '../sessions.js';
import { REMOTE_SCHEME, parseRemoteUri } from '../uriMap.js';
import { choicesFor, diffKindOf, headline } from './actions.js';

export class DiffLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [this.emitter];

  constructor(
    private readonly sessions: Sessions,
    private readonly services: Services,
    private readonly position: (session: FolderSession, entry: Action) => { index: number; total: number },
  ) {
    const refresh = () => this.emitter.fire();
    this.disposables.push(
      vscode.languages.registerCodeLensProvider([{ scheme: REMOTE_SCHEME }, { scheme: 'file' }, { scheme: 'vscode-remote' }], this),
      services.store.onChange(refresh),
      vscode.window.tabGroups.onDidChangeTabs(refresh),
    );
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const ref = this.refOf(doc.uri);
    if (!ref) return [];
    const { session, rel } = ref;
    const entry = this.services.store.find(session.key, rel);
    const kind = diffKindOf(entry);
    const range = new vscode.Range(0, 0, 0, 0);
    const pos = entry?.kind === 'conflict' ? this.position(session, entry) : undefined;
    const lenses = [new vscode.CodeLens(range, { title: headline(entry, pos), command: '' })];
    const arg = session.remoteUri(rel);
    for (const c of choicesFor(kind)) lenses.push(new vscode.CodeLens(range, { title: c.title, tooltip: c.tooltip, command: c.command, arguments: [arg] }));
    return lenses;
  }

  /** the folder and path of a document that is one side of an open Remote Sync diff */
  private refOf(uri: vscode.Uri): { session: FolderSession; rel: string } | undefined {
    if (uri.scheme === REMOTE_SCHEME) {
      const ref = parseRemoteUri(uri);
      const session = ref && this.sessions.get(ref.folder);
      return session && ref ? { session, rel: ref.path } : undefined;
    }
    const session = this.sessions.forUri(uri);
    const rel = session?.relPath(uri);
    if (!session || rel === undefined || rel === '') return undefined;
    const remote = session.remoteUri(rel).toString();
    const inDiff = vscode.window.tabGroups.all.some((g) => g.tabs.some((t) =>
      t.input instanceof vscode.TabInputTextDiff && t.input.original.toString() === remote && t.input.modified.toString() === uri.toString()));
    return inDiff ? { session, rel } : undefined;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
