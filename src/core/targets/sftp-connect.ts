// Opening one SSH connection + SFTP channel for SftpTarget: host key check (hostkeys.ts), login like
// OpenSSH (agent, identity file or default keys, then password / keyboard-interactive, secrets asked
// lazily), fast ciphers first, and turning low-level failures into SyncErrors with hints.
import { existsSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { connect as netConnect, type Socket } from 'node:net';
import { Client, utils, type AnyAuthMethod, type AuthenticationType, type ConnectConfig, type ParsedKey, type SFTPWrapper } from 'ssh2';
import { SyncError } from '../errors.js';
import type { Credentials, Logger, RemoteSpec } from '../types.js';
import { algorithmsForKeyType, defaultKnownHostsFile, knownKeyTypes, verifyHostKey } from './hostkeys.js';
import { timeoutSecondsOf } from '../transfer/stall.js';

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

/** secrets asked once per target, kept for transparent reconnects */
export interface SecretCache {
  password?: string;
  passphrases: Map<string, string>;
  /** decrypted keys (decrypting an OpenSSH key takes about a second) */
  keys?: Map<string, ParsedKey>;
}

export interface ConnectContext {
  spec: RemoteSpec;
  credentials: Credentials;
  log: Logger;
  secrets: SecretCache;
}

/** handshake + login time limit, not counting the time a person takes to answer a prompt */
const LOGIN_TIMEOUT_MS = 20_000;

const FAST_CIPHERS = ['aes128-gcm@openssh.com', 'aes128-ctr'];
const DEFAULT_HOST_KEY_ALGOS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

export function hostPort(spec: RemoteSpec): string {
  return `${spec.host ?? 'localhost'}:${spec.port ?? 22}`;
}

export function userOf(spec: RemoteSpec): string {
  if (spec.user) return spec.user;
  try { return userInfo().username; } catch { return process.env.USER ?? 'root'; }
}

/** errors ssh2 raises when the connection is gone (pending requests, writes to a closed channel) */
export function isConnectionLost(err: unknown): boolean {
  const msg = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | undefined)?.code;
  return code === 6 || code === 7 || /No response from server|Not connected|channel (is )?(closed|not open)|Connection lost|ECONNRESET|EPIPE/i.test(msg);
}

/**
 * Turn any failure into a SyncError. SFTP status codes: 2 no such file, 3 permission denied,
 * 4 failure, 8 unsupported.
 */
export function toSyncError(err: unknown, spec: RemoteSpec, what: string, path?: string): SyncError {
  if (err instanceof SyncError) return err;
  const e = err as { code?: unknown; level?: string; message?: string };
  const detail = e?.message ?? String(err);
  const hp = hostPort(spec);
  if (e?.code === 'ABORT_ERR' || (err as Error)?.name === 'AbortError') return new SyncError('aborted', 'Cancelled', { path });
  switch (e?.code) {
    case 2: return new SyncError('not-found', `${what}: no such file or folder`, { path, detail });
    case 3: return new SyncError('io', `${what}: permission denied`, {
      path, detail, hint: `Check that ${userOf(spec)} may do this on ${spec.host} (owner and mode of the file and its folder)`,
    });
    case 8: return new SyncError('io', `${what}: the server does not support this operation`, { path, detail });
    case 'ECONNREFUSED': return new SyncError('connect', `Could not connect to ${hp}`, { detail, hint: 'Is the server running and the port right?', cause: err });
    case 'ENOTFOUND':
    case 'EAI_AGAIN': return new SyncError('connect', `Could not resolve host ${spec.host}`, { detail, hint: 'Check the host name', cause: err });
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH': return new SyncError('connect', `Could not connect to ${hp}`, { detail, hint: 'Check the host name, the port and any firewall', cause: err });
  }
  if (e?.level === 'client-timeout') {
    return new SyncError('connect', `Timed out connecting to ${hp}`, { detail, hint: 'Is it an SSH server, and is the port right?', cause: err });
  }
  if (isConnectionLost(err) || e?.level === 'client-socket') {
    return new SyncError('connect', `Connection to ${hp} lost`, { path, detail, hint: 'The server closed the connection; try again', cause: err });
  }
  return new SyncError('io', `${what} failed`, { path, detail, cause: err });
}

function agentSocket(spec: RemoteSpec): string | undefined {
  if (spec.agent === false) return undefined;
  const sock = typeof spec.agent === 'string' && spec.agent ? spec.agent : process.env.SSH_AUTH_SOCK;
  return sock && existsSync(sock) ? sock : undefined;
}

/** method: the server-side method name (agent keys are 'publickey') */
type Attempt = { method: AuthenticationType; label: string; make: () => Promise<AnyAuthMethod | undefined> };

type Ask = <T>(f: () => Promise<T> | T) => Promise<T>;

