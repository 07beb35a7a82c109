// Issue 7 item 10 end to end: a multi-root workspace (two folders, each with its own config and a
// `local` target) in code-server. A palette command offers "All folders" first, every result names
// its folder, and a save-triggered message names its folder. Screenshots:
// test-results/e2e/first-hour-multiroot-NN-<step>.png. Without code-server or Chromium: fails with
// the reason under CI, skips otherwise.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CodeServer } from './harness/code-server';
import { closeEditor, openEditor, type EditorContext } from './harness/editor';
import { browserUnavailable, skipOrFail, step, waitProgressGone, waitUntil } from './harness/flows';
import type { Workbench } from './harness/workbench';

const T0 = Date.now();
const unavailable = browserUnavailable();
if (unavailable && process.env.CI) test('e2e prerequisites: code-server and Chromium', () => assert.fail(unavailable));

describe('multi-root: every message names its folder; "All folders" first', { skip: unavailable }, () => {
  let root: string;
  let server: CodeServer | undefined;
  let wb: Workbench;
  const ctx: EditorContext = { timings: {} };
  const folder = (name: string) => join(root, name);
  const remote = (name: string) => join(root, `${name}-server`);
  const read = (p: string) => { try { return readFileSync(p, 'utf8'); } catch { return undefined; } };

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'rs-e2e-multi-'));
    for (const name of ['site-a', 'site-b']) {
      mkdirSync(join(folder(name), '.vscode'), { recursive: true });
      mkdirSync(remote(name));
      writeFileSync(join(folder(name), '.vscode/remote-sync.json'), JSON.stringify({
        targets: { [`${name}-server`]: { protocol: 'local', remotePath: remote(name) } },
        uploadOnSave: true, ignore: ['.vscode/'],
      }, null, 2));
      writeFileSync(join(folder(name), `${name}.txt`), `${name}: first\n`);
    }
    const workspace = join(root, 'two.code-workspace');
    writeFileSync(workspace, JSON.stringify({ folders: [{ path: 'site-a' }, { path: 'site-b' }] }));
    ({ server, wb } = await openEditor(ctx, { workspace, name: 'first-hour-multiroot', viewport: { width: 1400, height: 800 } }));
    ctx.timings.setupMs = Date.now() - T0;
  });

  after(async () => {
    await closeEditor(ctx);
    if (root) rmSync(root, { recursive: true, force: true });
    ctx.timings.totalMs = Date.now() - T0;
    console.log(`e2e first hour (multi-root) timings (ms): ${JSON.stringify(ctx.timings)}`);
  });

  test('"Sync: Upload" from the palette offers "All folders" first; each result names its folder', async (t) => {
    await step(ctx, t, async () => {
      await wb.waitForStatusBar(/site-[ab]-server/, 30_000);
      await wb.runCommand('Sync: Upload');
      const rows = wb.quickInput.locator('.monaco-list-row .label-name');
      await rows.first().waitFor({ state: 'visible' });
      const labels = (await rows.allInnerTexts()).map((s) => s.trim());
      assert.deepEqual(labels.slice(0, 3), ['All folders', 'site-a', 'site-b'], JSON.stringify(labels));
      await wb.screenshot('all-folders');
      await wb.pickQuickInput('All folders');
      // a "local" target is a folder outside the workspace: each folder's config is allowed once (reachGate.ts)
      for (let i = 0; i < 2; i++) {
        assert.match(await wb.waitForDialog(/reaches outside this workspace/), /site-[ab]/);
        await wb.clickDialogButton('Allow for This Workspace');
      }
      await waitUntil(() => read(join(remote('site-a'), 'site-a.txt')) === 'site-a: first\n' && read(join(remote('site-b'), 'site-b.txt')) === 'site-b: first\n', 'both folders uploaded');
      assert.match(await wb.waitForNotification(/Remote Sync \(site-a\): Upload: Uploaded 1,/), /site-a/);
      assert.match(await wb.waitForNotification(/Remote Sync \(site-b\): Upload: Uploaded 1,/), /site-b/);
      await waitProgressGone(wb);
      await wb.screenshot('named-results');
      await wb.clearNotifications();
    });
  });

  test('a save-triggered message names its folder', async (t) => {
    if (!server) return skipOrFail(t, 'code-server did not start');
    await step(ctx, t, async () => {
      const serverCopy = join(remote('site-b'), 'site-b.txt');
      writeFileSync(serverCopy, 'site-b: changed on the server meanwhile\n');
      const later = Date.now() / 1000 + 60;
      utimesSync(serverCopy, later, later);
      await wb.openFile('site-b.txt');
      await wb.typeInEditor('site-b: mine\n', 'replace');
      await wb.save();
      const m = await wb.waitForNotification(/changed on the server since the last sync/);
      assert.match(m, /^Remote Sync \(site-b\): "site-b\.txt" changed on the server since the last sync, so it was not uploaded\./);
      assert.equal(read(serverCopy), 'site-b: changed on the server meanwhile\n', 'not overwritten');
      assert.match(await wb.waitForStatusBar(/site-b: site-b-server/), /site-b: site-b-server .*conflict/);
      await wb.screenshot('save-names-folder');
    });
  });
});
