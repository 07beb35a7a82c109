// The user flows of issue 3 §7 end to end: the packaged extension in code-server (driven by Playwright
// in Chromium) against a real sshd on loopback. One code-server and one browser for the whole file;
// the tests run in order and build on each other (first sync → save → bidirectional → keep local →
// save conflict → preview). Screenshots: test-results/e2e/flows-sftp-NN-<step>.png.
// Without code-server, Chromium or sshd: fails with the reason under CI, skips otherwise.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SshdServer } from '../harness/sshd';
import type { CodeServer } from './harness/code-server';
import { closeEditor, openEditor, sftpWorkspace, sshdOrReason, writeTimings, type EditorContext } from './harness/editor';
import {
  activationFromLog, browserUnavailable, logSince, planViewPane, planViewRows, runningExtensionActivation, leavePlanView, showPlanView, showHover, waitProgressGone,
  skipOrFail, step, SyncFixture, waitUntil,
} from './harness/flows';
import type { Workbench } from './harness/workbench';
import { INITIAL } from '../electron/prepare';

const T0 = Date.now();
const unavailable = browserUnavailable();
if (unavailable && process.env.CI) test('e2e prerequisites: code-server and Chromium', () => assert.fail(unavailable));

describe('user flows in code-server against sshd (SFTP)', { skip: unavailable }, () => {
  let sshd: SshdServer | undefined;
  let fx: SyncFixture;
  let server: CodeServer | undefined;
  let wb: Workbench;
  let missing: string | undefined;
  const ctx: EditorContext = { timings: {} };
  const results: Record<string, unknown> = {};

  before(async () => {
    const started = await sshdOrReason();
    if (typeof started === 'string') { missing = started; return; }
    sshd = started;
    fx = sftpWorkspace(sshd, 'sftp', 'e2e', 'ask');
    for (const [rel, text] of Object.entries(INITIAL)) fx.writeLocal(rel, text);
    ({ server, wb } = await openEditor(ctx, { workspace: fx.ws, name: 'flows-sftp', viewport: { width: 1400, height: 800 } }));
  });

  after(async () => {
    if (server) results.activationMs = activationFromLog(server);
    await closeEditor(ctx);
    await sshd?.stop();
    fx?.cleanup();
    ctx.timings.totalMs = Date.now() - T0;
    writeTimings('flows-sftp-timings.json', 'e2e flows (SFTP) timings (ms)', { ...ctx.timings, ...results });
  });

  test('the extension activates on the config, and a first "Sync: Upload" records the state', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      await wb.waitForStatusBar('loopback', 30_000); // the status bar item names the target
      await waitUntil(() => activationFromLog(server!) !== undefined, 'the activation line in the log');
      await wb.screenshot('activated');
      await wb.runCommand('Sync: Upload');
      for (const [rel, text] of Object.entries(INITIAL)) await fx.waitRemote(rel, text);
      assert.match(await wb.waitForNotification(/Upload: Uploaded 7,/), /Uploaded 7, downloaded 0, deleted 0, 0 conflicts left, 0 errors/);
      assert.match(await wb.waitForStatusBar('↑7'), /loopback · ↑7/);
      assert.deepEqual(fx.remoteFiles(), Object.keys(INITIAL).sort(), 'exactly the workspace files (not .vscode) are on the server');
      await waitProgressGone(wb);
      await wb.screenshot('first-upload');
      await wb.clearNotifications();
    });
  });

  test('flow 1: edit a file and save → it is on the server, the status bar shows the upload', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      await wb.openFile('index.html');
      await wb.typeInEditor('<p>Saved in the editor</p>\n');
      await wb.save();
      const saved = '<h1>Hello</h1>\n<p>Saved in the editor</p>\n';
      assert.equal(fx.readLocal('index.html'), saved);
      await fx.waitRemote('index.html', saved);
      assert.match(await wb.waitForStatusBar('↑ index.html'), /loopback · ↑ index\.html/);
      assert.match(server!.logText('Remote Sync.log'), /Uploaded on save: index\.html \(\d+ ms\)/);
      assert.ok(!fx.remoteFiles().some((f) => f.includes('.rs-tmp') || f.startsWith('.')), `no temporary files left: ${fx.remoteFiles()}`);
      // its tooltip, for the screenshot: target, upload on save, the last result
      await showHover(wb, wb.page.locator('.part.statusbar .statusbar-item').filter({ hasText: '↑ index.html' }).first(), /Upload on save/);
      await wb.screenshot('save-upload');
      await wb.page.mouse.move(700, 300);
    });
  });

  test('flow 2: a local change, a server change and a change on both sides → "Sync: Bidirectional" transfers two and opens the conflict diff', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      await wb.runCommand('View: Close All Editors');
      fx.writeLocal('b.txt', 'b: changed locally, on disk\n');
      fx.writeRemote('c.txt', 'c: changed on the server\n');
      fx.writeLocal('a.txt', 'a: changed locally\n');
      fx.writeRemote('a.txt', 'a: changed on the server, longer\n');
      await wb.runCommand('Sync: Bidirectional');
      await fx.waitRemote('b.txt', 'b: changed locally, on disk\n', 'the upload of b.txt');
      await fx.waitLocal('c.txt', 'c: changed on the server\n', 'the download of c.txt');
      assert.equal(await wb.waitForDiffEditor('a.txt (remote ↔ local)'), 'a.txt (remote ↔ local)');
      await waitUntil(async () => {
        const d = await wb.diffTexts();
        return d.original.includes('a: changed on the server, longer') && d.modified.includes('a: changed locally');
      }, 'the server side left and the local side right in the diff');
      // nothing was overwritten on either side
      assert.equal(fx.readRemote('a.txt'), 'a: changed on the server, longer\n');
      assert.equal(fx.readLocal('a.txt'), 'a: changed locally\n');
      assert.match(await wb.waitForNotification(/Bidirectional: Uploaded 1, downloaded 1/), /Uploaded 1, downloaded 1, deleted 0, 1 conflict left, 0 errors/);
      assert.match(await wb.waitForStatusBar('1 conflict'), /↑1 ↓1 · 1 conflict/);
      await showPlanView(wb);
      await waitUntil(async () => {
        const rows = await planViewRows(wb);
        return rows.some((r) => r.label === 'Conflicts') && rows.some((r) => r.label === 'a.txt' && /both/.test(r.description));
      }, 'the conflict in the Remote Sync view');
      await waitProgressGone(wb);
      await showHover(wb, wb.page.locator('.editor-group-container.active .title .editor-actions').getByRole('button', { name: 'Keep Local' }), 'Keep Local');
      await wb.screenshot('bidirectional-conflict-diff');
    });
  });

  test('flow 3: Keep Local (editor title) → the server has the local content; a second Bidirectional has nothing to do', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      await wb.clickEditorTitleAction('Keep Local');
      await fx.waitRemote('a.txt', 'a: changed locally\n', 'the local a.txt on the server');
      assert.match(await wb.waitForStatusBar('↑ a.txt'), /loopback · ↑ a\.txt/);
      await waitUntil(async () => !(await wb.tabTitles()).includes('a.txt (remote ↔ local)'), 'the conflict diff to close');
      await wb.screenshot('keep-local');
      await wb.clearNotifications();
      const mark = server!.logText('Remote Sync.log').length;
      await wb.runCommand('Sync: Bidirectional');
      assert.match(await wb.waitForNotification(/Bidirectional: Nothing to do/), /Nothing to do: \d+ paths in sync/);
      assert.match(await wb.waitForStatusBar('in sync'), /loopback · in sync/);
      await waitUntil(() => /Bidirectional: Nothing to do/.test(logSince(server!, mark)), '"Nothing to do" in the log');
      assert.equal(fx.readRemote('a.txt'), 'a: changed locally\n');
      await waitProgressGone(wb);
      await wb.screenshot('second-bidirectional-nothing-to-do');
      await wb.clearNotifications();
    });
  });

  test('flow 4: saving a file that changed on the server → not overwritten, the conflict is offered (Merge / Compare / Overwrite / Download)', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      fx.writeRemote('d.txt', 'd: changed on the server meanwhile\n');
      await wb.openFile('d.txt');
      await wb.typeInEditor('d: my edit\n', 'replace');
      await wb.save();
      assert.equal(fx.readLocal('d.txt'), 'd: my edit\n');
      const msg = await wb.waitForNotification(/"d\.txt" changed on the server/);
      assert.equal(msg, 'Remote Sync: "d.txt" changed on the server since the last sync, so it was not uploaded.');
      const buttons = await wb.page.locator('.notification-list-item').filter({ hasText: '"d.txt" changed on the server' })
        .locator('.monaco-button').allInnerTexts();
      assert.deepEqual(buttons.map((b) => b.trim()), ['Merge', 'Compare', 'Overwrite', 'Download']);
      assert.match(await wb.waitForStatusBar('conflict: d.txt'), /conflict: d\.txt/);
      assert.equal(fx.readRemote('d.txt'), 'd: changed on the server meanwhile\n', 'the server copy is not overwritten');
      await wb.screenshot('save-conflict');
      await wb.clickNotificationButton('Compare', /"d\.txt" changed on the server/);
      await wb.waitForDiffEditor('d.txt (remote ↔ local)');
      await waitUntil(async () => {
        const d = await wb.diffTexts();
        return d.original.includes('changed on the server meanwhile') && d.modified.includes('d: my edit');
      }, 'both sides of d.txt in the diff');
      await wb.screenshot('save-conflict-compare');
      assert.equal(fx.readRemote('d.txt'), 'd: changed on the server meanwhile\n', 'still not overwritten');
    });
  });

  test('"Sync: Preview" shows the plan grouped by action, and changes nothing', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      await wb.runCommand('View: Close All Editors');
      await wb.clearNotifications();
      fx.writeLocal('notes/todo.md', '# todo\n');
      fx.writeRemote('css/site.css', 'body { margin: 0; padding: 1em; }\n');
      fx.removeRemote('old.txt');
      const remoteBefore = fx.remoteFiles();
      await wb.runCommand('Sync: Preview');
      await showPlanView(wb, { revealed: true }); // room for the view: its rows are virtualised
      const GROUPS = ['Uploads', 'Downloads', 'Delete locally', 'Conflicts'];
      let rows: Awaited<ReturnType<typeof planViewRows>> = [];
      await waitUntil(async () => {
        rows = await planViewRows(wb);
        return GROUPS.every((g) => rows.some((r) => r.label === g)) && rows.some((r) => r.label === 'd.txt');
      }, 'the groups in the Remote Sync view');
      const labels = rows.map((r) => r.label);
      const under = (group: string) => {
        const i = labels.indexOf(group);
        const out: string[] = [];
        for (let j = i + 1; j < rows.length && rows[j].level > rows[i].level; j++) out.push(rows[j].label);
        return out;
      };
      assert.deepEqual(labels.filter((l) => GROUPS.includes(l)), GROUPS, 'the groups, in this order');
      assert.ok(under('Uploads').includes('todo.md'), `Uploads: ${under('Uploads')}`);
      assert.deepEqual(under('Downloads'), ['site.css']);
      assert.deepEqual(under('Delete locally'), ['old.txt'], 'deleted on the server: the side that loses it is this one');
      assert.deepEqual(under('Conflicts'), ['d.txt']);
      await waitUntil(async () => /Preview: nothing has changed yet/.test(await planViewPane(wb).innerText()), 'the view to say it is a preview');
      // clicking an entry opens its diff
      await planViewPane(wb).locator('.monaco-list-row').filter({ has: wb.page.locator('.label-name', { hasText: /^site\.css$/ }) }).click();
      await wb.waitForDiffEditor('site.css (remote ↔ local)');
      await waitProgressGone(wb);
      await waitUntil(async () => (await wb.diffTexts()).original.includes('padding: 1em'), 'the server side of site.css in the diff');
      assert.deepEqual(fx.remoteFiles(), remoteBefore, 'a preview changes nothing on the server');
      assert.equal(fx.readRemote('css/site.css'), 'body { margin: 0; padding: 1em; }\n');
      assert.equal(fx.readLocal('old.txt'), 'old: first version\n', 'nor locally');
      assert.equal(fx.readLocal('css/site.css'), INITIAL['css/site.css']);
      // cosmetic, for the screenshot: the CSS language features finish activating
      await waitUntil(async () => !(await wb.statusBarText()).some((x) => /Activating Extensions/.test(x)), 'extensions to finish activating', 10_000).catch(() => undefined);
      await wb.screenshot('preview');
      await leavePlanView(wb);
    });
  });

  test('activation time, as VS Code measures it (Developer: Show Running Extensions)', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      const measured = await runningExtensionActivation(wb, 'Remote Sync');
      results.runningExtensions = measured.text;
      results.vscodeActivationMs = measured.ms;
      t.diagnostic(`Remote Sync: ${measured.text} (VS Code's measure: code loading + activate()); activate() itself: ${activationFromLog(server!)} ms (its log line)`);
      await wb.screenshot('running-extensions');
    });
  });
});
