// A PARENT folder of a local path swapped for a symbolic link after the plan (after the listing,
// before the write, the delete or the mkdir that the plan asked for): nothing is written, deleted or
// created through the new link (the local target looks at every folder from the root down, lstat,
// right before it acts). A folder link that was there when the tree was listed is followed, as the
// README says ("a link to a folder: followed"); one that appears later is refused, naming it.
// (The name itself turning into a link is covered by dest-recheck / links-names; the state folder by
// partial-link and unreadable-local.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Target } from '../../src/core/types.js';
import { SyncSession } from '../../src/core/session.js';
import { createTarget, remoteId } from '../../src/core/targets/index.js';
import { wrap } from '../harness/wrap-target.js';

const T0 = new Date(Date.UTC(2024, 0, 1));
function put(abs: string, text: string): void {
  mkdirSync(join(abs, '..'), { recursive: true });
  writeFileSync(abs, text);
  utimesSync(abs, T0, T0);
}

interface Env { root: string; L: string; R: string; out: string; local: Target; session(local: Target): SyncSession }
function env(): Env {
  const root = mkdtempSync(join(tmpdir(), 'rs-link-swap-'));
  const L = join(root, 'local'), R = join(root, 'remote'), out = join(root, 'outside');
  mkdirSync(L); mkdirSync(R); mkdirSync(out);
  const spec = { protocol: 'local' as const, path: R };
  return {
    root, L, R, out, local: createTarget({ protocol: 'local', path: L }),
    session: (local) => new SyncSession({ local, remote: createTarget(spec, {}), localRoot: L, remoteId: remoteId(spec) }),
  };
}

/** `L/site` renamed away and replaced by a link to `target` (what another program could do at any time) */
function swap(e: Env, name: string, target: string): void {
  renameSync(join(e.L, name), join(e.L, `${name}.moved`));
  symlinkSync(target, join(e.L, name));
}

async function run(e: Env, local: Target, mode: 'sync' | 'download') {
  const s = e.session(local);
  try { return await s.run({ mode }); } finally { await s.close(); }
}

const linkError = (errors: { path?: string; message: string }[]) =>
  errors.some((x) => /is a link; nothing is written through it/.test(x.message) && /site|new/.test(`${x.path} ${x.message}`));

test('a download whose parent folder became a link to an outside folder: nothing written there (not the file, not its temp)', async () => {
  const e = env();
  try {
    put(join(e.L, 'site/keep.txt'), 'k');
    put(join(e.R, 'site/keep.txt'), 'k');
    put(join(e.R, 'site/a.txt'), 'new from the server');   // new: placed only where nothing is
    put(join(e.L, 'site/b.txt'), 'old');
    put(join(e.R, 'site/b.txt'), 'newer from the server'); // replaced
    utimesSync(join(e.R, 'site/b.txt'), new Date(T0.getTime() + 60_000), new Date(T0.getTime() + 60_000));
    put(join(e.out, 'b.txt'), 'precious, outside the workspace');
    const local = wrap(e.local, {
      write: async (...a: Parameters<Target['write']>) => {
        if (!existsSync(join(e.L, 'site.moved'))) swap(e, 'site', e.out);
        return e.local.write(...a);
      },
    });
    const r = await run(e, local, 'download');
    assert.deepEqual(readdirSync(e.out).sort(), ['b.txt'], 'no file and no temp written outside');
    assert.equal(readFileSync(join(e.out, 'b.txt'), 'utf8'), 'precious, outside the workspace');
    assert.ok(linkError(r.errors), JSON.stringify(r.errors));
  } finally { rmSync(e.root, { recursive: true, force: true }); }
});

test('a download whose parent became a link to another folder INSIDE the workspace: refused too (the state would record site/a.txt for a file written in other/)', async () => {
  const e = env();
  try {
    put(join(e.L, 'site/keep.txt'), 'k');
    put(join(e.R, 'site/keep.txt'), 'k');
    put(join(e.R, 'site/a.txt'), 'new');
    mkdirSync(join(e.L, 'other'));
    const local = wrap(e.local, {
      write: async (...a: Parameters<Target['write']>) => {
        if (!existsSync(join(e.L, 'site.moved'))) swap(e, 'site', join(e.L, 'other'));
        return e.local.write(...a);
      },
    });
    const r = await run(e, local, 'download');
    assert.equal(existsSync(join(e.L, 'other/a.txt')), false);
    assert.ok(linkError(r.errors), JSON.stringify(r.errors));
  } finally { rmSync(e.root, { recursive: true, force: true }); }
});

test('a folder link that was there when the tree was listed is still followed (README: synced as a folder)', async () => {
  const e = env();
  try {
    put(join(e.out, 'keep.txt'), 'k');
    symlinkSync(e.out, join(e.L, 'ext'));
    put(join(e.R, 'ext/keep.txt'), 'k');
    put(join(e.R, 'ext/a.txt'), 'through the listed link');
    put(join(e.R, 'ext/sub/b.txt'), 'in a new folder through it');
    const r = await run(e, e.local, 'download');
    assert.deepEqual(r.errors, []);
    assert.equal(readFileSync(join(e.out, 'a.txt'), 'utf8'), 'through the listed link');
    assert.equal(readFileSync(join(e.out, 'sub/b.txt'), 'utf8'), 'in a new folder through it');
  } finally { rmSync(e.root, { recursive: true, force: true }); }
});

