// Helpers of the FTP target: error mapping, retry classification, MLSx / LIST date parsing.
import { FTPError, type Client } from 'basic-ftp';
import { SyncError, isTransientError } from '../errors.js';
import type { EntryType } from '../types.js';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

/** FTP reply code of an error, if the server sent one */
export function ftpCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return (err instanceof FTPError || err instanceof Error) && typeof code === 'number' ? code : undefined;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_NOT_YET_VALID',
]);

function isTlsCertError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (TLS_CODES.has(code) || code.startsWith('ERR_TLS_CERT'));
}

/** other TLS failures (e.g. an alert on a data connection): worth another try on a new connection */
function isTlsError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS'));
}

/**
 * A listing whose text stops in the middle of a line. Every MLSD and LIST line ends in CRLF (RFC 3659,
 * RFC 959), so such a text was cut: its data connection ended early (a middlebox, a server's fault)
 * although the server's reply said the transfer was complete. Taken as it is, the listing would be a
 * shorter folder, and the files left out would look deleted on the server. A cut that falls exactly
 * between two lines cannot be told from a whole listing: FTP gives no length or count for it.
 */
export class CutListingError extends Error {
  constructor(readonly absPath: string, bytes: number) {
    super(`The listing of ${absPath} stops in the middle of a line after ${bytes} bytes: its data connection closed before the whole listing came, though the server reported success`);
    this.name = 'CutListingError';
  }
}

/** throws CutListingError when a listing's text does not end with a whole line */
export function assertWholeListing(text: string, absPath: string): void {
  if (text.length > 0 && !text.endsWith('\n')) throw new CutListingError(absPath, Buffer.byteLength(text));
}

/** runs `fn` (a basic-ftp listing) with its parser refusing a text cut in the middle of a line (CutListingError) */
export async function wholeTextOnly<T>(c: Client, absPath: string, fn: () => Promise<T>): Promise<T> {
  const parse = c.parseList;
  c.parseList = (text: string) => {
    assertWholeListing(text, absPath);
    return parse(text);
  };
  try {
    return await fn();
  } finally {
    c.parseList = parse;
  }
}

/** Worth a reconnect and another try: network-level failures, timeouts, "try again later" replies. Never 530. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof CutListingError) return true;
  if (err instanceof SyncError) return err.code === 'connect' && !(err.cause && isTlsCertError(err.cause));
  const code = ftpCode(err);
  if (code !== undefined) return code === 421 || code === 425 || code === 426 || code === 450;
  if (isTlsCertError(err)) return false;
  if (isTlsError(err)) return true;
  const msg = err instanceof Error ? err.message : String(err);
  return isTransientError(err) || /timeout|closed|closing|FIN packet|socket|ECONNRESET|EPIPE/i.test(msg);
}

/**
 * The server turned a new connection away because of a per-user / per-IP limit (pure-ftpd, vsftpd: 421;
 * ProFTPD: 530 "maximum number of clients"). Not a login failure: use fewer connections.
 */
export function isConnectionLimit(err: unknown): boolean {
  const code = ftpCode(err);
  const msg = err instanceof Error ? err.message : '';
  return (code === 421 || code === 530) && /too many|maximum number|max(imum)? .*(clients|connections|users)|already connected|limit/i.test(msg);
}

/** Turn anything thrown while talking to an FTP server into a SyncError naming the path and the server's words. */
export function toSyncError(err: unknown, what: string, path: string | undefined, server: string): SyncError {
  if (err instanceof SyncError) return err;
  const code = ftpCode(err);
  const errno = (err as { code?: unknown } | undefined)?.code;
  const msg = (err instanceof Error ? err.message : String(err)).trim();
  const opts = { path, detail: msg, cause: err };
  if (err instanceof CutListingError) {
    return new SyncError('io', `The listing of ${err.absPath} on ${server} came cut short`, {
      ...opts, hint: 'Its data connection ended early on every try, though the server reported success: a firewall or proxy on the way?',
    });
  }
  if (code === 530) {
    return new SyncError('auth', `Login to ${server} refused`, {
      ...opts, hint: 'Check the user name and password (URL, REMOTE_SYNC_PASSWORD or ~/.netrc)',
    });
  }
  if (code === 421) {
    return new SyncError('connect', `${server} closed the connection`, {
      ...opts, hint: 'The server may limit connections per user or IP: try a lower --concurrency',
    });
  }
  if (code === 550 || code === 553 || code === 450 || code === 451 || code === 452 || code === 552) {
    const notFound = /no such file|not found|does not exist|doesn't exist|can't check for file existence/i.test(msg);
    const hint = notFound ? 'Check that it (or its folder) exists on the server'
      : /denied|permission|not allowed/i.test(msg) ? 'Check the FTP account\'s permissions on the server'
        : code === 552 || code === 452 ? 'The server is out of space or over quota'
          : 'See the server\'s message';
    return new SyncError(notFound ? 'not-found' : 'io', `Could not ${what}`, { ...opts, hint });
  }
  if (code !== undefined) {
    return new SyncError('io', `Could not ${what}`, { ...opts, hint: 'The server refused the command; see its message' });
  }
  if (isTlsCertError(err)) {
    return new SyncError('connect', `The TLS certificate of ${server} could not be verified`, {
      ...opts, hint: 'If you trust this server (e.g. a self-signed certificate), allow unverified TLS certificates for this target',
    });
  }
  if (isTlsError(err)) {
    return new SyncError('connect', `TLS with ${server} failed while trying to ${what}`, {
      ...opts, hint: 'Check that the server offers FTPS on this port (explicit AUTH TLS, or implicit TLS)',
    });
  }
  if (errno === 'ECONNREFUSED' || errno === 'ENOTFOUND' || errno === 'EHOSTUNREACH' || errno === 'ENETUNREACH' ||
      errno === 'EAI_AGAIN' || /^Timeout/i.test(msg) && /control socket/i.test(msg)) {
    return new SyncError('connect', `Could not connect to ${server}`, {
      ...opts, hint: 'Check the host name and port, and that an FTP server is running there',
    });
  }
  if (isRetryable(err)) {
    return new SyncError('connect', `Connection to ${server} lost while trying to ${what}`, {
      ...opts, hint: 'The connection failed repeatedly; check the network and the server',
    });
  }
  return new SyncError('io', `Could not ${what}`, { ...opts });
}

