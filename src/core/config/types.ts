// The project config file `.vscode/remote-sync.json`, as the engine, the CLI and the extension see it
// after parsing and validation.

import type { ResolveStrategy, SshAlgorithms } from '../types.js';

/** One named target, normalised: URL form and host form both end up like this. */
export interface TargetConfig {
  name: string;
  /** "local" is a folder on this machine (a mounted share, or tests) */
  protocol: 'sftp' | 'ftp' | 'ftps' | 'local';
  /** empty for local targets */
  host: string;
  /** always set for network targets: the protocol's default when the file gives none */
  port?: number;
  user?: string;
  /** absolute folder on the server (local: absolute path on this machine, already resolved) */
  remotePath: string;
  /** as written in the file, when the target was given by "url" */
  url?: string;
  // SFTP
  /** key file, as written (`~` and relative paths are resolved by targetSpec) */
  privateKey?: string;
  /** true/undefined: SSH_AUTH_SOCK; false: no agent; a string: that agent socket */
  agent?: boolean | string;
  knownHosts?: string;
  /** OpenSSH client config file, as written (resolved by targetSpec); default ~/.ssh/config */
  sshConfig?: string;
  /** jump hosts: "user@bastion:22", several separated by commas */
  jump?: string;
  /** false: never run commands on the server (find for listings, sha256sum for hashes): SFTP requests only */
  sshCommands?: boolean;
  /** ssh2 algorithm lists or changes ("+ssh-rsa") */
  algorithms?: SshAlgorithms;
  /** SFTP: no port given (an ssh config Port may apply) */
  portIsDefault?: boolean;
  // FTP
  /** TLS: false (plain FTP), "explicit" (AUTH TLS, port 21) or "implicit" (port 990) */
  secure: false | 'explicit' | 'implicit';
  /** passive mode (default true) */
  passive: boolean;
  /** FTPS: accept a self-signed certificate */
  allowSelfSignedCertificate: boolean;
  /** FTPS: the server certificate's SHA-256 fingerprint, normalised "SHA256:AB:CD:…" (pins it) */
  tlsFingerprint?: string;
  // SFTP and FTP
  /** modes of new files and folders on the server */
  permissions?: { file?: number; dir?: number };
  /** the executable bits of uploads follow the local file's */
  preserveMode?: boolean;
}

export interface ProjectConfig {
  /** absolute path of the config file */
  file: string;
  /** the folder that contains `.vscode` */
  workspaceRoot: string;
  /** absolute; the file's "localRoot" is relative to workspaceRoot (default ".") */
  localRoot: string;
  targets: Record<string, TargetConfig>;
  /** server groups: a name under "targets" that lists other targets ("group": [...]); see core/groups */
  groups?: Record<string, string[]>;
  /** required in the file when there is more than one target; else the only one */
  defaultTarget: string;
  /** default false */
  uploadOnSave: boolean;
  /** default false: opening a file whose server copy changed since the last sync downloads it first (local copy unchanged) */
  downloadOnOpen: boolean;
  /** list the server periodically for changes (undefined: off, the default) */
  watchServer?: { intervalSeconds: number };
  /** files changed outside the editor (a build, a checkout): uploaded through the save path (undefined: off) */
  watch?: { files: string[]; upload: boolean; delete: boolean };
  /** what a server check does with files changed only on the server (default 'off': only shows them) */
  downloadServerChanges: 'auto' | 'ask' | 'off';
  /** gitignore-like patterns left out of every sync */
  ignore: string[];
  /** names of ignore files (".gitignore") whose patterns are added to `ignore`, read in every folder */
  ignoreFiles?: string[];
  /** only these (gitignore-like patterns); undefined = everything */
  match?: string[];
  /** default 'ask' (the CLI asks only on a terminal) */
  conflictPolicy: ResolveStrategy;
  /** transfers at a time; undefined: the protocol's default (SFTP 32 requests in flight on one connection, FTP 8 connections) */
  concurrency?: number;
  /** default false: deletions/renames in the workspace, and --delete in one-way runs */
  deletePropagation: boolean;
  /** a count or "N%" of a side's files; undefined = the engine's default ("50%") */
  maxDelete?: number | string;
  /** common versions kept for three-way merges; undefined = the default (text files up to 1 MB) */
  mergeBase?: { maxFileSize: number } | false;
  /** close the connection after this many idle seconds (default 300) */
  idleTimeoutSeconds: number;
  /** a connection with no response for this many seconds is stalled: dropped and reopened (default 30) */
  timeoutSeconds: number;
  /** total transfer rate over all connections: "2M", "512K", "off" or a timetable "08:00,512K 19:00,off" (CLI --bwlimit) */
  bandwidthLimit?: string;
  /** what goes first (CLI --order) */
  transferOrder?: 'newest' | 'oldest' | 'smallest' | 'largest' | 'name';
  /** after each transfer: compare sizes (default) or content hashes */
  verify?: 'size' | 'hash';
  /** bytes: bigger files resume after an interruption (default 8 MiB); null: "off" */
  resumeAbove?: number | null;
}

export const DEFAULT_PORTS = { sftp: 22, ftp: 21, ftps: 21, ftpsImplicit: 990 } as const;
