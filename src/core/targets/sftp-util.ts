// Small helpers of the SFTP target: promisified requests and attribute decoding.
import type { SFTPWrapper, Stats } from 'ssh2';
import type { Entry, EntryType } from '../types.js';
import type { SftpConnection } from './sftp-connect.js';
import { SyncError } from '../errors.js';

const S_IFMT = 0o170000, S_IFDIR = 0o040000, S_IFREG = 0o100000, S_IFLNK = 0o120000;

/** one SFTP request as a promise; fails fast when the connection is already gone */
export function call<T>(c: SftpConnection, fn: (sftp: SFTPWrapper, cb: (err: Error | undefined | null, v?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const state = (c.sftp as unknown as { outgoing?: { state?: string } }).outgoing?.state;
    if (c.dead || (state !== undefined && state !== 'open')) {
      return reject(Object.assign(new Error('Not connected'), { code: 'ERR_NOT_CONNECTED' }));
    }
    try {
      fn(c.sftp, (err, v) => (err ? reject(err) : resolve(v as T)));
    } catch (e) { reject(e); }
  });
}

export function typeOf(attrs: Stats): EntryType | 'link' | undefined {
  const t = attrs.mode & S_IFMT;
  return t === S_IFDIR ? 'dir' : t === S_IFREG ? 'file' : t === S_IFLNK ? 'link' : undefined;
}

/**
 * A stat's entry where the server said what is there: a file or a folder (else undefined: a link, a
 * device…). An answer without permissions (ssh2 leaves `mode` undefined) does not say whether
 * anything is there: an error, never "nothing there", which would let the re-check before overwrite
 * pass over a file it cannot see.
 */
export function statEntryOf(path: string, attrs: Stats): Entry | undefined {
  if (typeof (attrs.mode as unknown) !== 'number') {
    throw new SyncError('io', `The server did not say what ${path} is (its answer has no permissions)`, { path, hint: 'The SFTP server sends incomplete file attributes; nothing was changed for this file' });
  }
  const t = typeOf(attrs);
  return t === 'file' || t === 'dir' ? entryOf(path, attrs, t) : undefined;
}

export function entryOf(path: string, attrs: Stats, type: EntryType): Entry {
  return { path, type, size: type === 'file' ? attrs.size : 0, mtime: attrs.mtime * 1000, mode: attrs.mode & 0o777 };
}

/** absolute remote path of a relative one */
export function absPath(c: SftpConnection, rel: string): string {
  if (!rel) return c.root;
  return c.root === '/' ? `/${rel}` : `${c.root}/${rel}`;
}
