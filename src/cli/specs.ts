// From the command line (and, for `run`, the config file) to what a run needs: the two sides,
// the filters and the plan/run options. Command-line options override the config file.

import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { relative, isAbsolute, sep } from 'node:path';
import type { FilterOptions } from '../core/api.js';
import { SyncError } from '../core/errors.js';
import type { RemoteSpec, ResolveStrategy, SyncMode } from '../core/types.js';
import {
  CONFIG_RELATIVE_PATH, searchConfigFile, loadOwnConfig, foreignConfigProblem, targetSpec, parseRemoteArg, resolveUserPath, didYouMean,
  type ProjectConfig,
} from '../core/config/index.js';
import { readPatternFile } from '../core/ignore/ignore-files.js';
import { parseJump } from '../core/targets/ssh/jump-spec.js';
import { UsageError, type CliArgs } from './args.js';
import { configReach } from '../core/config/reach.js';
import type { TransferSettings } from '../core/transfer/policy.js';
import { configTransferSettings } from '../core/config/transfer-settings.js';

export interface RunSetup {
  mode: SyncMode;
  local: RemoteSpec;
  remote: RemoteSpec;
  /** absolute local root (the state lives below it) */
  localRoot: string;
  filter: FilterOptions;
  delete: boolean;
  deleteUnmatched: boolean;
  force: boolean;
  maxDelete?: number | string;
  /** "mergeBase" of the config file (undefined: the engine's default) */
  mergeBase?: { maxFileSize: number } | false;
  /** never 'ask' when no terminal can answer */
  resolve: ResolveStrategy;
  concurrency?: number;
  /** --checksum: compare never-synced pairs of equal size and time by hash */
  checksum: boolean;
  /** retries, bandwidth limit, time limit, order, verify: flags over the config file */
  transfer: TransferSettings;
  /** run: the config file and target used */
  configFile?: string;
  targetName?: string;
  /**
   * REMOTE_SYNC_PASSWORD and ~/.netrc may be offered to this remote: the user named it on the
   * command line, or it comes from a config file that is the user's own (one that is not is
   * refused before this; the check is repeated here so that secrets never follow a foreign file).
   */
  storedSecrets: boolean;
  /** folders (local paths) that may be created before the run because the run writes into them */
  createFolders: string[];
  /** run: what in the config reaches outside its workspace (core/config/reach.ts), to print as warnings */
  warnings?: string[];
}

export interface SetupContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** a terminal can answer questions */
  interactive: boolean;
}

function isInside(child: string, parent: string): boolean {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r) && r.split(sep)[0] !== '..');
}

function protocolName(spec: RemoteSpec): string {
  return spec.protocol === 'local' ? 'a local folder' : `${spec.protocol}://`;
}

