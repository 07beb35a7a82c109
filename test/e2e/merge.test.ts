// Three-way merge in the editor (issue 9), end to end: the packaged extension in code-server
// (Playwright + Chromium) against a real sshd on loopback, with "conflictPolicy": "merge".
// 1. Sync: Bidirectional merges a file changed on both sides in different lines (no question).
// 2. Overlapping changes stay a conflict; Merge (editor title) opens VS Code's merge editor with the
//    common version as base; the settled result, saved, is uploaded and the conflict is gone.
// Screenshots: test-results/e2e/merge-sftp-NN-<step>.png.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SshdServer } from '../harness/sshd';
import type { CodeServer } from './harness/code-server';
import { closeEditor, openEditor, sftpWorkspace, sshdOrReason, type EditorContext } from './harness/editor';
import { browserUnavailable, logSince, planViewRows, skipOrFail, step, SyncFixture, waitProgressGone, waitUntil } from './harness/flows';
import type { Workbench } from './harness/workbench';

const unavailable = browserUnavailable();
if (unavailable && process.env.CI) test('e2e prerequisites: code-server and Chromium', () => assert.fail(unavailable));

const BASE = 'line 1\nline 2\nline 3\nline 4\nline 5\n';
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('three-way merge in code-server against sshd (SFTP)', { skip: unavailable }, () => {
  let sshd: SshdServer | undefined;
  let fx: SyncFixture;
  let server: CodeServer | undefined;
  let wb: Workbench;
  let missing: string | undefined;
  const ctx: EditorContext = { timings: {} };

  before(async () => {
    const started = await sshdOrReason();
    if (typeof started === 'string') { missing = started; return; }
    sshd = started;
    fx = sftpWorkspace(sshd, 'merge', 'e2e-merge', 'merge');
    fx.writeLocal('clean.txt', BASE);
    fx.writeLocal('clash.txt', BASE);
    ({ server, wb } = await openEditor(ctx, { workspace: fx.ws, name: 'merge-sftp', viewport: { width: 1400, height: 900 } }));
  });

  after(async () => {
    await closeEditor(ctx);
    await sshd?.stop();
    fx?.cleanup();
  });

  test('a first upload keeps the common versions', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      await wb.waitForStatusBar('loopback', 30_000);
      await wb.runCommand('Sync: Upload');
      await fx.waitRemote('clean.txt', BASE);
      await fx.waitRemote('clash.txt', BASE);
      await wb.waitForNotification(/Upload: Uploaded 2,/);
      await waitProgressGone(wb);
      await wb.clearNotifications();
    });
  });

  test('Sync: Bidirectional merges changes to different lines: both sides get both', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      await pause(1100); // a new mtime second on the server (SFTP reports whole seconds)
      fx.writeLocal('clean.txt', BASE.replace('line 1', 'line 1 (local)'));
      fx.writeRemote('clean.txt', BASE.replace('line 5', 'line 5 (server)'));
      await wb.runCommand('Sync: Bidirectional');
      const merged = 'line 1 (local)\nline 2\nline 3\nline 4\nline 5 (server)\n';
      await fx.waitRemote('clean.txt', merged, 'the merged clean.txt on the server');
      await fx.waitLocal('clean.txt', merged, 'the merged clean.txt in the workspace');
      assert.match(await wb.waitForNotification(/Bidirectional: Uploaded 0, downloaded 0, merged 1/), /merged 1, deleted 0, 0 conflicts left, 0 errors/);
      assert.match(await wb.waitForStatusBar('⇅1'), /loopback · ⇅1/);
      await waitProgressGone(wb);
      await wb.screenshot('bidirectional-clean-merge');
      await wb.clearNotifications();
    });
  });

  test('overlapping changes: Merge opens the merge editor; the saved result is uploaded and the conflict is gone', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      await pause(1100);
      fx.writeLocal('clash.txt', BASE.replace('line 1', 'line 1 (local)').replace('line 3', 'line 3 (local)'));
      fx.writeRemote('clash.txt', BASE.replace('line 3', 'line 3 (server)').replace('line 5', 'line 5 (server)'));
      await wb.runCommand('Sync: Bidirectional');
      await wb.waitForDiffEditor('clash.txt (remote ↔ local)');
      assert.match(await wb.waitForNotification(/Bidirectional: .*1 conflict left/), /1 conflict left/);
      assert.match(fx.readRemote('clash.txt')!, /line 3 \(server\)/, 'nothing written to the server');
      assert.match(fx.readLocal('clash.txt')!, /line 3 \(local\)/, 'nothing written locally');
      await waitProgressGone(wb);
      await wb.clearNotifications();
      await wb.clickEditorTitleAction('Merge');
      await waitUntil(async () => (await wb.tabTitles()).some((x) => /clash\.txt/.test(x) && /Merg/.test(x)), 'the merge editor tab', 20_000)
        .catch(async () => { throw new Error(`no merge editor; tabs: ${JSON.stringify(await wb.tabTitles())}`); });
      await wb.waitForNotification(/"clash\.txt" has overlapping changes in 1 place/);
      await wb.screenshot('merge-editor');
      // settle it the way a user would: take the server's side and yours (both lines kept)
      await wb.runCommand('Merge Editor: Accept All Changes from Left');
      await wb.runCommand('Merge Editor: Accept All Changes from Right');
      await wb.screenshot('merge-editor-settled');
      await wb.runCommand('File: Save');
      await waitUntil(() => {
        const r = fx.readRemote('clash.txt') ?? '';
        return r === fx.readLocal('clash.txt') && ['line 1 (local)', 'line 3 (server)', 'line 3 (local)', 'line 5 (server)'].every((l) => r.includes(l));
      }, 'the merged result on the server and in the workspace', 30_000)
        .catch((e) => { throw new Error(`${(e as Error).message}; server: ${JSON.stringify(fx.readRemote('clash.txt'))}; local: ${JSON.stringify(fx.readLocal('clash.txt'))}`); });
      await wb.waitForNotification(/merged "clash\.txt" and uploaded the result/);
      await wb.screenshot('merge-editor-uploaded');
      await wb.runCommand('View: Close All Editors');
      await wb.clearNotifications();
      const mark = server!.logText('Remote Sync.log').length;
      await wb.runCommand('Sync: Bidirectional');
      assert.match(await wb.waitForNotification(/Bidirectional: Nothing to do/), /Nothing to do/);
      await waitUntil(() => /Bidirectional: Nothing to do/.test(logSince(server!, mark)), '"Nothing to do" in the log');
      await waitProgressGone(wb);
      await wb.clearNotifications();
    });
  });

  test('with "ask": Merge on a clean conflict writes both sides at once; Undo puts the local file back and the conflict with it', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      const mark = server!.logText('Remote Sync.log').length;
      fx.writeConfig({
        targets: {
          loopback: { url: `sftp://${sshd!.user}@127.0.0.1:${sshd!.port}${fx.remoteDir}`, privateKey: sshd!.keyFile, knownHosts: sshd!.knownHostsFile },
        },
        uploadOnSave: true,
        conflictPolicy: 'ask',
        ignore: ['.vscode/'],
      });
      await waitUntil(() => /Config reloaded/.test(logSince(server!, mark)), 'the config reload in the log');
      await pause(1100);
      const local = fx.readLocal('clash.txt')!;
      const mine = local + 'mine\n';
      fx.writeLocal('clash.txt', mine);
      fx.writeRemote('clash.txt', 'theirs\n' + local);
      await wb.runCommand('Sync: Bidirectional');
      await wb.waitForDiffEditor('clash.txt (remote ↔ local)');
      assert.equal(fx.readLocal('clash.txt'), mine, 'ask: nothing merged by the run');
      await waitProgressGone(wb);
      await wb.clearNotifications();
      await wb.clickEditorTitleAction('Merge');
      const both = 'theirs\n' + mine;
      await fx.waitRemote('clash.txt', both, 'the merged file on the server');
      await fx.waitLocal('clash.txt', both, 'the merged file in the workspace');
      await wb.waitForNotification(/merged "clash\.txt": your changes and the server's are now on both sides/);
      await waitUntil(async () => !(await wb.tabTitles()).includes('clash.txt (remote ↔ local)'), 'the conflict diff to close');
      await wb.screenshot('merge-clean-undo-offer');
      await wb.clickNotificationButton('Undo', /merged "clash\.txt"/);
      await fx.waitLocal('clash.txt', mine, 'the local file as it was before the merge');
      await wb.waitForNotification(/merge undone: "clash\.txt" is as it was locally; the conflict is back/);
      assert.equal(fx.readRemote('clash.txt'), both, 'the server keeps the merged file');
      await wb.clearNotifications();
      // the conflict is back: a preview lists it
      await wb.runCommand('Sync: Preview');
      await waitUntil(async () => (await planViewRows(wb)).some((r) => r.label === 'clash.txt'), 'clash.txt as a conflict in the Remote Sync view');
      await wb.screenshot('merge-undone');
    });
  });
});
