// Relative-path helpers shared by every target, and the rules for names the engine writes itself.

import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { SyncError } from './errors.js';

/** Prefix of the temporary names atomic writes use; never listed, never synced, cleaned up. */
export const TEMP_PREFIX = '.rs-tmp-';

/** Folder (under the local root) that holds the last-sync state files; excluded from every sync. */
export const STATE_DIR = '.remote-sync';

/**
 * FTPS certificates trusted on first use (targets/tls-pin.ts): one file per user, as ~/.ssh/known_hosts
 * — $XDG_CONFIG_HOME/remote-sync/known_certificates, else ~/.config/remote-sync/known_certificates.
 * Never in a workspace: a cloned repository could bring one that trusts a man in the middle.
 */
export function userKnownCertificatesFile(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.config'), 'remote-sync', 'known_certificates');
}

export function isTempName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX);
}

/** "a/b.txt" → "a/.rs-tmp-0123456789ab" (a short name, so 255-byte name limits never bite) */
export function tempPathFor(path: string): string {
  const parent = parentOf(path);
  const name = TEMP_PREFIX + randomHex12();
  return parent ? `${parent}/${name}` : name;
}

// 12 random hex digits per temp name, taken from a pool filled 512 names at a time (one crypto call
// per name cost more than the rest of naming a transfer)
const POOL_NAMES = 512;
let pool = '';
let poolAt = 0;
function randomHex12(): string {
  if (poolAt >= pool.length) {
    pool = randomBytes(6 * POOL_NAMES).toString('hex');
    poolAt = 0;
  }
  const s = pool.slice(poolAt, poolAt + 12);
  poolAt += 12;
  return s;
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function baseName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

export function joinPath(parent: string, name: string): string {
  return parent ? `${parent}/${name}` : name;
}

/** Is `path` equal to `ancestor` or below it? ("" is the root, ancestor of everything) */
export function isWithin(path: string, ancestor: string): boolean {
  return ancestor === '' || path === ancestor || path.startsWith(ancestor + '/');
}

/** depth of a relative path: "a" → 1, "a/b" → 2 */
export function depthOf(path: string): number {
  let n = 1;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 47) n++;
  return n;
}

/**
 * A name a server sent us must be one plain path segment before we use it locally:
 * not empty, not "." or "..", no "/", "\\" or NUL.
 */
export function checkRemoteName(name: string, parent: string): void {
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
    throw new SyncError('bad-name', `The server listed a name that is not a plain file name: ${JSON.stringify(name)}`, {
      path: parent,
      hint: 'It was not written locally. Rename it on the server.',
    });
  }
}

/** Normalise a user-given relative path ("./a//b/", "a\\b" on Windows) to engine form ("a/b"). */
export function normalizeRelPath(p: string): string {
  const parts = p.replace(/\\/g, '/').split('/').filter((s) => s !== '' && s !== '.');
  if (parts.includes('..')) throw new SyncError('usage', `Path leaves the sync root: ${p}`);
  return parts.join('/');
}