test('a new folder chain whose first folder appears as a link to an outside folder before the mkdir: nothing created outside', async () => {
  const e = env();
  try {
    put(join(e.R, 'new/deep/x.txt'), 'x');
    const local = wrap(e.local, {
      mkdir: async (p: string) => {
        if (!existsSync(join(e.L, 'new'))) symlinkSync(e.out, join(e.L, 'new'));
        return e.local.mkdir(p);
      },
    });
    const r = await run(e, local, 'download');
    assert.deepEqual(readdirSync(e.out), [], 'nothing created outside');
    assert.ok(linkError(r.errors), JSON.stringify(r.errors));
  } finally { rmSync(e.root, { recursive: true, force: true }); }
});

test('a file deleted on the server, its local parent swapped for a link to an outside copy: the outside file is not deleted', async () => {
  const e = env();
  try {
    for (const s of [e.L, e.R]) { put(join(s, 'site/keep.txt'), 'k'); put(join(s, 'site/old.txt'), 'same bytes'); }
    assert.deepEqual((await run(e, e.local, 'sync')).errors, []);
    rmSync(join(e.R, 'site/old.txt'));
    put(join(e.out, 'keep.txt'), 'k');
    put(join(e.out, 'old.txt'), 'same bytes'); // same size and time (cp -p): looks like the planned file
    const local = wrap(e.local, {
      removeFile: async (p: string) => {
        if (!existsSync(join(e.L, 'site.moved'))) swap(e, 'site', e.out);
        return e.local.removeFile(p);
      },
    });
    const r = await run(e, local, 'sync');
    assert.ok(existsSync(join(e.out, 'old.txt')), 'the outside file is still there');
    assert.ok(linkError(r.errors), JSON.stringify(r.errors));
  } finally { rmSync(e.root, { recursive: true, force: true }); }
});

test('a folder deleted on the server, its local parent swapped for a link to an outside copy: nothing outside deleted', async () => {
  const e = env();
  try {
    for (const s of [e.L, e.R]) { put(join(s, 'site/keep.txt'), 'k'); put(join(s, 'site/old/f.txt'), 'same bytes'); }
    assert.deepEqual((await run(e, e.local, 'sync')).errors, []);
    rmSync(join(e.R, 'site/old'), { recursive: true });
    put(join(e.out, 'keep.txt'), 'k');
    put(join(e.out, 'old/f.txt'), 'same bytes');
    const local = wrap(e.local, {
      removeDir: async (...a: Parameters<Target['removeDir']>) => {
        if (!existsSync(join(e.L, 'site.moved'))) swap(e, 'site', e.out);
        return e.local.removeDir(...a);
      },
    });
    const r = await run(e, local, 'sync');
    assert.ok(existsSync(join(e.out, 'old/f.txt')), 'the outside file is still there');
    assert.ok(linkError(r.errors), JSON.stringify(r.errors));
  } finally { rmSync(e.root, { recursive: true, force: true }); }
});

test('a folder being removed: a subfolder swapped for a link while the removal walks it is not walked through', async () => {
  const e = env();
  try {
    for (const s of [e.L, e.R]) { put(join(s, 'keep.txt'), 'k'); put(join(s, 'old/sub/f.txt'), 'same bytes'); }
    assert.deepEqual((await run(e, e.local, 'sync')).errors, []);
    rmSync(join(e.R, 'old'), { recursive: true });
    put(join(e.out, 'f.txt'), 'same bytes');
    const local = wrap(e.local, {
      removeDir: async (p: string, o: Parameters<Target['removeDir']>[1] = {}) => {
        const only = o.only && ((q: string, now?: { size: number; mtime: number }) => {
          if (q === 'old/sub' && !existsSync(join(e.L, 'old/sub.moved'))) { renameSync(join(e.L, 'old/sub'), join(e.L, 'old/sub.moved')); symlinkSync(e.out, join(e.L, 'old/sub')); }
          return o.only!(q, now);
        });
        return e.local.removeDir(p, { ...o, only });
      },
    });
    const r = await run(e, local, 'sync');
    assert.ok(existsSync(join(e.out, 'f.txt')), 'the outside file is still there');
    assert.ok(r.errors.some((x) => /old\/sub is a link; nothing is written through it/.test(x.message)), JSON.stringify(r.errors));
  } finally { rmSync(e.root, { recursive: true, force: true }); }
});

test('a local side that has listed nothing yet follows folder links as before (nothing to tell a new link from an old one)', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rs-link-unlisted-'));
  try {
    const L = join(root, 'local'), shared = join(root, 'shared');
    mkdirSync(L); mkdirSync(shared);
    symlinkSync(shared, join(L, 'site'));
    const local = createTarget({ protocol: 'local', path: L });
    const body = Buffer.from('written through the link the user made');
    await local.write('site/a.txt', Readable.from([body]), { size: body.length });
    assert.equal(readFileSync(join(shared, 'a.txt'), 'utf8'), body.toString());
    // once it has listed, a link it did not see is refused
    await local.list();
    rmSync(join(L, 'site'));
    mkdirSync(join(root, 'elsewhere'));
    symlinkSync(join(root, 'elsewhere'), join(L, 'site'));
    await assert.rejects(local.write('site/b.txt', Readable.from([body]), { size: body.length }), /site is a link; nothing is written through it/);
    assert.deepEqual(readdirSync(join(root, 'elsewhere')), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
