// Environments for the link and name fault tests: a local folder paired with a folder on the real
// sshd, the real pure-ftpd, or another local folder; each with an "outside" folder beside the remote
// root (reachable from the server, outside the sync) that a test can point links at and check.

import { after, test } from 'node:test';
import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { skipOrFail, type SyncEnv } from '../harness/env.js';
import { startSshd, type SshdServer } from '../harness/sshd.js';
import { startFtpd, type FtpdServer } from '../harness/ftpd.js';
import { ensureTestUser } from '../harness/users.js';

export interface LinkEnv extends SyncEnv {
  /** a folder outside both roots with one file, `precious.txt` (owned by the server's user) */
  outside: string;
  /** every folder the test may write in: for the "nothing outside the roots" check */
  base: string;
}
export type LinkEnvFactory = (label: string) => Promise<LinkEnv | { skip: string }>;

let sshd: Promise<SshdServer | { skip: string }> | undefined;
let ftpd: Promise<FtpdServer | { skip: string }> | undefined;
after(async () => {
  for (const p of [sshd, ftpd]) { const s = await p; if (s && !('skip' in s)) await s.stop(); }
});

function withOutside(dir: string, owner?: { uid: number; gid: number }): string {
  const outside = join(dir, 'outside');
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, 'precious.txt'), 'precious, outside the sync\n');
  if (owner) { chownSync(outside, owner.uid, owner.gid); chownSync(join(outside, 'precious.txt'), owner.uid, owner.gid); }
  return outside;
}

export const localEnv: LinkEnvFactory = async (label) => {
  const base = mkdtempSync(join(tmpdir(), `rs-links-${label}-`));
  const local = join(base, 'local');
  const remoteFs = join(base, 'remote');
  mkdirSync(local);
  mkdirSync(remoteFs);
  return { name: 'local', local, remoteFs, base, outside: withOutside(base), spec: { protocol: 'local', path: remoteFs }, cleanup: () => rmSync(base, { recursive: true, force: true }) };
};

export const sftpEnv: LinkEnvFactory = async (label) => {
  sshd ??= startSshd();
  const s = await sshd;
  if ('skip' in s) return skipOrFail(s.skip);
  const base = mkdtempSync(join(tmpdir(), `rs-links-sftp-${label}-`));
  const local = join(base, 'local');
  mkdirSync(local);
  // the remote root and its "outside" sibling in one folder of the test user's home
  const holder = s.makeRemoteDir(`${label}-${randomBytes(3).toString('hex')}`);
  const remoteFs = join(holder, 'root');
  mkdirSync(remoteFs);
  chownSync(remoteFs, s.uid, s.gid);
  const owner = { uid: s.uid, gid: s.gid };
  return {
    name: 'sftp', local, remoteFs, base, owner, outside: withOutside(holder, owner),
    spec: { protocol: 'sftp', host: s.host, port: s.port, user: s.user, path: remoteFs, identity: s.keyFile, knownHosts: s.knownHostsFile, agent: false },
    cleanup: () => { rmSync(base, { recursive: true, force: true }); rmSync(holder, { recursive: true, force: true }); },
  };
};

export const ftpEnv: LinkEnvFactory = async (label) => {
  ftpd ??= startFtpd({ tls: 'none' });
  const s = await ftpd;
  if ('skip' in s) return skipOrFail(s.skip);
  const user = ensureTestUser();
  if ('skip' in user) return skipOrFail(user.skip);
  const base = mkdtempSync(join(tmpdir(), `rs-links-ftp-${label}-`));
  const local = join(base, 'local');
  mkdirSync(local);
  const dir = s.makeRemoteDir(`${label}-${randomBytes(3).toString('hex')}`);
  const owner = { uid: user.uid, gid: user.gid };
  // "outside": beside the remote root, inside the FTP user's chroot (so a followed link could reach it)
  const outside = withOutside(join(dirname(dir.absolute), `outside-${randomBytes(3).toString('hex')}`), owner);
  chownSync(dirname(outside), owner.uid, owner.gid);
  return {
    name: 'ftp', local, remoteFs: dir.absolute, base, owner, outside,
    spec: { protocol: 'ftp', host: s.host, port: s.port, user: s.user, password: s.password, path: dir.ftpPath },
    cleanup: () => { rmSync(base, { recursive: true, force: true }); rmSync(dir.absolute, { recursive: true, force: true }); rmSync(dirname(outside), { recursive: true, force: true }); },
  };
};

/** every kind of pair these tests run on */
export const linkEnvKinds: [string, LinkEnvFactory][] = [['local', localEnv], ['sftp', sftpEnv], ['ftp', ftpEnv]];

/** a test on a fresh environment of one kind (skipped where its server cannot run; CI: fails), cleaned up afterwards */
export function envTest(kind: string, make: LinkEnvFactory, name: string, fn: (env: LinkEnv) => Promise<void>): void {
  test(`${kind}: ${name}`, async (ctx) => {
    const env = await make(name.replace(/\W+/g, '-').slice(0, 20));
    if ('skip' in env) { ctx.skip(env.skip); return; }
    try { await fn(env); } finally { env.cleanup(); }
  });
}
