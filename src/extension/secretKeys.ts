// Names of the secrets kept in VS Code's SecretStorage (vscode-free). Passwords are per login
// (protocol, user, host, port), not per remote folder; key passphrases per key file.

import type { RemoteSpec } from '../core/types.js';

export function defaultPort(spec: RemoteSpec): number | undefined {
  switch (spec.protocol) {
    case 'sftp': return 22;
    case 'ftp': return 21;
    case 'ftps': return spec.ftpsImplicit ? 990 : 21;
    case 'local': return undefined;
  }
}

/** "sftp://me@example.com:22" — what a password belongs to */
export function loginId(spec: RemoteSpec): string {
  const user = spec.user ? `${encodeURIComponent(spec.user)}@` : '';
  const port = spec.port ?? defaultPort(spec);
  return `${spec.protocol}://${user}${spec.host ?? ''}${port ? `:${port}` : ''}`;
}

/**
 * How the server proves who it is, when that is not the default (an FTPS certificate checked by its
 * fingerprint instead of a certificate authority): a password stored for one verification is never
 * handed to a target configured with another.
 */
export function verificationOf(spec: RemoteSpec): string {
  if (spec.protocol !== 'ftps') return '';
  if (spec.tlsFingerprint) return `#tls=${spec.tlsFingerprint}`;
  if (spec.allowUnauthorizedTls) return '#tls=first-use';
  return '';
}

export function passwordKey(spec: RemoteSpec): string {
  return `remote-sync.password:${loginId(spec)}${verificationOf(spec)}`;
}

export function passphraseKey(keyFile: string): string {
  return `remote-sync.passphrase:${keyFile}`;
}

/** "me@example.com" for prompts */
export function loginLabel(spec: RemoteSpec): string {
  const port = spec.port && spec.port !== defaultPort(spec) ? `:${spec.port}` : '';
  return `${spec.user ? spec.user + '@' : ''}${spec.host ?? ''}${port}`;
}
