// Connecting and logging in to an FTP server: basic-ftp's access(), with a check of the server's TLS
// certificate between the handshake and USER/PASS when certificate verification is off for this
// target (see tls-pin.ts), and passive data connections kept on the control connection's host.
import type { Client } from 'basic-ftp';
import type { Socket } from 'node:net';
import { TLSSocket, type ConnectionOptions, type PeerCertificate } from 'node:tls';
import type { Credentials, Logger, RemoteSpec } from '../types.js';
import { SyncError } from '../errors.js';
import { usePassiveControlHost } from './ftp-passive.js';
import { sendPipelined, sendProbe } from './ftp-pipeline.js';
import { FTPError, type FTPResponse } from 'basic-ftp';
import { describeTLS } from 'basic-ftp/dist/netUtils';
import { certFingerprintOf, certHostToken, verifyCertificate } from './tls-pin.js';

export interface AccessOptions {
  host: string;
  port: number;
  secure: boolean | 'implicit';
  secureOptions: ConnectionOptions;
  user: string;
  password: string;
  /** called with the server's certificate after the TLS handshake; throws to stop before the login */
  checkCertificate?: (cert: PeerCertificate) => Promise<void>;
  /** the same for each data connection's certificate (synchronous: throws to stop the transfer) */
  checkDataCertificate?: (cert: PeerCertificate) => void;
  /** a PASV reply named another host than the control connection's (it is ignored) */
  onOtherPasvHost?: (named: string, used: string) => void;
  /** active mode (ftp-active.ts): the data-connection strategy, given the hook each data socket must pass */
  activeMode?: (onDataSocket?: (s: Socket) => void) => Client['prepareTransfer'];
  /** the server as an earlier connection of the target found it: FEAT is not asked again, and where it pipelines the settings go in one write */
  known?: { features: Map<string, string>; pipelining: boolean };
  /**
   * the target's first connection, pipelining not known yet: on a server that lists MLST (where the
   * target would probe it) the settings go in one write, a NOOP last, as the probe (ftp-pipeline.ts
   * sendProbe), answered within `waitMs` or the connection is closed
   */
  probe?: { waitMs: number };
  /** called once the password is sent (the server checks it now: FtpTarget.loginSent) */
  onPasswordSent?: () => void;
}

/** what the login found: the server's features; pipelining: the outcome of the probe (undefined: none made) */
export interface AccessResult { features: Map<string, string>; pipelining?: boolean }

/**
 * The facts MLSD and MLST lines carry (OPTS MLST): what the listing and the checks read (ftp-mlsd.ts,
 * ftp-util.ts parseFacts), not basic-ftp's default, which adds the owner and group by number and by
 * name, never read here: from ProFTPD a listing of 10,400 lines was 1.66 MB with them, 0.90 MB
 * without. Servers that ignore the option (pure-ftpd) send their own set.
 */
export const MLST_FACTS = 'type;size;modify;unique;unix.mode;';

/** The settings after the login, as basic-ftp's useDefaultSettings() sends them but for the facts (TYPE I must work; the rest may be refused). */
function settingsFor(features: Map<string, string>, tls: boolean): string[] {
  return [
    'TYPE I', 'STRU F', 'OPTS UTF8 ON',
    ...(features.has('MLST') ? [`OPTS MLST ${MLST_FACTS}`] : []),
    ...(tls ? ['PBSZ 0', 'PROT P'] : []),
  ];
}

/**
 * useDefaultSettings() (FEAT, then one command at a time), or for a server an earlier connection
 * already knows: its features, and the settings in one write where it pipelines (one round trip
 * instead of five per pool connection). On the first connection to a server that lists MLST the
 * settings and a NOOP in one write are the pipelining probe (four round trips fewer than the settings
 * one at a time and a probe of its own). Returns the features, and the probe's outcome if one was made.
 */
async function applySettings(c: Client, known: AccessOptions['known'], probe: AccessOptions['probe']): Promise<AccessResult> {
  const features = known?.features ?? await c.features();
  c.availableListCommands = features.has('MLST') ? ['MLSD', 'LIST -a', 'LIST'] : ['LIST -a', 'LIST'];
  const commands = settingsFor(features, c.ftp.hasTLS);
  if (known?.pipelining) {
    const replies = await sendPipelined(c, commands);
    if (replies[0] instanceof FTPError) throw replies[0]; // TYPE I (as send() would)
    return { features };
  }
  if (!known && probe && features.has('MLST')) {
    const replies = await sendProbe(c, [...commands, 'NOOP'], probe.waitMs);
    if (!replies) return { features, pipelining: false }; // not all answered in time: the connection is closed
    if (replies[0] instanceof FTPError) throw replies[0]; // TYPE I (as send() would)
    const noop = replies[replies.length - 1];
    return { features, pipelining: !(noop instanceof FTPError) && noop.code >= 200 && noop.code < 300 };
  }
  await c.send(commands[0]);
  for (const cmd of commands.slice(1)) await c.sendIgnoringError(cmd);
  return { features };
}

/** a warning for PASV replies naming another host: once per target, not per connection */
export function pasvWarner(log: Logger, display: string): (named: string, used: string) => void {
  let warned = false;
  return (named, used) => {
    if (warned) return;
    warned = true;
    log.warn(`${display}: the server's PASV reply named another host (${named}); using ${used}, the host of the control connection`);
  };
}

