// SSH host key verification against an OpenSSH known_hosts file: plain and hashed (|1|salt|hash)
// host entries, "[host]:port" for ports other than 22, patterns with * ? and !negation, @revoked.
// An unknown host fails (showing the key's type and SHA256 fingerprint) unless the caller accepts it,
// in which case the key is appended; a changed key always fails.
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { SyncError } from '../errors.js';
import type { HostKeyInfo } from '../types.js';

export function defaultKnownHostsFile(): string {
  return join(homedir(), '.ssh', 'known_hosts');
}

/** the key type inside an SSH public key blob ("ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", …) */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  if (len <= 0 || len > 64 || 4 + len > blob.length) return 'unknown';
  return blob.toString('latin1', 4, 4 + len);
}

/** "SHA256:…" exactly as OpenSSH prints it (base64 without padding) */
export function fingerprintOf(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/** the name known_hosts uses for a host: "host" on port 22, "[host]:port" otherwise */
export function hostToken(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

export interface KnownHostEntry {
  line: number;
  marker?: 'revoked' | 'cert-authority';
  hosts: string;
  keyType: string;
  key: Buffer;
}

/** parse a known_hosts file; a missing file is empty */
export function readKnownHosts(file: string): KnownHostEntry[] {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new SyncError('hostkey', `Cannot read the known_hosts file ${file}`, { detail: (e as Error).message, cause: e });
  }
  const out: KnownHostEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const fields = lines[i].trim().split(/\s+/);
    if (!fields[0] || fields[0].startsWith('#')) continue;
    let marker: KnownHostEntry['marker'];
    if (fields[0].startsWith('@')) {
      const m = fields.shift()!;
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else continue;
    }
    if (fields.length < 3) continue;
    out.push({ line: i + 1, marker, hosts: fields[0], keyType: fields[1], key: Buffer.from(fields[2], 'base64') });
  }
  return out;
}

function wildcardMatch(pattern: string, name: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === name;
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return re.test(name);
}

/** does the host field of a known_hosts line name `token` ("host" or "[host]:port")? */
export function hostFieldMatches(field: string, token: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(token).digest('base64');
    return mac === hash;
  }
  let matched = false;
  for (const raw of field.split(',')) {
    const negated = raw.startsWith('!');
    const pat = (negated ? raw.slice(1) : raw).toLowerCase();
    if (wildcardMatch(pat, token)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

export type HostKeyVerdict =
  | { status: 'known'; line: number }
  | { status: 'unknown' }
  /** a different key of the same type, or (as OpenSSH) only keys of other types: `keyType` is the recorded one */
  | { status: 'changed'; line: number; keyType: string }
  | { status: 'revoked'; line: number };

export function checkHostKey(file: string, host: string, port: number, blob: Buffer): HostKeyVerdict {
  const token = hostToken(host, port);
  const type = keyTypeOf(blob);
  const entries = readKnownHosts(file);
  for (const e of entries) {
    if (e.marker === 'revoked' && e.key.equals(blob)) return { status: 'revoked', line: e.line };
  }
  const mine = entries.filter((e) => !e.marker && hostFieldMatches(e.hosts, token));
  const exact = mine.find((e) => e.key.equals(blob));
  if (exact) return { status: 'known', line: exact.line };
  const sameType = mine.find((e) => e.keyType === type);
  if (sameType) return { status: 'changed', line: sameType.line, keyType: type };
  // keys of other types only: the server did not offer any key we know, although the client asked
  // for those types first. OpenSSH treats this as a changed key too: a man in the middle holding
  // only a key of another type must not get a "new host" prompt (or --accept-new-host-key).
  if (mine.length) return { status: 'changed', line: mine[0].line, keyType: mine[0].keyType };
  return { status: 'unknown' };
}

/** key types recorded for this host, so the connection can ask the server for one of those first */
export function knownKeyTypes(file: string, host: string, port: number): string[] {
  const token = hostToken(host, port);
  try {
    return [...new Set(readKnownHosts(file).filter((e) => !e.marker && hostFieldMatches(e.hosts, token)).map((e) => e.keyType))];
  } catch {
    return [];
  }
}

/** host key algorithm names (as negotiated) for a key type in known_hosts */
export function algorithmsForKeyType(keyType: string): string[] {
  return keyType === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [keyType];
}

/**
 * Why `file` must not get a host key line, or undefined. A "knownHosts" setting can name any file, and
 * a known_hosts line for a host named like an option ("restrict") is a valid authorized_keys line: a
 * key accepted into ~/.ssh/authorized_keys would let its owner log in. So a file named authorized_keys*,
 * or holding a line that starts with a key type or an authorized_keys option, is never appended to.
 */
export function notAKnownHostsFile(file: string, text: string): string | undefined {
  if (/^authorized_keys/i.test(basename(file))) return `${file} is an authorized_keys file, not a known_hosts file`;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i].trim().split(/\s+/)[0];
    if (!first || first.startsWith('#')) continue;
    if (/^(ssh-|ecdsa-|sk-|rsa-sha2-)/.test(first) || /^(command|from|environment|permitopen|permitlisten|principals|tunnel|expiry-time)=/.test(first) ||
      /^(restrict|no-[a-z-]+|cert-authority|agent-forwarding|port-forwarding|pty|user-rc|x11-forwarding)(,|$)/.test(first)) {
      return `${file} line ${i + 1} is an authorized_keys entry, not a known_hosts one`;
    }
  }
  return undefined;
}

