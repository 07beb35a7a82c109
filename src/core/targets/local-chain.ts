// Nothing is written, created or deleted through a link that was not there when the tree was listed.
// A folder link the listing followed (README "Symbolic links": synced as a folder) is the tree; one
// that appears since (`site/` renamed away and `site -> /elsewhere` put in its place, after the plan)
// would send a download, a mkdir or a delete of `site/…` to where it points. Node has no openat(), so
// every folder from the root down to the parent is looked at (lstat) right before the operation, and
// again after a rename. The root itself may be a link (a workspace opened through one): not looked at.
import { lstatSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SyncError } from '../errors.js';

const idOf = (st: { dev: number; ino: number }) => `${st.dev}:${st.ino}`;

export class FolderChain {
  /** folder links a listing followed: relative path → identity (dev:ino) of the folder it led to */
  private readonly followed = new Map<string, string>();
  /** a listing was made: a folder link it did not follow is one that appeared since */
  private listed = false;

  constructor(private readonly root: string) {}

  /**
   * the folder links a listing followed (added to those of earlier listings: a scoped listing sees
   * part of the tree; a link whose folder is another one now fails the identity check anyway)
   */
  learn(links: ReadonlyMap<string, string>): void {
    this.listed = true;
    for (const [k, v] of links) this.followed.set(k, v);
  }

  /**
   * Every existing folder from the root down to `dir` (relative; '' the root) is a real folder, or a
   * link the listing followed that still leads to the same folder. Anything else that is a link is a
   * SyncError naming it (`forPath`: the path the operation is for). `strictBelow`: a folder being
   * removed, below which no link at all is walked. Returns how many components exist (the first
   * missing one, or one that is not a folder, ends the look: the operation then fails on its own).
   */
  check(dir: string, forPath: string, strictBelow?: string): number {
    if (!dir) return 0;
    const parts = dir.split('/');
    let rel = '';
    for (let i = 0; i < parts.length; i++) {
      rel = rel ? `${rel}/${parts[i]}` : parts[i];
      const abs = join(this.root, rel);
      const st = lstatSync(abs, { throwIfNoEntry: false });
      if (!st) return i;
      if (st.isDirectory()) continue;
      if (!st.isSymbolicLink()) return i;
      const inRemoved = strictBelow !== undefined && (rel === strictBelow || rel.startsWith(`${strictBelow}/`));
      // (nothing listed yet on this side: nothing to tell a new link from one that was there: followed, as before)
      if (!this.listed && !inRemoved) continue;
      const known = inRemoved ? undefined : this.followed.get(rel);
      const now = known && statSync(abs, { throwIfNoEntry: false });
      if (!known || !now || !now.isDirectory() || idOf(now) !== known) throw linkThere(rel, forPath);
    }
    return parts.length;
  }

  /** `dir` and the folders above it created one at a time, each looked at before the next goes in it */
  mkdir(dir: string): void {
    const parts = dir.split('/');
    for (let n = this.check(dir, dir); n < parts.length; n = this.check(dir, dir)) {
      const rel = parts.slice(0, n + 1).join('/');
      try {
        mkdirSync(join(this.root, rel));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        // something is there: a folder (someone else made it) goes on, and so does a link the listing
        // followed (check refuses any other); a file there: EEXIST as before
        const st = lstatSync(join(this.root, rel));
        if (st.isSymbolicLink()) this.check(rel, dir);
        else if (!st.isDirectory()) throw e;
      }
    }
  }
}

export function linkThere(link: string, path: string): SyncError {
  return new SyncError('io', `${link} is a link; nothing is written through it`, {
    path,
    hint: `The local folder ${link} was replaced by a symbolic link after the plan. Check what it points to; the next run lists it anew`,
  });
}
