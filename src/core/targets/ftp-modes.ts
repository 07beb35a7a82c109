// File modes over FTP (see modes.ts for the rules): the mode a replaced file had comes from the
// MLST `UNIX.mode` fact, and is set on the uploaded temp file with `SITE CHMOD` before the rename, so
// the real name never has a wider mode, not even for a moment. A server that offers no UNIX.mode
// leaves modes alone (there is no way to know what a replaced file had); one that refuses SITE CHMOD
// is said once, and modes are not tried again on that target.
import type { Client } from 'basic-ftp';
import type { Logger } from '../types.js';
import { formatMode, modeForFile, type ModePolicy } from './modes.js';
import { ftpCode, parseMlstReply } from './ftp-util.js';

/** basic-ftp's parsed permissions (MLSD unix.mode, or the rwx of a LIST line) → mode bits */
export function modeOfPermissions(p: { user: number; group: number; world: number } | undefined): number | undefined {
  if (!p || ![p.user, p.group, p.world].every((n) => Number.isInteger(n) && n >= 0 && n <= 7)) return undefined;
  return (p.user << 6) | (p.group << 3) | p.world;
}

export class FtpModes {
  /** false after the server refused SITE CHMOD (or offers no UNIX.mode): modes are left to the server */
  private works = true;

  constructor(private readonly policy: ModePolicy, private readonly log: Logger, private readonly display: string) {}

  /**
   * Before `tmp` is renamed to `dest`: give it the mode `dest` should end with. Needs MLST (the mode
   * of the file being replaced); without it, nothing is changed.
   */
  async beforeRename(c: Client, tmp: string, dest: string, sourceMode: number | undefined, mlst: boolean): Promise<void> {
    if (!this.works || !mlst) return;
    let previous: number | undefined;
    let exists = false;
    try {
      const f = parseMlstReply((await c.send(`MLST ${dest}`)).message);
      exists = f !== undefined;
      previous = f?.mode;
    } catch (e) {
      if (ftpCode(e) !== 550) throw e;
    }
    if (exists && previous === undefined) {
      this.works = false;
      this.log.warn(`${this.display}: the server does not report file modes (MLST UNIX.mode): uploaded files get its default mode`);
      return;
    }
    if (!exists && sourceMode === undefined && this.policy.file === undefined) return; // the server's default, as before
    await this.chmod(c, tmp, modeForFile(previous, sourceMode, this.policy), 'file');
  }

  /** a folder this target created gets the configured `permissions.dir` */
  async newDir(c: Client, abs: string): Promise<void> {
    if (this.policy.dir !== undefined && this.works) await this.chmod(c, abs, this.policy.dir, 'folder');
  }

  private async chmod(c: Client, abs: string, mode: number, what: string): Promise<void> {
    try {
      await c.send(`SITE CHMOD ${formatMode(mode)} ${abs}`);
    } catch (e) {
      if (ftpCode(e) === undefined) throw e;
      this.works = false;
      this.log.warn(`${this.display}: the server refused SITE CHMOD ${formatMode(mode)} on a ${what} (${(e as Error).message.trim()}); ` +
        'files and folders keep the server\'s default mode');
    }
  }
}
