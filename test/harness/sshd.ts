// Starts OpenSSH's sshd on a loopback port for the tests: its own host key, its own config, password
// and public-key login as the test user (users.ts), sftp through internal-sftp. Needs root and
// /usr/sbin/sshd; without them `startSshd` resolves `{ skip: reason }`.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync, readFileSync, chmodSync, chownSync, rmSync, readdirSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTestUser } from './users.js';

export const SSHD_BIN = '/usr/sbin/sshd';

export interface SshdOptions {
  /** host key type (default ed25519) */
  hostKeyType?: 'ed25519' | 'ecdsa' | 'rsa';
  /** `internal-sftp` (default) or the path of an sftp-server binary */
  sftpSubsystem?: string;
  /** extra sshd_config lines; they come first, so they win over the defaults (sshd takes the first value) */
  extraConfig?: string[];
}

export interface SshdServer {
  host: string;
  port: number;
  user: string;
  password: string;
  /** unencrypted ed25519 client key (authorized) */
  keyFile: string;
  /** ed25519 client key encrypted with `passphrase` (authorized) */
  encryptedKeyFile: string;
  passphrase: string;
  /** known_hosts with the server's key for [127.0.0.1]:port */
  knownHostsFile: string;
  /** the server's host key line as in known_hosts after the host part: "ssh-ed25519 AAAA…" */
  hostKeyLine: string;
  hostKeyType: string;
  /** "SHA256:…" as OpenSSH prints it */
  hostKeyFingerprint: string;
  /** temp folder of this server (config, keys); removed by stop() */
  dir: string;
  /** uid/gid of the test user */
  uid: number;
  gid: number;
  /** a fresh folder owned by the test user under its home; absolute path */
  makeRemoteDir(name: string): string;
  /** chown -R a path to the test user (after writing fixtures as root) */
  chownToUser(path: string): void;
  /** SIGKILL every per-connection sshd process (drops all client connections); returns how many */
  killConnections(): number;
  /** what sshd wrote to stderr so far */
  log(): string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of running) {
      if (c.pid) { try { process.kill(c.pid, 'SIGTERM'); } catch { /* gone */ } }
    }
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** resolves true once the port answers with an SSH banner */
function probe(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => { s.destroy(); resolve(ok); };
    s.setTimeout(1000, () => done(false));
    s.once('data', (d) => done(d.toString('latin1').startsWith('SSH-')));
    s.once('error', () => done(false));
  });
}

function fingerprintOf(pubLine: string): { type: string; b64: string; fingerprint: string } {
  const [type, b64] = pubLine.trim().split(/\s+/);
  const fp = createHash('sha256').update(Buffer.from(b64, 'base64')).digest('base64').replace(/=+$/, '');
  return { type, b64, fingerprint: `SHA256:${fp}` };
}

function keygen(args: string[]): void {
  execFileSync('ssh-keygen', ['-q', ...args], { stdio: 'pipe' });
}

/** every descendant pid of `pid` (from /proc) */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      // "pid (comm) state ppid …" — comm may contain spaces and parentheses
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch { /* process went away */ }
  }
  const out: number[] = [];
  const walk = (p: number) => { for (const c of children.get(p) ?? []) { out.push(c); walk(c); } };
  walk(pid);
  return out;
}

