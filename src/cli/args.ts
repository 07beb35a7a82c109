// The command line of `remote-sync`: a small parser (no dependencies) with errors that say what
// was wrong and suggest the option that was probably meant. Each option's value is checked in
// option-values.ts.

import { RESOLVE_STRATEGIES, CONCURRENCY_RANGE, TIMEOUT_RANGE } from '../core/config/index.js';
import { didYouMean } from '../core/config/suggest.js';
import type { ResolveStrategy, SyncMode } from '../core/types.js';
import { TRANSFER_ORDERS, type TransferOrder } from '../core/transfer/schedule.js';
import { MODES, RETRIES_MAX, setOption, UsageError } from './option-values.js';

export { MODES, RETRIES_MAX, splitList, UsageError } from './option-values.js';

export const COMMANDS = ['upload', 'download', 'sync', 'run', 'import-sftp-json'] as const;
export type Command = (typeof COMMANDS)[number];

export interface CliArgs {
  /** undefined: no command given (only --help / --version make sense then) */
  command?: Command;
  local?: string;
  remote?: string;
  /** run: the config target name */
  target?: string;
  /** import-sftp-json: the sftp.json to convert (default: .vscode/sftp.json, found from the current folder upward) */
  file?: string;
  /** run: --mode (default sync) */
  mode?: SyncMode;
  dryRun: boolean;
  delete: boolean;
  deleteUnmatched: boolean;
  force: boolean;
  resolve?: ResolveStrategy;
  match: string[];
  exclude: string[];
  /** --include: re-included patterns (rsync's --include: not excluded) */
  include: string[];
  /** --exclude-from / --include-from: pattern files, read by the setup */
  excludeFrom: string[];
  includeFrom: string[];
  concurrency?: number;
  maxDelete?: number | string;
  json: boolean;
  /** -v counts up, -q counts down; 0 is normal */
  verbosity: number;
  progress: boolean;
  identity?: string;
  knownHosts?: string;
  sshConfig?: string;
  jump?: string;
  port?: number;
  /** --retries N: further tries of a failed file, and reconnects of a dropped connection */
  retries?: number;
  logFile?: string;
  acceptNewHostKey: boolean;
  ftpsImplicit: boolean;
  ftpActive: boolean;
  insecureTls: boolean;
  /** --timeout: seconds without a response before a connection counts as stalled */
  timeout?: number;
  /** --no-wait: fail at once when another sync of the pair is running */
  noWait: boolean;
  /** normalised "SHA256:AB:CD:…" */
  tlsFingerprint?: string;
  /** --checksum: verify transfers by hash; compare never-synced equal-size equal-time pairs by hash */
  checksum: boolean;
  /** --retries-sleep: first wait before a retry, ms */
  retriesSleepMs?: number;
  /** --bwlimit: as given (validated) */
  bwlimit?: string;
  /** --max-duration, ms */
  maxDurationMs?: number;
  /** --stop-at HH:MM */
  stopAt?: string;
  /** --order */
  order?: TransferOrder;
  help: boolean;
  version: boolean;
}

export interface OptionDef {
  long: string;
  short?: string;
  /** metavariable for options that take a value */
  value?: string;
  help: string;
  /** commands the option belongs to (default: all) */
  only?: readonly Command[];
  /** another name of this option (what rsync or rclone users type) */
  aliasOf?: string;
  /** shell completion of the value: files, or one of these words */
  complete?: 'file' | readonly string[];
  group: 'sync' | 'filter' | 'output' | 'connection' | 'general';
}

