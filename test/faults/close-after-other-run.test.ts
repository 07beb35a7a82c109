// A session that closes after another process synced the pair (the editor closed after a CLI run)
// must not write its own, older records over that run's: the restored file below would be taken
// as "deleted on the server" and deleted locally.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SyncSession } from '../../src/core/session.js';
import { createTarget, remoteId } from '../../src/core/targets/index.js';

test('closing the editor session after a CLI run keeps that run\'s records (no stale compaction)', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rs-close-stale-'));
  try {
    const L = join(root, 'local'), R = join(root, 'remote'), trash = join(root, 'trash');
    mkdirSync(L); mkdirSync(R); mkdirSync(trash);
    const spec = { protocol: 'local' as const, path: R };
    const mk = (idle?: number) => new SyncSession({
      local: createTarget({ protocol: 'local', path: L }), remote: createTarget(spec, {}), localRoot: L, remoteId: remoteId(spec), idleCompactMs: idle,
    });
    const put = (p: string, c: string, t: number) => { writeFileSync(join(L, p), c); utimesSync(join(L, p), new Date(t), new Date(t)); };
    put('precious.txt', 'my important work\n', Date.UTC(2020, 0, 1));
    for (let i = 0; i < 70; i++) put(`f${i}.txt`, `v1 ${i}\n`, Date.UTC(2020, 0, 1));
    { const s = mk(); await s.run({ mode: 'sync' }); await s.close(); }
    const editor = mk(50);
    await editor.open();
    for (let i = 0; i < 70; i++) put(`f${i}.txt`, `v2 ${i}, saved in the editor\n`, Date.UTC(2021, 0, 1));
    await editor.saveFiles(Array.from({ length: 70 }, (_, i) => `f${i}.txt`));
    await new Promise((r) => setTimeout(r, 300)); // saves pause; the lock is given back
    renameSync(join(L, 'precious.txt'), join(trash, 'precious.txt')); // deleted (to the trash)
    { const s = mk(); const r = await s.run({ mode: 'sync' }); assert.equal(r.stats.deletedRemote, 1); await s.close(); }
    await editor.close();
    renameSync(join(trash, 'precious.txt'), join(L, 'precious.txt')); // restored (mtime kept)
    { const s = mk(); const r = await s.run({ mode: 'sync' }); await s.close();
      assert.deepEqual(r.done.map((a) => `${a.kind} ${a.path}`), ['upload precious.txt']); }
    assert.ok(existsSync(join(L, 'precious.txt')), 'the restored file is still there');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
