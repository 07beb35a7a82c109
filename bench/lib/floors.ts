// The save-latency floors of issue 12, run inside the engine worker beside remote-sync's saves:
// the least any client must do to put a changed 4 KB file on the server atomically, with the raw
// libraries remote-sync itself uses.
//   SFTP: ssh2 (npm) — stat of the file, write of a temp file (open/write/close), posix-rename onto it
//   FTP:  basic-ftp — STOR of a temp file, then RNFR/RNTO onto it
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { Client as SshClient, type SFTPWrapper } from 'ssh2';
import { Client as FtpClient } from 'basic-ftp';
import type { RemoteSpec } from '../../src/core/types.js';

export interface Floor {
  /** one stat + atomic write of `data` to `name` (a path relative to the remote root) */
  put(name: string, data: Buffer): Promise<void>;
  close(): void;
}

const cb = <T>(f: (done: (err: Error | null | undefined, v?: T) => void) => void) =>
  new Promise<T | undefined>((resolve, reject) => f((err, v) => (err ? reject(err) : resolve(v))));

/** hostKeyB64: the server's key as in known_hosts (base64), checked on connect */
export async function sftpFloor(spec: RemoteSpec, hostKeyB64: string): Promise<Floor> {
  const conn = new SshClient();
  const want = Buffer.from(hostKeyB64, 'base64');
  await new Promise<void>((resolve, reject) => {
    conn.once('ready', () => resolve());
    conn.once('error', reject);
    conn.connect({
      host: spec.host, port: spec.port, username: spec.user, privateKey: readFileSync(spec.identity!),
      hostVerifier: (key: Buffer) => key.equals(want), readyTimeout: 15_000,
    });
  });
  conn.setNoDelay(true); // as remote-sync's SFTP target does (else Nagle + delayed ACK add ~200 ms per write)
  const sftp = await cb<SFTPWrapper>((d) => conn.sftp(d));
  const root = spec.path.replace(/\/+$/, '');
  let n = 0;
  return {
    async put(name, data) {
      const final = `${root}/${name}`;
      const tmp = `${root}/.floor-tmp-${process.pid}-${++n}`;
      await cb((d) => sftp!.stat(final, (err, st) => d(err && (err as { code?: number }).code !== 2 ? err : null, st)));
      await cb((d) => sftp!.writeFile(tmp, data, d));
      await cb((d) => sftp!.ext_openssh_rename(tmp, final, d));
    },
    close() { conn.end(); },
  };
}

export async function ftpFloor(spec: RemoteSpec): Promise<Floor> {
  const client = new FtpClient(15_000);
  await client.access({ host: spec.host, port: spec.port, user: spec.user, password: spec.password, secure: false });
  const root = spec.path.replace(/\/+$/, '');
  let n = 0;
  return {
    async put(name, data) {
      const tmp = `${root}/.floor-tmp-${process.pid}-${++n}`;
      await client.uploadFrom(Readable.from([data]), tmp);
      await client.rename(tmp, `${root}/${name}`);
    },
    close() { client.close(); },
  };
}
