// Stateless FTP operations on one connection, by absolute server path (used by FtpTarget).
import type { Client } from 'basic-ftp';
import type { Entry } from '../types.js';
import { SyncError, errorMessage } from '../errors.js';
import { checkSize } from '../transfer/verify.js';
import { isTempName, parentOf } from '../paths.js';
import { TempKeptError } from '../transfer/kept-temps.js';
import { DestinationAppeared } from '../transfer/dest-check.js';
import { ftpCode, parseMlstReply } from './ftp-util.js';
import { listDir } from './ftp-list.js';
import { checkStoredName, mlstReplyPath, needsNameCheck } from '../names/stored-name.js';
import { foldCase } from '../names/case.js';

const SIZE_ONLY: StatOptions = { time: false };

export interface StatOptions {
  /**
   * the re-checks before a rename over `abs`: a name the server lists as neither a file nor a folder (a
   * link, a device) is an error (notPlainOnServer), never "nothing there", which would let the rename replace it
   */
  strict?: boolean;
  /** false: only the type and size are wanted (a server without MLST then skips its folder's LIST; mtime 0) */
  time?: boolean;
}

/** MLST where offered; else SIZE, CWD to tell a folder, and the time its folder's LIST shows (listedMtime) */
export async function statAbs(c: Client, abs: string, path: string, mlst: boolean, o: StatOptions = {}): Promise<Entry | undefined> {
  const strict = !!o.strict;
  if (mlst) {
    let message: string;
    try {
      message = (await c.send(`MLST ${abs}`)).message;
    } catch (e) {
      if (ftpCode(e) === 550) return undefined;
      throw e;
    }
    // a positive reply without the facts line is not an MLST reply: never "nothing there" (only 550 says
    // the name is free), else a changed file would pass the re-check before overwrite
    if (!parseMlstReply(message)) throw new SyncError('io', `Unexpected reply to MLST ${abs}: ${message.split('\n')[0]}`, { path, hint: 'Run the sync again' });
    return strict ? plainEntryFromMlst(message, abs, path) : entryFromMlst(message, path);
  }
  let size: number;
  try {
    size = await c.size(abs);
  } catch (e) {
    if (ftpCode(e) === undefined) throw e;
    try {
      await c.cd(abs);
      return { path, type: 'dir', size: 0, mtime: 0 };
    } catch (e2) {
      if (ftpCode(e2) === undefined) throw e2;
      return undefined;
    }
  }
  return { path, type: 'file', size, mtime: o.time === false ? 0 : await listedMtime(c, abs) };
}

/**
 * A file's mtime on a server without MLST, as its folder's LIST shows it: the listing is what the next
 * run compares with the state, so what a write records (and a re-check compares with the plan) must be
 * the same value — LIST's minute, in the server's local time read as UTC (ftp-util.ts parseListDate),
 * never MDTM's UTC seconds, which would make every uploaded file look changed on the server and every
 * re-check fail. A name its folder's LIST does not show (a dot name some servers hide): MDTM.
 */
async function listedMtime(c: Client, abs: string): Promise<number> {
  const name = abs.slice(abs.lastIndexOf('/') + 1);
  try {
    const items = await listDir(c, parentAbs(abs), false, true);
    const hit = items.find((it) => it.name === name && !it.link);
    if (hit) return hit.mtime;
  } catch (e) {
    if (ftpCode(e) === undefined) throw e;
  }
  try { return (await c.lastMod(abs)).getTime(); } catch (e) { if (ftpCode(e) === undefined) throw e; }
  return 0;
}

/** the entry an MLST reply describes (undefined: neither file nor folder) */
export function entryFromMlst(message: string, path: string): Entry | undefined {
  const f = parseMlstReply(message);
  if (!f || f.type === 'other') return undefined;
  return { path, type: f.type, size: f.type === 'dir' ? 0 : f.size, mtime: f.mtime, ...(f.mode !== undefined ? { mode: f.mode } : {}) };
}

/** entryFromMlst for a re-check before a rename over `abs`: a type other than file or folder is an error (notPlainOnServer) */
export function plainEntryFromMlst(message: string, abs: string, path: string): Entry | undefined {
  if (parseMlstReply(message)?.type === 'other') throw notPlainOnServer(abs, path, message);
  return entryFromMlst(message, path);
}

