// Creating folders on an SFTP server: mkdir -p one level at a time (OpenSSH reports an existing
// folder as a generic failure, so a failure is checked with a stat), and the configured
// `permissions.dir` set on each folder this target created (mkdir's mode is masked by the umask).
import type { Stats } from 'ssh2';
import { SyncError } from '../errors.js';
import { parentOf } from '../paths.js';
import type { Logger } from '../types.js';
import { isConnectionLost, type SftpConnection } from './sftp-connect.js';
import { call, typeOf } from './sftp-util.js';
import { formatMode, type ModePolicy } from './modes.js';

export class SftpFolders {
  /** the server refused a chmod once: said once, not per folder */
  private chmodRefused = false;

  constructor(private readonly modes: ModePolicy, private readonly log: Logger, private readonly display: string) {}

  /** the root folder and its parents (absolute, from `c.root`) */
  async makeRoot(c: SftpConnection): Promise<void> {
    let cur = '';
    for (const part of c.root.split('/').filter(Boolean)) {
      cur += `/${part}`;
      const st = await call<Stats>(c, (s, cb) => s.stat(cur, cb)).catch(() => undefined);
      if (!st) {
        await call<void>(c, (s, cb) => s.mkdir(cur, cb));
        await this.chmodNew(c, cur);
      }
    }
  }

  /** `path` (relative; `abs` maps it) and the folders above it that are missing */
  async mkdirp(c: SftpConnection, path: string, abs: (rel: string) => string): Promise<void> {
    try {
      await call<void>(c, (s, cb) => s.mkdir(abs(path), cb));
      await this.chmodNew(c, abs(path));
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code === 2 && parentOf(path)) {
        await this.mkdirp(c, parentOf(path), abs);
        return this.mkdirp(c, path, abs);
      }
      // exists already (OpenSSH reports a generic failure): fine if it is a folder
      const st = await call<Stats>(c, (s, cb) => s.stat(abs(path), cb)).catch(() => undefined);
      if (st && typeOf(st) === 'dir') return;
      if (st) throw new SyncError('io', `Cannot create folder ${path}: a file with that name exists`, { path });
      throw e;
    }
  }

  /** a folder this target created gets the configured `permissions.dir` */
  private async chmodNew(c: SftpConnection, abs: string): Promise<void> {
    const mode = this.modes.dir;
    if (mode === undefined || this.chmodRefused) return;
    try {
      await call<void>(c, (s, cb) => s.chmod(abs, mode, cb));
    } catch (e) {
      if (c.dead || isConnectionLost(e)) throw e;
      this.chmodRefused = true;
      this.log.warn(`${this.display}: the server refused to set folder permissions ${formatMode(mode)} on ${abs} ` +
        `(${(e as Error).message}); new folders keep the server's default`);
    }
  }
}
