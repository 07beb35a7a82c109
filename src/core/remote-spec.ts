// How to reach a target: where it is (RemoteSpec, parsed from a CLI argument or the project
// config) and what a login may ask of the user (Credentials: passwords, keys, host keys, TLS
// certificates). Part of the engine's contracts, re-exported by types.ts; no `vscode` here either.

/** Where and how to reach a target; parsed from a CLI argument or the project config. */
export interface RemoteSpec {
  protocol: 'local' | 'sftp' | 'ftp' | 'ftps';
  /** local: absolute folder; remote: absolute folder on the server */
  path: string;
  host?: string;
  port?: number;
  user?: string;
  /** only when given in a URL or the environment; never stored in a config file */
  password?: string;
  /** ftps: implicit TLS (port 990 style) instead of explicit AUTH TLS */
  ftpsImplicit?: boolean;
  /** ftp: active mode instead of passive */
  ftpActive?: boolean;
  /** ftps: accept a self-signed / unverifiable certificate (its fingerprint is then checked: tls-pin.ts) */
  allowUnauthorizedTls?: boolean;
  /** ftps: accept only the certificate with this SHA-256 fingerprint ("SHA256:AB:CD:…"), without asking */
  tlsFingerprint?: string;
  /** sftp: private key file */
  identity?: string;
  /** sftp: ssh-agent socket or Windows pipe, or "pageant" (default: SSH_AUTH_SOCK; on Windows the OpenSSH agent pipe); false for none */
  agent?: string | false;
  /** sftp: known_hosts file (default ~/.ssh/known_hosts) */
  knownHosts?: string;
  /** sftp: trust and record an unknown host key (a changed key always fails) */
  acceptNewHostKey?: boolean;
  /** a connection silent this long (s) is given up as stalled and reopened (default 30) */
  timeoutSeconds?: number;
  /** sftp/ftp: modes of new files and folders on the server (config `permissions`) */
  permissions?: { file?: number; dir?: number };
  /** sftp/ftp: the executable bits of uploaded files follow the local file's (config `preserveMode`) */
  preserveMode?: boolean;
  /** sftp: the OpenSSH client config to resolve the host through (default ~/.ssh/config, when it exists) */
  sshConfig?: string;
  /** sftp: jump hosts, "user@bastion:22" or a comma-separated chain (first hop first); "none" for none */
  jump?: string;
  /** sftp: algorithm lists for ssh2 (to reach an old server) */
  algorithms?: SshAlgorithms;
  /** the port is the protocol's default, not given by the user (an ssh config `Port` may replace it) */
  portIsDefault?: boolean;
  /** sftp: false: never run commands on the server (`find` for listings, `sha256sum` for hashes), SFTP requests only */
  sshCommands?: boolean;
  /** how often a failed operation is retried after a dropped connection (default 3) */
  retries?: number;
}

/**
 * SSH algorithm lists, names as OpenSSH and ssh2 spell them. A list is used as given, in that
 * order; a list whose every entry starts with "+" (append), "-" (remove) or "^" (put first)
 * changes the defaults instead, like OpenSSH's `HostKeyAlgorithms +ssh-rsa`.
 */
export interface SshAlgorithms {
  kex?: string[];
  cipher?: string[];
  serverHostKey?: string[];
  hmac?: string[];
}

/** Asked lazily, only when a login needs it. The CLI prompts on a terminal; the extension uses SecretStorage. */
export interface Credentials {
  password?: (spec: RemoteSpec) => Promise<string | undefined>;
  passphrase?: (keyFile: string) => Promise<string | undefined>;
  /** an unknown SFTP host: return true to trust (and record) the key */
  confirmHostKey?: (info: HostKeyInfo) => Promise<boolean>;
  /** an FTPS certificate seen for the first time, with verification off: return true to trust (and record) it */
  confirmCertificate?: (info: CertificateInfo) => Promise<boolean>;
  /**
   * SSH keyboard-interactive prompts other than the password (one-time codes, 2FA): one answer per
   * prompt, in order; undefined when nobody can answer (the login method is then given up).
   */
  answerPrompts?: (request: PromptRequest) => Promise<string[] | undefined>;
}

export interface CertificateInfo {
  host: string;
  port: number;
  /** "SHA256:AB:CD:…" (as openssl and FileZilla show it) */
  fingerprint: string;
  /** common names of the subject and the issuer, and the end of validity, as the certificate says */
  subject: string;
  issuer: string;
  validTo: string;
  /** where it is recorded when trusted (undefined: not remembered) */
  knownCertificatesFile?: string;
}

/** One round of keyboard-interactive questions from an SSH server. */
export interface PromptRequest {
  /** "user@host:port" */
  who: string;
  /** the server's title and instruction text (either may be empty) */
  name: string;
  instructions: string;
  /** echo: false for secrets (the answer is not shown while typed) */
  prompts: { prompt: string; echo: boolean }[];
}

export interface HostKeyInfo {
  host: string;
  port: number;
  keyType: string;
  /** "SHA256:…" as OpenSSH prints it */
  fingerprint: string;
  knownHostsFile: string;
}
