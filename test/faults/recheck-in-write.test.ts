// The re-check before overwrite, made inside the write (issue 12, saves with a flat tail): a target
// with capabilities.recheckOnWrite looks at the file it replaces with the write's own requests and
// compares it with WriteOptions.expect just before the rename. A file changed on the server since it
// was seen is never replaced (the temp file is removed); a file gone meanwhile is written. Real
// servers (sshd, pure-ftpd) and a local folder; and through the executor, where no separate stat is
// made any more for such targets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Entry, Target } from '../../src/core/types.js';
import { LocalTarget } from '../../src/core/targets/local.js';
import { createTarget } from '../../src/core/targets/index.js';
import { makeEnv, sessionFor, syncOnce, writeTree } from './env.js';

const T0 = Date.UTC(2024, 0, 1, 12) / 1000;
const tempsIn = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('.rs-tmp'));
const body = (s: string) => Readable.from([Buffer.from(s)]);

type Kind = 'local' | 'sftp' | 'ftp';

/** a target and the folder on this machine it writes to */
async function targetFor(kind: Kind, label: string): Promise<{ target: Target; dir: string; owner?: { uid: number; gid: number }; done(): Promise<void> } | { skip: string }> {
  if (kind === 'local') {
    const dir = mkdtempSync(join(tmpdir(), `rs-recheck-${label}-`));
    return { target: new LocalTarget(dir), dir, done: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const env = await makeEnv(kind, label);
  if ('skip' in env) return env;
  const target = createTarget(env.directSpec);
  await target.open();
  return { target, dir: env.remoteFs, owner: env.owner, done: async () => { await target.close(); await env.cleanup(); } };
}

function recheckTest(kind: Kind, name: string, fn: (t: { target: Target; dir: string; owner?: { uid: number; gid: number } }) => Promise<void>) {
  test(`${kind}: ${name}`, async (t) => {
    const env = await targetFor(kind, name.replace(/\W+/g, '-').slice(0, 20));
    if ('skip' in env) { t.skip(env.skip); return; }
    try { await fn(env); } finally { await env.done(); }
  });
}

for (const kind of ['local', 'sftp', 'ftp'] as const) {
  recheckTest(kind, 'a file changed since it was seen is not replaced; the temp file is removed', async ({ target, dir, owner }) => {
    assert.equal(target.capabilities.recheckOnWrite, true);
    writeTree(dir, { 'a.txt': 'as seen' }, owner, T0 * 1000);
    const seen = (await target.stat('a.txt')) as Entry;
    writeTree(dir, { 'a.txt': 'changed on the server' }, owner, (T0 + 60) * 1000);
    await assert.rejects(target.write('a.txt', body('the new version'), { size: 15, mtime: Date.now(), expect: seen }),
      /Changed (on the server|locally) while the sync ran; left alone/);
    assert.equal(readFileSync(join(dir, 'a.txt'), 'utf8'), 'changed on the server');
    assert.deepEqual(tempsIn(dir), []);
  });

  recheckTest(kind, 'a file as it was seen is replaced, and one gone meanwhile is written', async ({ target, dir, owner }) => {
    writeTree(dir, { 'a.txt': 'as seen', 'sub/b.txt': 'b as seen' }, owner, T0 * 1000);
    const a = (await target.stat('a.txt')) as Entry;
    const b = (await target.stat('sub/b.txt')) as Entry;
    const written = await target.write('a.txt', body('the new version'), { size: 15, mtime: (T0 + 120) * 1000, expect: a });
    assert.equal(written.size, 15);
    assert.equal(readFileSync(join(dir, 'a.txt'), 'utf8'), 'the new version');
    unlinkSync(join(dir, 'sub', 'b.txt'));
    await target.write('sub/b.txt', body('b new'), { size: 5, expect: b });
    assert.equal(readFileSync(join(dir, 'sub', 'b.txt'), 'utf8'), 'b new');
    assert.deepEqual(tempsIn(dir), []);
  });
}

for (const kind of ['sftp', 'ftp'] as const) {
  test(`${kind}: a run whose server file changes after the plan leaves it alone and records nothing (no separate stat: the write re-checks)`, async (t) => {
    const env = await makeEnv(kind, 'recheck-run');
    if ('skip' in env) { t.skip(env.skip); return; }
    try {
      writeTree(env.local, { 'page.html': 'v1' }, undefined, T0 * 1000);
      assert.deepEqual((await syncOnce(env, 'upload')).errors, []);
      writeTree(env.local, { 'page.html': 'v2 local' }, undefined, (T0 + 60) * 1000);
      const s = sessionFor(env, { direct: true });
      try {
        const plan = await s.plan({ mode: 'sync' });
        assert.deepEqual(plan.actions.map((a) => `${a.kind} ${a.path}`), ['upload page.html']);
        // the server copy changes between the plan and the write
        writeTree(env.remoteFs, { 'page.html': 'v2 on the server!' }, env.owner, (T0 + 90) * 1000);
        const r = await s.execute(plan);
        assert.equal(r.errors.length, 1, JSON.stringify(r.errors));
        assert.match(r.errors[0].message, /Changed on the server while the sync ran; left alone/);
        assert.equal(readFileSync(join(env.remoteFs, 'page.html'), 'utf8'), 'v2 on the server!');
        assert.deepEqual(tempsIn(env.remoteFs), []);
        // nothing recorded: the next run sees both sides changed (a conflict), not an upload
        const next = await s.run({ mode: 'sync', resolve: 'skip' });
        assert.deepEqual(next.conflicts.map((c) => `${c.conflict} ${c.path}`), ['both-modified page.html']);
      } finally {
        await s.close();
      }
    } finally {
      await env.cleanup();
    }
  });
}


