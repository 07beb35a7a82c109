// Where the CLI keeps its V8 code cache, and whether that folder can be trusted with it.
//
// V8 does not check cached data against malicious input: whoever can write the cache can run code in
// every later `remote-sync`. So the cache lives only in a folder of the user's own —
// $XDG_CACHE_HOME/remote-sync, else ~/.cache/remote-sync, created 0700 — and is not used at all when
// that folder (or the one holding it) is owned by someone else or writable by others, never in a
// shared place such as /tmp. Platforms without owners to check (Windows) run without a cache.

import { lstatSync, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';

/** set to anything but "" or "0": run without the code cache (neither read nor written) */
export const NO_CODE_CACHE_ENV = 'REMOTE_SYNC_NO_CODE_CACHE';

export type CacheDir = { dir: string } | { skip: string };

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');

/** The cache folder to use, created if missing, or why there is none. `user.uid`: this process' (none on Windows). Never throws. */
export function codeCacheDir(env: NodeJS.ProcessEnv, user: { uid?: number } = { uid: process.getuid?.() }): CacheDir {
  const uid = user.uid;
  const off = env[NO_CODE_CACHE_ENV];
  if (off !== undefined && off !== '' && off !== '0') return { skip: `${NO_CODE_CACHE_ENV} is set` };
  if (uid === undefined) return { skip: 'no file owners to check on this platform' };
  try {
    const xdg = env.XDG_CACHE_HOME;
    const base = xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache');
    const dir = join(base, 'remote-sync');
    // the parent first: nothing is created in a folder that is not ours (root with another user's HOME)
    const parentProblem = untrustedParent(base, uid);
    if (parentProblem) return { skip: parentProblem };
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const problem = untrustedDir(dir, uid);
    return problem ? { skip: problem } : { dir };
  } catch (e) {
    return { skip: (e as Error).message };
  }
}

/** why `dir` must not hold the cache, or undefined: a real folder (not a link), ours, written by us alone */
export function untrustedDir(dir: string, uid: number): string | undefined {
  const st = lstatSync(dir);
  if (!st.isDirectory()) return `${dir} is not a folder`;
  if (st.uid !== uid) return `${dir} is owned by uid ${st.uid}, not by this user (uid ${uid})`;
  if (st.mode & 0o022) return `${dir} can be written by others (mode ${octal(st.mode)})`;
  return undefined;
}

/**
 * why the folder holding the cache folder is not safe (undefined: it is, or it does not exist yet and
 * is created as ours): it must be ours or root's, and not writable by others unless sticky (as /tmp
 * is: then nobody else can rename or remove our folder in it)
 */
export function untrustedParent(base: string, uid: number): string | undefined {
  let st;
  try {
    st = statSync(base);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return untrustedParent(dirname(base), uid) && `${base} does not exist and its parent is not safe`;
    throw e;
  }
  if (!st.isDirectory()) return `${base} is not a folder`;
  if (st.uid !== uid && st.uid !== 0) return `${base} is owned by uid ${st.uid}, not by this user (uid ${uid})`;
  if (st.mode & 0o022 && !(st.mode & 0o1000)) return `${base} can be written by others (mode ${octal(st.mode)})`;
  return undefined;
}
