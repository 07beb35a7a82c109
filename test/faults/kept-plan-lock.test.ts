// Renames an earlier run left to finish (kept temps: transfer/kept-temps.ts) change the server and the
// state: a plan made outside a run (the editor plans, shows the plan, then executes) finished them
// without the pair's lock, beside another process's sync of the same pair. They now take the lock,
// without waiting: while another process holds it they are left for a later run or save.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SyncSession } from '../../src/core/session.js';
import { createTarget, remoteId } from '../../src/core/targets/index.js';
import { KeptTemps } from '../../src/core/transfer/kept-temps.js';
import { lockFileFor } from '../../src/core/lock.js';
import type { Entry } from '../../src/core/types.js';

test('a plan outside a run finishes kept renames only holding the pair\'s lock (left alone while another process holds it)', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rs-kept-lock-'));
  // another process holding the lock: a live pid of this host that is not us
  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  try {
    const L = join(root, 'local'), R = join(root, 'remote');
    mkdirSync(L); mkdirSync(R);
    const spec = { protocol: 'local' as const, path: R };
    const content = 'the new version, kept as a temp\n';
    writeFileSync(join(L, 'a.txt'), content);
    writeFileSync(join(R, '.rs-tmp-kept0123'), content);
    const session = new SyncSession({ local: createTarget({ protocol: 'local', path: L }), remote: createTarget(spec, {}), localRoot: L, remoteId: remoteId(spec) });
    try {
      const kept = new KeptTemps(L, remoteId(spec));
      kept.put('a.txt', '.rs-tmp-kept0123', { path: 'a.txt', type: 'file', size: Buffer.byteLength(content), mtime: 1_700_000_000_000 } as Entry);
      const lock = lockFileFor(session.stateFile);
      writeFileSync(lock, JSON.stringify({ pid: other.pid, host: hostname(), started: new Date().toISOString(), owner: 'remote-sync sync' }));

      await session.plan({ mode: 'sync' });
      assert.equal(existsSync(join(R, 'a.txt')), false, 'nothing renamed on the server while another process holds the lock');
      assert.equal(readFileSync(join(R, '.rs-tmp-kept0123'), 'utf8'), content, 'the temp stays');
      assert.equal(kept.all().length, 1, 'the record stays for a later run');
      assert.equal(readFileSync(lock, 'utf8').includes(String(other.pid)), true, 'the other process\'s lock is untouched');

      // the other process is done: the next plan finishes the rename, under the lock, and lets it go
      rmSync(lock);
      await session.plan({ mode: 'sync' });
      assert.equal(readFileSync(join(R, 'a.txt'), 'utf8'), content, 'renamed into place');
      assert.equal(existsSync(join(R, '.rs-tmp-kept0123')), false);
      assert.equal(kept.all().length, 0);
      assert.equal(existsSync(lock), false, 'the lock is released after the renames');
    } finally {
      await session.close();
    }
  } finally {
    other.kill();
    rmSync(root, { recursive: true, force: true });
  }
});
