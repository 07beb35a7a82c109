// Issue 7 "the first hour in the editor", end to end: the packaged extension in code-server (driven
// by Playwright in Chromium) against a real sshd on loopback. The workspace starts with only a
// vscode-sftp .vscode/sftp.json whose remotePath does not exist yet on the server. The tests run in
// order and build on each other: the import offer → first save creates the server folders → an
// excluded file is named → conflicts with words above the diff, one after the other → progress of a
// big upload → a preview with split deletions and Apply on a planned download → Select Target and a
// refused login keep the status bar true. Screenshots: test-results/e2e/first-hour-NN-<step>.png.
// Without code-server, Chromium or sshd: fails with the reason under CI, skips otherwise.
import assert from 'node:assert/strict';
import { closeSync, existsSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SshdServer } from '../harness/sshd';
import type { CodeServer } from './harness/code-server';
import { closeEditor, openEditor, sshdOrReason, writeTimings, type EditorContext } from './harness/editor';
import { browserUnavailable, leavePlanView, planViewPane, planViewRows, showPlanView, skipOrFail, step, SyncFixture, waitProgressGone, waitUntil } from './harness/flows';
import type { Workbench } from './harness/workbench';

const T0 = Date.now();
const unavailable = browserUnavailable();
if (unavailable && process.env.CI) test('e2e prerequisites: code-server and Chromium', () => assert.fail(unavailable));

const BIG_MB = Number(process.env.E2E_BIG_MB ?? 200);

