// resolvePath with `expect` (src/core/session.ts): Keep Local / Keep Remote overwrite the side given up
// only while it is still what the user decided on (the conflict's entry); a newer version there is
// left alone with a 'safety' error. Local folders on both sides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SyncSession } from '../../src/core/session.js';
import { SyncError } from '../../src/core/errors.js';
import { createTarget, remoteId } from '../../src/core/targets/index.js';
import type { RemoteSpec } from '../../src/core/types.js';

let tick = Date.now() / 1000 - 1000;
const put = (f: string, text: string) => { writeFileSync(f, text); tick += 10; utimesSync(f, tick, tick); };

test('Keep Local with the conflict\'s server entry: refused once the server changed again; done while it is the same', async () => {
  const base = mkdtempSync(join(tmpdir(), 'rs-resolve-expect-'));
  const L = join(base, 'local');
  const R = join(base, 'remote');
  mkdirSync(L); mkdirSync(R);
  const spec = { protocol: 'local', path: R } as RemoteSpec;
  const s = new SyncSession({ local: createTarget({ protocol: 'local', path: L } as RemoteSpec), remote: createTarget(spec), localRoot: L, remoteId: remoteId(spec) });
  try {
    put(join(L, 'a.txt'), 'base');
    await s.run({ mode: 'sync' });
    put(join(L, 'a.txt'), 'mine');
    put(join(R, 'a.txt'), 'theirs, shown');
    const [conflict] = (await s.plan({ mode: 'sync' })).actions.filter((a) => a.kind === 'conflict');
    assert.equal(conflict.path, 'a.txt');
    put(join(R, 'a.txt'), 'theirs again, never shown');
    await assert.rejects(s.resolvePath('a.txt', 'local', { expect: { remote: conflict.remote ?? null } }),
      (e: unknown) => e instanceof SyncError && e.code === 'safety' && /since it was compared/.test(e.message));
    assert.equal(readFileSync(join(R, 'a.txt'), 'utf8'), 'theirs again, never shown');
    // decided again on what is there now: done
    const [now] = (await s.plan({ mode: 'sync' })).actions.filter((a) => a.kind === 'conflict');
    const r = await s.resolvePath('a.txt', 'local', { expect: { remote: now.remote ?? null } });
    assert.equal(r.errors.length, 0);
    assert.equal(readFileSync(join(R, 'a.txt'), 'utf8'), 'mine');
    // expected nothing on the server, and a file came: refused too
    put(join(L, 'b.txt'), 'new here');
    put(join(R, 'b.txt'), 'new there');
    await assert.rejects(s.resolvePath('b.txt', 'local', { expect: { remote: null } }), /since it was compared/);
    assert.equal(readFileSync(join(R, 'b.txt'), 'utf8'), 'new there');
  } finally {
    await s.close();
    rmSync(base, { recursive: true, force: true });
  }
});
