// The SFTP target's server-side hashes: sha256sum / sha1sum / md5sum over an exec channel
// (transfer/hash.ts sshServerHash) where the account may run them, remembered per target.
import { SyncError } from '../errors.js';
import type { Logger, RemoteSpec } from '../types.js';
import type { SftpConnection } from './sftp-connect.js';
import { absPath } from './sftp-util.js';
import { serverHashTimeoutMs, sshServerHash, type FileHash, type HashAlgo } from '../transfer/hash.js';
import { timeoutSecondsOf } from '../transfer/stall.js';

export class SftpServerHash {
  /** false once the account could not run sha256sum (an sftp-only account), or `sshCommands: false`: not asked again */
  private usable: boolean | undefined;

  constructor(private readonly spec: RemoteSpec, private readonly display: string, private readonly log: Logger) {
    if (spec.sshCommands === false) this.usable = false;
  }

  /** the server's hash of `path`; `retrying` runs a step on a live connection, reconnecting as the target does */
  async hash(retrying: <T>(fn: (c: SftpConnection) => Promise<T>) => Promise<T>, path: string, algos: readonly HashAlgo[], signal?: AbortSignal, size?: number): Promise<FileHash | undefined> {
    if (this.usable === false) return undefined;
    const ms = serverHashTimeoutMs(timeoutSecondsOf(this.spec) * 1000, size);
    let late = false; // no answer within `ms`: a slow server (a big file), not one that cannot hash
    const r = await retrying(async (c) => {
      const h = await sshServerHash(c.client, absPath(c, path), algos, ms, signal, () => { late = true; });
      // the connection dropped (keepalives unanswered) while the server hashed: not a refusal — reconnected, asked again
      if (!h && !late && c.dead) throw new SyncError('connect', `The connection to ${this.display} was lost while hashing`, { path });
      return h;
    });
    if (late) { this.log.warn(`${this.display}: no hash of ${path} from the server within ${Math.round(ms / 1000)} s; the file is read back to hash it`); return undefined; }
    if (!r && this.usable === undefined) {
      this.usable = false;
      this.log.info(`${this.display}: the account cannot run ${algos.map((a) => `${a}sum`).join('/')}; files are read back to hash them`);
    } else if (r) this.usable = true;
    return r;
  }
}
