// A download's partial (in .remote-sync/partials/) replaced by a symbolic link between two runs: the
// link is never followed, and the download starts over at once and completes (before, reading the
// partial's tail through O_NOFOLLOW failed that file at every run, until the record was a week old).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SyncSession } from '../../src/core/session.js';
import { createTarget, remoteId } from '../../src/core/targets/index.js';
import { PartialStore } from '../../src/core/transfer/partials.js';

test('a download\'s partial replaced by a link to another file: the download starts over and completes; nothing followed', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rs-partial-link-'));
  try {
    const L = join(root, 'local'), R = join(root, 'remote');
    mkdirSync(L); mkdirSync(R);
    const content = randomBytes(300_000);
    writeFileSync(join(R, 'big.bin'), content);
    const t = new Date(Date.UTC(2024, 0, 1));
    utimesSync(join(R, 'big.bin'), t, t);
    const spec = { protocol: 'local' as const, path: R };
    const id = remoteId(spec);
    // the record of an interrupted download, as the engine writes it
    const store = new PartialStore(L, id);
    const rec = { v: 1 as const, remoteId: id, direction: 'download' as const, path: 'big.bin', size: content.length, mtime: t.getTime(), partial: store.partialName('download', 'big.bin'), created: Date.now() };
    store.put(rec);
    const part = store.localPartial(rec);
    const victim = join(root, 'victim.txt');
    writeFileSync(victim, 'must not be read or changed');
    symlinkSync(victim, part);
    const s = new SyncSession({ local: createTarget({ protocol: 'local', path: L }), remote: createTarget(spec, {}), localRoot: L, remoteId: id });
    try {
      const r = await s.run({ mode: 'download', transfer: { resumeAbove: 1024, retries: 0 } });
      assert.deepEqual(r.errors, []);
    } finally {
      await s.close();
    }
    assert.ok(readFileSync(join(L, 'big.bin')).equals(content), 'the whole file, right');
    assert.equal(readFileSync(victim, 'utf8'), 'must not be read or changed');
    assert.ok(lstatSync(victim).isFile());
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
