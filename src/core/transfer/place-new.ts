// Putting a new local file where the plan saw nothing, without ever replacing something that has
// appeared there since. rename() replaces whatever is at the target, so a check before it leaves a
// window in which someone else's file is overwritten. link() fails with EEXIST instead: the temp gets
// the real name only where nothing is (one atomic step, like OpenSSH's own SSH_FXP_RENAME), then
// the temp's name is dropped. Filesystems without hard links (FAT, exFAT, some network mounts) fall
// back to a look right before the rename: the window is then as short as it can be made.
import { promises as fsp } from 'node:fs';
import { DestinationAppeared } from './dest-check.js';

/** link() errors that mean "no hard links here", not "something is there" */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK', 'EACCES']);

/**
 * Give `tmpAbs` the name `destAbs` unless something (a file, a folder, a link, dangling or not) is
 * there now: then DestinationAppeared (`path`: the relative path named in it, `where`: "locally" or
 * "on the server") and the temp is left for the caller to remove. Returns how it was placed.
 */
export async function placeNew(tmpAbs: string, destAbs: string, path: string, where: string): Promise<'linked' | 'renamed'> {
  try {
    await fsp.link(tmpAbs, destAbs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') throw new DestinationAppeared(path, where);
    if (!NO_LINKS.has(code)) throw e;
    // no hard links on this filesystem: look, then rename (lstat: a link there counts, dangling or not)
    if (await fsp.lstat(destAbs).then(() => true, () => false)) throw new DestinationAppeared(path, where);
    await fsp.rename(tmpAbs, destAbs);
    return 'renamed';
  }
  // the file is in place under both names: the temp's goes (a leftover would be cleaned as a stale temp)
  await fsp.unlink(tmpAbs).catch(() => undefined);
  return 'linked';
}
