// Where `remote-sync run` finds its config, and which config it accepts (issue "Security", item 2).
//
// A config file decides which folders are copied where, so one planted by another user in a parent
// folder (`/tmp/shared/.vscode/remote-sync.json` with `"localRoot": "~"`) must never be picked up.
// As git does since its safe.directory fix:
// - the upward search from the current folder stops at a folder not owned by the user, at the
//   user's home folder (never looked into unless the search starts there) and after a repository
//   root (a folder holding `.git`);
// - a config file owned by another user, or that group or others can write to, is refused.
// The file is read from the descriptor that was checked, so it cannot be swapped in between.

import * as fs from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { SyncError } from '../errors.js';
import { myUid, ownerName, modeText } from '../state/safe-fs.js';

/** The config file's place in a workspace folder (also in index.ts, which re-exports this module). */
const CONFIG_PATH = '.vscode/remote-sync.json';

export interface ConfigSearch {
  /** the config file found, if any */
  file?: string;
  /** where and why the search stopped before the file-system root */
  stoppedAt?: { dir: string; reason: string };
}

export interface SearchOptions {
  /** the home folder (default: $HOME, else the OS's) */
  home?: string;
}

function isFileAt(p: string): boolean {
  try { return fs.statSync(p).isFile(); } catch { return false; }
}

function existsAt(p: string): boolean {
  try { fs.lstatSync(p); return true; } catch { return false; }
}

/** Search `.vscode/remote-sync.json` from `startDir` upward, within the limits above. */
export function searchConfigFile(startDir: string, opts: SearchOptions = {}): ConfigSearch {
  const start = resolve(startDir);
  const home = resolve(opts.home ?? (process.env.HOME || homedir()));
  const uid = myUid();
  let dir = start;
  for (;;) {
    let st: fs.Stats;
    try {
      st = fs.statSync(dir);
    } catch {
      return { stoppedAt: { dir, reason: 'it cannot be read' } };
    }
    if (uid !== undefined && st.uid !== uid) return { stoppedAt: { dir, reason: `it is owned by ${ownerName(st.uid)}, not by you` } };
    if (dir === home && dir !== start) return { stoppedAt: { dir, reason: 'it is your home folder' } };
    const candidate = join(dir, CONFIG_PATH);
    if (isFileAt(candidate)) return { file: candidate };
    if (existsAt(join(dir, '.git'))) return { stoppedAt: { dir, reason: 'it is the root of a repository (.git)' } };
    const parent = dirname(dir);
    if (parent === dir) return {};
    dir = parent;
  }
}

/** The nearest acceptable-by-place `.vscode/remote-sync.json` in `startDir` or a folder above it. */
export function findConfigFile(startDir: string, opts: SearchOptions = {}): string | undefined {
  return searchConfigFile(startDir, opts).file;
}

/** Why a config file is not the user's own (owned by another user, writable by group/others); undefined when it is. */
export function foreignConfigProblem(st: fs.Stats): string | undefined {
  const uid = myUid();
  if (uid === undefined) return undefined; // Windows: no uid to compare
  if (st.uid !== uid) return `it is owned by ${ownerName(st.uid)}, not by you`;
  if ((st.mode & 0o022) !== 0) return `other users can change it (mode ${modeText(st.mode)})`;
  return undefined;
}

/**
 * Read a config file that must be the user's own: owned by the user and writable by nobody else.
 * Refused otherwise, with a message that says why and what to do.
 */
export function readOwnConfigFile(file: string): string {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SyncError('config', code === 'ENOENT' ? 'Config file not found' : 'Cannot read the config file', {
      path: file, detail: (e as Error).message, cause: e,
    });
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new SyncError('config', `Refusing the config file ${file}: it is not a regular file`, { path: file });
    const problem = foreignConfigProblem(st);
    if (problem) {
      const yours = problem.startsWith('other users');
      throw new SyncError('config', `Refusing the config file ${file}: ${problem}`, {
        path: file,
        hint: yours
          ? `A config decides which folders are copied where, so Remote Sync only uses one that only you can change (as git does with safe.directory): chmod go-w ${file}`
          : 'A config decides which folders are copied where, so Remote Sync only uses one you own (as git does with safe.directory). ' +
            'If you trust it, copy it into a folder of your own; or name both sides: remote-sync sync LOCAL REMOTE',
      });
    }
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}