function authAttempts(ctx: ConnectContext, username: string, notes: string[], ask: Ask): Attempt[] {
  const { spec, credentials, secrets } = ctx;
  const list: Attempt[] = [];
  const sock = agentSocket(spec);
  if (sock) list.push({ method: 'publickey', label: 'ssh-agent', make: async () => ({ type: 'agent', username, agent: sock }) });

  const keyFiles = spec.identity ? [spec.identity] : DEFAULT_KEYS.map((k) => join(homedir(), '.ssh', k)).filter((f) => existsSync(f));
  for (const file of keyFiles) {
    list.push({
      method: 'publickey', label: `key ${file}`, make: async () => {
        const cached = secrets.keys?.get(file);
        if (cached) return { type: 'publickey', username, key: cached as unknown as Buffer };
        let data: Buffer;
        try { data = readFileSync(file); } catch (e) {
          notes.push(`cannot read key ${file}: ${(e as Error).message}`);
          return undefined;
        }
        let key = utils.parseKey(data, secrets.passphrases.get(file));
        if (key instanceof Error && /passphrase/i.test(key.message)) {
          const pass = secrets.passphrases.get(file) ?? await ask(() => credentials.passphrase?.(file));
          if (pass === undefined) { notes.push(`key ${file} is encrypted and no passphrase was given`); return undefined; }
          key = utils.parseKey(data, pass);
          if (key instanceof Error) { notes.push(`wrong passphrase for key ${file}`); return undefined; }
          secrets.passphrases.set(file, pass);
        }
        if (key instanceof Error) { notes.push(`cannot use key ${file}: ${key.message}`); return undefined; }
        const parsed: ParsedKey = Array.isArray(key) ? key[0] : key;
        (secrets.keys ??= new Map()).set(file, parsed);
        return { type: 'publickey', username, key: parsed as unknown as Buffer };
      },
    });
  }

  const password = async (): Promise<string | undefined> => {
    if (spec.password !== undefined) return spec.password;
    if (secrets.password === undefined) secrets.password = await ask(() => credentials.password?.(spec));
    if (secrets.password === undefined) notes.push('the server wants a password but none was given');
    return secrets.password;
  };
  list.push({
    method: 'password', label: 'password', make: async () => {
      const p = await password();
      return p === undefined ? undefined : { type: 'password', username, password: p };
    },
  });
  list.push({
    method: 'keyboard-interactive', label: 'keyboard-interactive', make: async () => {
      const p = await password();
      if (p === undefined) return undefined;
      return {
        type: 'keyboard-interactive', username,
        prompt: (_n: string, _i: string, _l: string, prompts: unknown[], finish: (answers: string[]) => void) => finish(prompts.map(() => p)),
      } as AnyAuthMethod;
    },
  });
  return list;
}

