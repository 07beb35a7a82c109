// A cheap probe, once per connection, that writes nothing (dry runs and previews change nothing):
// does this side treat names that differ only in case as one? A listed name is asked for in the
// other case: found, and not listed itself → case-insensitive. A local folder with nothing listed yet
// is asked through its own path (/home/me/Site vs /home/me/sITE, the same folder or not).

import { statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Entry, Logger, Target } from '../types.js';
import { baseName, parentOf, joinPath } from '../paths.js';
import { errorMessage } from '../errors.js';
import { swapCase } from './case.js';

/** true / false; undefined when it cannot be told (nothing listed with letters in its name, or the probe failed) */
export async function probeCaseInsensitive(target: Target, listing: ReadonlyMap<string, Entry>, log?: Logger): Promise<boolean | undefined> {
  try {
    for (const p of listing.keys()) {
      const swapped = swapCase(baseName(p));
      if (!swapped) continue;
      const other = joinPath(parentOf(p), swapped);
      if (listing.has(other)) return false; // both spellings listed: case-sensitive
      return (await target.stat(other)) !== undefined;
    }
    const root = (target as { root?: unknown }).root;
    if (target.kind === 'local' && typeof root === 'string') return probeLocalFolder(root);
    return undefined;
  } catch (e) {
    log?.debug(`${target.display}: could not tell whether names are case-sensitive (${errorMessage(e)})`);
    return undefined;
  }
}

/** the folder's own name in the other case: the same folder (same device and inode) → case-insensitive */
export function probeLocalFolder(abs: string): boolean | undefined {
  const swapped = swapCase(basename(abs));
  if (!swapped) return undefined;
  const a = statSync(abs, { throwIfNoEntry: false });
  if (!a) return undefined;
  const b = statSync(join(dirname(abs), swapped), { throwIfNoEntry: false });
  return !!b && a.dev === b.dev && a.ino === b.ino;
}
