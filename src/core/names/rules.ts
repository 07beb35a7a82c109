// Name rules: which names a side can store exactly as written. A name a side cannot store is an
// error for that entry before anything is written (a server that silently rewrites `note ` to
// `note_` would otherwise overwrite the real `note_`), never a silent skip and never an alias.

import { STATE_DIR } from '../paths.js';
import { SyncError } from '../errors.js';

/** The state folder's name: reserved on both sides at any depth, never listed, never synced. */
export function isReservedName(name: string): boolean {
  return name === STATE_DIR;
}

const WINDOWS_DEVICES = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?$/i;
const WINDOWS_BAD_CHARS = /[<>:"|?*\\\u0000-\u001f]/;
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** Why Windows (NTFS, FAT) cannot hold this one path segment as written, or undefined. */
export function windowsNameProblem(name: string): string | undefined {
  if (WINDOWS_DEVICES.test(name)) return `"${name.split('.')[0]}" is a device name on Windows`;
  const bad = WINDOWS_BAD_CHARS.exec(name);
  if (bad) return bad[0] < ' ' ? 'a control character is not allowed in Windows names' : `"${bad[0]}" is not allowed in Windows names`;
  if (/[. ]$/.test(name)) return 'Windows drops a trailing dot or space from names';
  return undefined;
}

/**
 * Why an FTP server may not store this name as written: control characters cannot be sent safely on
 * the control connection (pure-ftpd stores a TAB as `_`), and servers trim a trailing space from
 * command arguments (pure-ftpd stores `note ` as `note_`).
 */
export function ftpNameProblem(name: string): string | undefined {
  if (CONTROL_CHARS.test(name)) return 'FTP servers do not store control characters (such as a tab) in names as written';
  if (/\s$/.test(name)) return 'FTP servers do not store a trailing space in names as written';
  return undefined;
}

export type NameRule = (name: string) => string | undefined;

/** The rule of a local folder on `platform` (a parameter so it can be tested on any OS). */
export function localNameRule(platform: NodeJS.Platform = process.platform): NameRule | undefined {
  return platform === 'win32' ? windowsNameProblem : undefined;
}

/** Problem with any segment of a relative path under `rule` (the first one found). */
export function pathNameProblem(path: string, rule: NameRule | undefined): string | undefined {
  if (!rule) return undefined;
  for (const seg of path.split('/')) {
    const p = rule(seg);
    if (p) return p;
  }
  return undefined;
}

/** Throws (nothing written yet) when `target` cannot store `path` exactly as written. */
export function assertStorable(target: { kind: string; capabilities: { nameProblem?: NameRule } }, path: string): void {
  const problem = pathNameProblem(path, target.capabilities.nameProblem);
  if (problem) {
    throw new SyncError('bad-name', `Cannot be stored ${target.kind === 'local' ? 'locally' : 'on the server'} under this name: ${problem}`, {
      path, hint: 'Nothing was written. Rename it',
    });
  }
}