export function openSftpConnection(ctx: ConnectContext): Promise<SftpConnection> {
  const { spec, credentials, log } = ctx;
  const host = spec.host ?? 'localhost';
  const port = spec.port ?? 22;
  const username = userOf(spec);
  const knownHostsFile = spec.knownHosts ?? defaultKnownHostsFile();
  const notes: string[] = [];
  const tried: string[] = [];
  let hostKeyError: SyncError | undefined;

  // our own login timer (ssh2's readyTimeout would also count the time spent in prompts)
  let timer: NodeJS.Timeout | undefined;
  let settled = false;
  let onTimeout = () => { /* set below */ };
  const arm = () => { clearTimeout(timer); timer = setTimeout(() => onTimeout(), LOGIN_TIMEOUT_MS); };
  const ask: Ask = async (f) => {
    clearTimeout(timer);
    try { return await f(); } finally { if (!settled) arm(); }
  };
  const attempts = authAttempts(ctx, username, notes, ask);
  let started = false;
  const authHandler = (methodsLeft: AuthenticationType[] | null, _partial: boolean | null, next: (m: AnyAuthMethod | false) => void): void => {
    if (!started) { started = true; next({ type: 'none', username }); return; }
    void (async () => {
      while (attempts.length) {
        const a = attempts.shift()!;
        if (methodsLeft && !methodsLeft.includes(a.method)) continue;
        try {
          const m = await a.make();
          if (m) { tried.push(a.label); log.debug(`sftp: trying ${a.label}`); return next(m); }
        } catch (e) {
          notes.push(`${a.label}: ${(e as Error).message}`);
        }
      }
      return next(false);
    })();
  };

  const preferredHostKeys = knownKeyTypes(knownHostsFile, host, port).flatMap(algorithmsForKeyType)
    .filter((a) => DEFAULT_HOST_KEY_ALGOS.includes(a));
  const config: ConnectConfig = {
    host, port, username,
    readyTimeout: 0,
    // a stalled link (no answer to keepalives) is given up within timeoutSeconds: 4 intervals
    keepaliveInterval: Math.max(250, Math.floor(timeoutSecondsOf(spec) * 1000 / 4)),
    keepaliveCountMax: 3,
    algorithms: {
      // remove + prepend moves them to the front of ssh2's defaults
      cipher: { remove: FAST_CIPHERS, prepend: FAST_CIPHERS },
      ...(preferredHostKeys.length ? { serverHostKey: [...preferredHostKeys, ...DEFAULT_HOST_KEY_ALGOS.filter((a) => !preferredHostKeys.includes(a))] } : {}),
    } as unknown as ConnectConfig['algorithms'],
    hostVerifier: ((key: Buffer, verify: (ok: boolean) => void) => {
      verifyHostKey(key, {
        knownHostsFile, host, port,
        acceptNew: spec.acceptNewHostKey,
        confirm: credentials.confirmHostKey && ((info) => ask(() => credentials.confirmHostKey!(info))),
        onRecorded: (info) => log.warn(`Permanently added the ${info.keyType} host key of ${host}:${port} (${info.fingerprint}) to ${knownHostsFile}`),
      }).then(() => verify(true), (e: unknown) => {
        hostKeyError = e instanceof SyncError ? e : new SyncError('hostkey', 'Host key check failed', { detail: String(e) });
        verify(false);
      });
    }) as ConnectConfig['hostVerifier'],
    authHandler: authHandler as unknown as ConnectConfig['authHandler'],
  };

  return new Promise<SftpConnection>((resolve, reject) => {
    const client = new Client();
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.end();
      if (hostKeyError) return reject(hostKeyError);
      const level = (err as { level?: string })?.level;
      if (level === 'client-authentication') {
        if (tried.includes('password') || tried.includes('keyboard-interactive')) ctx.secrets.password = undefined; // ask again next time
        const why = notes.length ? `; ${notes.join('; ')}` : '';
        return reject(new SyncError('auth', `Login as ${username} to ${host}:${port} refused`, {
          detail: `tried ${tried.length ? tried.join(', ') : 'nothing usable'}${why}`,
          hint: 'Check the user name and password, or give a key with --identity whose public key is in ~/.ssh/authorized_keys on the server',
          cause: err,
        }));
      }
      reject(toSyncError(err, spec, `Connecting to ${host}:${port}`));
    };
    onTimeout = () => fail(Object.assign(new Error(`Timed out after ${LOGIN_TIMEOUT_MS / 1000} s while connecting and logging in`), { level: 'client-timeout' }));
    arm();
    client.on('error', (err: Error & { level?: string }) => {
      if (err.level === 'agent') { notes.push(`ssh-agent: ${err.message}`); return; }
      if (!settled) fail(err);
      else log.debug(`sftp: connection error: ${err.message}`);
    });
    client.on('close', () => fail(new SyncError('connect', `Connection to ${host}:${port} closed during login`, {
      hint: 'Is it an SSH server? Does it allow this user?',
    })));
    client.on('ready', () => {
      // many small pipelined requests: do not let Nagle hold them back
      client.setNoDelay(true);
      client.sftp((err, sftp) => {
        if (err) {
          return fail(new SyncError('io', `Could not start SFTP on ${host}:${port}`, {
            detail: err.message, hint: 'Is SFTP enabled on the server (Subsystem sftp in sshd_config)?', cause: err,
          }));
        }
        sftp.setMaxListeners(0); // every transfer in flight watches 'close'
        const conn: SftpConnection = { client, sftp, dead: false, root: spec.path, posixRename: false };
        const die = () => { conn.dead = true; };
        client.on('error', (e: Error & { level?: string }) => {
          if (e.level === 'client-timeout' && /keepalive/i.test(e.message)) { conn.stalled = true; log.warn(`sftp: no response from ${host}:${port} for ${timeoutSecondsOf(spec)} s; dropping the connection`); }
        });
        client.on('close', die);
        client.on('end', die);
        sftp.on('close', die);
        sftp.on('end', die);
        sftp.on('error', (e: Error) => { log.debug(`sftp: channel error: ${e.message}`); die(); client.end(); });
        conn.posixRename = !!(sftp as unknown as { _extensions: Record<string, string> })._extensions?.['posix-rename@openssh.com'];
        const finish = (root: string) => {
          clearTimeout(timer);
          conn.root = root.length > 1 ? root.replace(/\/+$/, '') : root;
          settled = true;
          resolve(conn);
        };
        if (spec.path.startsWith('/')) return finish(spec.path);
        // a relative root is relative to the login folder
        sftp.realpath(spec.path || '.', (e2, abs) => (e2 ? fail(toSyncError(e2, spec, 'Resolving the remote folder', spec.path)) : finish(abs)));
      });
    });
    try {
      // our own socket, so that the several writes ssh2 makes per packet leave as one
      const sock = connectSocket(host, port);
      sock.on('error', () => undefined); // reported through the client's 'error'
      client.connect({ ...config, sock });
    } catch (e) {
      fail(e);
    }
  });
}

/**
 * A TCP socket whose writes within one tick are corked together. Without its optional native
 * add-on (not in the bundles), ssh2 makes 3–4 socket writes per SSH packet; batched, the
 * client's CPU per small file drops by about a quarter.
 */
function connectSocket(host: string, port: number): Socket {
  const sock = netConnect({ host, port });
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
