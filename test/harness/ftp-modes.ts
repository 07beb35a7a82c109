// The three ways the FTP tests reach a daemon (test/harness/ftpd.ts): plain FTP and explicit FTPS on
// pure-ftpd, implicit FTPS on ProFTPD; the FtpTarget spec for one; reading a download stream whole.
import type { Readable } from 'node:stream';
import type { RemoteSpec } from '../../src/core/types.js';
import type { FtpdServer, FtpdTls } from './ftpd.js';

export interface FtpMode { tls: FtpdTls; protocol: 'ftp' | 'ftps'; implicit?: boolean }

export const FTP_MODES: FtpMode[] = [
  { tls: 'none', protocol: 'ftp' },
  { tls: 'explicit', protocol: 'ftps' },
  { tls: 'implicit', protocol: 'ftps', implicit: true },
];

/** FtpTarget's spec for `server` in `mode` at `ftpPath`: the test user's password, the daemon's self-signed certificate pinned. */
export function ftpSpec(mode: FtpMode, server: FtpdServer, ftpPath: string): RemoteSpec {
  return {
    protocol: mode.protocol, ftpsImplicit: mode.implicit, host: server.host, port: server.port, user: server.user,
    password: server.password, path: ftpPath, allowUnauthorizedTls: true, tlsFingerprint: server.certFingerprint,
  };
}

export async function drain(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