/** something at `abs` the server lists with another type than file or folder (a link, a device): never replaced */
export function notPlainOnServer(abs: string, path: string, mlstMessage: string): SyncError {
  const type = /(?:^|[\s;])type=([^;]*)/i.exec(mlstMessage)?.[1] ?? 'unknown';
  return new SyncError('io', `${abs} on the server is neither a file nor a folder (type=${type}); it is not replaced`, {
    path, hint: 'A link or special file on the server is left alone: remove or rename it there, then sync again',
  });
}

/**
 * The size of an upload's temp whose MLST said "no such file" on a first try (a server that hides dot
 * names from MLST), asked with SIZE. When that does not tell either, an error: the temp is not renamed,
 * as a short one would replace the file on the server.
 */
export async function checkTempSizeBySize(c: Client, absTmp: string, path: string, expected: number): Promise<void> {
  const refusal = await tempSizeBySize(c, absTmp, path, expected);
  if (refusal) {
    throw new SyncError('io', `The server does not show the uploaded temp file ${absTmp}, so its size cannot be checked; it was not renamed`, {
      path, detail: errorMessage(refusal), hint: 'The file on the server was left as it was. Run the sync again',
    });
  }
}

/**
 * A retry's look at a temp MLST did not list: true when SIZE shows it (its size checked: a server that
 * hides dot names from MLST, the temp not renamed yet), false when it says "no such file" (renamed
 * already, which the rename's retry then confirms).
 */
export async function tempSizeIfShown(c: Client, absTmp: string, path: string, expected: number): Promise<boolean> {
  return (await tempSizeBySize(c, absTmp, path, expected)) === undefined;
}

/** SIZE of a temp, checked against `expected`; the server's refusal (an FTP error reply) is returned, not thrown */
async function tempSizeBySize(c: Client, absTmp: string, path: string, expected: number): Promise<unknown> {
  let stored: number;
  try {
    stored = await c.size(absTmp);
  } catch (e) {
    if (ftpCode(e) === undefined) throw e;
    return e;
  }
  checkSize(path, expected, stored, 'moved');
  return undefined;
}

/** mkdir -p on absolute paths (no CWD: the working folder is never relied on); `onCreated` for each folder made */
export async function mkdirAbs(c: Client, abs: string, path: string, mlst: boolean, onCreated?: (abs: string) => Promise<void>): Promise<void> {
  try {
    await c.send(`MKD ${abs}`);
    await onCreated?.(abs);
    return;
  } catch (e) {
    if (ftpCode(e) === undefined) throw e;
    const st = await statAbs(c, abs, path, mlst, SIZE_ONLY);
    if (st?.type === 'dir') return;
    if (st) throw new SyncError('io', `Cannot create folder ${abs}: a file has that name`, { path, hint: 'Remove or rename the file' });
    const parent = parentAbs(abs);
    if (parent === abs) throw e;
    const parentSt = await statAbs(c, parent, parentOf(path), mlst, SIZE_ONLY);
    if (parentSt?.type === 'dir') throw e; // the parent exists: the server refused for another reason
    await mkdirAbs(c, parent, parentOf(path), mlst, onCreated);
    await c.send(`MKD ${abs}`);
    await onCreated?.(abs);
  }
}

/**
 * RNFR/RNTO; a server that will not rename over an existing file gets that file deleted first.
 * `retriedSize`: this is a retry after a dropped connection, and the file to rename has this size;
 * when `from` is gone and `to` is a file of that size, the first try went through: done.
 */
export async function renameAbs(c: Client, from: string, to: string, mlst: boolean, retriedSize?: number): Promise<void> {
  try {
    await c.send(`RNFR ${from}`);
  } catch (e) {
    if (retriedSize !== undefined && ftpCode(e) !== undefined && await alreadyRenamed(c, from, to, mlst, retriedSize)) return;
    throw e;
  }
  try {
    await c.send(`RNTO ${to}`);
  } catch (e) {
    if (ftpCode(e) === undefined) throw e;
    await renameAfterRefusedRnto(c, from, to, mlst, e, retriedSize);
  }
}

/**
 * RNFR/RNTO only where nothing is at `to` (Target.rename newOnly): a look, then the rename; a refused
 * RNTO is never followed by a DELE. (FTP has no rename that refuses an existing name on every server:
 * one that renames over is only kept from it by the look.) Anything at `to`: DestinationAppeared.
 */
