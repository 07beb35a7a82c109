// Environments of the fault-injection suite: a local folder and a remote folder on a real server
// (OpenSSH sshd or pure-ftpd on loopback), optionally reached through a FaultProxy; plus the outcome
// every fault test asserts: each file's sha256 on both sides, nothing outside the two roots touched,
// nothing but the user's files on the server, and a second fault-free run with nothing to do.
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RemoteSpec } from '../../src/core/types.js';
import type { SessionOptions } from '../../src/core/api.js';
import { SyncSession } from '../../src/core/session.js';
import { createTarget, remoteId } from '../../src/core/targets/index.js';
import { skipOrFail } from '../harness/env.js';
import { startSshd, type SshdServer } from '../harness/sshd.js';
import { startFtpd, type FtpdServer } from '../harness/ftpd.js';
import { ensureTestUser } from '../harness/users.js';
import { FaultProxy, type ConnInfo, type Fault } from './proxy.js';

export interface FaultEnv {
  kind: 'sftp' | 'ftp';
  local: string;
  /** the remote root as a path on this machine */
  remoteFs: string;
  /** how the client reaches the remote root (through the proxy when there is one) */
  spec: RemoteSpec;
  /** the same remote root without the proxy */
  directSpec: RemoteSpec;
  proxy?: FaultProxy;
  owner: { uid: number; gid: number };
  /** folders beside the two roots, with a file each: must never change */
  outside: string[];
  cleanup(): Promise<void>;
}

let sshd: Promise<SshdServer | { skip: string }> | undefined;
let ftpd: Promise<FtpdServer | { skip: string }> | undefined;
after(async () => {
  for (const p of [sshd, ftpd]) { const s = await p; if (s && !('skip' in s)) await s.stop(); }
});

const SENTINEL = 'do not touch\n';

function makeOutside(dir: string, owner?: { uid: number; gid: number }): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'keep.txt'), SENTINEL);
  if (owner) { chownSync(dir, owner.uid, owner.gid); chownSync(join(dir, 'keep.txt'), owner.uid, owner.gid); }
  return dir;
}

export interface EnvOptions {
  /** route the connection through a FaultProxy with this fault plan */
  fault?: (c: ConnInfo, proxy: FaultProxy) => Fault | undefined;
  timeoutSeconds?: number;
}

/** an environment on a real server; `{ skip }` where the server cannot run (never under CI) */
export async function makeEnv(kind: 'sftp' | 'ftp', label: string, opts: EnvOptions = {}): Promise<FaultEnv | { skip: string }> {
  const base = mkdtempSync(join(tmpdir(), `rs-fault-${label}-`));
  const local = join(base, 'local');
  mkdirSync(local);
  const outside = [makeOutside(join(base, 'outside'))];
  let remoteFs: string;
  let direct: RemoteSpec;
  let owner: { uid: number; gid: number };
  let knownHosts: ((port: number) => string) | undefined;
  if (kind === 'sftp') {
    sshd ??= startSshd();
    const s = await sshd;
    if ('skip' in s) { rmSync(base, { recursive: true, force: true }); return skipOrFail(s.skip); }
    const parent = s.makeRemoteDir(label);
    owner = { uid: s.uid, gid: s.gid };
    remoteFs = join(parent, 'root');
    mkdirSync(remoteFs);
    chownSync(remoteFs, s.uid, s.gid);
    outside.push(makeOutside(join(parent, 'outside'), owner));
    direct = { protocol: 'sftp', host: s.host, port: s.port, user: s.user, path: remoteFs, identity: s.keyFile, knownHosts: s.knownHostsFile, agent: false };
    knownHosts = (port) => {
      const f = join(base, 'known_hosts');
      writeFileSync(f, `[127.0.0.1]:${port} ${s.hostKeyLine}\n`, { mode: 0o600 });
      return f;
    };
  } else {
    ftpd ??= startFtpd({ tls: 'none' });
    const s = await ftpd;
    if ('skip' in s) { rmSync(base, { recursive: true, force: true }); return skipOrFail(s.skip); }
    const user = ensureTestUser();
    if ('skip' in user) { rmSync(base, { recursive: true, force: true }); return skipOrFail(user.skip); }
    owner = { uid: user.uid, gid: user.gid };
    const name = `${label}-${randomBytes(3).toString('hex')}`;
    const dir = s.makeRemoteDir(`${name}/root`);
    remoteFs = dir.absolute;
    outside.push(makeOutside(join(dirname(dir.absolute), 'outside'), owner));
    direct = { protocol: 'ftp', host: s.host, port: s.port, user: s.user, password: s.password, path: dir.ftpPath };
  }
  if (opts.timeoutSeconds) direct.timeoutSeconds = opts.timeoutSeconds;
  let spec = direct;
  let proxy: FaultProxy | undefined;
  if (opts.fault) {
    const plan = opts.fault;
    proxy = await FaultProxy.start({ target: { host: direct.host!, port: direct.port! }, ftp: kind === 'ftp', fault: (c) => plan(c, proxy!) });
    spec = { ...direct, port: proxy.port };
    if (knownHosts) spec.knownHosts = knownHosts(proxy.port);
  }
  const parent = dirname(remoteFs);
  return {
    kind, local, remoteFs, spec, directSpec: direct, proxy, owner, outside,
    async cleanup() {
      await proxy?.stop();
      rmSync(base, { recursive: true, force: true });
      rmSync(parent, { recursive: true, force: true });
    },
  };
}

