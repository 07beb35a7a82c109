// A real FTP daemon for the tests, run directly in the foreground on a free loopback port, with
// passive ports on loopback, unix logins (the test user from users.ts), every user chrooted to their
// home, and for FTPS a self-signed certificate made with openssl.
//
// Daemons: Debian's pure-ftpd (plain, explicit TLS), the default. pure-ftpd cannot do implicit TLS (a
// compile-time option, --with-implicittls, that Debian's build does not use and that would make the
// whole server implicit-only), so implicit TLS runs ProFTPD (mod_tls, `TLSOptions UseImplicitSSL`).
// Debian will not install both (each Provides+Conflicts ftp-server): with only proftpd-core +
// proftpd-mod-crypto installed, ProFTPD serves every mode; with only pure-ftpd, implicit TLS skips.
// To run ProFTPD next to pure-ftpd, unpack its packages (and libhiredis0.14, libmemcached11,
// libmemcachedutil2, libhashkit2, libpcre2-posix3) with `dpkg-deb -x` into one folder and set
// RS_PROFTPD_ROOT to it.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { ensureTestUser } from './users.js';

export const PURE_FTPD = '/usr/sbin/pure-ftpd';
// ProFTPD: RS_PROFTPD_ROOT, else the copy scripts/setup-proftpd.sh unpacks into .cache/, else the system's
const UNPACKED_PROFTPD = path.resolve(__dirname, '../../.cache/proftpd-root');
const PROFTPD_ROOT = process.env.RS_PROFTPD_ROOT ?? (existsSync(path.join(UNPACKED_PROFTPD, 'usr/sbin/proftpd')) ? UNPACKED_PROFTPD : '/');
export const PROFTPD = path.join(PROFTPD_ROOT, 'usr/sbin/proftpd');
const PROFTPD_MODULES = path.join(PROFTPD_ROOT, 'usr/lib/proftpd');
const PROFTPD_MOD_TLS = path.join(PROFTPD_MODULES, 'mod_tls.so');
export type FtpDaemon = 'pure-ftpd' | 'proftpd';

export type FtpdTls = 'none' | 'explicit' | 'implicit';

export interface FtpdServer {
  daemon: FtpDaemon;
  host: string;
  port: number;
  user: string;
  password: string;
  tls: FtpdTls;
  /** pid of the listening daemon */
  pid: number;
  /** PEM file of the self-signed certificate (TLS modes) */
  certFile?: string;
  /** its SHA-256 fingerprint, "SHA256:AB:CD:…" (for `tlsFingerprint`: verification is off for it) */
  certFingerprint?: string;
  /**
   * A fresh folder owned by the test user: `absolute` is where it is on this machine (for fixtures),
   * `ftpPath` is the same folder as the FTP client sees it (users are chrooted to their home).
   */
  makeRemoteDir(name: string): { absolute: string; ftpPath: string };
  /** pids of the per-session processes (one per logged-in connection, plus their privsep helpers) */
  sessionPids(): number[];
  /** SIGKILL every session: the server drops all its connections; returns how many were killed */
  dropSessions(): number;
  stop(): Promise<void>;
}

/** cleanups of the daemons still running: on exit, and on SIGINT/SIGTERM/SIGHUP (which skip 'exit') */
const atExit = new Set<() => void>();
let handlersInstalled = false;
function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const runAll = () => { for (const f of atExit) { try { f(); } catch { /* best effort */ } } atExit.clear(); };
  process.on('exit', runAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      runAll();
      process.off(sig, onSignal);
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig); // then die of the signal as usual
    };
    process.on(sig, onSignal);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** resolves once the daemon sends its "220" banner */
