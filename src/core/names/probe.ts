// A cheap probe, once per connection: does this side treat names that differ only in case as one?
// First from what is already there (stat a listed name spelt in the other case: found, and not listed
// itself → case-insensitive); when nothing listed has letters, a probe file in the root (a temp name,
// removed at once; a leftover is cleaned up as a stale temp by the next run).

import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import type { Entry, Logger, Target } from '../types.js';
import { TEMP_PREFIX, baseName, parentOf, joinPath } from '../paths.js';
import { errorMessage } from '../errors.js';
import { swapCase } from './case.js';

/** true / false; undefined when it cannot be told yet (no root folder, or the probe failed) */
export async function probeCaseInsensitive(target: Target, listing: Map<string, Entry>, log?: Logger): Promise<boolean | undefined> {
  try {
    for (const p of listing.keys()) {
      const swapped = swapCase(baseName(p));
      if (!swapped) continue;
      const other = joinPath(parentOf(p), swapped);
      if (listing.has(other)) return false; // both spellings listed: case-sensitive
      return (await target.stat(other)) !== undefined;
    }
    if (listing.size === 0 && !(await target.stat(''))) return undefined; // no root yet: nothing there to clash with
    const name = `${TEMP_PREFIX}case-${randomBytes(4).toString('hex')}a`;
    await target.write(name, Readable.from([Buffer.alloc(0)]));
    try {
      return (await target.stat(name.toUpperCase())) !== undefined;
    } finally {
      await target.removeFile(name).catch(() => undefined);
    }
  } catch (e) {
    log?.debug(`${target.display}: could not tell whether names are case-sensitive (${errorMessage(e)}); assuming they are`);
    return undefined;
  }
}
