// What the extension knows of every path's sync status, per workspace folder: filled from the server
// explorer's listings (the server side), the plan of the last preview or sync (pending actions), and
// local file events checked against the last-sync state. Decorations read it with one map lookup:
// nothing is computed at paint time.
import * as vscode from 'vscode';
import { stat } from 'node:fs/promises';
import { pathStatus, withFolders, type SyncStatus } from '../../core/status/status.js';
import type { FolderItem } from '../../core/status/folder.js';
import type { Action, Entry } from '../../core/types.js';
import type { FolderSession } from '../folderSession.js';
import type { Sessions } from '../sessions.js';
import type { PlanStore } from '../planStore.js';
import type { RemoteFileSystem } from '../remoteFs.js';
import { parseRemoteUri } from '../uriMap.js';

/** the status a pending plan action stands for */
export function statusOfAction(a: Action): SyncStatus | undefined {
  switch (a.kind) {
    case 'upload': case 'mkdir-remote': case 'delete-remote': return 'local-changed';
    case 'download': case 'mkdir-local': case 'delete-local': return 'server-changed';
    case 'conflict': return 'conflict';
    default: return undefined;
  }
}

interface FolderStatus {
  /** from listings and file events: path → status */
  listed: Map<string, SyncStatus>;
  /** the server's entries as last listed (for a local event to be classified against) */
  remote: Map<string, Entry | null>;
  /** from the plan store (pending actions of a preview or of the last sync's conflicts) */
  planned: Map<string, SyncStatus>;
  /** from the last check of the server (server watch) */
  watched: Map<string, SyncStatus>;
  /** both, rolled up to the folders */
  all: Map<string, SyncStatus>;
}

export class StatusModel implements vscode.Disposable {
  private readonly folders = new Map<string, FolderStatus>();
  private readonly emitter = new vscode.EventEmitter<{ session: FolderSession; paths: string[] }>();
  /** the statuses of these paths (and their folders) changed */
  readonly onDidChange = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [this.emitter];

  constructor(private readonly sessions: Sessions, private readonly store: PlanStore, remoteFs: RemoteFileSystem) {
    this.disposables.push(store.onChange(() => this.fromPlans()));
    // a transfer ran (save, sync, conflict decision): the server now holds what the state recorded
    this.disposables.push(remoteFs.onDidChangeFile((events) => {
      for (const e of events) {
        const ref = parseRemoteUri(e.uri);
        const session = ref && this.sessions.get(ref.folder);
        if (session && ref) void this.transferred(session, ref.path);
      }
    }));
    const watcher = vscode.workspace.createFileSystemWatcher('**/*', false, false, false);
    const onLocal = (uri: vscode.Uri) => void this.localEvent(uri);
    this.disposables.push(watcher, watcher.onDidCreate(onLocal), watcher.onDidChange(onLocal), watcher.onDidDelete(onLocal));
  }

  private folder(key: string): FolderStatus {
    let f = this.folders.get(key);
    if (!f) this.folders.set(key, f = { listed: new Map(), remote: new Map(), planned: new Map(), watched: new Map(), all: new Map() });
    return f;
  }

  /** one map lookup (the decorations' paint path) */
  get(session: FolderSession, path: string): SyncStatus | undefined {
    return this.folders.get(session.key)?.all.get(path);
  }

  /** a folder was listed: its children's statuses replace what was known of them */
  listed(session: FolderSession, dir: string, items: FolderItem[]): void {
    const f = this.folder(session.key);
    const prefix = dir === '' ? '' : dir + '/';
    const changed: string[] = [];
    // children that are gone from the listing (deleted on both sides) lose their status
    for (const p of [...f.listed.keys()]) {
      if (p.startsWith(prefix) && !p.slice(prefix.length).includes('/') && !items.some((i) => i.path === p)) {
        f.listed.delete(p);
        f.remote.delete(p);
        changed.push(p);
      }
    }
    for (const i of items) {
      f.listed.set(i.path, i.status);
      f.remote.set(i.path, i.remote ?? null);
      changed.push(i.path);
    }
    this.update(session, f, changed);
  }