async function waitForBanner(port: number, implicit: boolean, proc: ChildProcess, stderr: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`the FTP daemon exited (${proc.exitCode ?? proc.signalCode}) before accepting connections: ${stderr()}`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const s = implicit
        ? tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false })
        : net.connect({ host: '127.0.0.1', port });
      let buf = '';
      const done = (v: boolean) => { s.destroy(); resolve(v); };
      s.setTimeout(1000, () => done(false));
      s.on('data', (d) => { buf += d.toString(); if (/^220[ -]/m.test(buf)) done(true); });
      s.on('error', () => done(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`the FTP daemon did not answer on port ${port}: ${stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** children (and their children) of `pid`, from /proc */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(d), Number(after[1]));
    } catch { /* gone */ }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parentOf) if (parent === p) { out.push(child); walk(child); }
  };
  walk(pid);
  return out;
}

/** self-signed certificate for 127.0.0.1: cert.pem, key.pem and both in one file (returned) */
function makeCert(dir: string): string {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'pipe' });
  const pem = path.join(dir, 'server.pem');
  execFileSync('sh', ['-c', `cat "${cert}" "${key}" > "${pem}" && chmod 600 "${pem}"`]);
  return pem;
}

/** SHA-256 fingerprint of the first certificate in a PEM file, "SHA256:AB:CD:…" */
export function pemFingerprint(pemFile: string): string {
  const fp = new crypto.X509Certificate(readFileSync(pemFile)).fingerprint256;
  return `SHA256:${fp}`;
}

function pureFtpdArgs(port: number, pasvLow: number, pasvWidth: number, certFile: string | undefined, perIp: number): string[] {
  const args = [
    '-S', `127.0.0.1,${port}`, '-4', '-H',
    '-p', `${pasvLow}:${pasvLow + pasvWidth - 1}`, // passive ports on loopback
    '-l', 'unix', '-E', '-u', '1', // system accounts (not root), no anonymous logins
    '-A', // chroot everyone to their home
    '-D', // list dot files (our temp names start with a dot)
    '-f', 'none', // no syslog
    '-c', '200', '-C', String(perIp), // connections in all, per client IP
    '-L', '100000:128', '-I', '30',
  ];
  if (certFile) args.push('-Y', '2', '-2', certFile); // TLS required on the control connection
  return args;
}

/** ProFTPD's config: same setup as pure-ftpd's flags; implicit TLS via mod_tls */
function proftpdConfig(dir: string, port: number, pasvLow: number, pasvWidth: number, tlsMode: FtpdTls, perIp: number, digest = false): string {
  const lines = [
    'ServerType standalone', 'ServerName "remote-sync tests"', 'DefaultServer on', 'DefaultAddress 127.0.0.1',
    `Port ${port}`, 'UseIPv6 off', 'User nobody', 'Group nogroup', `PidFile ${dir}/proftpd.pid`,
    `ScoreboardFile ${dir}/proftpd.scoreboard`, 'DelayTable none', 'WtmpLog off', 'TransferLog none',
    `SystemLog ${dir}/system.log`, 'UseReverseDNS off', 'RequireValidShell off', 'AuthPAM off',
    'AuthOrder mod_auth_unix.c', 'DefaultRoot ~', `PassivePorts ${pasvLow} ${pasvLow + pasvWidth - 1}`, 'MaxInstances 200', `MaxClientsPerHost ${perIp}`,
    'Umask 022', 'AllowOverwrite on', 'ListOptions "-a"',
  ];
  // mod_digest: HASH, XSHA256, XSHA1, XMD5 (the server hashes a file itself)
  if (digest) lines.push('<IfModule mod_dso.c>', `ModulePath ${PROFTPD_MODULES}`, 'LoadModule mod_digest.c', '</IfModule>', 'DigestEngine on');
  if (tlsMode !== 'none') {
    lines.push('<IfModule mod_dso.c>', `ModulePath ${PROFTPD_MODULES}`, 'LoadModule mod_tls.c', '</IfModule>',
      'TLSEngine on', 'TLSRequired on', `TLSRSACertificateFile ${dir}/cert.pem`, `TLSRSACertificateKeyFile ${dir}/key.pem`,
      'TLSProtocol TLSv1.2 TLSv1.3', `TLSLog ${dir}/tls.log`, 'TLSVerifyClient off');
    if (tlsMode === 'implicit') lines.push('TLSOptions UseImplicitSSL');
  }
  const conf = path.join(dir, 'proftpd.conf');
  writeFileSync(conf, lines.join('\n') + '\n');
  return conf;
}

/**
 * Start a daemon: pure-ftpd by default, ProFTPD for implicit TLS (or when asked). {skip} when it cannot
 * run here (not root, daemon not installed).
 */
export async function startFtpd(opts: {
  tls: FtpdTls;
  daemon?: FtpDaemon;
  /** connections the daemon accepts from one IP (default 200); shared hosts often allow 2–8 */
  maxClientsPerIp?: number;
  /** pure-ftpd: refuse SITE CHMOD (its -R, --nochmod) */
  noChmod?: boolean;
  /** ProFTPD: load mod_digest (HASH / XSHA256 / XSHA1 / XMD5) */
  digest?: boolean;
  /** how many passive ports (default 100; the bench needs thousands: 8 connections × thousands of files, each port then in TIME_WAIT) */
  pasvPorts?: number;
}): Promise<FtpdServer | { skip: string }> {
  const perIp = opts.maxClientsPerIp ?? 200;
  const daemon = opts.daemon ?? (opts.tls !== 'implicit' && (existsSync(PURE_FTPD) || !existsSync(PROFTPD)) ? 'pure-ftpd' : 'proftpd');
  if (daemon === 'pure-ftpd' && opts.tls === 'implicit') {
    return { skip: 'pure-ftpd (Debian build) does not support implicit TLS: it is a compile-time option (--with-implicittls) Debian does not enable' };
  }
  if (process.getuid?.() !== 0) return { skip: 'the FTP daemon tests need root (the daemon binds, chroots and switches users)' };
  if (daemon === 'pure-ftpd' && !existsSync(PURE_FTPD)) return { skip: `${PURE_FTPD} is missing (apt-get install pure-ftpd)` };
  if (daemon === 'proftpd' && !existsSync(PROFTPD)) {
    return { skip: `implicit TLS needs ProFTPD (pure-ftpd cannot do it) and ${PROFTPD} is missing: apt-get install proftpd-core proftpd-mod-crypto (replaces pure-ftpd), or see RS_PROFTPD_ROOT in test/harness/ftpd.ts` };
  }
  if (daemon === 'proftpd' && opts.tls !== 'none' && !existsSync(PROFTPD_MOD_TLS)) {
    return { skip: `${PROFTPD_MOD_TLS} is missing (apt-get install proftpd-mod-crypto)` };
  }
  if (daemon === 'proftpd' && opts.digest && !existsSync(path.join(PROFTPD_MODULES, 'mod_digest.so'))) {
    return { skip: `${path.join(PROFTPD_MODULES, 'mod_digest.so')} is missing (apt-get install proftpd-mod-crypto)` };
  }
  const user = ensureTestUser();
  if ('skip' in user) return user;

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'rs-ftpd-'));
  let certFile: string | undefined;
  if (opts.tls !== 'none') {
    try { certFile = makeCert(tmp); } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      return { skip: `could not make a TLS certificate with openssl: ${(e as Error).message}` };
    }
  }
  const port = await freePort();
  const pasvWidth = Math.min(20_000, Math.max(10, opts.pasvPorts ?? 100));
  const pasvLow = 30000 + Math.floor(Math.random() * Math.floor((30_000 - pasvWidth) / 100)) * 100;
  const proc = daemon === 'pure-ftpd'
    ? spawn(PURE_FTPD, [...pureFtpdArgs(port, pasvLow, pasvWidth, certFile, perIp), ...(opts.noChmod ? ['-R'] : [])], { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    : spawn(PROFTPD, ['-n', '-c', proftpdConfig(tmp, port, pasvLow, pasvWidth, opts.tls, perIp, opts.digest)], {
      stdio: ['ignore', 'pipe', 'pipe'], detached: true,
      env: PROFTPD_ROOT === '/' ? process.env : { ...process.env, LD_LIBRARY_PATH: path.join(PROFTPD_ROOT, 'usr/lib/x86_64-linux-gnu') },
    });
  let stderr = '';
  proc.stdout!.on('data', (d) => { stderr += d; });
  proc.stderr!.on('data', (d) => { stderr += d; });
  const pid = proc.pid!;
  const killAll = (signal: NodeJS.Signals) => {
    try { process.kill(-pid, signal); } catch { /* gone */ }
    for (const p of descendants(pid)) { try { process.kill(p, signal); } catch { /* gone */ } }
  };
  const base = path.join(user.home, `ftpd-${port}-${process.pid}`);
  const onExit = () => {
    killAll('SIGKILL');
    rmSync(base, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  };
  atExit.add(onExit);
  installExitHandlers();
  try {
    await waitForBanner(port, opts.tls === 'implicit', proc, () => stderr.trim());
  } catch (e) {
    onExit();
    atExit.delete(onExit);
    throw e;
  }

  const made: string[] = [];
  let stopped = false;
  return {
    daemon,
    host: '127.0.0.1',
    port,
    user: user.name,
    password: user.password,
    tls: opts.tls,
    pid,
    certFile,
    certFingerprint: certFile ? pemFingerprint(certFile) : undefined,
    makeRemoteDir(name: string) {
      if (!existsSync(base)) { mkdirSync(base, { recursive: true }); chownSync(base, user.uid, user.gid); made.push(base); }
      let absolute = base;
      for (const part of name.split('/').filter(Boolean)) {
        absolute = path.join(absolute, part);
        if (!existsSync(absolute)) mkdirSync(absolute);
        chownSync(absolute, user.uid, user.gid);
      }
      return { absolute, ftpPath: `/${path.relative(user.home, absolute)}` };
    },
    sessionPids: () => descendants(pid),
    dropSessions() {
      const pids = descendants(pid);
      for (const p of pids) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
      return pids.length;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      killAll('SIGTERM');
      await new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) { resolve(); return; }
        const t = setTimeout(() => { killAll('SIGKILL'); resolve(); }, 3000);
        proc.once('exit', () => { clearTimeout(t); resolve(); });
      });
      killAll('SIGKILL');
      atExit.delete(onExit);
      for (const d of made) rmSync(d, { recursive: true, force: true });
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}
