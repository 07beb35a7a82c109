// File modes over FTP (see modes.ts for the rules): the mode a replaced file had comes from the
// listing or the MLST `UNIX.mode` fact, and is set on the uploaded temp file with `SITE CHMOD` before
// the rename, so the real name never has a wider mode, not even for a moment; a file private to its
// owner gets its mode before its content goes in. A server that offers no UNIX.mode
// leaves modes alone (there is no way to know what a replaced file had); one that refuses SITE CHMOD
// is said once, and modes are not tried again on that target.
import type { Client } from 'basic-ftp';
import type { Logger, WriteOptions } from '../types.js';
import { SyncError } from '../errors.js';
import { formatMode, modeForFile, type ModePolicy } from './modes.js';
import { ftpCode, parseMlstReply } from './ftp-util.js';

/** basic-ftp's parsed permissions (MLSD unix.mode, or the rwx of a LIST line) → mode bits */
export function modeOfPermissions(p: { user: number; group: number; world: number } | undefined): number | undefined {
  if (!p || ![p.user, p.group, p.world].every((n) => Number.isInteger(n) && n >= 0 && n <= 7)) return undefined;
  return (p.user << 6) | (p.group << 3) | p.world;
}

/** MLST facts of a path; undefined when it does not exist (550) */
async function mlstFacts(c: Client, abs: string): Promise<ReturnType<typeof parseMlstReply>> {
  try {
    return parseMlstReply((await c.send(`MLST ${abs}`)).message);
  } catch (e) {
    if (ftpCode(e) !== 550) throw e;
    return undefined;
  }
}

export class FtpModes {
  /** the server does not report file modes (no MLST UNIX.mode): nothing to keep */
  private noModes = false;
  /** the server refused SITE CHMOD */
  private chmodRefused = false;
  /** the mode the server gives a new file (-1: it does not say) */
  private defaultMode: number | undefined;
  /** temp files given their final mode before their content (prepareTemp) */
  private readonly preset = new Set<string>();

  constructor(private readonly policy: ModePolicy, private readonly log: Logger, private readonly display: string) {}

  /**
   * Before the content is sent: a file that must end private to its owner (no group or other bits,
   * e.g. a 0600 .env) is created empty and given its mode first, so that its content is never
   * readable by others on the server, not even while it is written. True: append the content (APPE)
   * to that temp file. Other files are uploaded as usual and get their mode before the rename.
   */
  async prepareTemp(c: Client, tmp: string, dest: string, o: Pick<WriteOptions, 'mode' | 'destMode'>, mlst: boolean,
    createEmpty: () => Promise<unknown>): Promise<boolean> {
    const mode = await this.finalMode(c, dest, o, mlst);
    if (mode === undefined || !isPrivate(mode)) return false;
    if (this.chmodRefused) throw privateRefused(dest, mode);
    await createEmpty();
    if (!(await this.chmod(c, tmp, mode, 'file'))) throw privateRefused(dest, mode);
    this.preset.add(tmp);
    return true;
  }

  /**
   * A resumable upload's partial (ftp-partial.ts), right after it is created empty and before any data goes
   * in: private to its owner (0600), like the temps of the other targets, whatever its final mode.
   */
  async privatePartial(c: Client, tmp: string): Promise<void> {
    if (!this.chmodRefused && !this.noModes) await this.chmod(c, tmp, 0o600, 'file');
  }

  /**
   * Before a partial (made private above, or by an earlier run) is renamed to `dest`: it gets the mode `dest`
   * must end with, always set (its own mode is not the server's default); a mode left to the server stays 0600.
   */
  async beforePartialRename(c: Client, tmp: string, dest: string, o: Pick<WriteOptions, 'mode' | 'destMode'>, mlst: boolean): Promise<void> {
    const mode = await this.finalMode(c, dest, o, mlst);
    if (mode === undefined || this.chmodRefused) return;
    await this.chmod(c, tmp, mode, 'file');
  }

  /**
   * Before `tmp` is renamed to `dest`: give it the mode `dest` should end with. SITE CHMOD is left out
   * when the server's default mode for new files (learned once) is already right.
   */
  async beforeRename(c: Client, tmp: string, dest: string, o: Pick<WriteOptions, 'mode' | 'destMode'>, mlst: boolean): Promise<void> {
    if (this.preset.delete(tmp)) return;
    const mode = await this.finalMode(c, dest, o, mlst);
    if (mode === undefined) return;
    if (this.defaultMode === undefined) this.defaultMode = (mlst ? (await mlstFacts(c, tmp))?.mode : undefined) ?? -1;
    if (mode === this.defaultMode) return;
    // a file that must stay private never takes the server's default mode instead (never widened)
    if (this.chmodRefused || !(await this.chmod(c, tmp, mode, 'file'))) {
      if (isPrivate(mode)) throw privateRefused(dest, mode);
    }
  }

  /**
   * The mode `dest` must end with; undefined: leave it to the server. The mode of the file replaced
   * comes from the plan (`destMode`) or from MLST; without either, nothing is changed.
   */
  private async finalMode(c: Client, dest: string, o: Pick<WriteOptions, 'mode' | 'destMode'>, mlst: boolean): Promise<number | undefined> {
    if (this.noModes) return undefined;
    let previous = o.destMode ?? undefined;
    let exists = o.destMode !== null;
    if (o.destMode === undefined) {
      if (!mlst) return undefined;
      const f = await mlstFacts(c, dest);
      exists = f !== undefined;
      previous = f?.mode;
    }
    if (exists && previous === undefined) {
      this.noModes = true;
      this.log.warn(`${this.display}: the server does not report file modes (MLST UNIX.mode): uploaded files get its default mode`);
      return undefined;
    }
    if (!exists && o.mode === undefined && this.policy.file === undefined) return undefined; // the server's default, as before
    return modeForFile(previous, o.mode, this.policy);
  }

  /** a folder this target created gets the configured `permissions.dir` */
  async newDir(c: Client, abs: string): Promise<void> {
    if (this.policy.dir !== undefined && !this.chmodRefused) await this.chmod(c, abs, this.policy.dir, 'folder');
  }

  /** true when the server took it */
  private async chmod(c: Client, abs: string, mode: number, what: string): Promise<boolean> {
    try {
      await c.send(`SITE CHMOD ${formatMode(mode)} ${abs}`);
      return true;
    } catch (e) {
      if (ftpCode(e) === undefined) throw e;
      this.chmodRefused = true;
      this.log.warn(`${this.display}: the server refused SITE CHMOD ${formatMode(mode)} on a ${what} (${(e as Error).message.trim()}); ` +
        'files and folders keep the server\'s default mode');
      return false;
    }
  }
}

/** no group or other bits: e.g. a 0600 .env */
const isPrivate = (mode: number) => (mode & 0o077) === 0;

function privateRefused(dest: string, mode: number): SyncError {
  return new SyncError('io', `Not uploaded: the server refused SITE CHMOD, so ${dest} would take its default mode and become readable by others (it must stay ${formatMode(mode)})`, {
    path: dest, hint: 'Ask the host to allow SITE CHMOD, or upload this file over SFTP',
  });
}
