// File modes over FTP (see modes.ts for the rules): the mode a replaced file had comes from the
// MLST `UNIX.mode` fact, and is set on the uploaded temp file with `SITE CHMOD` before the rename, so
// the real name never has a wider mode, not even for a moment. A server that offers no UNIX.mode
// leaves modes alone (there is no way to know what a replaced file had); one that refuses SITE CHMOD
// is said once, and modes are not tried again on that target.
import type { Client } from 'basic-ftp';
import type { Logger, WriteOptions } from '../types.js';
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
  /** false after the server refused SITE CHMOD (or offers no UNIX.mode): modes are left to the server */
  private works = true;
  /** the mode the server gives a new file (-1: it does not say) */
  private defaultMode: number | undefined;

  constructor(private readonly policy: ModePolicy, private readonly log: Logger, private readonly display: string) {}

  /**
   * Before `tmp` is renamed to `dest`: give it the mode `dest` should end with. The mode of the file
   * replaced comes from the plan (`destMode`) or from MLST; without MLST nothing is changed. SITE
   * CHMOD is left out when the server's default mode for new files (learned once) is already right.
   */
  async beforeRename(c: Client, tmp: string, dest: string, o: Pick<WriteOptions, 'mode' | 'destMode'>, mlst: boolean): Promise<void> {
    if (!this.works) return;
    let previous = o.destMode ?? undefined;
    let exists = o.destMode !== null;
    if (o.destMode === undefined) {
      if (!mlst) return;
      const f = await mlstFacts(c, dest);
      exists = f !== undefined;
      previous = f?.mode;
    }
    if (exists && previous === undefined) {
      this.works = false;
      this.log.warn(`${this.display}: the server does not report file modes (MLST UNIX.mode): uploaded files get its default mode`);
      return;
    }
    if (!exists && o.mode === undefined && this.policy.file === undefined) return; // the server's default, as before
    const mode = modeForFile(previous, o.mode, this.policy);
    if (this.defaultMode === undefined) this.defaultMode = (mlst ? (await mlstFacts(c, tmp))?.mode : undefined) ?? -1;
    if (mode === this.defaultMode) return;
    await this.chmod(c, tmp, mode, 'file');
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
