// Content hashes for "verify": "hash" and --checksum: the server's own hashing where it has one —
// FTP HASH / XSHA256 / XSHA1 / XMD5 when FEAT lists them, SFTP sha256sum / md5sum over an exec
// channel when the account may run a command — otherwise the file is read back and hashed here.
// Both sides of a comparison use the same algorithm; the method each side used is reported.
import { createHash } from 'node:crypto';
import type { Target } from '../types.js';
import { SyncError } from '../errors.js';

export type HashAlgo = 'sha256' | 'sha1' | 'md5';
/** strongest first */
export const HASH_ALGOS: readonly HashAlgo[] = ['sha256', 'sha1', 'md5'];

export interface FileHash {
  algo: HashAlgo;
  hex: string;
  /** how it was obtained: "FTP HASH", "FTP XSHA256", "sha256sum over SSH", "read back" */
  method: string;
}

/** What a target that can hash on the server offers (duck-typed: FtpTarget, SftpTarget). */
export interface ServerHashing {
  /** the hash of `path` by the server, in one of `algos` (preferred first), or undefined if it cannot
   *  (or did not answer in time); `size`: the file's, when known — the time the server is given */
  serverHash(path: string, algos: readonly HashAlgo[], signal?: AbortSignal, size?: number): Promise<FileHash | undefined>;
}

/** a conservative rate a server hashes at (a slow disk, a busy host, a network file system) */
export const SERVER_HASH_BYTES_PER_SECOND = 20 * 1024 * 1024;

/**
 * How long a server's hash of a file of `size` bytes may take: the idle timeout, plus the file read
 * at SERVER_HASH_BYTES_PER_SECOND. The answer comes only once the whole file was read (no progress
 * on the way), so a plain idle timeout would take a big file's hash for a stalled link.
 */
export function serverHashTimeoutMs(idleMs: number, size?: number): number {
  return idleMs + (size !== undefined && size > 0 ? Math.ceil(size / SERVER_HASH_BYTES_PER_SECOND * 1000) : 0);
}

export function hasServerHash(t: Target): t is Target & ServerHashing {
  return typeof (t as Partial<ServerHashing>).serverHash === 'function';
}

/** read the file through the target and hash it here */
export async function readBackHash(t: Target, path: string, algo: HashAlgo, signal?: AbortSignal): Promise<FileHash> {
  const h = createHash(algo);
  const stream = await t.read(path, signal);
  for await (const chunk of stream as AsyncIterable<Buffer>) h.update(chunk);
  return { algo, hex: h.digest('hex'), method: t.kind === 'local' ? 'read' : 'read back' };
}

/** the server's hash in one of `algos` if it has one, else read back (first of `algos`); `size`: see serverHash */
export async function hashFile(t: Target, path: string, algos: readonly HashAlgo[] = HASH_ALGOS, signal?: AbortSignal, size?: number): Promise<FileHash> {
  if (t.kind !== 'local' && hasServerHash(t)) {
    const r = await t.serverHash(path, algos, signal, size);
    if (r) return r;
  }
  return readBackHash(t, path, algos[0], signal);
}

export interface HashComparison {
  same: boolean;
  algo: HashAlgo;
  /** method per target, in the order given */
  methods: [string, string];
}

/** hash `path` on both targets with one algorithm (the one a server offers, if any) and compare; `bPath`:
 *  the file to hash on `b` when it is not `path` (a temp file before its rename); `size`: the file's, if known */
export async function compareHashes(a: Target, b: Target, path: string, signal?: AbortSignal, bPath = path, size?: number): Promise<HashComparison> {
  // a server that hashes decides the algorithm; the other side follows it
  const [first, second] = b.kind !== 'local' && hasServerHash(b) ? [b, a] : [a, b];
  const pathOf = (t: Target) => (t === b ? bPath : path);
  const h1 = await hashFile(first, pathOf(first), HASH_ALGOS, signal, size);
  const h2 = await hashFile(second, pathOf(second), [h1.algo], signal, size);
  if (h2.algo !== h1.algo) throw new SyncError('io', `Cannot compare ${h1.algo} with ${h2.algo}`, { path });
  const [ha, hb] = first === a ? [h1, h2] : [h2, h1];
  return { same: ha.hex.toLowerCase() === hb.hex.toLowerCase(), algo: h1.algo, methods: [ha.method, hb.method] };
}

// ---- FTP ----------------------------------------------------------------------------------------