  /** forget what is known below a path (a refresh, a delete) */
  forget(session: FolderSession, path = ''): void {
    const f = this.folders.get(session.key);
    if (!f) return;
    const changed: string[] = [];
    for (const p of [...f.listed.keys()]) {
      if (path === '' || p === path || p.startsWith(path + '/')) { f.listed.delete(p); f.remote.delete(p); changed.push(p); }
    }
    this.update(session, f, changed);
  }

  /** a check of the server found these actions (its plan): they replace the last check's */
  checked(session: FolderSession, actions: Action[]): void {
    const f = this.folder(session.key);
    const next = new Map<string, SyncStatus>();
    for (const a of actions) {
      const s = statusOfAction(a);
      if (s) next.set(a.path, s);
    }
    const changed = [...new Set([...f.watched.keys(), ...next.keys()])].filter((p) => f.watched.get(p) !== next.get(p));
    f.watched = next;
    if (changed.length) this.update(session, f, changed);
  }

  private fromPlans(): void {
    for (const session of this.sessions.all()) {
      const f = this.folder(session.key);
      const next = new Map<string, SyncStatus>();
      for (const a of this.store.pending(session.key)) {
        const s = statusOfAction(a);
        if (s) next.set(a.path, s);
      }
      const changed = [...new Set([...f.planned.keys(), ...next.keys()])].filter((p) => f.planned.get(p) !== next.get(p));
      f.planned = next;
      if (changed.length) this.update(session, f, changed);
    }
  }

  /** a local file changed (a save, a build, a checkout): classify it against the state, when connected (no server call) */
  private async localEvent(uri: vscode.Uri): Promise<void> {
    const session = this.sessions.forUri(uri);
    const rel = session?.relPath(uri);
    if (!session || !rel) return;
    const f = this.folders.get(session.key);
    if (!f || !f.remote.has(rel)) return; // never listed: nothing shown, nothing to update
    const local = await localEntry(uri, rel);
    const status = await session.ifConnected((live) => pathStatus({
      local, remote: f.remote.get(rel) ?? undefined, state: live.engine.lastSync(rel), hasState: true,
      excluded: live.engine.excludedBy(rel, local?.type ?? 'file') !== undefined,
    }));
    if (status === undefined) f.listed.delete(rel);
    else f.listed.set(rel, status);
    this.update(session, f, [rel]);
  }

  private async transferred(session: FolderSession, rel: string): Promise<void> {
    const f = this.folders.get(session.key);
    if (f?.watched.delete(rel)) this.update(session, f, [rel]);
    if (!f || !f.remote.has(rel)) return;
    const state = await session.ifConnected((live) => live.engine.lastSync(rel));
    f.remote.set(rel, state ? { path: rel, type: state.type, size: state.remote.size, mtime: state.remote.mtime } : null);
    await this.localEvent(session.localUri(rel));
  }

  private update(session: FolderSession, f: FolderStatus, changed: string[]): void {
    const files = new Map(f.listed);
    for (const [p, s] of f.watched) files.set(p, s);
    for (const [p, s] of f.planned) files.set(p, s);
    const before = f.all;
    f.all = withFolders(files);
    // folders whose roll-up changed are repainted too
    const paths = new Set(changed);
    for (const p of changed) for (let i = p.lastIndexOf('/'); i > 0; i = p.lastIndexOf('/', i - 1)) paths.add(p.slice(0, i));
    const fired = [...paths].filter((p) => before.get(p) !== f.all.get(p));
    if (fired.length) this.emitter.fire({ session, paths: fired });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** as the engine's local target reports it (the same rounding, so it compares with the state) */
async function localEntry(uri: vscode.Uri, rel: string): Promise<Entry | undefined> {
  try {
    const s = await stat(uri.fsPath);
    return { path: rel, type: s.isDirectory() ? 'dir' : 'file', size: s.isDirectory() ? 0 : s.size, mtime: Math.floor(s.mtimeMs) };
  } catch {
    return undefined;
  }
}