export async function renameNewAbs(c: Client, from: string, to: string, path: string, mlst: boolean): Promise<void> {
  // (strict: a link there is an error too, never taken for "nothing there")
  if (await statAbs(c, to, path, mlst, { strict: true, time: false })) throw new DestinationAppeared(path, 'on the server');
  await c.send(`RNFR ${from}`);
  await c.send(`RNTO ${to}`);
}

/**
 * RNTO was refused (`e`): a server that will not rename over an existing file gets that file deleted
 * first. `retriedSize` (the temp's size, -1 unknown): this is a retry after a dropped connection, and
 * the first try may have gone part of the way: the rename done (nothing left to do), or the old file
 * deleted with the temp still there (the temp is then the only copy: renamed, never given up on).
 */
export async function renameAfterRefusedRnto(c: Client, from: string, to: string, mlst: boolean, e: unknown, retriedSize?: number): Promise<void> {
  // a case-only rename on a case-insensitive server: the "existing target" is the file itself
  if (foldCase(from) === foldCase(to)) throw e;
  const st = await statAbs(c, to, to, mlst, SIZE_ONLY);
  if (retriedSize !== undefined) {
    const tmp = await statAbs(c, from, from, mlst, SIZE_ONLY);
    if (tmp === undefined) {
      // the temp is gone: the first try's rename went through (`to` has its size); else nothing is touched
      if (st?.type === 'file' && (retriedSize < 0 || st.size === retriedSize)) return;
      throw e;
    }
    // the first try deleted the old file and lost the connection before its rename
    if (st === undefined) return await renameKeepingTemp(c, from, to);
  }
  if (st?.type !== 'file') throw e;
  await c.send(`DELE ${to}`);
  await renameKeepingTemp(c, from, to);
}

/** the rename of a temp that is the only copy of the new content (the old file deleted): a refusal keeps it (TempKeptError) */
async function renameKeepingTemp(c: Client, from: string, to: string): Promise<void> {
  try {
    await c.send(`RNFR ${from}`);
    await c.send(`RNTO ${to}`);
  } catch (e2) {
    // the old file is gone: the temp now holds the only copy, kept for the next run (transfer/kept-temps.ts)
    if (ftpCode(e2) === undefined || !isTempName(from.slice(from.lastIndexOf('/') + 1))) throw e2;
    throw new TempKeptError(to, from, { abs: to, absTmp: from }, (e2 as Error).message.trim());
  }
}

/** a retried rename checks whether the first try already took effect: `from` gone, `to` there (with `size` when known) */
export async function alreadyRenamed(c: Client, from: string, to: string, mlst: boolean, size?: number): Promise<boolean> {
  if ((await statAbs(c, from, from, mlst, SIZE_ONLY)) !== undefined) return false;
  const there = await statAbs(c, to, to, mlst, SIZE_ONLY);
  return there?.type === 'file' && (size === undefined || size < 0 || there.size === size);
}

export function normalizeAbs(p: string): string {
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  return `/${parts.join('/')}`;
}

export function parentAbs(abs: string): string {
  const i = abs.lastIndexOf('/');
  return i <= 0 ? '/' : abs.slice(0, i);
}

/** the name an MLST reply shows for `abs` (undefined: no reply) checked against the path written */
export function checkStoredNameInReply(abs: string, path: string, message: string | undefined, caseInsensitive: boolean | undefined): void {
  if (!needsNameCheck(path, caseInsensitive)) return;
  let shown: string | undefined;
  if (message !== undefined) {
    const p = mlstReplyPath(message);
    shown = p === undefined ? baseOf(abs) : baseOf(p);
  }
  checkStoredName(path, shown);
}

/** After writing: the server shows the file under exactly its name (MLST; where the name could be changed) */
export async function verifyStoredName(c: Client, abs: string, path: string, mlst: boolean, caseInsensitive: boolean | undefined): Promise<void> {
  if (!mlst || !needsNameCheck(path, caseInsensitive)) return;
  let shown: string | undefined;
  try {
    const res = await c.send(`MLST ${abs}`);
    const p = mlstReplyPath(res.message);
    shown = p === undefined ? baseOf(abs) : baseOf(p);
  } catch (e) {
    if (ftpCode(e) === undefined) throw e;
  }
  checkStoredName(path, shown);
}

const baseOf = (abs: string) => abs.slice(abs.lastIndexOf('/') + 1);
