// Jump hosts (OpenSSH's ProxyJump / `ssh -J`): log in to the first host, open a `direct-tcpip`
// channel from it to the next (ssh2's forwardOut), log in over that channel, and so on; the
// target's SSH session runs over the last channel. Each hop is resolved through the ssh config and
// its host key checked against known_hosts like the target's. A hop that refuses or does not
// answer is an error naming that hop.

import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import { SyncError } from '../../errors.js';
import type { Credentials, Logger, RemoteSpec } from '../../types.js';
import { applySshConfig } from './config.js';
import { loginSsh, type SecretCache } from './login.js';
import { parseJump, type Hop } from './jump-spec.js';

export { parseJump, type Hop } from './jump-spec.js';

export interface JumpContext {
  /** the target's spec: its ssh config file, known_hosts, key, agent and algorithms are the hops' defaults too */
  spec: RemoteSpec;
  credentials: Credentials;
  log: Logger;
  secrets: SecretCache;
  /** a TCP connection to the first hop */
  connect: (host: string, port: number) => Duplex;
}

function hopSpec(hop: Hop, target: RemoteSpec): RemoteSpec {
  const s: RemoteSpec = {
    protocol: 'sftp', path: '/', host: hop.host, port: hop.port ?? 22, portIsDefault: hop.port === undefined,
    jump: 'none', // a hop's own ProxyJump is not followed: list the whole chain instead
  };
  if (hop.user !== undefined) s.user = hop.user;
  // not the target's key file: like ssh -i with -J, a hop uses its ssh config, the agent, the default keys or a password
  for (const k of ['sshConfig', 'knownHosts', 'agent', 'acceptNewHostKey', 'algorithms'] as const) {
    if (target[k] !== undefined) (s as unknown as Record<string, unknown>)[k] = target[k];
  }
  return s;
}

const MAX_HOPS = 8;

/** The first hop may itself be reached through its ssh config's ProxyJump, as with ssh: those hops go first. */
export function expandHops(hops: Hop[], target: RemoteSpec): Hop[] {
  let out = hops;
  for (let depth = 0; out.length; depth++) {
    const first = applySshConfig({ ...hopSpec(out[0], target), jump: undefined });
    const own = first.jump ? parseJump(first.jump) : [];
    if (!own.length) return out;
    out = [...own, ...out];
    if (depth >= MAX_HOPS || out.length > MAX_HOPS) {
      throw new SyncError('config', `Too many jump hosts: ${out.map((h) => h.text).join(' → ')}`, { hint: 'Check the ssh config for a ProxyJump loop' });
    }
  }
  return out;
}

function forward(client: Client, host: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => (err ? reject(err) : resolve(stream)));
  });
}

/**
 * Log in to every hop in turn and open a channel to `host:port` through the last one. Resolves with
 * that channel and the hop clients (end them when the target's connection closes).
 */
export async function connectThroughJumps(given: Hop[], host: string, port: number, ctx: JumpContext): Promise<{ sock: Duplex; clients: Client[] }> {
  const clients: Client[] = [];
  try {
    const hops = expandHops(given, ctx.spec);
    let sock: Duplex | undefined;
    for (let i = 0; i < hops.length; i++) {
      const spec = applySshConfig(hopSpec(hops[i], ctx.spec), ctx.log);
      const label = `jump host ${hops[i].text}${hops.length > 1 ? ` (hop ${i + 1} of ${hops.length})` : ''}`;
      const key = `${spec.user ?? ''}@${spec.host}:${spec.port}`;
      const hopSecrets = (ctx.secrets.hops ??= new Map()).get(key) ?? { passphrases: ctx.secrets.passphrases, keys: ctx.secrets.keys };
      ctx.secrets.hops.set(key, hopSecrets);
      if (!sock) {
        sock = ctx.connect(spec.host!, spec.port!);
      }
      ctx.log.debug(`ssh: ${label}: logging in to ${spec.host}:${spec.port}`);
      const client = await loginSsh({ spec, credentials: ctx.credentials, log: ctx.log, secrets: hopSecrets, sock, label: `Jump host ${hops[i].text}` });
      clients.push(client);
      const next = i + 1 < hops.length ? applySshConfig(hopSpec(hops[i + 1], ctx.spec)) : { host, port };
      try {
        sock = await forward(client, next.host!, next.port ?? 22);
      } catch (e) {
        throw new SyncError('connect', `Jump host ${hops[i].text} could not open a connection to ${next.host}:${next.port ?? 22}`, {
          detail: (e as Error).message,
          hint: 'Check that the next host and port are right and reachable from the jump host, and that it allows forwarding (AllowTcpForwarding)',
          cause: e,
        });
      }
    }
    return { sock: sock!, clients };
  } catch (e) {
    for (const c of clients.reverse()) c.end();
    throw e;
  }
}
