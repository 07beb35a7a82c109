// An SFTP host resolved through the user's OpenSSH client config (~/.ssh/config, a target's
// "sshConfig", or --ssh-config), as `ssh` does: `Host` patterns with *, ? and !, first match wins
// per option, `Include` (globs; relative to ~/.ssh). Parsing and matching is the ssh-config
// package's; what is used: HostName, Port, User, IdentityFile (several), IdentitiesOnly,
// UserKnownHostsFile, ProxyJump, IdentityAgent. Settings given explicitly (the URL, remote-sync.json, the CLI)
// win over the file. `Match exec` is never run.

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import type * as SshConfigModule from 'ssh-config' with { 'resolution-mode': 'import' };
import { SyncError } from '../../errors.js';
import type { Logger, RemoteSpec } from '../../types.js';

// ssh-config ships CommonJS for require() but declares only its ES module types: load the CommonJS build
// (loaded when an SSH config is read, not at start-up)
const sshConfigLib = (): typeof SshConfigModule => require('ssh-config') as typeof SshConfigModule;
type ParsedConfig = ReturnType<typeof SshConfigModule.SSHConfig.parse>;

export interface SshHostConfig {
  hostName?: string;
  port?: number;
  user?: string;
  /** `~` and %-tokens expanded, in the order given */
  identityFiles: string[];
  identitiesOnly: boolean;
  knownHostsFiles: string[];
  proxyJump?: string;
  proxyCommand?: string;
  identityAgent?: string;
}

export function defaultSshConfigFile(): string {
  return join(homedir(), '.ssh', 'config');
}

const MAX_INCLUDE_DEPTH = 16; // as OpenSSH

function localUser(): string {
  try { return userInfo().username; } catch { return process.env.USER ?? process.env.USERNAME ?? ''; }
}

/** `~`, `~/…` and the %-tokens OpenSSH expands in file names */
export function expandTokens(value: string, t: { host: string; hostName: string; port: number; user: string }): string {
  let v = value;
  if (v === '~' || v.startsWith('~/')) v = homedir() + v.slice(1);
  return v.replace(/%([%dhnpru])/g, (_m, k: string) => {
    switch (k) {
      case '%': return '%';
      case 'd': return homedir();
      case 'h': return t.hostName;
      case 'n': return t.host;
      case 'p': return String(t.port);
      case 'r': return t.user;
      default: return localUser(); // u
    }
  });
}

/** simple glob of one path component: * and ? */
function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return re.test(name);
}

function includeFiles(spec: string): string[] {
  let p = spec.startsWith('~') ? homedir() + spec.slice(1) : spec;
  if (!isAbsolute(p)) p = join(homedir(), '.ssh', p);
  const name = basename(p);
  if (!/[*?]/.test(name)) return existsSync(p) ? [p] : [];
  const dir = dirname(p);
  let names: string[];
  try { names = readdirSync(dir); } catch { return []; }
  return names.filter((n) => globMatch(name, n)).sort().map((n) => join(dir, n))
    .filter((f) => { try { return statSync(f).isFile(); } catch { return false; } });
}

/** The text of a config file with its `Include` lines replaced by the files they name. */
export function readWithIncludes(file: string, depth = 0): string {
  if (depth > MAX_INCLUDE_DEPTH) throw new SyncError('config', `SSH config: Include nested too deeply at ${file}`, { path: file });
  const text = readFileSync(file, 'utf8');
  return text.split(/\r?\n/).map((line) => {
    const m = /^\s*include\s*(?:=\s*)?(.*)$/i.exec(line);
    if (!m) return line;
    const names = m[1].match(/"[^"]*"|\S+/g) ?? [];
    return names.flatMap((n) => includeFiles(n.replace(/^"|"$/g, ''))).map((f) => readWithIncludes(f, depth + 1)).join('\n');
  }).join('\n');
}

/** parsed afresh each time (a few KB; an edit, also of an included file, applies to the next connection) */
function parsed(file: string): ParsedConfig {
  return sshConfigLib().SSHConfig.parse(readWithIncludes(file));
}

const first = (v: unknown): string | undefined => (Array.isArray(v) ? (v[0] as string | undefined) : typeof v === 'string' ? v : undefined);
const all = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);

