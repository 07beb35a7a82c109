// One SSH login over a given socket (a TCP connection, or a channel through a jump host): host key
// check against known_hosts, algorithms, then login like OpenSSH — agent, key files (the one given,
// the ssh config's, or the default ones), password, keyboard-interactive with the server's real
// prompts (the password answers only a prompt that asks for it). Secrets are asked lazily, with
// the login timer paused while a person answers.

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { Client, AnyAuthMethod, AuthenticationType, ConnectConfig, ParsedKey } from 'ssh2';
import { SyncError } from '../../errors.js';
import { timeoutSecondsOf } from '../../transfer/stall.js';
import type { Credentials, Logger, RemoteSpec } from '../../types.js';
import { algorithmsForKeyType, defaultKnownHostsFile, knownKeyTypes, verifyHostKey } from '../hostkeys.js';
import { chooseAgent } from './agent.js';
import { noMatchingAlgorithmError, recordOffer, sshAlgorithms, type AlgorithmKind } from './algorithms.js';
import { toSyncError, userOf } from './errors.js';
import { sessionHostVerifier } from './session-host-key.js';
import { loadSsh2, type Ssh2Module } from './ssh2-lazy.js';

/** secrets asked once per host, kept for transparent reconnects */
export interface SecretCache {
  password?: string;
  passphrases: Map<string, string>;
  /** decrypted keys (decrypting an OpenSSH key takes about a second) */
  keys?: Map<string, ParsedKey>;
  /** the jump hosts' own secrets, by "user@host:port" */
  hops?: Map<string, SecretCache>;
}

/** a spec after the ssh config: several key files possible, agent keys possibly excluded */
export type LoginSpec = RemoteSpec & { identities?: string[]; identitiesOnly?: boolean };

export interface LoginOptions {
  spec: LoginSpec;
  credentials: Credentials;
  log: Logger;
  secrets: SecretCache;
  /** the connection to run SSH over */
  sock: Duplex;
  /** "jump host bastion:22" — prefixes errors of a hop */
  label?: string;
}

/** handshake + login time limit, not counting the time a person takes to answer a prompt */
export const LOGIN_TIMEOUT_MS = 20_000;

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/** a keyboard-interactive prompt that asks for the account password (not a one-time password or code) */
export function isPasswordPrompt(prompt: string): boolean {
  if (/one[- ]?time|\botp\b|token|code|verification|yubikey|pin\b/i.test(prompt)) return false;
  return /password|passwort|mot de passe|contrase(ñ|n)a|senha|wachtwoord/i.test(prompt);
}

/** method: the server-side method name (agent keys are 'publickey') */
type Attempt = { method: AuthenticationType; label: string; make: () => Promise<AnyAuthMethod | undefined> };
type Ask = <T>(f: () => Promise<T> | T) => Promise<T>;
type KbdPrompt = { prompt: string; echo: boolean };

function authAttempts(o: LoginOptions, username: string, notes: string[], ask: Ask, { utils }: Ssh2Module): Attempt[] {
  const { spec, credentials, secrets, log } = o;
  const list: Attempt[] = [];
  if (!spec.identitiesOnly) {
    const agent = chooseAgent(spec.agent, { platform: process.platform, env: process.env });
    if (agent.warning) log.warn(agent.warning);
    const sock = agent.agent;
    if (sock) list.push({ method: 'publickey', label: `ssh-agent (${agent.source})`, make: async () => ({ type: 'agent', username, agent: sock }) });
  }

  const keyFiles = spec.identity ? [spec.identity]
    : spec.identities?.length ? spec.identities.filter((f) => existsSync(f))
      : DEFAULT_KEYS.map((k) => join(homedir(), '.ssh', k)).filter((f) => existsSync(f));
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

  const who = `${username}@${spec.host}:${spec.port ?? 22}`;
  /** one round of prompts: the password answers the password prompt (once); a person answers the rest */
  let passwordUsed = false;
  const answer = async (name: string, instructions: string, prompts: KbdPrompt[]): Promise<string[]> => {
    const answers: (string | undefined)[] = prompts.map(() => undefined);
    const rest: number[] = [];
    for (let i = 0; i < prompts.length; i++) {
      if (!passwordUsed && isPasswordPrompt(prompts[i].prompt)) {
        const p = await password();
        if (p !== undefined) { answers[i] = p; passwordUsed = true; continue; }
      }
      rest.push(i);
    }
    if (rest.length) {
      const asked = rest.map((i) => ({ prompt: prompts[i].prompt, echo: prompts[i].echo }));
      const got = credentials.answerPrompts
        ? await ask(() => credentials.answerPrompts!({ who, name, instructions, prompts: asked }))
        : undefined;
      if (!got) {
        notes.push(`the server asked ${asked.map((p) => JSON.stringify(p.prompt.trim())).join(', ')} and nobody could answer (no terminal)`);
        throw new Error('unanswered');
      }
      rest.forEach((i, k) => { answers[i] = got[k] ?? ''; });
    }
    return answers.map((a) => a ?? '');
  };
  list.push({
    method: 'keyboard-interactive', label: 'keyboard-interactive', make: async () => ({
      type: 'keyboard-interactive', username,
      prompt: (name: string, instructions: string, _lang: string, prompts: KbdPrompt[], finish: (answers: string[]) => void) => {
        answer(name ?? '', instructions ?? '', prompts ?? []).then(finish, () => finish([]));
      },
    } as AnyAuthMethod),
  });
  return list;
}

