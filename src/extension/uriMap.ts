// URI <-> path mapping, vscode-free so it can be unit-tested.
//
// Local files: absolute file-system paths below the config's local root map to the engine's relative
// POSIX paths ("a/b.txt", "" for the root). Remote files are addressed as
//   remote-sync:/a/b.txt?folder=<workspace folder URI>&target=<target name>
// so that the tab shows the file's name, and one URI names one file of one target of one folder.

import * as nodePath from 'node:path';

export const REMOTE_SCHEME = 'remote-sync';

type PathModule = Pick<typeof nodePath, 'relative' | 'isAbsolute' | 'join' | 'sep'>;

/** Relative engine path of `fsPath` below `root`; "" for the root itself; undefined when outside it. */
export function relPathOf(root: string, fsPath: string, path: PathModule = nodePath): string | undefined {
  const rel = path.relative(root, fsPath);
  if (rel === '') return '';
  if (path.isAbsolute(rel)) return undefined;
  const parts = rel.split(path.sep);
  if (parts[0] === '..') return undefined;
  return parts.filter((p) => p !== '' && p !== '.').join('/');
}

/** Absolute local path of an engine path below `root`. */
export function localPathOf(root: string, rel: string, path: PathModule = nodePath): string {
  return rel === '' ? root : path.join(root, ...rel.split('/'));
}

export interface RemoteRef {
  /** the workspace folder's URI, as a string */
  folder: string;
  /** the target's name in the config */
  target: string;
  /** engine path ("" = the remote root) */
  path: string;
}

/** The parts of the remote URI (feed them to `vscode.Uri.from`). */
export function remoteUriParts(ref: RemoteRef): { scheme: string; path: string; query: string } {
  const query = new URLSearchParams({ folder: ref.folder, target: ref.target }).toString();
  return { scheme: REMOTE_SCHEME, path: '/' + ref.path, query };
}

/** Inverse of `remoteUriParts`; undefined for a URI this extension did not make. */
export function parseRemoteUri(parts: { scheme: string; path: string; query: string }): RemoteRef | undefined {
  if (parts.scheme !== REMOTE_SCHEME) return undefined;
  const q = new URLSearchParams(parts.query);
  const folder = q.get('folder');
  const target = q.get('target');
  if (!folder || target === null) return undefined;
  const path = parts.path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (path.split('/').some((s) => s === '..')) return undefined;
  return { folder, target, path };
}

/** "a/b/c.txt" → "c.txt" ("" → "/") */
export function displayName(rel: string): string {
  if (rel === '') return '/';
  const i = rel.lastIndexOf('/');
  return i < 0 ? rel : rel.slice(i + 1);
}

/** "a/b/c.txt" → "a/b" ("c.txt" → "") */
export function parentDir(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}