/** What `file` says for `host` (an alias or a name). `file` must exist. */
export function lookupSshConfig(file: string, host: string): SshHostConfig {
  let result: Record<string, unknown>;
  try {
    result = parsed(file).compute({ Host: host }, { ignoreCase: true, matchExec: false }) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof SyncError) throw e;
    throw new SyncError('config', `Cannot read the SSH config ${file}`, { path: file, detail: (e as Error).message, cause: e });
  }
  const portText = first(result.port);
  const port = portText !== undefined && /^\d+$/.test(portText) ? Number(portText) : undefined;
  return {
    hostName: first(result.hostname),
    port: port && port <= 65535 ? port : undefined,
    user: first(result.user),
    identityFiles: all(result.identityfile).filter((f) => f.toLowerCase() !== 'none'),
    identitiesOnly: first(result.identitiesonly)?.toLowerCase() === 'yes',
    knownHostsFiles: all(result.userknownhostsfile).filter((f) => f.toLowerCase() !== 'none'),
    proxyJump: first(result.proxyjump),
    proxyCommand: first(result.proxycommand),
    identityAgent: first(result.identityagent),
  };
}

/** The config file a spec uses: its own `sshConfig` (must exist), else ~/.ssh/config when it exists. */
export function sshConfigFileOf(spec: RemoteSpec): string | undefined {
  if (spec.sshConfig) {
    if (!existsSync(spec.sshConfig)) {
      throw new SyncError('config', `SSH config file not found: ${spec.sshConfig}`, {
        path: spec.sshConfig, hint: 'Check the "sshConfig" setting or the --ssh-config option',
      });
    }
    return spec.sshConfig;
  }
  const def = defaultSshConfigFile();
  return existsSync(def) ? def : undefined;
}

/**
 * The spec with what the SSH config says filled in where the spec gives nothing: host name,
 * port (when `portIsDefault`), user, key files (`identities`), known_hosts file, jump hosts.
 * `identities`: key files in order; `identitiesOnly`: do not offer the agent's keys.
 */
export function applySshConfig(spec: RemoteSpec, log?: Logger): RemoteSpec & { identities?: string[]; identitiesOnly?: boolean } {
  const file = sshConfigFileOf(spec);
  if (!file || !spec.host) return { ...spec };
  const alias = spec.host;
  const c = lookupSshConfig(file, alias);
  const out: RemoteSpec & { identities?: string[]; identitiesOnly?: boolean } = { ...spec };
  const hostName = c.hostName ? c.hostName.replace(/%h/g, alias).replace(/%%/g, '%') : alias;
  out.host = hostName;
  if ((spec.port === undefined || spec.portIsDefault) && c.port !== undefined) { out.port = c.port; out.portIsDefault = false; }
  if (spec.user === undefined && c.user !== undefined) out.user = c.user;
  const tokens = { host: alias, hostName, port: out.port ?? 22, user: out.user ?? localUser() };
  if (spec.identity === undefined && c.identityFiles.length) out.identities = c.identityFiles.map((f) => expandTokens(f, tokens));
  if (c.identitiesOnly) out.identitiesOnly = true;
  if (spec.knownHosts === undefined && c.knownHostsFiles.length) out.knownHosts = expandTokens(c.knownHostsFiles[0], tokens);
  if (spec.jump === undefined && c.proxyJump) out.jump = c.proxyJump;
  if (spec.agent === undefined && c.identityAgent && c.identityAgent !== 'SSH_AUTH_SOCK') {
    // IdentityAgent: "none", a socket path, or an environment variable ($NAME)
    const a = c.identityAgent;
    if (a.toLowerCase() === 'none') out.agent = false;
    else if (/^\$\{?\w+\}?$/.test(a)) { const v = process.env[a.replace(/[${}]/g, '')]; if (v) out.agent = v; }
    else out.agent = expandTokens(a, tokens);
  }
  if (c.proxyCommand && !out.jump) log?.warn(`${file}: ProxyCommand for ${alias} is not supported (commands are never run); use ProxyJump`);
  if (hostName !== alias || out.port !== spec.port || out.user !== spec.user || out.jump !== spec.jump) {
    log?.debug(`ssh config ${file}: ${alias} → ${out.user ? `${out.user}@` : ''}${hostName}:${out.port ?? 22}${out.jump && out.jump !== 'none' ? ` via ${out.jump}` : ''}`);
  }
  return out;
}
