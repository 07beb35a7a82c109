// Records in the state folder (a cloned repository, a shared folder) name files the run removes or
// renames: a partial transfer's data and an upload's kept temp. A record that names anything but what
// the engine itself would name (a path with "..", a partial outside the partials folder, a temp that
// is not ours beside its file) is ignored: nothing outside the partials folder or the remote root is
// deleted or moved. Against a local folder, the real sshd and the real pure-ftpd.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { session } from '../harness/env.js';
import { writeFile, T12 } from '../harness/fixture.js';
import { remoteId } from '../../src/core/targets/index.js';
import { envTest, linkEnvKinds, type LinkEnv } from './names-envs.js';

function plant(env: LinkEnv, sub: string, rec: object): void {
  const dir = join(env.local, '.remote-sync', sub);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'planted.json'), JSON.stringify({ v: 1, remoteId: remoteId(env.spec), created: 0, ...rec }), { mode: 0o600 });
}

async function runSync(env: LinkEnv): Promise<void> {
  const s = session(env);
  try {
    await s.run({ mode: 'sync' });
  } finally {
    await s.close();
  }
}

for (const [kind, make] of linkEnvKinds) {
  envTest(kind, make, 'a planted download partial record never deletes a local file outside the partials folder', async (env) => {
    writeFile(env.local, 'a.txt', 'a\n', T12);
    const victim = join(env.base, 'victim.txt');
    writeFileSync(victim, 'outside every root\n');
    plant(env, 'partials', { direction: 'download', path: 'big.bin', size: 1, mtime: 1, partial: relative(join(env.local, '.remote-sync', 'partials'), victim) });
    await runSync(env);
    assert.ok(existsSync(victim), 'deleted by the clean-up of a planted partial record');
  });

  envTest(kind, make, 'a planted upload partial record never deletes a server file outside the root', async (env) => {
    writeFile(env.local, 'a.txt', 'a\n', T12);
    plant(env, 'partials', { direction: 'upload', path: 'big.bin', size: 1, mtime: 1, partial: relative(env.remoteFs, join(env.outside, 'precious.txt')) });
    await runSync(env);
    assert.ok(existsSync(join(env.outside, 'precious.txt')), 'the server file outside the root was deleted');
  });

  envTest(kind, make, 'a planted kept-temp record never moves a server file from outside the root', async (env) => {
    writeFile(env.local, 'a.txt', 'a\n', T12);
    plant(env, 'kept-temps', { path: 'stolen.txt', tmp: relative(env.remoteFs, join(env.outside, 'precious.txt')), size: 'precious, outside the sync\n'.length, mtime: 1 });
    await runSync(env);
    assert.ok(existsSync(join(env.outside, 'precious.txt')), 'moved into the root (and downloaded)');
    assert.ok(!existsSync(join(env.local, 'stolen.txt')));
  });
}
