// The project config file `.vscode/remote-sync.json`: find, load, validate, and turn a named
// target into a RemoteSpec. Shared by the CLI (`remote-sync run`) and the extension.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SyncError } from '../errors.js';
import type { RemoteSpec } from '../types.js';
import { resolveUserPath } from './remote-url.js';
import { didYouMean } from './suggest.js';
import type { ProjectConfig, TargetConfig } from './types.js';
import { parseConfigText } from './validate.js';

export type { ProjectConfig, TargetConfig } from './types.js';
export { DEFAULT_PORTS } from './types.js';
export {
  parseConfigText, workspaceRootOf, ConfigError, parseMaxDelete,
  TOP_LEVEL_FIELDS, TARGET_FIELDS, RESOLVE_STRATEGIES, TARGET_PROTOCOLS, CONCURRENCY_RANGE, IDLE_TIMEOUT_RANGE,
} from './validate.js';
export { parseRemoteArg, parseRemoteUrl, expandHome, resolveUserPath, redactUrl, defaultPort, looksLikeUrl } from './remote-url.js';
export { STARTER_CONFIG } from './starter.js';
export { suggest, didYouMean, editDistance } from './suggest.js';

export const CONFIG_RELATIVE_PATH = '.vscode/remote-sync.json';

/** The nearest `.vscode/remote-sync.json` in `startDir` or a folder above it. */
export function findConfigFile(startDir: string): string | undefined {
  let dir = resolve(startDir);
  for (;;) {
    const candidate = join(dir, CONFIG_RELATIVE_PATH);
    try {
      if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    } catch {
      // unreadable folder: keep going up
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

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
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return parseConfigText(text, file);
}

/** A named target (or the default one) as a RemoteSpec: `~` expanded, key paths resolved against the workspace. */
export function targetSpec(config: ProjectConfig, name?: string): RemoteSpec {
  const key = name ?? config.defaultTarget;
  const t: TargetConfig | undefined = Object.prototype.hasOwnProperty.call(config.targets, key) ? config.targets[key] : undefined;
  if (!t) {
    const names = Object.keys(config.targets);
    throw new SyncError('config', `No target named "${key}" in ${CONFIG_RELATIVE_PATH}${didYouMean(key, names)}`, {
      path: config.file, hint: `Targets: ${names.join(', ')}`,
    });
  }
  return specOf(t, config.workspaceRoot);
}

export function specOf(t: TargetConfig, workspaceRoot: string): RemoteSpec {
  if (t.protocol === 'local') return { protocol: 'local', path: t.remotePath };
  const spec: RemoteSpec = { protocol: t.protocol, host: t.host, port: t.port, path: t.remotePath };
  if (t.user !== undefined) spec.user = t.user;
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
    if (t.algorithms) spec.algorithms = t.algorithms;
    if (t.portIsDefault) spec.portIsDefault = true;
  } else {
    if (t.secure === 'implicit') spec.ftpsImplicit = true;
    if (!t.passive) spec.ftpActive = true;
    if (t.allowSelfSignedCertificate) spec.allowUnauthorizedTls = true;
  }
  return spec;
}