/** the FTP way to hash in `algo` given the FEAT lines (keys upper-case, values the rest of the line) */
export function ftpHashCommand(features: Map<string, string>, algo: HashAlgo): { command: 'HASH' | 'XSHA256' | 'XSHA1' | 'XMD5'; name?: string } | undefined {
  const hash = features.get('HASH');
  if (hash !== undefined) {
    // "HASH SHA-256*;SHA-1;MD5" (the starred one is selected)
    const names = hash.split(';').map((s) => s.replace(/\*$/, '').trim().toUpperCase());
    const want = { sha256: 'SHA-256', sha1: 'SHA-1', md5: 'MD5' }[algo];
    if (names.includes(want)) return { command: 'HASH', name: want };
  }
  const x = { sha256: 'XSHA256', sha1: 'XSHA1', md5: 'XMD5' }[algo] as 'XSHA256' | 'XSHA1' | 'XMD5';
  return features.has(x) ? { command: x } : undefined;
}

const HEX_LEN: Record<HashAlgo, number> = { sha256: 64, sha1: 40, md5: 32 };
const FTP_HASH_NAMES: Record<HashAlgo, string> = { sha256: 'SHA-256', sha1: 'SHA-1', md5: 'MD5' };

/**
 * The hex digest in a reply to HASH ("213 SHA-256 0-1234 abcd… name", draft-bryan-ftpext-hash) or to
 * XSHA256 / XSHA1 / XMD5 ("250 abcd…", the name after it or not) — of the reply's last line (a
 * multi-line reply's earlier lines are progress or comments). A HASH reply counts only when it names
 * `algo`, covers the file from byte 0 and, given `of`, names that file (`of.path`, or a relative
 * tail of it) and covers all of its `of.size` bytes: anything else (another algorithm, a range, a
 * reply for another file) is undefined, so the file is read back instead.
 */
export function parseFtpHashReply(message: string, algo: HashAlgo, of?: { path: string; size?: number }): string | undefined {
  const len = HEX_LEN[algo];
  const last = message.split(/\r?\n/).filter((l) => l.trim() !== '').pop() ?? '';
  const body = last.replace(/^\d{3}[ -]?/, '');
  const hash = /^(\S+) (\d+)-(\d+) ([0-9a-fA-F]+)(?: (.*))?$/.exec(body);
  if (hash) {
    const [, name, start, end, hex, file] = hash;
    if (name.toUpperCase() !== FTP_HASH_NAMES[algo] || hex.length !== len || Number(start) !== 0) return undefined;
    // the end: the last byte's offset + 1 (ProFTPD) or the last byte's offset (the draft's example)
    if (of?.size !== undefined && Number(end) !== of.size && Number(end) !== of.size - 1) return undefined;
    if (of && (file === undefined || (file !== of.path && !of.path.endsWith(`/${file}`)))) return undefined;
    return hex.toLowerCase();
  }
  // XSHA256 and kin: the digest first (what follows it, if anything, is the name)
  const m = /^([0-9a-fA-F]+)(?:\s|$)/.exec(body.trimStart());
  return m && m[1].length === len ? m[1].toLowerCase() : undefined;
}

/** the minimal client FTP hashing needs (basic-ftp's Client) */
export interface FtpCommandClient {
  send(command: string, ignoreErrorCodes?: boolean): Promise<{ code: number; message: string }>;
}

/**
 * hash `abs` on the server with the first algorithm of `algos` it offers; undefined if none does, or
 * the server refuses or answers something that is not the whole file's digest (then it is read back).
 * `sendHash`: how the hashing command itself is sent (refusals resolved, as `c.send(cmd, true)`):
 * with a longer wait for its reply (serverHashTimeoutMs), as the server reads the whole file first.
 */
export async function ftpServerHash(c: FtpCommandClient, features: Map<string, string>, abs: string, algos: readonly HashAlgo[],
  sendHash: (command: string) => Promise<{ code: number; message: string }> = (command) => c.send(command, true)): Promise<FileHash | undefined> {
  const ok = (r: { code: number }) => r.code >= 200 && r.code < 300;
  let size: number | undefined | null = null; // null: not asked yet
  for (const algo of algos) {
    const how = ftpHashCommand(features, algo);
    if (!how) continue;
    if (how.command === 'HASH') {
      // (the selection is per connection: set before every HASH, and checked in the reply)
      if (!ok(await c.send(`OPTS HASH ${how.name}`, true))) continue;
      const res = await sendHash(`HASH ${abs}`);
      if (!ok(res)) continue;
      if (size === null) {
        const r = features.has('SIZE') ? await c.send(`SIZE ${abs}`, true) : undefined;
        size = r?.code === 213 && /^\d+$/.test(r.message.slice(4).trim()) ? Number(r.message.slice(4).trim()) : undefined;
      }
      const hex = parseFtpHashReply(res.message, algo, { path: abs, size });
      if (hex) return { algo, hex, method: 'FTP HASH' };
    } else {
      const res = await sendHash(`${how.command} ${abs}`);
      const hex = ok(res) ? parseFtpHashReply(res.message, algo) : undefined;
      if (hex) return { algo, hex, method: `FTP ${how.command}` };
    }
  }
  return undefined;
}