/** Apply --port, --retries, --identity, --known-hosts, --accept-new-host-key, --ssh-config, --jump, --ftps-implicit, --ftp-active, --insecure-tls, --tls-fingerprint. */
export function applyConnectionFlags(spec: RemoteSpec, args: CliArgs, cwd: string): void {
  const where = (flag: string, needs: string) =>
    new UsageError(`option --${flag} is for ${needs} remotes, but REMOTE is ${protocolName(spec)}`, args.command);
  if (args.retries !== undefined) spec.retries = args.retries;
  if (args.sshConfig !== undefined) {
    if (spec.protocol !== 'sftp') throw where('ssh-config', 'sftp://');
    spec.sshConfig = resolveUserPath(args.sshConfig, cwd);
  }
  if (args.jump !== undefined) {
    if (spec.protocol !== 'sftp') throw where('jump', 'sftp://');
    try { parseJump(args.jump); } catch (e) { throw new UsageError(`option --jump: ${(e as Error).message}; write [user@]host[:port], several separated by commas`, args.command); }
    spec.jump = args.jump;
  }
  if (args.identity !== undefined) {
    if (spec.protocol !== 'sftp') throw where('identity', 'sftp://');
    spec.identity = resolveUserPath(args.identity, cwd);
  }
  if (args.knownHosts !== undefined) {
    if (spec.protocol !== 'sftp') throw where('known-hosts', 'sftp://');
    spec.knownHosts = resolveUserPath(args.knownHosts, cwd);
  }
  if (args.acceptNewHostKey) {
    if (spec.protocol !== 'sftp') throw where('accept-new-host-key', 'sftp://');
    spec.acceptNewHostKey = true;
  }
  if (args.ftpsImplicit) {
    if (spec.protocol !== 'ftps') throw where('ftps-implicit', 'ftps://');
    if (!spec.ftpsImplicit && spec.port === 21) spec.port = 990;
    spec.ftpsImplicit = true;
  }
  if (args.ftpActive) {
    if (spec.protocol !== 'ftp' && spec.protocol !== 'ftps') throw where('ftp-active', 'ftp:// or ftps://');
    spec.ftpActive = true;
  }
  if (args.timeout !== undefined) {
    if (spec.protocol === 'local') throw where('timeout', 'sftp://, ftp:// or ftps://');
    spec.timeoutSeconds = args.timeout;
  }
  if (args.insecureTls) {
    if (spec.protocol !== 'ftps') throw where('insecure-tls', 'ftps://');
    spec.allowUnauthorizedTls = true;
  }
  if (args.tlsFingerprint !== undefined) {
    if (spec.protocol !== 'ftps') throw where('tls-fingerprint', 'ftps://');
    spec.tlsFingerprint = args.tlsFingerprint;
  }
  // last: an explicit port wins over --ftps-implicit's default and an ssh config's Port
  if (args.port !== undefined) {
    if (spec.protocol === 'local') throw where('port', 'sftp://, ftp:// or ftps://');
    spec.port = args.port;
    delete spec.portIsDefault;
  }
}

/** `run`: the config found from `cwd` upward (within the limits of config/discovery.ts), which must be the user's own. */
export function loadProjectConfig(cwd: string, env: NodeJS.ProcessEnv = process.env): ProjectConfig {
  const found = searchConfigFile(cwd, { home: env.HOME || homedir() });
  if (!found.file) {
    const stop = found.stoppedAt ? ` (the search stopped at ${found.stoppedAt.dir}: ${found.stoppedAt.reason})` : '';
    throw new SyncError('config', `No ${CONFIG_RELATIVE_PATH} in ${cwd} or a folder above it${stop}`, {
      hint: 'Create one ("Sync: Create Config" in VS Code, or see "remote-sync run --help"), or name both sides: remote-sync sync LOCAL REMOTE',
    });
  }
  return loadOwnConfig(found.file);
}

function isOwnFile(file: string): boolean {
  try { return foreignConfigProblem(statSync(file)) === undefined; } catch { return false; }
}

