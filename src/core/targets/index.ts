// Target factory: one place that maps a RemoteSpec to an implementation.
import type { Credentials, Logger, RemoteSpec, Target } from '../types.js';
import { LocalTarget } from './local.js';
import { SftpTarget } from './sftp.js';
import { FtpTarget } from './ftp.js';

export interface TargetOptions {
  credentials?: Credentials;
  log?: Logger;
  /** connections / parallel requests the target may use */
  concurrency?: number;
  /** FTPS without verification: where trusted certificate fingerprints are remembered (paths.ts: userKnownCertificatesFile) */
  knownCertificatesFile?: string;
}

export function createTarget(spec: RemoteSpec, options: TargetOptions = {}): Target {
  switch (spec.protocol) {
    case 'local': return new LocalTarget(spec.path);
    case 'sftp': return new SftpTarget(spec, options);
    case 'ftp':
    case 'ftps': return new FtpTarget(spec, options);
  }
}

/** Stable id of a remote for naming its state file: no password, normalised path. */
export function remoteId(spec: RemoteSpec): string {
  if (spec.protocol === 'local') return `file://${spec.path}`;
  const port = spec.port ? `:${spec.port}` : '';
  const user = spec.user ? `${encodeURIComponent(spec.user)}@` : '';
  return `${spec.protocol}://${user}${spec.host ?? ''}${port}${spec.path.startsWith('/') ? '' : '/'}${spec.path}`;
}
