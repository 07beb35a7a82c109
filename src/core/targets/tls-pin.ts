// FTPS without certificate verification (`--insecure-tls`, `allowSelfSignedCertificate`) trusts a
// certificate on first use, as FileZilla does: its SHA-256 fingerprint is shown (terminal prompt /
// modal dialog), remembered in the user's `known_certificates` file (paths.ts userKnownCertificatesFile:
// never one a workspace brings), and a different certificate is refused later. `tlsFingerprint` (config) / `--tls-fingerprint` (CLI) pin one
// certificate without asking. The check runs right after the TLS handshake, before USER/PASS.
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import { ensureStateDirOf } from '../state/state-dir.js';
import type { PeerCertificate } from 'node:tls';
import { SyncError } from '../errors.js';
import type { CertificateInfo } from '../types.js';

/** file name of the remembered certificates, in the state folder */
export const KNOWN_CERTIFICATES = 'known_certificates';

/** "sha256:abcd…" / "AB:CD:…" (64 hex digits) → "SHA256:AB:CD:…"; undefined when it is not one */
export function normalizeCertFingerprint(text: string): string | undefined {
  const hex = text.trim().replace(/^sha256:/i, '').replace(/:/g, '');
  if (!/^[0-9a-f]{64}$/i.test(hex)) return undefined;
  return 'SHA256:' + hex.toUpperCase().match(/../g)!.join(':');
}

/** the SHA-256 fingerprint of a certificate (DER), as `openssl x509 -fingerprint -sha256` prints it */
export function certFingerprintOf(raw: Buffer): string {
  return normalizeCertFingerprint(createHash('sha256').update(raw).digest('hex'))!;
}

/** "host:port" ("[::1]:990"): what a line of known_certificates is about */
export function certHostToken(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host.toLowerCase()}:${port}`;
}

function ownerProblem(file: string, st: { uid: number; mode: number; isFile(): boolean }): string | undefined {
  if (!st.isFile()) return `${file} is not a regular file`;
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) return `${file} belongs to another user (uid ${st.uid})`;
  if (process.platform !== 'win32' && (st.mode & 0o022)) return `${file} is writable by other users`;
  return undefined;
}

/** the fingerprints recorded for `token`; a missing file is empty. Never follows a symbolic link. */
export function knownCertificates(file: string, token: string): { line: number; fingerprint: string }[] {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    throw new SyncError('hostkey', `Cannot read ${file}`, {
      detail: (e as Error).message, cause: e,
      hint: code === 'ELOOP' ? 'It is a symbolic link; remove it (only a plain file of yours is trusted)' : undefined,
    });
  }
  try {
    const problem = ownerProblem(file, fstatSync(fd));
    if (problem) throw new SyncError('hostkey', `Refusing to trust the certificates in ${problem}`, { hint: `Remove ${file}; it is written again on the next connection` });
    const out: { line: number; fingerprint: string }[] = [];
    readFileSync(fd, 'utf8').split(/\r?\n/).forEach((text, i) => {
      const [who, fp] = text.trim().split(/\s+/);
      const norm = fp ? normalizeCertFingerprint(fp) : undefined;
      if (who === token && norm) out.push({ line: i + 1, fingerprint: norm });
    });
    return out;
  } finally {
    closeSync(fd);
  }
}

/** append a fingerprint: the folder is created 0700, the file 0600; never through a link */
export function recordCertificate(file: string, token: string, fingerprint: string): void {
  ensureStateDirOf(file);
  const fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0), 0o600);
  try {
    const problem = ownerProblem(file, fstatSync(fd));
    if (problem) throw new Error(problem);
    writeSync(fd, `${token} ${fingerprint}\n`);
  } finally {
    closeSync(fd);
  }
}

export interface VerifyCertificateOptions {
  host: string;
  port: number;
  /** the certificate the server presented */
  cert: PeerCertificate;
  /** pinned in the config / on the command line: only this one, nothing asked or recorded */
  pinned?: string;
  /** known_certificates file (undefined: nothing remembered; a certificate needs `pinned` or `confirm`) */
  file?: string;
  /** asked about a certificate seen for the first time */
  confirm?: (info: CertificateInfo) => Promise<boolean>;
  onRecorded?: (info: CertificateInfo) => void;
}

const cn = (name: { CN?: string | string[] } | undefined): string => String([name?.CN ?? ''].flat()[0] ?? '');

const CHANGED_HINT = 'If the server\'s certificate was replaced on purpose, check the new fingerprint with its administrator';

/** resolves when the certificate may be used; rejects with SyncError('hostkey') otherwise */
export async function verifyCertificate(o: VerifyCertificateOptions): Promise<void> {
  const token = certHostToken(o.host, o.port);
  if (!o.cert?.raw) throw new SyncError('hostkey', `${token} presented no TLS certificate`);
  const fingerprint = certFingerprintOf(o.cert.raw);
  const info: CertificateInfo = {
    host: o.host, port: o.port, fingerprint,
    subject: cn(o.cert.subject), issuer: cn(o.cert.issuer), validTo: o.cert.valid_to ?? '',
    knownCertificatesFile: o.file,
  };
  if (o.pinned) {
    if (normalizeCertFingerprint(o.pinned) === fingerprint) return;
    throw new SyncError('hostkey',
      `WARNING: the TLS certificate of ${token} is not the pinned one. It presents ${fingerprint}, but the target's ` +
      `tlsFingerprint (or --tls-fingerprint) is ${o.pinned}. This may be a man-in-the-middle attack; the password was not sent`, {
        hint: `${CHANGED_HINT}, then change tlsFingerprint / --tls-fingerprint`,
      });
  }
  const known = o.file ? knownCertificates(o.file, token) : [];
  if (known.some((k) => k.fingerprint === fingerprint)) return;
  if (known.length) {
    throw new SyncError('hostkey',
      `WARNING: the TLS certificate of ${token} has CHANGED. It now presents ${fingerprint}, but ${o.file} line ${known[0].line} ` +
      `has ${known[0].fingerprint}. This may be a man-in-the-middle attack; the password was not sent`, {
        hint: `${CHANGED_HINT}, then remove line ${known[0].line} from ${o.file} (or give --tls-fingerprint) and connect again`,
      });
  }
  const ok = o.confirm ? await o.confirm(info) : false;
  if (!ok) {
    throw new SyncError('hostkey',
      `The TLS certificate of ${token} is not verified (certificate checks are off for this target) and not known: ` +
      `its SHA-256 fingerprint is ${fingerprint}`, {
        hint: `Check the fingerprint with the server's administrator, then run again with --tls-fingerprint ${fingerprint} ` +
          '(or set "tlsFingerprint" in the target), or answer yes when asked',
      });
  }
  if (!o.file) return;
  try {
    recordCertificate(o.file, token, fingerprint);
  } catch (e) {
    throw new SyncError('hostkey', `Cannot record the certificate of ${token} in ${o.file}`, { detail: (e as Error).message, cause: e });
  }
  o.onRecorded?.(info);
}