export function buildSetup(args: CliArgs, ctx: SetupContext): RunSetup {
  const command = args.command!;
  let config: ProjectConfig | undefined;
  let local: RemoteSpec;
  let remote: RemoteSpec;
  if (command === 'run') {
    config = loadProjectConfig(ctx.cwd, ctx.env);
    if (args.target !== undefined && !Object.prototype.hasOwnProperty.call(config.targets, args.target)) {
      const names = [...Object.keys(config.targets), ...Object.keys(config.groups ?? {})];
      throw new UsageError(`no target named '${args.target}' in ${config.file}${didYouMean(args.target, names, (s) => `'${s}'`)}; targets: ${names.join(', ')}`, 'run');
    }
    remote = targetSpec(config, args.target);
    local = { protocol: 'local', path: config.localRoot };
  } else {
    local = parseRemoteArg(args.local!, ctx.cwd);
    if (local.protocol !== 'local') {
      throw new UsageError(`LOCAL must be a folder on this machine (got a ${local.protocol}:// URL); the server goes second: remote-sync ${command} LOCAL REMOTE`, command);
    }
    remote = parseRemoteArg(args.remote!, ctx.cwd, { ftpsImplicit: args.ftpsImplicit });
  }
  applyConnectionFlags(remote, args, ctx.cwd);
  if (remote.protocol === 'local' && (isInside(remote.path, local.path) || isInside(local.path, remote.path))) {
    throw new UsageError(remote.path === local.path
      ? `LOCAL and REMOTE are the same folder: ${local.path}`
      : `LOCAL and REMOTE must not be inside one another: ${local.path} and ${remote.path}`, command);
  }

  const mode: SyncMode = command === 'run' || command === 'import-sftp-json' ? args.mode ?? 'sync' : command;
  let resolve: ResolveStrategy = args.resolve ?? config?.conflictPolicy ?? 'ask';
  if (resolve === 'ask' && !ctx.interactive) resolve = 'skip';

  const match = args.match.length ? args.match : config?.match;
  // rsync's order of thought: excludes, then what --include takes back ("!pattern": last match wins)
  const exclude = [
    ...(config?.ignore ?? []), ...args.exclude,
    ...args.excludeFrom.flatMap((f) => readPatternFile(resolveUserPath(f, ctx.cwd), '--exclude-from')),
    ...[...args.include, ...args.includeFrom.flatMap((f) => readPatternFile(resolveUserPath(f, ctx.cwd), '--include-from'))]
      .map((p) => (p.startsWith('!') ? p.slice(1) : `!${p}`)),
  ];
  const filter: FilterOptions = {};
  if (match?.length) filter.match = match;
  if (exclude.length) filter.exclude = exclude;
  if (config?.ignoreFiles?.length) filter.ignoreFiles = config.ignoreFiles;

  const oneWay = mode !== 'sync';
  const setup: RunSetup = {
    mode,
    local,
    remote,
    localRoot: local.path,
    filter,
    delete: oneWay && (args.delete || args.deleteUnmatched || (config?.deletePropagation ?? false)),
    deleteUnmatched: oneWay && args.deleteUnmatched,
    force: args.force,
    resolve,
    createFolders: [],
    storedSecrets: config ? isOwnFile(config.file) : true,
    checksum: args.checksum,
    transfer: transferSettings(args, config),
  };
  if (config?.mergeBase !== undefined) setup.mergeBase = config.mergeBase;
  const maxDelete = args.maxDelete ?? config?.maxDelete;
  if (maxDelete !== undefined) setup.maxDelete = maxDelete;
  const concurrency = args.concurrency ?? config?.concurrency;
  if (concurrency !== undefined) setup.concurrency = concurrency;
  if (config) {
    setup.configFile = config.file;
    setup.targetName = args.target ?? config.defaultTarget;
    const reach = configReach(config.workspaceRoot, config.localRoot, remote);
    if (reach.length) setup.warnings = reach.map((f) => `${config!.file}: ${f.message}`);
  }

  // the destination of a one-way run may be a new folder; sources (and both sides of a sync) must exist
  for (const [spec, isDestination] of [[local, mode === 'download'], [remote, mode === 'upload']] as const) {
    if (spec.protocol !== 'local') continue;
    const exists = existsSync(spec.path);
    if (exists && !statSync(spec.path).isDirectory()) {
      throw new SyncError('usage', `Not a folder: ${spec.path}`, { hint: 'Give the folder to sync' });
    }
    if (!exists) {
      if (isDestination) setup.createFolders.push(spec.path);
      else {
        throw new SyncError('not-found', `Folder not found: ${spec.path}`, {
          hint: mode === 'sync' ? 'Create it first (an empty folder is fine), or check the path' : 'Check the path',
        });
      }
    }
  }
  return setup;
}

/** the large-file settings of a run: command-line flags over the config file */
export function transferSettings(args: CliArgs, config?: Pick<ProjectConfig, 'bandwidthLimit' | 'transferOrder' | 'verify' | 'resumeAbove'>): TransferSettings {
  const t = configTransferSettings(config);
  if (args.retries !== undefined) t.retries = args.retries;
  if (args.retriesSleepMs !== undefined) t.retrySleepMs = args.retriesSleepMs;
  if (args.bwlimit !== undefined) t.bandwidthLimit = args.bwlimit;
  if (args.maxDurationMs !== undefined) t.maxDurationMs = args.maxDurationMs;
  if (args.stopAt !== undefined) t.stopAt = args.stopAt;
  if (args.order) t.order = args.order;
  if (args.checksum) t.verify = 'hash';
  return t;
}
