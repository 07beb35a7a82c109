// The state folder `<local root>/.remote-sync/`: created 0700 with a `.gitignore` holding `*` (so it
// is never committed by accident: it names the server and the user), refused when it is a link, not
// a folder, or not owned by the user. Every file in it goes through safe-fs.ts.

import { basename, dirname, join } from 'node:path';
import { STATE_DIR } from '../paths.js';
import { checkOwnedDir, createOwnedFile, ensureOwnedDir } from './safe-fs.js';

export const STATE_GITIGNORE = '# Remote Sync: last-sync state, never committed\n*\n';

export function stateDirOf(localRoot: string): string {
  return join(localRoot, STATE_DIR);
}

function writeGitignore(dir: string): void {
  try {
    createOwnedFile(join(dir, '.gitignore'), STATE_GITIGNORE);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}

/** Create the state folder (0700, with its .gitignore) or check the existing one; returns its path. */
export function ensureStateDir(localRoot: string): string {
  const dir = stateDirOf(localRoot);
  ensureOwnedDir(dir, writeGitignore);
  return dir;
}

/** Check the state folder without creating it: false when there is none; throws when it is not ours. */
export function checkStateDir(localRoot: string): boolean {
  return checkOwnedDir(stateDirOf(localRoot));
}

/** For a file kept in the state folder (lock, known certificates): make sure that folder is ours. */
export function ensureStateDirOf(fileInStateDir: string): void {
  const dir = dirname(fileInStateDir);
  if (basename(dir) === STATE_DIR) ensureStateDir(dirname(dir));
  else ensureOwnedDir(dir);
}
