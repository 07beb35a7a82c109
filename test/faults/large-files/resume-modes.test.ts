// Resumable transfers (over resumeAbove) follow the same mode rules as write() (targets/modes.ts):
// the partial is private while it grows, a new file gets the source's mode masked by the umask (a
// 0600 file stays 0600), a replaced file keeps the mode it had. Never widened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunOptions } from '../../../src/core/api.js';
import { makeEnv, sessionFor, writeTree, type FaultEnv } from '../env.js';

const modeOf = (file: string) => statSync(file).mode & 0o777;

async function run(env: FaultEnv, options: RunOptions) {
  const s = sessionFor(env);
  try { return await s.run(options); } finally { await s.close(); }
}

for (const kind of ['sftp', 'ftp'] as const) {
  test(`${kind}: a resumable upload and download keep 0600 files private, and a replaced file keeps its mode`, async (t) => {
    const env = await makeEnv(kind, `resume-modes-${kind}`);
    if ('skip' in env) { t.skip(env.skip); return; }
    try {
      const transfer = { resumeAbove: 1024, retries: 0 };
      writeTree(env.local, { 'secret.env': 'x'.repeat(64 * 1024), 'site.css': 'y'.repeat(64 * 1024) });
      chmodSync(join(env.local, 'secret.env'), 0o600);
      chmodSync(join(env.local, 'site.css'), 0o644);
      const up = await run(env, { mode: 'upload', transfer });
      assert.deepEqual(up.errors, []);
      assert.equal(modeOf(join(env.remoteFs, 'secret.env')), 0o600, 'a new 0600 file stays 0600 on the server');

      // a server file of another mode, replaced by a resumable upload, keeps its mode
      chmodSync(join(env.remoteFs, 'site.css'), 0o640);
      const later = Date.now() + 5000;
      writeFileSync(join(env.local, 'site.css'), 'z'.repeat(80 * 1024));
      utimesSync(join(env.local, 'site.css'), later / 1000, later / 1000);
      const again = await run(env, { mode: 'sync', transfer });
      assert.deepEqual(again.errors, []);
      assert.equal(modeOf(join(env.remoteFs, 'site.css')), 0o640, 'the replaced server file kept its mode');

      // download: a new 0600 server file arrives 0600
      writeFileSync(join(env.remoteFs, 'db.key'), 'k'.repeat(64 * 1024));
      chownSync(join(env.remoteFs, 'db.key'), env.owner.uid, env.owner.gid); // the server's user owns it
      chmodSync(join(env.remoteFs, 'db.key'), 0o600);
      const down = await run(env, { mode: 'sync', transfer });
      assert.deepEqual(down.errors, []);
      assert.equal(modeOf(join(env.local, 'db.key')), 0o600, 'a new 0600 server file stays 0600 locally');
    } finally {
      env.cleanup();
    }
  });
}

for (const kind of ['sftp', 'ftp'] as const) {
  test(`${kind}: a resumable upload's partial on the server is private (0600) while its content goes in; the file ends with its own mode`, async (t) => {
    const env = await makeEnv(kind, `partial-mode-${kind}`);
    if ('skip' in env) { t.skip(env.skip); return; }
    try {
      writeTree(env.local, { 'site.css': 'y'.repeat(4 * 1024 * 1024) });
      chmodSync(join(env.local, 'site.css'), 0o644);
      const seen: number[] = [];
      const up = await run(env, {
        mode: 'upload', transfer: { resumeAbove: 1024, retries: 0 },
        onProgress: (e) => {
          if (e.type !== 'bytes' || e.bytes === 0) return;
          for (const n of readdirSync(env.remoteFs)) if (n.startsWith('.rs-tmp-part-')) seen.push(modeOf(join(env.remoteFs, n)));
        },
      });
      assert.deepEqual(up.errors, []);
      assert.ok(seen.length > 0, 'the partial was looked at while it grew');
      assert.deepEqual([...new Set(seen)], [0o600], 'never readable by others while uploading');
      assert.equal(modeOf(join(env.remoteFs, 'site.css')), 0o644, 'the finished file gets the source\'s mode');
    } finally {
      env.cleanup();
    }
  });
}