/** Handshake and login over `o.sock`; resolves with the ready client. */
export async function loginSsh(o: LoginOptions): Promise<Client> {
  const ssh2 = await loadSsh2();
  const { spec, credentials, log } = o;
  const host = spec.host ?? 'localhost';
  const port = spec.port ?? 22;
  const username = userOf(spec);
  const knownHostsFile = spec.knownHosts ?? defaultKnownHostsFile();
  const notes: string[] = [];
  const tried: string[] = [];
  const offered: Partial<Record<AlgorithmKind, string>> = {};
  const prefix = o.label ? `${o.label}: ` : '';
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
  const attempts = authAttempts(o, username, notes, ask, ssh2);
  let started = false;
  const authHandler = (methodsLeft: AuthenticationType[] | null, _partial: boolean | null, next: (m: AnyAuthMethod | false) => void): void => {
    if (!started) { started = true; next({ type: 'none', username }); return; }
    void (async () => {
      while (attempts.length) {
        const a = attempts.shift()!;
        if (methodsLeft && !methodsLeft.includes(a.method)) continue;
        try {
          const m = await a.make();
          if (m) { tried.push(a.label); log.debug(`ssh ${host}:${port}: trying ${a.label}`); return next(m); }
        } catch (e) {
          notes.push(`${a.label}: ${(e as Error).message}`);
        }
      }
      return next(false);
    })();
  };

  const preferredHostKeys = knownKeyTypes(knownHostsFile, host, port).flatMap(algorithmsForKeyType);
  const config: ConnectConfig = {
    host, port, username,
    readyTimeout: 0,
    // a stalled link (no answer to keepalives) is given up within timeoutSeconds: 4 intervals
    keepaliveInterval: Math.max(250, Math.floor(timeoutSecondsOf(spec) * 1000 / 4)),
    keepaliveCountMax: 3,
    algorithms: sshAlgorithms(spec.algorithms, preferredHostKeys) as ConnectConfig['algorithms'],
    debug: (line: string) => recordOffer(line, offered),
    // answers a re-key at once from the first check (see session-host-key.ts: an asynchronous answer then cuts the connection)
    hostVerifier: sessionHostVerifier((key) => verifyHostKey(key, {
      knownHostsFile, host, port,
      acceptNew: spec.acceptNewHostKey,
      confirm: credentials.confirmHostKey && ((info) => ask(() => credentials.confirmHostKey!(info))),
      onRecorded: (info) => log.warn(`Permanently added the ${info.keyType} host key of ${host}:${port} (${info.fingerprint}) to ${knownHostsFile}`),
    }), (e: unknown) => {
      hostKeyError = e instanceof SyncError ? e : new SyncError('hostkey', 'Host key check failed', { detail: String(e) });
      if (settled) log.error(`${host}:${port}: ${hostKeyError.message}`);
    }) as ConnectConfig['hostVerifier'],
    authHandler: authHandler as unknown as ConnectConfig['authHandler'],
  };

  const named = (e: SyncError): SyncError => {
    if (!o.label) return e;
    return new SyncError(e.code, `${prefix}${e.message}`, { path: e.path, detail: e.detail, hint: e.hint, cause: e });
  };

  return new Promise<Client>((resolve, reject) => {
    const client = new ssh2.Client();
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.end();
      if (hostKeyError) return reject(named(hostKeyError));
      const level = (err as { level?: string })?.level;
      if (level === 'client-authentication') {
        if (tried.includes('password') || tried.includes('keyboard-interactive')) o.secrets.password = undefined; // ask again next time
        const why = notes.length ? `; ${notes.join('; ')}` : '';
        return reject(named(new SyncError('auth', `Login as ${username} to ${host}:${port} refused`, {
          detail: `tried ${tried.length ? tried.join(', ') : 'nothing usable'}${why}`,
          hint: 'Check the user name and password, or give a key with --identity whose public key is in ~/.ssh/authorized_keys on the server',
          cause: err,
        })));
      }
      const algo = noMatchingAlgorithmError(err, `${host}:${port}`, offered);
      reject(named(algo ?? toSyncError(err, spec, `Connecting to ${host}:${port}`)));
    };
    onTimeout = () => fail(Object.assign(new Error(`Timed out after ${LOGIN_TIMEOUT_MS / 1000} s while connecting and logging in`), { level: 'client-timeout' }));
    arm();
    client.on('error', (err: Error & { level?: string }) => {
      if (err.level === 'agent') { notes.push(`ssh-agent: ${err.message}`); log.warn(`${prefix}ssh-agent cannot be used: ${err.message}`); return; }
      if (!settled) fail(err);
      else log.debug(`ssh ${host}:${port}: connection error: ${err.message}`);
    });
    client.on('close', () => fail(new SyncError('connect', `Connection to ${host}:${port} closed during login`, {
      hint: 'Is it an SSH server? Does it allow this user?',
    })));
    client.on('ready', () => {
      settled = true;
      clearTimeout(timer);
      resolve(client);
    });
    try {
      client.connect({ ...config, sock: o.sock as ConnectConfig['sock'] });
    } catch (e) {
      fail(e);
    }
  });
}
