// SSH algorithm lists: our defaults (fast ciphers first; no SHA-1 `ssh-rsa` host-key signatures,
// like OpenSSH 8.8+), the target's "algorithms" setting on top, and the error for a server with
// which nothing matches, naming that setting.

import { SyncError } from '../../errors.js';
import type { SshAlgorithms } from '../../types.js';

export const FAST_CIPHERS = ['aes128-gcm@openssh.com', 'aes128-ctr'];
/** host-key signature algorithms offered by default; `ssh-rsa` (RSA with SHA-1) only through "algorithms" */
export const DEFAULT_HOST_KEY_ALGOS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256'];

export const ALGORITHM_KINDS = ['kex', 'cipher', 'serverHostKey', 'hmac'] as const;
export type AlgorithmKind = (typeof ALGORITHM_KINDS)[number];

/** ssh2's way to change its defaults */
interface Change { append?: string[]; prepend?: string[]; remove?: string[] }

/** Is this list a change of the defaults ("+x", "-x", "^x") rather than a list of its own? */
export function isChangeList(list: readonly string[]): boolean {
  return list.length > 0 && list.every((a) => /^[+^-]/.test(a));
}

function toChange(list: readonly string[]): Change {
  const c: Change = {};
  for (const a of list) {
    const name = a.slice(1);
    const key = a[0] === '+' ? 'append' : a[0] === '-' ? 'remove' : 'prepend';
    (c[key] ??= []).push(name);
  }
  return c;
}

/** apply "+x" / "-x" / "^x" to a concrete list */
function applyChange(base: readonly string[], list: readonly string[]): string[] {
  const c = toChange(list);
  const moved = new Set([...(c.remove ?? []), ...(c.prepend ?? []), ...(c.append ?? [])]);
  return [...(c.prepend ?? []), ...base.filter((a) => !moved.has(a)), ...(c.append ?? [])];
}

/**
 * The `algorithms` option for ssh2. `preferredHostKeys`: the signature algorithms of the key types
 * known_hosts holds for this host, tried first (so a known key is not met by another type).
 */
export function sshAlgorithms(setting: SshAlgorithms | undefined, preferredHostKeys: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const hostKeyBase = [
    ...preferredHostKeys.filter((a) => DEFAULT_HOST_KEY_ALGOS.includes(a)),
    ...DEFAULT_HOST_KEY_ALGOS.filter((a) => !preferredHostKeys.includes(a)),
  ];
  const hk = setting?.serverHostKey;
  out.serverHostKey = hk?.length ? (isChangeList(hk) ? applyChange(hostKeyBase, hk) : [...hk]) : hostKeyBase;
  const cipher = setting?.cipher;
  if (cipher?.length && !isChangeList(cipher)) out.cipher = [...cipher];
  else {
    // remove + prepend moves the fast ones to the front of ssh2's defaults
    const c = cipher?.length ? toChange(cipher) : {};
    out.cipher = {
      remove: [...FAST_CIPHERS, ...(c.remove ?? []), ...(c.prepend ?? [])],
      prepend: [...(c.prepend ?? []), ...FAST_CIPHERS.filter((a) => !(c.remove ?? []).includes(a))],
      ...(c.append ? { append: c.append } : {}),
    };
  }
  for (const kind of ['kex', 'hmac'] as const) {
    const list = setting?.[kind];
    if (list?.length) out[kind] = isChangeList(list) ? toChange(list) : [...list];
  }
  return out;
}

const NO_MATCH: [RegExp, AlgorithmKind, string][] = [
  [/no matching key exchange/i, 'kex', 'key exchange'],
  [/no matching host key/i, 'serverHostKey', 'host key'],
  [/no matching (C->S|S->C) cipher/i, 'cipher', 'cipher'],
  [/no matching (C->S|S->C) MAC/i, 'hmac', 'MAC'],
];

/**
 * A handshake that found no common algorithm → an error naming the "algorithms" setting.
 * `offered`: what the server listed per kind (from ssh2's debug output), when known.
 */
export function noMatchingAlgorithmError(err: unknown, hostPort: string, offered: Partial<Record<AlgorithmKind, string>>): SyncError | undefined {
  const msg = err instanceof Error ? err.message : String(err);
  const hit = NO_MATCH.find(([re]) => re.test(msg));
  if (!hit) return undefined;
  const [, kind, what] = hit;
  const theirs = offered[kind];
  const example = kind === 'serverHostKey' && theirs?.split(',').includes('ssh-rsa') ? '"+ssh-rsa"' : theirs ? `"+${theirs.split(',')[0]}"` : '"+NAME"';
  return new SyncError('connect', `No ${what} algorithm in common with ${hostPort}`, {
    detail: `${msg}${theirs ? `; the server offers: ${theirs.split(',').join(', ')}` : ''}`,
    hint: `The server only offers old algorithms. If you trust it, enable one in the target's "algorithms" setting, e.g. "algorithms": { "${kind}": [${example}] }`,
    cause: err,
  });
}

/** ssh2 debug lines "Handshake: (remote) KEX method: a,b" → what the server offered, per kind */
export function recordOffer(line: string, offered: Partial<Record<AlgorithmKind, string>>): void {
  const m = /^Handshake: \(remote\) (KEX method|Host key format|C->S cipher|C->S MAC): (.*)$/.exec(line);
  if (!m) return;
  const kind: AlgorithmKind = m[1] === 'KEX method' ? 'kex' : m[1] === 'Host key format' ? 'serverHostKey' : m[1] === 'C->S cipher' ? 'cipher' : 'hmac';
  offered[kind] = m[2];
}