export async function startSshd(opts: SshdOptions = {}): Promise<SshdServer | { skip: string }> {
  if (!existsSync(SSHD_BIN)) return { skip: `${SSHD_BIN} is not installed (apt-get install openssh-server)` };
  if (process.getuid?.() !== 0) return { skip: 'sshd tests need root' };
  const user = ensureTestUser();
  if ('skip' in user) return user;

  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  chmodSync('/run/sshd', 0o755);

  const dir = mkdtempSync(join(tmpdir(), 'rs-sshd-'));
  chmodSync(dir, 0o755); // sshd reads authorized_keys as the test user
  const hostKeyType = opts.hostKeyType ?? 'ed25519';
  const hostKey = join(dir, `ssh_host_${hostKeyType}_key`);
  keygen(['-t', hostKeyType, '-N', '', '-C', 'rs-test-host', '-f', hostKey]);
  const keyFile = join(dir, 'id_ed25519');
  keygen(['-t', 'ed25519', '-N', '', '-C', 'rs-test-client', '-f', keyFile]);
  const passphrase = 'rs-test-passphrase ' + randomBytes(4).toString('hex');
  const encryptedKeyFile = join(dir, 'id_ed25519_enc');
  keygen(['-t', 'ed25519', '-N', passphrase, '-C', 'rs-test-client-enc', '-f', encryptedKeyFile]);
  const authorizedKeys = join(dir, 'authorized_keys');
  writeFileSync(authorizedKeys, readFileSync(keyFile + '.pub', 'utf8') + readFileSync(encryptedKeyFile + '.pub', 'utf8'), { mode: 0o644 });
  chmodSync(authorizedKeys, 0o644);

  const host = fingerprintOf(readFileSync(hostKey + '.pub', 'utf8'));
  let lastError = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const config = join(dir, 'sshd_config');
    writeFileSync(config, [
      ...(opts.extraConfig ?? []),
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication yes',
      'PubkeyAuthentication yes',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin no',
      `AllowUsers ${user.name}`,
      'UseDNS no',
      'PrintMotd no',
      'LogLevel VERBOSE',
      'MaxStartups 100',
      'MaxSessions 100',
      'MaxAuthTries 20',
      `Subsystem sftp ${opts.sftpSubsystem ?? 'internal-sftp'}`,
      '',
    ].join('\n'), { mode: 0o644 });

    let log = '';
    const child = spawn(SSHD_BIN, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-200_000); });
    running.add(child);
    installExitHook();
    let exited = false;
    child.on('exit', () => { exited = true; running.delete(child); });

    // wait for the banner (or for sshd to die, e.g. port taken)
    const deadline = Date.now() + 10_000;
    let up = false;
    while (!exited && Date.now() < deadline) {
      if (await probe(port)) { up = true; break; }
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!up) {
      lastError = log.trim() || 'sshd did not come up';
      if (!exited) child.kill('SIGKILL');
      continue;
    }

    // a watchdog: if this process dies without running its exit hooks (SIGKILL), stop sshd anyway
    const watchdog = spawn('sh', ['-c', `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${child.pid} 2>/dev/null; do sleep 1; done; ` +
      `kill ${child.pid} 2>/dev/null; sleep 1; rm -rf '${dir}'`], {
      stdio: 'ignore', detached: true,
    });
    watchdog.unref();

    const knownHostsFile = join(dir, 'known_hosts');
    writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${host.type} ${host.b64}\n`, { mode: 0o600 });

    const made: string[] = [];
    const chownToUser = (p: string) => { execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, p]); };
    const server: SshdServer = {
      host: '127.0.0.1',
      port,
      user: user.name,
      password: user.password,
      keyFile,
      encryptedKeyFile,
      passphrase,
      knownHostsFile,
      hostKeyLine: `${host.type} ${host.b64}`,
      hostKeyType: host.type,
      hostKeyFingerprint: host.fingerprint,
      dir,
      uid: user.uid,
      gid: user.gid,
      makeRemoteDir(name: string): string {
        const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
        const p = join(user.home, `rs-${safe}-${randomBytes(4).toString('hex')}`);
        mkdirSync(p, { mode: 0o755 });
        chownSync(p, user.uid, user.gid);
        made.push(p);
        return p;
      },
      chownToUser,
      killConnections(): number {
        if (!child.pid || exited) return 0;
        const pids = descendants(child.pid).filter((p) => p !== watchdog.pid);
        for (const p of pids) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
        return pids.length;
      },
      log: () => log,
      async stop(): Promise<void> {
        if (!exited && child.pid) {
          for (const p of descendants(child.pid)) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
          const gone = new Promise<void>((r) => child.once('exit', () => r()));
          child.kill('SIGTERM');
          await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
          if (!exited) child.kill('SIGKILL');
        }
        running.delete(child);
        for (const p of made) rmSync(p, { recursive: true, force: true });
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return server;
  }
  rmSync(dir, { recursive: true, force: true });
  return { skip: `sshd did not start: ${lastError.slice(-500)}` };
}