describe('the first hour in the editor (SFTP)', { skip: unavailable }, () => {
  let sshd: SshdServer | undefined;
  let fx: SyncFixture;
  let server: CodeServer | undefined;
  let wb: Workbench;
  let missing: string | undefined;
  let home: string;
  const ctx: EditorContext = { timings: {} };
  const results: Record<string, unknown> = {};
  const site = 'home/me/site'; // below the server folder; does not exist until the first save
  // words in the diff editor's title (commands without an icon render their title as text)
  const titleWord = (label: string) => wb.page.locator('.editor-group-container.active .title .editor-actions .action-label')
    .filter({ hasText: new RegExp(`^${label}$`) }).first();
  const titleWords = () => wb.page.locator('.editor-group-container.active .title .editor-actions .action-label').evaluateAll((els) => els.map((e) => (e.textContent ?? '').trim()).filter(Boolean));
  const configText = () => readFileSync(join(fx.ws, '.vscode/remote-sync.json'), 'utf8');

  before(async () => {
    const started = await sshdOrReason();
    if (typeof started === 'string') { missing = started; return; }
    sshd = started;
    fx = new SyncFixture('first-hour', sshd.makeRemoteDir('first-hour'), { uid: sshd.uid, gid: sshd.gid });
    writeFileSync(join(fx.ws, '.vscode/sftp.json'), JSON.stringify({
      name: 'site', protocol: 'sftp', host: '127.0.0.1', port: sshd.port, username: sshd.user,
      privateKeyPath: sshd.keyFile, password: 'an-old-password', remotePath: `${fx.remoteDir}/${site}`,
      uploadOnSave: true, ignore: ['.vscode', '*.log'], watcher: { files: '**/*', autoUpload: true }, remoteTimeOffsetInHours: 0,
    }, null, 2));
    fx.writeLocal('index.html', '<h1>first</h1>\n');
    fx.writeLocal('css/site.css', 'body { margin: 0; }\n');
    fx.writeLocal('a.txt', 'a: first\n');
    fx.writeLocal('b.txt', 'b: first\n');
    fx.writeLocal('gone-here.txt', 'will be deleted locally\n');
    fx.writeLocal('gone-there.txt', 'will be deleted on the server\n');
    fx.writeLocal('debug.log', 'a log file\n');
    // a HOME of its own: the server's host key is not known yet (as for a new user), and trusting it writes here
    home = mkdtempSync(join(tmpdir(), 'rs-e2e-home-'));
    ({ server, wb } = await openEditor(ctx, { workspace: fx.ws, name: 'first-hour', viewport: { width: 1400, height: 820 }, env: { HOME: home } }));
    ctx.timings.setupMs = Date.now() - T0;
  });

  after(async () => {
    await closeEditor(ctx);
    await sshd?.stop();
    fx?.cleanup();
    if (home) rmSync(home, { recursive: true, force: true });
    ctx.timings.totalMs = Date.now() - T0;
    writeTimings('first-hour-timings.json', 'e2e first hour (SFTP)', { ...ctx.timings, ...results });
  });

  test('a folder with only .vscode/sftp.json gets one offer; the import writes remote-sync.json, the password goes to SecretStorage', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      const offer = await wb.waitForNotification(/has vscode-sftp settings/, 30_000);
      assert.match(offer, /Import them into \.vscode\/remote-sync\.json\?/);
      await wb.screenshot('import-offer');
      await wb.clickNotificationButton('Import vscode-sftp settings');
      assert.match(await wb.waitForDialog(/hold a password for "site"/), /hold a password for "site"/);
      await wb.screenshot('import-secret');
      await wb.clickDialogButton('Store in Secret Storage');
      await waitUntil(() => existsSync(join(fx.ws, '.vscode/remote-sync.json')), 'remote-sync.json written');
      const text = configText();
      assert.doesNotMatch(text, /an-old-password/, 'no password in the new file');
      assert.match(text, /Not carried over[\s\S]*- watcher: no file watcher[\s\S]*- remoteTimeOffsetInHours: not needed/);
      assert.match(await wb.waitForNotification(/imported \.vscode\/sftp\.json into \.vscode\/remote-sync\.json/), /1 target: site\)\. 2 settings with no equivalent are listed at the top of the file/);
      await waitUntil(async () => (await wb.activeTabTitle()) === 'remote-sync.json', 'the new config in the editor');
      // JSON with Comments from the start: no "comments are not permitted" problems
      const mode = await wb.page.locator('.statusbar-item[id="status.editor.mode"]').innerText();
      assert.match(mode, /JSON with Comments/);
      await wb.waitForStatusBar('site', 30_000);
      assert.match(server!.logText('Remote Sync.log'), /Stored the imported password for .* in VS Code's secret storage/);
      await wb.screenshot('import-done');
      await wb.clearNotifications();
    });
  });

  test('the first save to a server folder that does not exist yet creates it (root and parents)', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      assert.equal(existsSync(join(fx.remoteDir, site)), false, 'the server folder does not exist yet');
      await wb.openFile('index.html');
      await wb.typeInEditor('<h1>saved</h1>\n', 'replace');
      await wb.save();
      // a new user: the host key is unknown, asked once
      await wb.waitForDialog(/Unknown host 127\.0\.0\.1/);
      await wb.clickDialogButton('Trust and Connect');
      await fx.waitRemote(`${site}/index.html`, '<h1>saved</h1>\n');
      assert.match(await wb.waitForStatusBar('↑ index.html'), /site · ↑ index\.html/);
      await wb.openFile('css/site.css');
      await wb.typeInEditor('body { margin: 1em; }\n', 'replace');
      await wb.save();
      await fx.waitRemote(`${site}/css/site.css`, 'body { margin: 1em; }\n', 'a save into a new subfolder');
      assert.ok(!(await wb.notifications()).some((m) => /failed|rs-tmp/.test(m)), JSON.stringify(await wb.notifications()));
      await wb.screenshot('first-save');
    });
  });

  test('Upload Current File on an excluded file says it is excluded, and by which pattern', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      await wb.openFile('debug.log');
      await wb.runCommand('Sync: Upload Current File');
      assert.match(await wb.waitForNotification(/debug\.log is excluded/), /debug\.log is excluded by "\*\.log" in "ignore", so it is never synced/);
      assert.equal(fx.readRemote(`${site}/debug.log`), undefined);
      await wb.screenshot('excluded');
      await wb.clearNotifications();
    });
  });

  test('conflicts: words in the diff editor title; Keep Local opens the next one ("2 of 2"); Keep Remote; "All conflicts resolved"', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      await wb.runCommand('View: Close All Editors');
      await wb.runCommand('Sync: Upload');
      await fx.waitRemote(`${site}/b.txt`, 'b: first\n');
      await waitProgressGone(wb);
      await wb.clearNotifications();
      fx.writeLocal('a.txt', 'a: mine\n');
      fx.writeRemote(`${site}/a.txt`, 'a: the server\'s, longer\n');
      fx.writeLocal('b.txt', 'b: mine\n');
      fx.writeRemote(`${site}/b.txt`, 'b: the server\'s, longer\n');
      await wb.runCommand('Sync: Bidirectional');
      const first = await wb.waitForDiffEditor(/^[ab]\.txt \(remote ↔ local\) · 1 of 2$/);
      await titleWord('Keep Local').waitFor({ state: 'visible', timeout: 15_000 });
      assert.deepEqual((await titleWords()).filter((w) => ['Keep Local', 'Keep Remote', 'Skip', 'Apply'].includes(w)), ['Keep Local', 'Keep Remote', 'Skip'], 'words, not arrows');
      assert.match(await wb.waitForStatusBar('2 conflicts'), /site · 2 conflicts/);
      await waitProgressGone(wb);
      await wb.screenshot('conflict-words');
      const firstName = first.split(' ')[0];
      const secondName = firstName === 'a.txt' ? 'b.txt' : 'a.txt';
      await titleWord('Keep Local').click();
      await fx.waitRemote(`${site}/${firstName}`, `${firstName[0]}: mine\n`, 'Keep Local uploaded mine');
      await wb.waitForDiffEditor(`${secondName} (remote ↔ local) · 2 of 2`);
      assert.match(await wb.waitForStatusBar('1 conflict'), /site · .*1 conflict$/);
      await titleWord('Keep Remote').waitFor({ state: 'visible', timeout: 15_000 });
      await wb.screenshot('conflict-next');
      await titleWord('Keep Remote').click();
      await fx.waitLocal(secondName, `${secondName[0]}: the server's, longer\n`, 'Keep Remote downloaded the server\'s');
      await wb.waitForNotification('All conflicts resolved');
      await waitUntil(async () => !(await wb.statusBarText()).some((x) => /conflict/.test(x)), 'no conflict left in the status bar');
      await wb.screenshot('all-resolved');
      await wb.clearNotifications();
    });
  });

  test(`progress of a big upload (${BIG_MB} MB): bytes, percent, rate and time left in the notification and the status bar`, async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      const fd = openSync(join(fx.ws, 'big.iso'), 'w');
      ftruncateSync(fd, BIG_MB * 1_000_000);
      closeSync(fd);
      // a limit, so that the transfer lasts long enough to be seen on any machine (bandwidthLimit
      // applies to the editor's syncs too): 200 MB at 25 MB/s ≈ 8 s
      const reloads = (server!.logText('Remote Sync.log').match(/Config reloaded/g) ?? []).length;
      const cfg = JSON.parse(configText().replace(/^\/\/.*$/gm, '')) as Record<string, unknown>;
      writeFileSync(join(fx.ws, '.vscode/remote-sync.json'), JSON.stringify({ ...cfg, bandwidthLimit: '25M' }, null, 2));
      await waitUntil(() => (server!.logText('Remote Sync.log').match(/Config reloaded/g) ?? []).length > reloads, 'the config reloaded with a bandwidth limit');
      const started = Date.now();
      await wb.runCommand('Sync: Upload');
      const line = await wb.waitForNotification(/\d+% · [\d.]+ [kMG]B of [\d.]+ [MG]B · [\d.]+ [kMG]?B\/s · .* left/, 60_000);
      results.progressLine = line;
      const status = await wb.waitForStatusBar(/Upload 0\/1 · \d+% · [\d.]+ [kMG]?B\/s · big\.iso/, 20_000);
      results.progressStatus = status;
      await wb.screenshot('progress');
      assert.match(line, /Upload → site/);
      assert.match(line, /big\.iso/);
      assert.doesNotMatch(status, /site.*site/, 'the target once');
      await waitUntil(() => statSync(join(fx.remoteDir, site, 'big.iso'), { throwIfNoEntry: false })?.size === BIG_MB * 1_000_000, 'big.iso on the server', 180_000, 500);
      await waitProgressGone(wb, 180_000);
      const took = Date.now() - started;
      results.bigUploadMs = took;
      assert.ok(took >= (BIG_MB / 25) * 1000 * 0.6, `the bandwidth limit held the upload back (${took} ms for ${BIG_MB} MB at 25 MB/s)`);
      const again = (server!.logText('Remote Sync.log').match(/Config reloaded/g) ?? []).length;
      writeFileSync(join(fx.ws, '.vscode/remote-sync.json'), JSON.stringify(cfg, null, 2));
      await waitUntil(() => (server!.logText('Remote Sync.log').match(/Config reloaded/g) ?? []).length > again, 'the config reloaded without the limit');
      rmSync(join(fx.ws, 'big.iso'));
      rmSync(join(fx.remoteDir, site, 'big.iso'), { force: true });
      await wb.clearNotifications();
    });
  });

  test('preview: deletions split by the side that loses the file, distinct icons; a planned download opens with Apply / Skip', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      await wb.runCommand('View: Close All Editors');
      await wb.runCommand('Sync: Bidirectional'); // big.iso was removed on both sides: forget it
      await waitProgressGone(wb);
      await wb.clearNotifications();
      fx.removeRemote(`${site}/gone-here.txt`);
      rmSync(join(fx.ws, 'gone-there.txt'));
      fx.writeRemote(`${site}/css/site.css`, 'body { margin: 2em; }\n');
      await wb.runCommand('Sync: Preview');
      await showPlanView(wb, { revealed: true });
      let rows: Awaited<ReturnType<typeof planViewRows>> = [];
      await waitUntil(async () => {
        rows = await planViewRows(wb);
        return ['Downloads', 'Delete on the server', 'Delete locally'].every((g) => rows.some((r) => r.label === g));
      }, 'the split deletion groups');
      assert.deepEqual(rows.find((r) => r.label === 'gone-there.txt')?.description, 'will be deleted on the server');
      assert.deepEqual(rows.find((r) => r.label === 'gone-here.txt')?.description, 'will be deleted here');
      const title = planViewPane(wb).locator('.pane-header .actions');
      await planViewPane(wb).locator('.pane-header').hover();
      assert.equal(await title.locator('.codicon-eye').count(), 1, 'Preview: an eye');
      assert.equal(await title.locator('.codicon-arrow-swap').count(), 1, 'the writing sync: arrows both ways');
      const writing = await title.locator('.codicon-arrow-swap').first().getAttribute('aria-label');
      assert.match(writing ?? '', /Sync Both Ways Now: upload and download the changes/);
      await waitUntil(async () => /Preview: nothing has changed yet/.test(await planViewPane(wb).innerText()), 'the preview header');
      await wb.screenshot('preview-split');
      await planViewPane(wb).locator('.monaco-list-row').filter({ has: wb.page.locator('.label-name', { hasText: /^site\.css$/ }) }).click();
      await wb.waitForDiffEditor('site.css (remote ↔ local)');
      await titleWord('Apply').waitFor({ state: 'visible', timeout: 15_000 });
      const words = await titleWords();
      assert.ok(words.includes('Apply') && words.includes('Skip') && !words.includes('Keep Local'), JSON.stringify(words));
      await wb.screenshot('planned-download');
      await titleWord('Apply').click();
      await fx.waitLocal('css/site.css', 'body { margin: 2em; }\n');
      await waitUntil(async () => /Preview: 1 entry applied; the rest has not changed yet/.test(await planViewPane(wb).innerText()), 'the header stays true');
      assert.equal(fx.readRemote(`${site}/gone-there.txt`), 'will be deleted on the server\n', 'the rest is unchanged');
      await leavePlanView(wb);
      await wb.clearNotifications();
    });
  });

  test('status bar: Select Target shows no stale result; a refused login shows the error and Set Password asks nothing more', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      await wb.runCommand('View: Close All Editors');
      const cfg = JSON.parse(configText().replace(/^\/\/.*$/gm, '')) as { targets: Record<string, Record<string, unknown>> };
      cfg.targets.stranger = { protocol: 'sftp', host: '127.0.0.1', port: sshd!.port, user: 'no-such-user', remotePath: '/tmp', agent: false };
      const reloads = (server!.logText('Remote Sync.log').match(/Config reloaded/g) ?? []).length;
      writeFileSync(join(fx.ws, '.vscode/remote-sync.json'), JSON.stringify(cfg, null, 2));
      await waitUntil(() => (server!.logText('Remote Sync.log').match(/Config reloaded/g) ?? []).length > reloads, 'the config reloaded');
      assert.match(await wb.waitForStatusBar(/site · /), /site · /, 'a last result for "site"');
      await wb.runCommand('Sync: Select Target');
      await wb.pickQuickInput('stranger');
      await waitUntil(async () => (await wb.statusBarText()).some((x) => x === 'stranger'), 'the new target alone, without the old result');
      await wb.runCommand('Sync: Upload');
      await wb.quickInput.locator('.quick-input-box input').waitFor({ state: 'visible' });
      await wb.answerInputBox('wrong');
      const err = await wb.waitForNotification(/login|refused|authentication/i, 30_000);
      assert.doesNotMatch(err, /REMOTE_SYNC_PASSWORD|netrc|--identity/, 'the editor\'s words, not the CLI\'s');
      assert.match(await wb.waitForStatusBar('login refused'), /stranger · login refused/);
      await wb.screenshot('login-refused');
      await wb.clickNotificationButton('Set Password');
      await wb.quickInput.locator('.quick-input-box input').waitFor({ state: 'visible' });
      const prompt = await wb.quickInput.locator('.quick-input-message').innerText();
      assert.match(prompt, /password for no-such-user@127\.0\.0\.1/, `straight to the password of that target: ${prompt}`);
      await wb.closeQuickInput();
      await wb.runCommand('Sync: Select Target');
      await wb.pickQuickInput('site');
      await waitUntil(async () => (await wb.statusBarText()).some((x) => x === 'site'), 'back to "site", no stale error');
    });
  });

  test('the walkthrough is there on demand (Welcome: Open Walkthrough…), with its four steps', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      await wb.runCommand('Welcome: Open Walkthrough...');
      await wb.pickQuickInput(/Get started with Remote Sync/);
      const page = wb.page.locator('.gettingStartedContainer');
      await page.waitFor({ state: 'visible', timeout: 20_000 });
      for (const title of ['Create or import a config', 'Set a password or a key', 'Preview the first sync', 'Turn on upload on save']) {
        await page.locator('.step-title', { hasText: title }).first().waitFor({ state: 'visible', timeout: 10_000 });
      }
      await wb.screenshot('walkthrough');
    });
  });
});