/** The options of `remote-sync`: the one list the parser, the help, the README table and the shell completions come from. */
export const OPTIONS: readonly OptionDef[] = [
  { long: 'dry-run', short: 'n', help: 'show the plan (every action with its reason); change nothing', group: 'sync' },
  { long: 'delete', help: 'one-way runs: delete on the destination what the source no longer has', only: ['upload', 'download', 'run'], group: 'sync' },
  { long: 'delete-unmatched', help: 'like --delete, and also delete what the filters exclude', only: ['upload', 'download', 'run'], group: 'sync' },
  { long: 'delete-excluded', aliasOf: 'delete-unmatched', help: 'the same as --delete-unmatched (rsync\'s name)', only: ['upload', 'download', 'run'], group: 'sync' },
  { long: 'force', help: 'one-way runs: overwrite the destination even where it changed since the last sync; allow more deletions than --max-delete; import-sftp-json: overwrite an existing remote-sync.json', group: 'sync' },
  { long: 'resolve', value: 'MODE', help: 'conflicts: ask|skip|local|remote|new|old|merge (default: ask on a terminal, else skip)', complete: RESOLVE_STRATEGIES, group: 'sync' },
  { long: 'mode', value: 'MODE', help: 'run: upload|download|sync (default: sync)', only: ['run'], complete: MODES, group: 'sync' },
  { long: 'max-delete', value: 'N|N%', help: 'stop before deleting more than N files or N% of a side (default 50%)', group: 'sync' },
  { long: 'no-wait', help: 'another sync of the same folders is running: fail at once (exit 1) instead of waiting for it', group: 'sync' },
  { long: 'concurrency', value: 'N', help: `transfers at a time, ${CONCURRENCY_RANGE.min}-${CONCURRENCY_RANGE.max}: SFTP requests in flight on one connection (default 32), FTP connections (default 8)`, group: 'sync' },
  { long: 'checksum', help: 'verify every transfer by a content hash (the server\'s own where it has one), and compare never-synced files of equal size and time by hash', group: 'sync' },
  { long: 'retries', value: 'N', help: `try a failed file N more times, waiting longer each time, and reconnect a dropped connection up to N times, 0-${RETRIES_MAX} (default 3)`, group: 'sync' },
  { long: 'retries-sleep', value: 'DURATION', help: 'wait before the first retry, doubled each time with jitter (default 1s)', group: 'sync' },
  { long: 'bwlimit', value: 'RATE', help: 'total rate over all transfers: 512K, 2M, off, or a timetable "08:00,512K 19:00,off"', group: 'sync' },
  { long: 'max-duration', value: 'DURATION', help: 'start no transfer after this long (2h, 30m); running ones finish; exit 5 with what is left', group: 'sync' },
  { long: 'stop-at', value: 'HH:MM', help: 'start no transfer after this time of day; running ones finish; exit 5 with what is left', group: 'sync' },
  { long: 'order', value: 'ORDER', help: `what is transferred first: ${TRANSFER_ORDERS.join('|')} (default: big files beside small ones)`, group: 'sync' },
  { long: 'match', short: 'm', value: 'PATTERNS', help: 'only these gitignore-like patterns (comma-separated, repeatable)', group: 'filter' },
  { long: 'exclude', short: 'x', value: 'PATTERNS', help: 'leave these out (comma-separated, repeatable); .git, .hg, .svn, .DS_Store always', group: 'filter' },
  { long: 'include', value: 'PATTERNS', help: 'do not leave these out, even where an exclude matches (rsync\'s --include; comma-separated, repeatable)', group: 'filter' },
  { long: 'exclude-from', value: 'FILE', help: 'leave out the patterns in FILE (one per line, gitignore syntax, e.g. .gitignore)', complete: 'file', group: 'filter' },
  { long: 'include-from', value: 'FILE', help: 'do not leave out the patterns in FILE (one per line)', complete: 'file', group: 'filter' },
  { long: 'json', help: 'print one JSON report on stdout (human text goes to stderr)', group: 'output' },
  { long: 'verbose', short: 'v', help: 'more output: -v equal files and details, -vv debug and stack traces', group: 'output' },
  { long: 'quiet', short: 'q', help: 'less output: -q only the summary and errors, -qq only errors', group: 'output' },
  { long: 'progress', short: 'P', help: 'show a one-line progress on stderr: files, bytes, rate and time left', group: 'output' },
  { long: 'log-file', value: 'FILE', help: 'also append everything (at -vv detail, with times) to FILE', complete: 'file', group: 'output' },
  { long: 'port', value: 'N', help: 'the port of REMOTE (instead of the URL\'s or the default)', group: 'connection' },
  { long: 'identity', value: 'FILE', help: 'SFTP: private key file', complete: 'file', group: 'connection' },
  { long: 'known-hosts', value: 'FILE', help: 'SFTP: known_hosts file (default ~/.ssh/known_hosts)', complete: 'file', group: 'connection' },
  { long: 'accept-new-host-key', help: 'SFTP: trust and record an unknown host key (a changed key always fails)', group: 'connection' },
  { long: 'ssh-config', value: 'FILE', help: 'SFTP: the ssh client config to resolve the host through (default ~/.ssh/config)', complete: 'file', group: 'connection' },
  { long: 'jump', value: 'HOSTS', help: 'SFTP: connect through jump host(s) [user@]host[:port], comma-separated (like ssh -J)', group: 'connection' },
  { long: 'ftps-implicit', help: 'FTPS: implicit TLS (default port 990) instead of explicit AUTH TLS', group: 'connection' },
  { long: 'ftp-active', help: 'FTP: active mode (the server connects back) instead of passive', group: 'connection' },
  { long: 'timeout', value: 'SECONDS', help: `no response from the server for this long: drop the connection, reconnect and go on (default ${TIMEOUT_RANGE.default})`, group: 'connection' },
  { long: 'insecure-tls', help: 'FTPS: accept a self-signed or unverifiable certificate (its fingerprint is asked once, then remembered; another one fails)', group: 'connection' },
  { long: 'tls-fingerprint', value: 'SHA256:…', help: 'FTPS: accept only the certificate with this SHA-256 fingerprint (scripts: no prompt)', group: 'connection' },
  { long: 'help', short: 'h', help: 'show help (for a command: remote-sync upload --help)', group: 'general' },
  { long: 'version', short: 'V', help: 'show the version', group: 'general' },
];

