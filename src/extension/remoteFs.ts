// The remote side of a file, read-only, under the `remote-sync` scheme: the left side of every diff.
// Content comes from the engine's readRemote (streamed from the server); stat from the target.
import * as vscode from 'vscode';
import { SyncError } from '../core/errors.js';
import type { FolderSession } from './folderSession.js';
import type { Sessions } from './sessions.js';
import { REMOTE_SCHEME, parseRemoteUri } from './uriMap.js';

export class RemoteFileSystem implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;
  private readonly registration: vscode.Disposable;

  constructor(private readonly sessions: Sessions) {
    this.registration = vscode.workspace.registerFileSystemProvider(REMOTE_SCHEME, this, { isReadonly: true, isCaseSensitive: true });
  }

  /** the remote side of these paths changed (a transfer ran): open diffs re-read it */
  changed(session: FolderSession, paths: Iterable<string>): void {
    const events: vscode.FileChangeEvent[] = [];
    for (const p of paths) events.push({ type: vscode.FileChangeType.Changed, uri: session.remoteUri(p) });
    if (events.length) this.emitter.fire(events);
  }

  private resolve(uri: vscode.Uri): { session: FolderSession; path: string } {
    const ref = parseRemoteUri(uri);
    const session = ref && this.sessions.get(ref.folder);
    if (!ref || !session) throw vscode.FileSystemError.FileNotFound(uri);
    if (session.targetName !== ref.target) {
      throw vscode.FileSystemError.Unavailable(`The target "${ref.target}" is no longer selected for ${session.name}`);
    }
    return { session, path: ref.path };
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const { session, path } = this.resolve(uri);
    const entry = await this.call(uri, () => session.use((live) => live.remote.stat(path), { exclusive: false }));
    if (!entry) throw vscode.FileSystemError.FileNotFound(uri);
    return {
      type: entry.type === 'dir' ? vscode.FileType.Directory : vscode.FileType.File,
      ctime: entry.mtime,
      mtime: entry.mtime,
      size: entry.size,
      permissions: vscode.FilePermission.Readonly,
    };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const { session, path } = this.resolve(uri);
    return this.call(uri, () => session.use(async (live) => {
      const stream = await live.engine.readRemote(path);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      return Buffer.concat(chunks);
    }, { exclusive: false }));
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  createDirectory(uri: vscode.Uri): never { throw this.readOnly(uri); }
  writeFile(uri: vscode.Uri): never { throw this.readOnly(uri); }
  delete(uri: vscode.Uri): never { throw this.readOnly(uri); }
  rename(uri: vscode.Uri): never { throw this.readOnly(uri); }

  private readOnly(uri: vscode.Uri): vscode.FileSystemError {
    return vscode.FileSystemError.NoPermissions(`${uri.path}: the remote side is read-only; use Keep Local to upload`);
  }

  private async call<T>(uri: vscode.Uri, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof SyncError) {
        if (err.code === 'not-found') throw vscode.FileSystemError.FileNotFound(uri);
        throw vscode.FileSystemError.Unavailable(err.toString());
      }
      throw err;
    }
  }

  dispose(): void {
    this.registration.dispose();
    this.emitter.dispose();
  }
}
