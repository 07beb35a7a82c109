// Helpers of the name / link / crafted-server fault tests: sha256 of every file of a tree, and
// snapshots that prove nothing outside the sync roots changed.

import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/**
 * rel path → sha256 of every regular file below `root` (links are not followed: a link is shown as
 * "link:<target>", a folder as "dir"); the state folder at the top is left out.
 */
export function treeHashes(root: string, opts: { keepState?: boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const p = rel ? `${rel}/${name}` : name;
      if (!rel && name === '.remote-sync' && !opts.keepState) continue;
      const st = lstatSync(join(root, p));
      if (st.isSymbolicLink()) out[p] = `link:${readlinkSync(join(root, p))}`;
      else if (st.isDirectory()) { out[p] = 'dir'; walk(p); } else out[p] = sha(readFileSync(join(root, p)));
    }
  };
  walk('');
  return out;
}

/** the same for a map of contents (expected trees, the crafted server's files) */
export function hashesOf(files: Map<string, Buffer> | Record<string, string | Buffer>): Record<string, string> {
  const entries = files instanceof Map ? [...files.entries()] : Object.entries(files);
  return Object.fromEntries(entries.map(([k, v]) => [k, sha(v)]).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** only the files of a treeHashes() result (no "dir" / "link:" entries) */
export function filesOnly(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).filter(([, v]) => v !== 'dir' && !v.startsWith('link:')));
}
