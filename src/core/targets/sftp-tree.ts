// SFTP operations on whole folders, by absolute path: removing a tree without ever following a link,
// and reading back the name a file was stored under.
import type { Stats } from 'ssh2';
import { call, typeOf } from './sftp-util.js';
import type { SftpConnection } from './sftp-connect.js';
import { checkStoredName } from '../names/stored-name.js';
import { foldCase } from '../names/case.js';

const BATCH = 32;
const ignoreMissing = (e: unknown) => { if ((e as { code?: unknown }).code !== 2) throw e; };

/**
 * rm -rf. A deletion never follows a link: a link (even to a folder) is removed itself, never what
 * it points to (readdir reports links as links, lstat is used for the top).
 */
export async function removeTree(c: SftpConnection, abs: string): Promise<void> {
  const own = await call<Stats>(c, (s, cb) => s.lstat(abs, cb)).catch((e) => { ignoreMissing(e); return undefined; });
  if (!own) return;
  if (typeOf(own) !== 'dir') {
    await call<void>(c, (s, cb) => s.unlink(abs, cb)).catch(ignoreMissing);
    return;
  }
  let list: { filename: string; attrs: Stats }[];
  try {
    list = await call(c, (s, cb) => s.readdir(abs, cb));
  } catch (e) {
    ignoreMissing(e);
    return;
  }
  // remove children a batch at a time (pipelined), folders recursively
  for (let i = 0; i < list.length; i += BATCH) {
    await Promise.all(list.slice(i, i + BATCH).map(({ filename, attrs }) => {
      const child = `${abs}/${filename}`;
      if (typeOf(attrs) === 'dir') return removeTree(c, child);
      return call<void>(c, (s, cb) => s.unlink(child, cb)).catch(ignoreMissing);
    }));
  }
  await call<void>(c, (s, cb) => s.rmdir(abs, cb)).catch(ignoreMissing);
}

/** the folder `absParent` lists the file under exactly `name` (not another spelling), else a bad-name error for `path` */
export async function verifyStoredName(c: SftpConnection, absParent: string, name: string, path: string): Promise<void> {
  const list = await call<{ filename: string }[]>(c, (s, cb) => s.readdir(absParent, cb));
  const shown = list.find((e) => e.filename === name) ?? list.find((e) => foldCase(e.filename) === foldCase(name));
  checkStoredName(path, shown?.filename);
}