// ---- SFTP ---------------------------------------------------------------------------------------

/** how long a channel whose command exited 0 may stay open before its output is taken as it is */
const EXIT_CLOSE_WAIT_MS = 1000;

/** a shell word for `s` (single quotes) */
export const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export const SSH_HASH_COMMANDS: Partial<Record<HashAlgo, string>> = { sha256: 'sha256sum', sha1: 'sha1sum', md5: 'md5sum' };

/**
 * The digest in `sha256sum` output ("abcd…  /path", binary mode "abcd… *PATH"; a name with a
 * backslash or a line break: "\\abcd…  escaped"), checked for the algorithm's length. Given `path`,
 * only the line for that file counts: lines a login shell prints before (a banner), or for another
 * file, are not taken.
 */
export function parseSumOutput(out: string, algo: HashAlgo, path?: string): string | undefined {
  const len = HEX_LEN[algo];
  for (const line of out.split('\n')) {
    const m = /^(\\?)([0-9a-fA-F]+) [ *](.*)$/.exec(line.replace(/\r$/, ''));
    if (!m || m[2].length !== len) continue;
    const name = m[1] ? m[3].replace(/\\(.)/g, (_, ch: string) => (ch === 'n' ? '\n' : ch === 'r' ? '\r' : ch)) : m[3];
    if (path === undefined || name === path) return m[2].toLowerCase();
  }
  return undefined;
}

/** the minimal client SSH hashing needs (ssh2's Client) */
export interface SshExecClient {
  exec(command: string, cb: (err: Error | undefined, channel: SshExecChannel) => void): unknown;
}
interface SshExecChannel {
  on(event: 'data', fn: (d: Buffer) => void): unknown;
  on(event: 'close' | 'exit', fn: (code: number | null) => void): unknown;
  stderr: { on(event: 'data', fn: (d: Buffer) => void): unknown };
  close(): unknown;
}

/**
 * `sha256sum -- PATH` (or sha1sum / md5sum, the first of `algos`) over an exec channel; undefined
 * when the account may not run commands (an sftp-only account) or the command is missing, or when
 * no answer came within `timeoutMs` (then `onTimeout` is called first: a slow server is not one
 * that cannot hash — the caller tells them apart).
 */
export async function sshServerHash(client: SshExecClient, abs: string, algos: readonly HashAlgo[], timeoutMs: number, signal?: AbortSignal,
  onTimeout?: () => void): Promise<FileHash | undefined> {
  const algo = algos.find((a) => SSH_HASH_COMMANDS[a]);
  if (!algo) return undefined;
  const cmd = SSH_HASH_COMMANDS[algo]!;
  const out = await new Promise<string | undefined>((resolve) => {
    const chunks: Buffer[] = [];
    let done = false;
    let channel: SshExecChannel | undefined;
    // (a timeout or a cancel closes the channel: a hash left running would hold one of the connection's sessions)
    let closeWait: NodeJS.Timeout | undefined;
    const finish = (v: string | undefined, close = v === undefined) => {
      if (!done) { done = true; clearTimeout(timer); clearTimeout(closeWait); signal?.removeEventListener('abort', onAbort); if (close) channel?.close(); resolve(v); }
    };
    const onAbort = () => finish(undefined);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => { if (!done) onTimeout?.(); finish(undefined); }, timeoutMs);
    try {
      client.exec(`${cmd} -- ${shellQuote(abs)}`, (err, ch) => {
        if (err) { finish(undefined); return; }
        channel = ch;
        if (done) { ch.close(); return; }
        ch.on('data', (d: Buffer) => { chunks.push(d); }); // (decoded whole: a name's character may span two chunks)
        ch.stderr.on('data', () => { /* a missing file or command: the exit code says so */ });
        ch.on('close', (code: number | null) => finish(code === 0 ? Buffer.concat(chunks).toString('utf8') : undefined));
        // exit 0, but the channel left open by a process the login shell started in the background:
        // what came within a second is taken (a digest line that is not whole is not one: read back)
        ch.on('exit', (code: number | null) => {
          if (code === 0) closeWait = setTimeout(() => finish(Buffer.concat(chunks).toString('utf8'), true), EXIT_CLOSE_WAIT_MS);
        });
      });
    } catch {
      finish(undefined);
    }
  });
  if (signal?.aborted) throw new SyncError('aborted', 'Cancelled');
  const hex = out === undefined ? undefined : parseSumOutput(out, algo, abs);
  return hex ? { algo, hex, method: `${cmd} over SSH` } : undefined;
}
