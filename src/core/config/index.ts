// The project config file `.vscode/remote-sync.json`: find, load, validate, and turn a named
// target into a RemoteSpec. Shared by the CLI (`remote-sync run`) and the extension.

import { readFileSync } from 'node:fs';
import { SyncError } from '../errors.js';
import type { RemoteSpec } from '../types.js';
import { resolveUserPath } from './remote-url.js';
import { didYouMean } from './suggest.js';
import type { ProjectConfig, TargetConfig } from './types.js';
import { parseConfigText, TIMEOUT_RANGE } from './validate.js';
import { readOwnConfigFile } from './discovery.js';

export type { ProjectConfig, TargetConfig } from './types.js';
export { DEFAULT_PORTS } from './types.js';
export {
  parseConfigText, workspaceRootOf, ConfigError, parseMaxDelete,
  TOP_LEVEL_FIELDS, TARGET_FIELDS, RESOLVE_STRATEGIES, TARGET_PROTOCOLS, CONCURRENCY_RANGE, IDLE_TIMEOUT_RANGE,
  TIMEOUT_RANGE, WATCH_INTERVAL_RANGE, DOWNLOAD_SERVER_CHANGES,
} from './validate.js';
export { parseRemoteArg, parseRemoteUrl, expandHome, resolveUserPath, redactUrl, defaultPort, looksLikeUrl } from './remote-url.js';
export { STARTER_CONFIG } from './starter.js';
export { searchConfigFile, findConfigFile, readOwnConfigFile, foreignConfigProblem, type ConfigSearch } from './discovery.js';
export { suggest, didYouMean, editDistance } from './suggest.js';

export const CONFIG_RELATIVE_PATH = '.vscode/remote-sync.json';

export function loadConfig(file: string): ProjectConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SyncError('config', code === 'ENOENT' ? 'Config file not found' : 'Cannot read the config file', {
      path: file, detail: (e as Error).message, cause: e,
      hint: code === 'ENOENT' ? `Create ${CONFIG_RELATIVE_PATH} (VS Code: "Sync: Create Config")` : undefined,
    });
  }
  return parseConfigFile(text, file);
}

/** loadConfig for a config the user did not point at (`remote-sync run` searching upward): only the user's own file. */
export function loadOwnConfig(file: string): ProjectConfig {
  return parseConfigFile(readOwnConfigFile(file), file);
}

function parseConfigFile(text: string, file: string): ProjectConfig {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return parseConfigText(text, file);
}

/** A named target (or the default one) as a RemoteSpec: `~` expanded, key paths resolved against the workspace. */
export function targetSpec(config: ProjectConfig, name?: string): RemoteSpec {
  const key = name ?? config.defaultTarget;
  const t: TargetConfig | undefined = Object.prototype.hasOwnProperty.call(config.targets, key) ? config.targets[key] : undefined;
  if (!t && config.groups && Object.prototype.hasOwnProperty.call(config.groups, key)) {
    throw new SyncError('config', `"${key}" in ${CONFIG_RELATIVE_PATH} is a group of targets (${config.groups[key].join(', ')}), not one server`, {
      path: config.file, hint: `Select one of them as the target (VS Code: "Sync: Select Target"); \`remote-sync run ${key}\` syncs each`,
    });
  }
  if (!t) {
    const names = Object.keys(config.targets);
    throw new SyncError('config', `No target named "${key}" in ${CONFIG_RELATIVE_PATH}${didYouMean(key, names)}`, {
      path: config.file, hint: `Targets: ${names.join(', ')}`,
    });
  }
  const spec = specOf(t, config.workspaceRoot);
  if (t.protocol !== 'local' && config.timeoutSeconds !== TIMEOUT_RANGE.default) spec.timeoutSeconds = config.timeoutSeconds;
  return spec;
}

export function specOf(t: TargetConfig, workspaceRoot: string): RemoteSpec {
  if (t.protocol === 'local') return { protocol: 'local', path: t.remotePath };
  const spec: RemoteSpec = { protocol: t.protocol, host: t.host, port: t.port, path: t.remotePath };
  if (t.user !== undefined) spec.user = t.user;
  if (t.permissions) spec.permissions = { ...t.permissions };
  if (t.preserveMode) spec.preserveMode = true;
  if (t.protocol === 'sftp') {
    if (t.privateKey) spec.identity = resolveUserPath(t.privateKey, workspaceRoot);
    if (t.knownHosts) spec.knownHosts = resolveUserPath(t.knownHosts, workspaceRoot);
    if (t.agent === false) spec.agent = false;
    else if (typeof t.agent === 'string') {
      // "pageant" and Windows pipes (\\.\pipe\…) are names, not paths
      spec.agent = t.agent.toLowerCase() === 'pageant' || t.agent.startsWith('\\\\') ? t.agent : resolveUserPath(t.agent, workspaceRoot);
    }
    if (t.sshConfig) spec.sshConfig = resolveUserPath(t.sshConfig, workspaceRoot);
    if (t.jump) spec.jump = t.jump;
    if (t.sshCommands === false) spec.sshCommands = false;
    if (t.algorithms) spec.algorithms = t.algorithms;
    if (t.portIsDefault) spec.portIsDefault = true;
  } else {
    if (t.secure === 'implicit') spec.ftpsImplicit = true;
    if (!t.passive) spec.ftpActive = true;
    if (t.allowSelfSignedCertificate) spec.allowUnauthorizedTls = true;
    if (t.tlsFingerprint) spec.tlsFingerprint = t.tlsFingerprint;
  }
  return spec;
}
