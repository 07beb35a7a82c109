// The same extension against a real FTP daemon (pure-ftpd, plain FTP on loopback): the password is
// asked for once in an input box (and kept in SecretStorage), a first "Sync: Upload", a save goes to
// the server, and "Sync: Download" brings a server-side change into the workspace and the open editor.
// Screenshots: test-results/e2e/flows-ftp-NN-<step>.png. Without code-server, Chromium or the FTP
// daemon: fails with the reason under CI, skips otherwise.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startFtpd, type FtpdServer } from '../harness/ftpd';
import { ensureTestUser } from '../harness/users';
import type { CodeServer } from './harness/code-server';
import { closeEditor, openEditor, writeTimings, type EditorContext } from './harness/editor';
import { browserUnavailable, skipOrFail, step, SyncFixture, waitProgressGone, waitUntil } from './harness/flows';
import type { Workbench } from './harness/workbench';

const T0 = Date.now();
const unavailable = browserUnavailable();
if (unavailable && process.env.CI) test('e2e prerequisites: code-server and Chromium', () => assert.fail(unavailable));

const INITIAL: Record<string, string> = {
  'index.php': '<?php echo "hello";\n',
  'assets/app.js': 'console.log("v1");\n',
  'readme.txt': 'first version\n',
};

describe('user flows in code-server against an FTP daemon', { skip: unavailable }, () => {
  let ftpd: FtpdServer | undefined;
  let fx: SyncFixture;
  let server: CodeServer | undefined;
  let wb: Workbench;
  let missing: string | undefined;
  let ftpPath = '';
  const ctx: EditorContext = { timings: {} };

  before(async () => {
    const started = await startFtpd({ tls: 'none' });
    const user = ensureTestUser();
    if ('skip' in started || 'skip' in user) {
      missing = `FTP daemon: ${'skip' in started ? started.skip : (user as { skip: string }).skip}`;
      if (process.env.CI) throw new Error(missing);
      if (!('skip' in started)) await started.stop();
      return;
    }
    ftpd = started;
    const dir = ftpd.makeRemoteDir('e2e');
    ftpPath = dir.ftpPath;
    fx = new SyncFixture('ftp', dir.absolute, { uid: user.uid, gid: user.gid });
    fx.writeConfig({
      targets: { ftp: { url: `ftp://${ftpd.user}@127.0.0.1:${ftpd.port}${dir.ftpPath}` } },
      uploadOnSave: true,
      conflictPolicy: 'ask',
      ignore: ['.vscode/'],
    });
    for (const [rel, text] of Object.entries(INITIAL)) fx.writeLocal(rel, text);
    ({ server, wb } = await openEditor(ctx, { workspace: fx.ws, name: 'flows-ftp', viewport: { width: 1400, height: 800 } }));
    ctx.timings.setupMs = Date.now() - T0;
  });

  after(async () => {
    await closeEditor(ctx);
    await ftpd?.stop();
    fx?.cleanup();
    ctx.timings.totalMs = Date.now() - T0;
    writeTimings('flows-ftp-timings.json', 'e2e flows (FTP) timings (ms)', ctx.timings);
  });

  test('first "Sync: Upload" asks for the password once, then uploads the folder', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      await wb.waitForStatusBar('ftp', 30_000);
      await wb.runCommand('Sync: Upload');
      await wb.quickInput.locator('.quick-input-box input').waitFor({ state: 'visible' });
      const prompt = await wb.quickInput.locator('.quick-input-message').innerText();
      assert.match(prompt, new RegExp(`password for ${ftpd!.user}@127\\.0\\.0\\.1:${ftpd!.port}`), `the input box asks for the password: ${prompt}`);
      assert.equal(await wb.quickInput.locator('.quick-input-box input').getAttribute('type'), 'password');
      await wb.screenshot('password-prompt');
      await wb.answerInputBox(ftpd!.password);
      for (const [rel, text] of Object.entries(INITIAL)) await fx.waitRemote(rel, text);
      assert.match(await wb.waitForNotification(/Upload: Uploaded 3,/), /Uploaded 3, downloaded 0, deleted 0, 0 conflicts left, 0 errors/);
      assert.match(server!.logText('Remote Sync.log'), /Stored the password in VS Code's secret storage/);
      await waitProgressGone(wb);
      await wb.screenshot('first-upload');
      await wb.clearNotifications();
    });
  });

  test('save → the file is on the FTP server (no second password prompt)', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      await wb.openFile('assets/app.js');
      await wb.typeInEditor('console.log("v2, saved");\n', 'replace');
      await wb.save();
      await fx.waitRemote('assets/app.js', 'console.log("v2, saved");\n');
      assert.match(await wb.waitForStatusBar('↑ app.js'), /ftp · ↑ app\.js/);
      assert.ok(!(await wb.quickInput.isVisible()), 'no password prompt');
      await wb.screenshot('save-upload');
    });
  });

  test('"Sync: Download" brings a server-side change into the workspace and the open editor', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      await wb.openFile('readme.txt');
      fx.writeRemote('readme.txt', 'changed on the FTP server\n');
      await wb.runCommand('Sync: Download');
      await fx.waitLocal('readme.txt', 'changed on the FTP server\n');
      assert.match(await wb.waitForNotification(/Download: Uploaded 0, downloaded 1,/), /downloaded 1, deleted 0, 0 conflicts left, 0 errors/);
      await waitUntil(async () => (await wb.editorText()).includes('changed on the FTP server'), 'the open editor to show the downloaded text');
      assert.equal(fx.readRemote('assets/app.js'), 'console.log("v2, saved");\n', 'nothing else changed');
      await waitProgressGone(wb);
      await wb.screenshot('download');
    });
  });

  test('a config pointing at a server folder that does not exist yet: the first save creates it (no "553")', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      await wb.clearNotifications();
      fx.writeConfig({
        targets: { ftp: { url: `ftp://${ftpd!.user}@127.0.0.1:${ftpd!.port}${ftpPath}/new/site` } },
        uploadOnSave: true,
        ignore: ['.vscode/'],
      });
      await waitUntil(() => /Config reloaded/.test(server!.logText('Remote Sync.log')), 'the config reloaded');
      await wb.openFile('index.php');
      await wb.typeInEditor('<?php echo "first save";\n', 'replace');
      await wb.save();
      await fx.waitRemote('new/site/index.php', '<?php echo "first save";\n', 'index.php in the new server folder');
      assert.match(await wb.waitForStatusBar('↑ index.php'), /ftp · ↑ index\.php/);
      await wb.openFile('assets/app.js');
      await wb.typeInEditor('console.log("v3");\n', 'replace');
      await wb.save();
      await fx.waitRemote('new/site/assets/app.js', 'console.log("v3");\n', 'a save into a new subfolder');
      assert.ok(!(await wb.notifications()).some((m) => /553|failed|rs-tmp/.test(m)), JSON.stringify(await wb.notifications()));
      await wb.screenshot('first-save-new-folder');
    });
  });
});