function emptyArgs(): CliArgs {
  return {
    dryRun: false, delete: false, deleteUnmatched: false, force: false, match: [], exclude: [], include: [], excludeFrom: [], includeFrom: [], json: false,
    verbosity: 0, progress: false, acceptNewHostKey: false, ftpsImplicit: false, ftpActive: false, insecureTls: false,
    noWait: false, checksum: false, help: false, version: false,
  };
}

export function parseArgs(argv: readonly string[]): CliArgs {
  const args = emptyArgs();
  const positionals: string[] = [];
  const seen = new Map<string, string>();
  /** the name the user typed (an alias) for an option */
  const spelledAs = new Map<string, string>();
  let command: Command | undefined;
  let helpCommand = false;
  let endOfOptions = false;

  // a value option given twice: the last one wins (so wrappers can append overrides); -m/-x add up
  const apply = (given: OptionDef, value: string | undefined, spelled: string) => {
    const def = given.aliasOf ? OPTIONS.find((o) => o.long === given.aliasOf)! : given;
    seen.set(def.long, value ?? '');
    spelledAs.set(def.long, given.long);
    setOption(args, def, value ?? '', spelled, command);
  };

  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (endOfOptions || a === '-' || !a.startsWith('-')) {
      if (command === undefined && !helpCommand && positionals.length === 0) {
        if (a === 'help') { helpCommand = true; args.help = true; continue; }
        if (!(COMMANDS as readonly string[]).includes(a)) {
          throw new UsageError(`unknown command '${a}'${didYouMean(a, COMMANDS, (s) => s)}`);
        }
        command = a as Command;
        continue;
      }
      if (helpCommand && command === undefined) {
        if (!(COMMANDS as readonly string[]).includes(a)) throw new UsageError(`unknown command '${a}'${didYouMean(a, COMMANDS, (s) => s)}`);
        command = a as Command;
        continue;
      }
      positionals.push(a);
      continue;
    }
    if (a === '--') { endOfOptions = true; continue; }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const inline = eq < 0 ? undefined : a.slice(eq + 1);
      const def = OPTIONS.find((o) => o.long === name);
      if (!def) {
        throw new UsageError(`unknown option --${name}${didYouMean('--' + name, OPTIONS.map((o) => '--' + o.long), (s) => s)}`, command);
      }
      if (def.value === undefined) {
        if (inline !== undefined) throw new UsageError(`option --${name} takes no value (got --${name}=${inline})`, command);
        apply(def, undefined, `--${name}`);
      } else {
        let value = inline;
        if (value === undefined) {
          if (i + 1 >= argv.length) throw new UsageError(`option --${name} needs a value: --${name} ${def.value}`, command);
          value = argv[++i];
        }
        apply(def, value, `--${name}`);
      }
      continue;
    }
    // one or more short options: -nv, -vv, -m '*.js', -m*.js, -nm '*.js'
    for (let j = 1; j < a.length; j++) {
      const ch = a[j];
      const def = OPTIONS.find((o) => o.short === ch);
      if (!def) {
        const hint = a.length > 2 && j === 1 && OPTIONS.some((o) => o.long === a.slice(1)) ? ` (did you mean -${a}?)` : '';
        throw new UsageError(`unknown option -${ch}${a.length > 2 ? ` in ${a}` : ''}${hint}`, command);
      }
      if (def.value === undefined) { apply(def, undefined, `-${ch}`); continue; }
      let value = a.slice(j + 1);
      if (value === '') {
        if (i + 1 >= argv.length) throw new UsageError(`option -${ch} needs a value: -${ch} ${def.value}`, command);
        value = argv[++i];
      }
      apply(def, value, `-${ch}`);
      break;
    }
  }

  args.command = command;
  if (args.help || args.version) return args;
  if (command === undefined) {
    throw new UsageError(positionals.length ? `unknown command '${positionals[0]}'` : 'no command given');
  }

  // which options go with which command
  for (const def of OPTIONS) {
    if (def.only && seen.has(def.long) && !def.only.includes(command)) {
      throw new UsageError(`option --${spelledAs.get(def.long) ?? def.long} is not used by '${command}' (only by ${def.only.join(', ')})`, command);
    }
  }
  if (command === 'import-sftp-json') {
    const allowed = new Set(['force', 'verbose', 'quiet', 'help', 'version']);
    const other = [...seen.keys()].find((k) => !allowed.has(k));
    if (other) throw new UsageError(`option --${other} is not used by 'import-sftp-json' (only --force)`, command);
    if (positionals.length > 1) throw new UsageError(`'import-sftp-json' takes at most one FILE (got ${positionals.length}: ${positionals.join(' ')})`, command);
    args.file = positionals[0];
    return args;
  }
  if (command === 'run') {
    if (positionals.length > 1) throw new UsageError(`'run' takes at most one TARGET name (got ${positionals.length}: ${positionals.join(' ')})`, command);
    args.target = positionals[0];
  } else {
    if (positionals.length < 2) {
      throw new UsageError(`'${command}' needs ${positionals.length === 0 ? 'LOCAL and REMOTE' : 'REMOTE after LOCAL'}`, command);
    }
    if (positionals.length > 2) {
      throw new UsageError(`'${command}' takes LOCAL and REMOTE only; unexpected '${positionals[2]}' (quote patterns: -x '*.log')`, command);
    }
    [args.local, args.remote] = positionals;
  }
  const mode = command === 'run' ? args.mode ?? 'sync' : command;
  if (mode === 'sync') {
    for (const flag of ['delete', 'delete-unmatched', 'force'] as const) {
      if (seen.has(flag)) {
        const how = command === 'run' ? ' (add --mode upload or --mode download)' : '';
        throw new UsageError(`option --${spelledAs.get(flag) ?? flag} is for one-way runs (upload, download); a sync decides deletions from the last-sync state${how}`, command);
      }
    }
  }
  if (seen.has('verbose') && seen.has('quiet')) {
    throw new UsageError('options -v and -q cannot be combined', command);
  }
  return args;
}

/** Does argv ask for a JSON report? (so that even a usage error is reported as JSON) */
export function wantsJson(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--json') return true;
  }
  return false;
}