/** basic-ftp's login() (USER, then PASS when asked for), telling when the password is sent */
function login(c: Client, user: string, password: string, onPasswordSent?: () => void): Promise<FTPResponse> {
  c.ftp.log(`Login security: ${describeTLS(c.ftp.socket)}`);
  return c.ftp.handle(`USER ${user}`, (res, task) => {
    if (res instanceof Error) task.reject(res);
    else if (res.code >= 200 && res.code < 300) task.resolve(res); // logged in, or USER was enough
    else if (res.code === 331) { c.ftp.send(`PASS ${password}`); onPasswordSent?.(); }
    else task.reject(new FTPError(res)); // also 332 (an account is needed)
  });
}

export async function accessFtp(c: Client, o: AccessOptions): Promise<AccessResult> {
  const dataCheck = o.checkDataCertificate;
  const onDataSocket = dataCheck && ((s: Socket) => {
    if (!(s instanceof TLSSocket)) return;
    // runs before basic-ftp's own 'secureConnect' listener starts an upload: nothing is sent on a refused one
    s.once('secureConnect', () => {
      // a resumed session (what servers want) shows no certificate: the peer holds the trusted session's keys
      if (s.isSessionReused()) return;
      try { dataCheck(s.getPeerCertificate()); } catch (e) { s.destroy(e as Error); }
    });
  });
  if (o.activeMode) c.prepareTransfer = o.activeMode(onDataSocket);
  else usePassiveControlHost(c, o.onOtherPasvHost, onDataSocket);
  const secureOptions = { ...o.secureOptions, host: o.secureOptions.host ?? o.host };
  if (o.secure === 'implicit') await c.connectImplicitTLS(o.host, o.port, secureOptions);
  else await c.connect(o.host, o.port);
  if (o.secure === true) await c.useTLS(secureOptions);
  if (o.secure && o.checkCertificate) {
    const cert = (c.ftp.socket as TLSSocket).getPeerCertificate?.();
    await o.checkCertificate(cert);
  }
  await c.sendIgnoringError('OPTS UTF8 ON');
  await login(c, o.user, o.password, o.onPasswordSent);
  return await applySettings(c, o.known, o.probe);
}

/**
 * The checks of one FTP target's connections: the certificate (FTPS with verification off) asked /
 * looked up once, then every further connection of the pool, and every data connection, must present
 * the same one; PASV replies naming another host are said once.
 */
export class ConnectionGuard {
  private trusted: string | undefined;
  private pending: Promise<void> | undefined;
  private readonly onOtherPasvHost: (named: string, used: string) => void;

  constructor(private readonly spec: RemoteSpec, private readonly host: string, private readonly port: number,
    private readonly credentials: Credentials, private readonly log: Logger, private readonly file: string | undefined, display: string) {
    this.onOtherPasvHost = pasvWarner(log, display);
  }

  /** the parts of AccessOptions this guard decides */
  hooks(): Pick<AccessOptions, 'secureOptions' | 'checkCertificate' | 'checkDataCertificate' | 'onOtherPasvHost'> {
    const off = this.needed;
    return {
      // verification off (self-signed, or a pinned fingerprint): the fingerprint checks replace it
      secureOptions: { rejectUnauthorized: !off },
      checkCertificate: off ? (cert) => this.check(cert) : undefined,
      checkDataCertificate: off ? (cert) => this.checkData(cert) : undefined,
      onOtherPasvHost: this.onOtherPasvHost,
    };
  }

  /** certificate verification is off for this target: the fingerprint check replaces it */
  get needed(): boolean {
    return this.spec.protocol === 'ftps' && (!!this.spec.allowUnauthorizedTls || !!this.spec.tlsFingerprint);
  }

  /** a data connection must present the certificate the control connection was trusted with */
  checkData(cert: PeerCertificate): void {
    const fp = cert?.raw ? certFingerprintOf(cert.raw) : '(none)';
    if (this.trusted && fp === this.trusted) return;
    throw new SyncError('hostkey',
      `The data connection to ${certHostToken(this.host, this.port)} presented another TLS certificate (${fp}) than the ` +
      `control connection (${this.trusted ?? 'not checked yet'}); the transfer was stopped. This may be a man-in-the-middle attack`);
  }

  async check(cert: PeerCertificate): Promise<void> {
    if (this.trusted && cert?.raw && certFingerprintOf(cert.raw) === this.trusted) return;
    // several pool connections open at once: one question, not one per connection
    while (this.pending) await this.pending.catch(() => undefined);
    if (this.trusted && cert?.raw && certFingerprintOf(cert.raw) === this.trusted) return;
    const p = verifyCertificate({
      host: this.host, port: this.port, cert, pinned: this.trusted ?? this.spec.tlsFingerprint, file: this.trusted ? undefined : this.file,
      confirm: this.credentials.confirmCertificate,
      onRecorded: (info) => this.log.warn(`Permanently added the TLS certificate of ${certHostToken(this.host, this.port)} (${info.fingerprint}) to ${info.knownCertificatesFile}`),
    });
    this.pending = p;
    try {
      await p;
      this.trusted = certFingerprintOf(cert.raw);
    } finally {
      this.pending = undefined;
    }
  }
}
