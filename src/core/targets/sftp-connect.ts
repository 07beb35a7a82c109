// Opening one SSH connection + SFTP channel for SftpTarget: the host resolved through the ssh
// config (ssh/config.ts), through jump hosts if any (ssh/jump.ts), login (ssh/login.ts), then the
// SFTP channel and the remote root folder.
import { connect as netConnect, type Socket } from 'node:net';
import type { Client, SFTPWrapper } from 'ssh2';
import { SyncError } from '../errors.js';
import { timeoutSecondsOf } from '../transfer/stall.js';
import type { Credentials, Logger, RemoteSpec } from '../types.js';
import { applySshConfig } from './ssh/config.js';
import { toSyncError } from './ssh/errors.js';
import { directReadReplies } from './sftp-direct-data.js';
import { coalesceRequests } from './ssh/sftp-coalesce.js';
import { failAfterEnd } from './ssh/sftp-ended.js';
import { connectThroughJumps, parseJump } from './ssh/jump.js';
import { loginSsh, type SecretCache } from './ssh/login.js';
import { connectReusingReads, type ReusedReads } from './ssh/socket-reads.js';

export { hostPort, userOf, isConnectionLost, toSyncError } from './ssh/errors.js';
export type { SecretCache } from './ssh/login.js';

export interface SftpConnection {
  client: Client;
  sftp: SFTPWrapper;
  /** set as soon as the connection or the channel closes */
  dead: boolean;
  /** absolute remote root folder */
  root: string;
  posixRename: boolean;
  /** set when the link stalled (keepalives or a transfer unanswered for the timeout) */
  stalled?: boolean;
}

export interface ConnectContext {
  spec: RemoteSpec;
  credentials: Credentials;
  log: Logger;
  secrets: SecretCache;
}

export async function openSftpConnection(ctx: ConnectContext): Promise<SftpConnection> {
  const { log } = ctx;
  const spec = applySshConfig(ctx.spec, log);
  const host = spec.host ?? 'localhost';
  const port = spec.port ?? 22;
  const hops = parseJump(spec.jump ?? '');
  let sock: Socket | import('node:stream').Duplex;
  let hopClients: Client[] = [];
  let trust: ((client: object) => void) | undefined;
  if (hops.length) {
    ({ sock, clients: hopClients } = await connectThroughJumps(hops, host, port, { ...ctx, spec, connect: connectSocket }));
  } else {
    ({ socket: sock, trust } = connectDirect(host, port));
  }
  let client: Client;
  try {
    client = await loginSsh({ spec, credentials: ctx.credentials, log, secrets: ctx.secrets, sock });
  } catch (e) {
    for (const h of hopClients) h.end();
    throw e;
  }
  trust?.(client);
  if (hopClients.length) client.on('close', () => { for (const h of hopClients.reverse()) h.end(); });
  const fail = (e: SyncError): never => { client.end(); throw e; };
  const sftp = await new Promise<SFTPWrapper>((resolve, reject) => client.sftp((err, s) => (err ? reject(err) : resolve(s))))
    .catch((err: Error) => fail(new SyncError('io', `Could not start SFTP on ${host}:${port}`, {
      detail: err.message, hint: 'Is SFTP enabled on the server (Subsystem sftp in sshd_config)?', cause: err,
    })));
  sftp.setMaxListeners(0); // every transfer in flight watches 'close'
  directReadReplies(sftp); // READ replies copied straight into the reads' buffers (sftp-direct-data.ts)
  failAfterEnd(sftp); // requests made after the server ended the channel fail at once (ssh/sftp-ended.ts)
  // the small requests of one turn share SSH packets (ssh/sftp-coalesce.ts)
  coalesceRequests(sftp, (e) => { log.warn(`sftp: sending to ${host}:${port} failed (${(e as Error).message}); dropping the connection`); client.destroy(); });
  const conn: SftpConnection = { client, sftp, dead: false, root: spec.path, posixRename: false };
  const die = () => { conn.dead = true; };
  client.on('close', die);
  client.on('end', die);
  client.on('error', (e: Error & { level?: string }) => {
    if (e.level === 'client-timeout' && /keepalive/i.test(e.message)) {
      conn.stalled = true;
      log.warn(`sftp: no response from ${host}:${port} for ${timeoutSecondsOf(spec)} s; dropping the connection`);
    } else {
      log.debug(`sftp: connection error: ${e.message}`);
    }
  });
  sftp.on('close', die);
  sftp.on('end', die);
  sftp.on('error', (e: Error) => { log.debug(`sftp: channel error: ${e.message}`); die(); client.end(); });
  conn.posixRename = !!(sftp as unknown as { _extensions: Record<string, string> })._extensions?.['posix-rename@openssh.com'];
  let root = spec.path;
  if (!spec.path.startsWith('/')) {
    // a relative root is relative to the login folder
    root = await new Promise<string>((resolve, reject) => sftp.realpath(spec.path || '.', (e, abs) => (e ? reject(e) : resolve(abs))))
      .catch((e: unknown) => fail(toSyncError(e, spec, 'Resolving the remote folder', spec.path)));
  }
  conn.root = root.length > 1 ? root.replace(/\/+$/, '') : root;
  return conn;
}

/**
 * A TCP socket whose writes within one tick are corked together. Without its optional native
 * add-on (not in the bundles), ssh2 makes 3–4 socket writes per SSH packet; batched, the
 * client's CPU per small file drops by about a quarter.
 *
 * Nagle's algorithm is off from the connect on (`noDelay`; connectDirect's socket too), not only
 * after login as before: with it on, the key exchange's KEXECDH_INIT waited for the server to
 * acknowledge our KEXINIT, which the server delays by up to 40 ms when it has nothing to send
 * (delayed ACK). A new process's first connection paid it every time (the DH reply 47–51 ms after
 * the request instead of 7 ms; the open 144 → 104 ms, median of 15), later ones now and then.
 * After login, the many small pipelined requests must not wait either.
 */
function connectSocket(host: string, port: number): Socket {
  return corkWrites(netConnect({ host, port, noDelay: true }));
}

/** the target's own connection: also reads into one reused buffer (ssh/socket-reads.ts) */
function connectDirect(host: string, port: number): ReusedReads {
  const r = connectReusingReads(host, port);
  corkWrites(r.socket);
  return r;
}

function corkWrites(sock: Socket): Socket {
  const write = sock.write.bind(sock) as (...a: unknown[]) => boolean;
  let corked = false;
  sock.write = ((...args: unknown[]) => {
    if (!corked && !sock.destroyed) {
      corked = true;
      sock.cork();
      process.nextTick(() => { corked = false; if (!sock.destroyed) sock.uncork(); });
    }
    return write(...args);
  }) as Socket['write'];
  return sock;
}