/** append a key to a known_hosts file, creating it (0600) and its folder (0700) when needed */
export function appendHostKey(file: string, host: string, port: number, blob: Buffer): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let prefix = '';
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const problem = notAKnownHostsFile(file, text);
  if (problem) throw new Error(`${problem}; nothing was written to it`);
  if (text.length && !text.endsWith('\n')) prefix = '\n';
  appendFileSync(file, `${prefix}${hostToken(host, port)} ${keyTypeOf(blob)} ${blob.toString('base64')}\n`, { mode: 0o600 });
  try { chmodSync(file, 0o600); } catch { /* not ours to fix */ }
}

export interface VerifyHostKeyOptions {
  knownHostsFile: string;
  host: string;
  port: number;
  /** trust and record an unknown key without asking */
  acceptNew?: boolean;
  /** asked about an unknown key (when acceptNew is not set) */
  confirm?: (info: HostKeyInfo) => Promise<boolean>;
  onRecorded?: (info: HostKeyInfo) => void;
}

/** resolves when the key may be used; rejects with SyncError('hostkey') otherwise */
export async function verifyHostKey(blob: Buffer, o: VerifyHostKeyOptions): Promise<void> {
  const token = hostToken(o.host, o.port);
  const keyType = keyTypeOf(blob);
  const fingerprint = fingerprintOf(blob);
  const info: HostKeyInfo = { host: o.host, port: o.port, keyType, fingerprint, knownHostsFile: o.knownHostsFile };
  const verdict = checkHostKey(o.knownHostsFile, o.host, o.port, blob);
  switch (verdict.status) {
    case 'known':
      return;
    case 'revoked':
      throw new SyncError('hostkey', `The ${keyType} host key of ${token} (${fingerprint}) is marked as revoked in ${o.knownHostsFile} line ${verdict.line}`, {
        hint: 'Do not connect; ask the server administrator for the current host key',
      });
    case 'changed':
      throw new SyncError('hostkey',
        `WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED for ${token}. It now presents ${keyType} key ${fingerprint}, ` +
        (verdict.keyType === keyType
          ? `but ${o.knownHostsFile} line ${verdict.line} has a different ${keyType} key. `
          : `but ${o.knownHostsFile} line ${verdict.line} has a ${verdict.keyType} key for it and no ${keyType} key. `) +
        'This may be a man-in-the-middle attack, or the server was reinstalled', {
          hint: `If the change is expected, verify the new fingerprint with the server's administrator, then remove line ${verdict.line} ` +
            `from ${o.knownHostsFile} (ssh-keygen -R "${token}" -f ${o.knownHostsFile}) and connect again`,
        });
    case 'unknown': {
      let ok = !!o.acceptNew;
      if (!ok && o.confirm) ok = await o.confirm(info);
      if (!ok) {
        throw new SyncError('hostkey',
          `The authenticity of host ${token} can't be established: its ${keyType} key fingerprint is ${fingerprint}, ` +
          `which is not in ${o.knownHostsFile}`, {
            hint: 'Check the fingerprint with the server\'s administrator, then run again with --accept-new-host-key to trust and record it',
          });
      }
      try {
        appendHostKey(o.knownHostsFile, o.host, o.port, blob);
      } catch (e) {
        throw new SyncError('hostkey', `Cannot record the host key of ${token} in ${o.knownHostsFile}`, { detail: (e as Error).message, cause: e });
      }
      o.onRecorded?.(info);
    }
  }
}
