// A sync environment for scenario tests: a local folder and a remote folder reachable through one
// target kind (local folder, SFTP, FTP, FTPS), whose files the test can also touch directly.

import { test } from 'node:test';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RemoteSpec } from '../../src/core/types.js';
import type { RunOptions } from '../../src/core/api.js';
import { SyncSession } from '../../src/core/session.js';
import { createTarget, remoteId } from '../../src/core/targets/index.js';
import type { Owner } from './fixture.js';

export interface SyncEnv {
  name: string;
  local: string;
  /** filesystem path of the remote folder (the daemons run on this machine) */
  remoteFs: string;
  spec: RemoteSpec;
  owner?: Owner;
  cleanup(): void;
}

/** A factory answers { skip } when its server cannot run here (never under CI: there it throws). */
export type EnvFactory = (label: string) => Promise<SyncEnv | { skip: string }>;

/** Skip with the reason on a developer machine; fail under CI, which must run every test. */
export function skipOrFail(reason: string): { skip: string } {
  if (process.env.CI) throw new Error(`cannot run here (CI must run it): ${reason}`);
  return { skip: reason };
}

export function localEnvFactory(): EnvFactory {
  return async (label) => {
    const root = mkdtempSync(join(tmpdir(), `rs-${label}-`));
    const local = join(root, 'local');
    const remoteFs = join(root, 'remote');
    mkdirSync(local);
    mkdirSync(remoteFs);
    return { name: 'local', local, remoteFs, spec: { protocol: 'local', path: remoteFs }, cleanup: () => rmSync(root, { recursive: true, force: true }) };
  };
}

export function session(env: SyncEnv, filter?: { match?: string[]; exclude?: string[] }): SyncSession {
  return new SyncSession({
    local: createTarget({ protocol: 'local', path: env.local }),
    remote: createTarget(env.spec, { concurrency: 4 }),
    localRoot: env.local,
    remoteId: remoteId(env.spec),
    filter,
  });
}

/** One run in a fresh session (as the CLI does), closed afterwards. */
export async function runOnce(env: SyncEnv, options: RunOptions, filter?: { match?: string[]; exclude?: string[] }) {
  const s = session(env, filter);
  try {
    return await s.run(options);
  } finally {
    await s.close();
  }
}

/** `t(name, fn)`: a test that gets a fresh environment from `make` (skipped where the factory says so). */
export function scenarioTest(make: EnvFactory, opts: { skip?: string } = {}) {
  return (name: string, fn: (env: SyncEnv) => Promise<void>) =>
    test(name, { skip: opts.skip }, async (ctx) => {
      const env = await make(name.replace(/\W+/g, '-').slice(0, 30));
      if ('skip' in env) { ctx.skip(env.skip); return; }
      try { await fn(env); } finally { env.cleanup(); }
    });
}
