// From the command line (and, for `run`, the config file) to what a run needs: the two sides,
// the filters and the plan/run options. Command-line options override the config file.

import { existsSync, statSync } from 'node:fs';
import { relative, isAbsolute, sep } from 'node:path';
import type { FilterOptions } from '../core/api.js';
import { SyncError } from '../core/errors.js';
import type { RemoteSpec, ResolveStrategy, SyncMode } from '../core/types.js';
import {
  CONFIG_RELATIVE_PATH, findConfigFile, loadConfig, targetSpec, parseRemoteArg, resolveUserPath, didYouMean,
  type ProjectConfig,
} from '../core/config/index.js';
import { UsageError, type CliArgs } from './args.js';

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
  /** run: the config file and target used */
  configFile?: string;
  targetName?: string;
  /** folders (local paths) that may be created before the run because the run writes into them */
  createFolders: string[];
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

/** Apply --identity, --known-hosts, --accept-new-host-key, --ftps-implicit, --ftp-active, --insecure-tls. */
export function applyConnectionFlags(spec: RemoteSpec, args: CliArgs, cwd: string): void {
  const where = (flag: string, needs: string) =>
    new UsageError(`option --${flag} is for ${needs} remotes, but REMOTE is ${protocolName(spec)}`, args.command);
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
  if (args.insecureTls) {
    if (spec.protocol !== 'ftps') throw where('insecure-tls', 'ftps://');
    spec.allowUnauthorizedTls = true;
  }
}

export function loadProjectConfig(cwd: string): ProjectConfig {
  const file = findConfigFile(cwd);
  if (!file) {
    throw new SyncError('config', `No ${CONFIG_RELATIVE_PATH} in ${cwd} or a folder above it`, {
      hint: 'Create one (see docs/cli.md, or "Sync: Create Config" in VS Code), or name both sides: remote-sync sync LOCAL REMOTE',
    });
  }
  return loadConfig(file);
}

export function buildSetup(args: CliArgs, ctx: SetupContext): RunSetup {
  const command = args.command!;
  let config: ProjectConfig | undefined;
  let local: RemoteSpec;
  let remote: RemoteSpec;
  if (command === 'run') {
    config = loadProjectConfig(ctx.cwd);
    if (args.target !== undefined && !Object.prototype.hasOwnProperty.call(config.targets, args.target)) {
      const names = Object.keys(config.targets);
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

  const mode: SyncMode = command === 'run' ? args.mode ?? 'sync' : command;
  let resolve: ResolveStrategy = args.resolve ?? config?.conflictPolicy ?? 'ask';
  if (resolve === 'ask' && !ctx.interactive) resolve = 'skip';

  const match = args.match.length ? args.match : config?.match;
  const exclude = [...(config?.ignore ?? []), ...args.exclude];
  const filter: FilterOptions = {};
  if (match?.length) filter.match = match;
  if (exclude.length) filter.exclude = exclude;

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
  };
  if (config?.mergeBase !== undefined) setup.mergeBase = config.mergeBase;
  const maxDelete = args.maxDelete ?? config?.maxDelete;
  if (maxDelete !== undefined) setup.maxDelete = maxDelete;
  const concurrency = args.concurrency ?? config?.concurrency;
  if (concurrency !== undefined) setup.concurrency = concurrency;
  if (config) {
    setup.configFile = config.file;
    setup.targetName = args.target ?? config.defaultTarget;
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