/** "20200102030405" or "20200102030405.123" (UTC, RFC 3659) → ms since the epoch */
export function parseMlsxTime(s: string): number | undefined {
  const m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:\.(\d{1,3})\d*)?$/.exec(s.trim());
  if (!m) return undefined;
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms);
}

/** ms since the epoch → "YYYYMMDDHHMMSS" (UTC) for MFMT; whole seconds, as most servers keep */
export function formatMlsxTime(ms: number): string {
  const d = new Date(Math.floor(ms / 1000) * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

export interface Facts { type: EntryType | 'other'; size: number; mtime: number; mode?: number }

/** The fact string of an MLST / MLSD line ("type=file;size=6;modify=2020…;") → what we use of it */
export function parseFacts(facts: string): Facts {
  let type: Facts['type'] = 'other';
  let size = 0;
  let mtime = 0;
  let mode: number | undefined;
  for (const fact of facts.split(';')) {
    const eq = fact.indexOf('=');
    if (eq < 0) continue;
    const key = fact.slice(0, eq).toLowerCase();
    const value = fact.slice(eq + 1);
    if (key === 'type') {
      const v = value.toLowerCase();
      type = v === 'file' ? 'file' : v === 'dir' || v === 'cdir' || v === 'pdir' ? 'dir' : 'other';
    } else if (key === 'size' || key === 'sizd') size = Number(value) || 0;
    else if (key === 'modify') mtime = parseMlsxTime(value) ?? 0;
    else if (key === 'unix.mode' && /^[0-7]{3,5}$/.test(value)) mode = parseInt(value, 8) & 0o777;
  }
  return mode === undefined ? { type, size, mtime } : { type, size, mtime, mode };
}

/** The reply to MLST ("250-…\n type=file;…; /path\n250 End.") → the facts, or undefined */
export function parseMlstReply(message: string): Facts | undefined {
  for (const line of message.split(/\r?\n/)) {
    if (!line.startsWith(' ')) continue;
    const sp = line.indexOf(' ', 1);
    const facts = sp < 0 ? line.slice(1) : line.slice(1, sp);
    if (/type=/i.test(facts)) return parseFacts(facts);
  }
  return undefined;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * A LIST date ("Nov 22 02:15", "Jun 24 2025", "22 Nov 02:15", "2025-11-22 02:15", DOS "01-02-20 03:04PM")
 * → ms since the epoch, read as UTC; 0 when not understood (the listing then asks MDTM: ftp-list.ts)
 * (the server's time zone is unknown; the state only needs the same answer twice). Minute resolution; a
 * date without a year is placed in the 12 months up to `now`, as `ls` does.
 */
export function parseListDate(raw: string, now = Date.now()): number {
  const s = raw.trim().replace(/\s+/g, ' ');
  let m = /^([A-Za-z]{3}) (\d{1,2}) (?:(\d{4})|(\d{1,2}):(\d{2}))$/.exec(s);
  if (m) {
    const mon = MONTHS.indexOf(m[1].toLowerCase());
    if (mon < 0) return 0;
    if (m[3]) return Date.UTC(+m[3], mon, +m[2]);
    const year = new Date(now).getUTCFullYear();
    let t = Date.UTC(year, mon, +m[2], +m[4], +m[5]);
    if (t > now + 2 * 86400_000) t = Date.UTC(year - 1, mon, +m[2], +m[4], +m[5]);
    return t;
  }
  // "22 Nov 02:15" / "22 Nov 2025" (day first, as some locales' ls)
  m = /^(\d{1,2}) ([A-Za-z]{3}) (?:(\d{4})|(\d{1,2}):(\d{2}))$/.exec(s);
  if (m) return parseListDate(`${m[2]} ${m[1]} ${m[3] ?? `${m[4]}:${m[5]}`}`, now);
  // "2025-11-22 02:15" (ls --time-style=long-iso, and servers that list so)
  m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?: (\d{1,2}):(\d{2}))?$/.exec(s);
  if (m) return Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0));
  m = /^(\d{2})-(\d{2})-(\d{2,4}) (\d{1,2}):(\d{2})(AM|PM)?$/i.exec(s);
  if (m) {
    let year = +m[3];
    if (year < 100) year += year < 70 ? 2000 : 1900;
    let hour = +m[4] % 12;
    if (!m[6] || m[6].toUpperCase() === 'PM') hour = m[6] ? hour + 12 : +m[4];
    return Date.UTC(year, +m[1] - 1, +m[2], hour, +m[5]);
  }
  return 0;
}

/**
 * An empty upload over TLS would close the data connection right after its handshake, which ProFTPD
 * answers with a TLS alert or "425 Unable to build data connection"; holding the end briefly avoids it.
 */
export async function* holdIfEmpty(source: Readable): AsyncGenerator<Buffer> {
  let bytes = 0;
  for await (const chunk of source) {
    bytes += (chunk as Buffer).length;
    yield chunk as Buffer;
  }
  if (bytes === 0) await sleep(25);
}
