// A config file that reaches outside its workspace: after the workspace is trusted, a cloned
// repository's `.vscode/remote-sync.json` could still sync a folder outside it ("localRoot": "~"), or
// bring its own known_hosts (which silences the host-key question), key, agent socket or SSH client
// config (whose UserKnownHostsFile, IdentityFile, IdentityAgent and HostName are used), or name a
// "local" target folder outside the workspace ("remotePath": "~" writes into the home folder). These are
// legitimate in a config the user wrote, so they are not refused: the extension asks once per
// workspace, the CLI warns. Symbolic links are resolved: a link inside the workspace that points out
// is outside.
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { RemoteSpec } from '../types.js';

export interface ReachFinding {
  setting: 'localRoot' | 'remotePath' | 'knownHosts' | 'privateKey' | 'agent' | 'sshConfig';
  /** absolute path the setting points at */
  path: string;
  /** one sentence: what is unusual and why it matters */
  message: string;
}

/** the real path where it exists (the longest existing ancestor, resolved, plus the rest) */
function real(p: string): string {
  const abs = resolve(p);
  try { return realpathSync(abs); } catch { /* does not exist (yet) */ }
  const parent = resolve(abs, '..');
  if (parent === abs) return abs;
  return resolve(real(parent), abs.slice(parent.length + 1));
}

function inside(child: string, parent: string): boolean {
  const r = relative(parent, child);
  return r === '' || (!isAbsolute(r) && r !== '..' && !r.startsWith('..' + sep));
}

/** what in this config points outside the workspace (localRoot) or into it (SSH trust material) */
export function configReach(workspaceRoot: string, localRoot: string, spec: RemoteSpec): ReachFinding[] {
  const ws = real(workspaceRoot);
  const out: ReachFinding[] = [];
  if (!inside(real(localRoot), ws)) {
    out.push({
      setting: 'localRoot', path: localRoot,
      message: `"localRoot" is outside the workspace folder: ${localRoot} is synced (files there are uploaded, and downloads write there)`,
    });
  }
  if (spec.protocol === 'local' && !inside(real(spec.path), ws)) {
    out.push({
      setting: 'remotePath', path: spec.path,
      message: `the "local" target's "remotePath" is outside the workspace folder: ${spec.path} is synced (uploads write there, and its files are downloaded)`,
    });
  }
  const within: [ReachFinding['setting'], string | false | undefined, string][] = [
    ['knownHosts', spec.knownHosts, 'the host keys it lists are trusted without asking'],
    ['privateKey', spec.identity, 'a login key that came with the workspace'],
    ['agent', spec.agent, 'an agent socket inside the workspace answers for your keys'],
    ['sshConfig', spec.sshConfig, 'an SSH client config that came with the workspace: the known_hosts file, keys, agent and host name it names are used'],
  ];
  for (const [setting, p, why] of within) {
    if (typeof p !== 'string' || !p || !inside(real(p), ws)) continue;
    out.push({ setting, path: p, message: `"${setting}" points into the workspace (${p}): ${why}` });
  }
  return out;
}

/** a stable text for remembering that a person allowed exactly these findings */
export function reachSignature(findings: ReachFinding[]): string {
  return findings.map((f) => `${f.setting}=${f.path}`).sort().join('\n');
}
