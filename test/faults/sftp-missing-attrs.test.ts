// SFTP servers that leave attributes out of their replies (the protocol makes each one optional),
// against the crafted SFTP server (crafted-sftp.ts):
// - a listed file without its size or time cannot be compared with the last sync: it is reported and
//   left alone on both sides (before: NaN, which never equals anything, and the file was taken as
//   changed on the server at every run);
// - entries without permissions are typed by their "ls -l" line, also when a folder the plan removes
//   is emptied (before: every such entry was unlinked as a file, which fails on a folder, so the
//   removal stopped half done);
// - a removal whose entries tell neither way fails, naming the entry, and removes nothing it cannot tell.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCraftedSftp, type AttrName, type CraftedSftpOptions } from './crafted-sftp.js';
import { runOnce, type SyncEnv } from '../harness/env.js';
import { SftpTarget } from '../../src/core/targets/sftp.js';

const stops: Array<() => Promise<void>> = [];
after(async () => { for (const s of stops) await s(); });

async function setup(opts: CraftedSftpOptions) {
  const server = await startCraftedSftp(opts);
  stops.push(() => server.stop());
  server.mkdir('/site');
  const base = mkdtempSync(join(tmpdir(), 'rs-crafted-sftp-env-'));
  const local = join(base, 'local');
  mkdirSync(local);
  const env: SyncEnv = { name: 'crafted-sftp', local, remoteFs: '/site', spec: server.spec, cleanup: () => rmSync(base, { recursive: true, force: true }) };
  stops.push(async () => env.cleanup());
  return { server, env };
}

const T = Date.UTC(2024, 0, 1);

test('a file listed without its time or its size is reported and left alone on both sides, run after run', async () => {
  const strip = new Map<string, AttrName[]>();
  const { server, env } = await setup({ strip: (p) => strip.get(p) ?? [] });
  for (const n of ['a.txt', 'c.txt', 'd.txt']) server.put(`/site/${n}`, `server ${n}`, T);
  const first = await runOnce(env, { mode: 'sync' });
  assert.deepEqual(first.errors, []);
  assert.equal(readFileSync(join(env.local, 'c.txt'), 'utf8'), 'server c.txt');

  // the user edits both files locally; the server now leaves out c.txt's time and d.txt's size
  writeFileSync(join(env.local, 'c.txt'), 'local edit of c');
  writeFileSync(join(env.local, 'd.txt'), 'local edit of d');
  strip.set('/site/c.txt', ['mtime']);
  strip.set('/site/d.txt', ['size']);
  for (let run = 0; run < 2; run++) {
    const r = await runOnce(env, { mode: 'sync' });
    const left = new Map((r.plan.notSynced ?? []).map((n) => [n.path, n.message]));
    assert.match(left.get('c.txt') ?? '', /did not send this file's modification time; left alone on both sides/);
    assert.match(left.get('d.txt') ?? '', /did not send this file's size; left alone on both sides/);
    assert.deepEqual(r.plan.actions.filter((a) => (a.path === 'c.txt' || a.path === 'd.txt') && a.kind !== 'skip'), [], 'nothing but a skip for them');
    assert.deepEqual(r.errors.map((e) => e.path).sort(), ['c.txt', 'd.txt'], 'each one reported');
    assert.equal(readFileSync(join(env.local, 'c.txt'), 'utf8'), 'local edit of c');
    assert.equal(readFileSync(join(env.local, 'd.txt'), 'utf8'), 'local edit of d');
    assert.equal(server.files('/site').get('c.txt')!.toString(), 'server c.txt');
    assert.equal(server.files('/site').get('d.txt')!.toString(), 'server d.txt');
  }
  // the server sends them again: the local edits go up as usual
  strip.clear();
  const again = await runOnce(env, { mode: 'sync' });
  assert.deepEqual(again.errors, []);
  assert.equal(server.files('/site').get('c.txt')!.toString(), 'local edit of c');
  assert.equal(server.files('/site').get('d.txt')!.toString(), 'local edit of d');
});

test('a folder deleted locally is removed on the server when its entries come without permissions (typed by their "ls -l" line)', async () => {
  let stripping = false;
  const { server, env } = await setup({ strip: (p) => (stripping && p.startsWith('/site/old') ? ['mode'] : []) });
  for (let i = 0; i < 10; i++) server.put(`/site/keep${i}.txt`, 'keep', T); // (3 of 13 deleted: under the limit)
  server.put('/site/old/x.txt', 'x', T);
  server.put('/site/old/deep/y.txt', 'y', T);
  server.put('/site/old/deep/deeper/z.txt', 'z', T);
  assert.deepEqual((await runOnce(env, { mode: 'sync' })).errors, []);
  rmSync(join(env.local, 'old'), { recursive: true });
  stripping = true;
  const r = await runOnce(env, { mode: 'sync' });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(server.entries('/site'), Array.from({ length: 10 }, (_, i) => `keep${i}.txt`));
  assert.ok(existsSync(join(env.local, 'keep0.txt')));
});

test('a removal meeting an entry that says neither what it is nor gives an "ls -l" line fails on it, naming it', async () => {
  const { server, env } = await setup({
    strip: (p) => (p.startsWith('/site/old/') ? ['mode'] : []),
    longname: (p, usual) => (p === '/site/old/mystery' ? '' : usual),
  });
  server.put('/site/old/mystery/inner.txt', 'inner', T);
  server.put('/site/old/x.txt', 'x', T);
  const t = new SftpTarget(env.spec);
  try {
    await t.open();
    await assert.rejects(t.removeDir('old'), /did not say whether old\/mystery is a file or a folder/);
  } finally {
    await t.close();
  }
  assert.ok(server.entries('/site').includes('old/mystery/inner.txt'), 'what it could not tell is still there');
});
