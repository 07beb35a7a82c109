// Renaming over an existing file on SFTP: posix-rename@openssh.com where the server has it (one
// atomic step), else (not offered, or offered and refused) remove + rename. With `thenStat` the STAT of the new name goes out right behind
// the rename, in the same write (the server answers a channel's requests in order): the size check
// after the rename costs no round trip of its own.
import type { Stats } from 'ssh2';
import type { SftpConnection } from './sftp-connect.js';
import { call } from './sftp-util.js';
import { baseName, isTempName } from '../paths.js';
import { TempKeptError } from '../transfer/kept-temps.js';
import { DestinationAppeared } from '../transfer/dest-check.js';

/** `src`, `dst`: absolute (`from`, `to`: the same, relative to the root); `caseOnly`: the two names differ only in case (never unlink "the target") */
export async function renameOver(c: SftpConnection, src: string, dst: string, names: { from: string; to: string }, caseOnly: boolean, thenStat: boolean): Promise<Stats | void> {
  const statAfter = () => call<Stats>(c, (s, cb) => s.stat(dst, cb));
  if (c.posixRename) {
    const renamed = call<void>(c, (s, cb) => s.ext_openssh_rename(src, dst, cb));
    const after = thenStat ? statAfter() : undefined;
    after?.catch(() => undefined); // the rename's failure comes first
    try {
      await renamed;
      return after;
    } catch (e) {
      // advertised but refused (OpenSSH's `sftp-server -P posix-rename` still lists it): the rename without it;
      // when that works, posix-rename is not asked again on this connection
      const code = (e as { code?: unknown }).code;
      if (code !== 3 && code !== 8) throw e;
      await renameWithout(c, src, dst, names, caseOnly);
      c.posixRename = false; // the plain way worked where posix-rename was refused: a policy, not a permission
      if (thenStat) return statAfter();
      return;
    }
  }
  await renameWithout(c, src, dst, names, caseOnly);
  if (thenStat) return statAfter();
}

/** rename over an existing file without posix-rename: the protocol's rename, which refuses an existing name, then remove + rename */
async function renameWithout(c: SftpConnection, src: string, dst: string, names: { from: string; to: string }, caseOnly: boolean): Promise<void> {
  try {
    await call<void>(c, (s, cb) => s.rename(src, dst, cb));
  } catch (e) {
    // on a case-insensitive server the target of a case-only rename is the file itself
    if ((e as { code?: unknown }).code !== 4 || caseOnly) throw e;
    const removed = await call<void>(c, (s, cb) => s.unlink(dst, cb)).then(() => true, () => false);
    try {
      await call<void>(c, (s, cb) => s.rename(src, dst, cb));
    } catch (e2) {
      // the old file is gone: the temp now holds the only copy, kept for the next run (transfer/kept-temps.ts)
      if (removed && isTempName(baseName(names.from))) throw new TempKeptError(names.to, names.from, { abs: dst, absTmp: src }, (e2 as Error).message);
      throw e2;
    }
  }
}

/**
 * Give the temp `src` the name `dst` only where nothing is: the plan saw no file there (WriteOptions.newOnly).
 * SFTP's own SSH_FXP_RENAME (not posix-rename) is an error when the new name exists (the protocol says so;
 * OpenSSH's server links the file under its new name, which fails on anything there): one atomic step, no
 * window in which a file someone else created is overwritten. The temp stays for the caller to remove.
 */
export async function renameNew(c: SftpConnection, src: string, dst: string, path: string, thenStat: boolean): Promise<Stats | void> {
  const renamed = call<void>(c, (s, cb) => s.rename(src, dst, cb));
  const after = thenStat ? call<Stats>(c, (s, cb) => s.stat(dst, cb)) : undefined;
  after?.catch(() => undefined); // the rename's failure comes first
  try {
    await renamed;
  } catch (e) {
    // something is there now (lstat: a link counts, dangling or not): someone else's, not overwritten
    if ((e as { code?: unknown }).code === 4 && await call<Stats>(c, (s, cb) => s.lstat(dst, cb)).then(() => true, () => false)) {
      throw new DestinationAppeared(path, 'on the server');
    }
    throw e;
  }
  return after;
}