/** a session as the CLI makes one; the state file is named after the direct spec, so proxied and direct runs share it */
export function sessionFor(env: FaultEnv, opts: { direct?: boolean; lock?: SessionOptions['lock']; log?: SessionOptions['log'] } = {}): SyncSession {
  const spec = opts.direct ? env.directSpec : env.spec;
  return new SyncSession({
    local: createTarget({ protocol: 'local', path: env.local }),
    remote: createTarget(spec, { concurrency: 4, log: opts.log }),
    localRoot: env.local,
    remoteId: remoteId(env.directSpec),
    lock: opts.lock,
    log: opts.log,
  });
}

export async function syncOnce(env: FaultEnv, mode: 'sync' | 'upload' | 'download' = 'sync', opts: { direct?: boolean } = {}) {
  const s = sessionFor(env, opts);
  try { return await s.run({ mode }); } finally { await s.close(); }
}

export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** path → sha256 of every file below `root` (the state folder left out) */
export function hashTree(root: string, skipState = true): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (skipState && !rel && name === '.remote-sync') continue;
      const abs = join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(abs).isDirectory()) walk(abs, r);
      else out[r] = sha256(readFileSync(abs));
    }
  };
  walk(root, '');
  return out;
}

/** write files (path → content) below root, owned by `owner` */
export function writeTree(root: string, files: Record<string, string | Buffer>, owner?: { uid: number; gid: number }, mtime?: number): void {
  for (const [rel, content] of Object.entries(files)) {
    const abs = join(root, rel);
    let dir = root;
    for (const part of rel.split('/').slice(0, -1)) {
      dir = join(dir, part);
      try { mkdirSync(dir); if (owner) chownSync(dir, owner.uid, owner.gid); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; }
    }
    writeFileSync(abs, content);
    if (owner) chownSync(abs, owner.uid, owner.gid);
    if (mtime !== undefined) { const t = new Date(mtime); utimesSync(abs, t, t); }
  }
}

export function hashesOf(files: Record<string, string | Buffer>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(files).sort()) out[k] = sha256(files[k]);
  return out;
}

/**
 * The outcome of every fault test: both sides hold exactly `expected` (path → sha256), nothing
 * else (no temp file, no state, no lock on the server), nothing beside the roots changed, the
 * state folder holds only state, and a second run without faults has nothing to do.
 */
export async function assertOutcome(env: FaultEnv, expected: Record<string, string>): Promise<void> {
  assert.deepEqual(hashTree(env.local), expected, 'local files');
  assert.deepEqual(hashTree(env.remoteFs, false), expected, 'server files: the user\'s files and nothing else');
  for (const d of env.outside) {
    assert.deepEqual(readdirSync(d), ['keep.txt'], `nothing added beside the roots (${d})`);
    assert.equal(readFileSync(join(d, 'keep.txt'), 'utf8'), SENTINEL);
  }
  assert.deepEqual(readdirSync(dirname(env.local)).filter((n) => n !== 'known_hosts').sort(), ['local', 'outside']);
  assert.deepEqual(readdirSync(dirname(env.remoteFs)).sort(), ['outside', 'root']);
  const stateDir = join(env.local, '.remote-sync');
  for (const n of readdirSync(stateDir)) assert.match(n, /^([0-9a-f]{16}\.(json|journal)|\.gitignore)$/, `only state in ${stateDir}, no lock left`);
  const again = await syncOnce(env, 'sync', { direct: true });
  assert.deepEqual(again.errors, [], 'the second run: no errors');
  assert.deepEqual(again.plan.actions.map((a) => `${a.kind} ${a.path}`), [], 'the second run has nothing to do');
}
