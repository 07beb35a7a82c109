// Which ssh-agent an SFTP login uses, per platform, the way OpenSSH and PuTTY users expect:
// - `"agent": false`: none;
// - `"agent": "pageant"`: PuTTY's Pageant (Windows; ssh2 talks to it itself);
// - `"agent": "<path>"`: that Unix socket or Windows named pipe;
// - default: SSH_AUTH_SOCK, else on Windows the OpenSSH agent pipe `\\.\pipe\openssh-ssh-agent`.
// An agent that is configured (or SSH_AUTH_SOCK names) but cannot be reached is reported, never
// silently skipped.

import { existsSync } from 'node:fs';

export const WINDOWS_OPENSSH_AGENT_PIPE = '\\\\.\\pipe\\openssh-ssh-agent';

export interface AgentChoice {
  /** what to hand to ssh2 as `agent` (a socket path, a pipe path or "pageant"); undefined: no agent */
  agent?: string;
  /** where the choice came from, for the log */
  source?: string;
  /** an agent was asked for but cannot be used: say so in the log */
  warning?: string;
}

export interface AgentEnvironment {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** does this socket / pipe exist? (default: fs.existsSync) */
  exists?: (path: string) => boolean;
}

export function chooseAgent(setting: string | false | undefined, where: AgentEnvironment): AgentChoice {
  if (setting === false) return {};
  const exists = where.exists ?? existsSync;
  const windows = where.platform === 'win32';
  if (typeof setting === 'string' && setting.trim() !== '') {
    if (setting.toLowerCase() === 'pageant') {
      if (!windows) return { warning: 'agent "pageant" (PuTTY) exists only on Windows: not using an agent' };
      return { agent: 'pageant', source: 'Pageant' };
    }
    if (!exists(setting)) return { warning: `ssh-agent ${setting} (from the "agent" setting) cannot be reached: it does not exist` };
    return { agent: setting, source: setting };
  }
  const sock = where.env.SSH_AUTH_SOCK;
  if (sock) {
    if (!exists(sock)) return { warning: `ssh-agent ${sock} (SSH_AUTH_SOCK) cannot be reached: it does not exist` };
    return { agent: sock, source: 'SSH_AUTH_SOCK' };
  }
  // Windows: the OpenSSH agent service listens on a fixed pipe; when it is not running there is no agent (not a problem)
  if (windows && exists(WINDOWS_OPENSSH_AGENT_PIPE)) return { agent: WINDOWS_OPENSSH_AGENT_PIPE, source: 'the Windows OpenSSH agent' };
  return {};
}
