// Issue 8 items 1-2 end to end: the "Remote Sync: Server" view in its own activity-bar container, in
// code-server against a real sshd on loopback. After a first upload the server gets a change and a
// file of its own, the workspace a local change: the view lists the server's folder with each entry's
// status (git-like letters, the same letters on the Explorer's local files), and opening the file only
// the server has downloads it into the workspace and opens it there. With "downloadOnOpen", opening a
// file the server changed shows the server's version (downloaded first, the local copy was unchanged).
// With "watchServer", a change on the server to the open editor's file is announced by the watch; with
// "watch", a build script writing dist/ files outside the editor gets them onto the server.
// Screenshots: test-results/e2e/server-view-NN-<step>.png. Without code-server, Chromium or sshd:
// fails with the reason under CI, skips otherwise.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import type { Browser, Locator } from 'playwright-core';
import { startSshd, type SshdServer } from '../harness/sshd';
import { startCodeServer, type CodeServer } from './harness/code-server';
import { browserUnavailable, packagedVsix, skipOrFail, step, SyncFixture, waitProgressGone, waitUntil, type StepContext } from './harness/flows';
import { launchBrowser, Workbench } from './harness/workbench';

const unavailable = browserUnavailable();
if (unavailable && process.env.CI) test('e2e prerequisites: code-server and Chromium', () => assert.fail(unavailable));

const FILES: Record<string, string> = {
  'index.html': '<h1>Hello</h1>\n',
  'b.txt': 'b\n',
  'css/site.css': 'body { color: black; }\n',
};

/** the letter a file decoration paints after a row's label (CSS ::after content), or '' */
async function badgeOf(row: Locator): Promise<string> {
  return row.evaluate((el) => {
    for (const n of [el, ...Array.from(el.querySelectorAll('*'))]) {
      const c = (globalThis as unknown as { getComputedStyle: (e: unknown, p: string) => { content: string } }).getComputedStyle(n, '::after').content;
      const m = /^"(.{1,2})"$/.exec(c);
      if (m && m[1].trim()) return m[1];
    }
    return '';
  });
}

describe('the server view in code-server against sshd', { skip: unavailable }, () => {
  let sshd: SshdServer | undefined;
  let fx: SyncFixture;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let wb: Workbench;
  let missing: string | undefined;
  const ctx: StepContext = { timings: {} };

  before(async () => {
    const started = await startSshd();
    if ('skip' in started) {
      missing = `sshd: ${started.skip}`;
      if (process.env.CI) throw new Error(missing);
      return;
    }
    sshd = started;
    fx = new SyncFixture('server-view', sshd.makeRemoteDir('e2e-server-view'), { uid: sshd.uid, gid: sshd.gid });
    fx.writeConfig({
      targets: { web: { url: `sftp://${sshd.user}@127.0.0.1:${sshd.port}${fx.remoteDir}`, privateKey: sshd.keyFile, knownHosts: sshd.knownHostsFile } },
      uploadOnSave: true,
      downloadOnOpen: true,
      watchServer: { intervalSeconds: 10 },
      watch: { files: ['dist/**'] },
      ignore: ['.vscode/'],
    });
    for (const [rel, text] of Object.entries(FILES)) fx.writeLocal(rel, text);
    server = await startCodeServer({ workspace: fx.ws, vsix: packagedVsix() });
    ctx.server = server;
    browser = await launchBrowser();
    wb = await Workbench.open(browser, server.url, { name: 'server-view', viewport: { width: 1200, height: 760 } });
    ctx.wb = wb;
  });

  after(async () => {
    await wb?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await sshd?.stop();
    fx?.cleanup();
  });

  const pane = () => wb.page.locator('.pane').filter({ has: wb.page.locator('.pane-header[aria-label^="Server"]') });
  const serverRow = (name: string) => pane().locator('.monaco-list-row').filter({ has: wb.page.locator('.label-name', { hasText: new RegExp(`^${name.replace('.', '\\.')}$`) }) }).first();
  const explorerRow = (name: string) => wb.page.locator('.explorer-folders-view .monaco-list-row')
    .filter({ has: wb.page.locator('.label-name', { hasText: new RegExp(`^${name.replace('.', '\\.')}$`) }) }).first();

  test('the view lists the server folder with each entry\'s status; the Explorer shows the same letters', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      await wb.waitForStatusBar('web', 30_000);
      await wb.runCommand('Sync: Upload');
      for (const [rel, text] of Object.entries(FILES)) await fx.waitRemote(rel, text);
      await waitProgressGone(wb);
      await wb.clearNotifications();
      // after the sync: a change on the server, a file only the server has, a change here
      fx.writeRemote('index.html', '<h1>Hello from the server</h1>\n');
      fx.writeRemote('docs/guide.md', '# Guide, written on the server\n');
      fx.writeLocal('b.txt', 'b, changed here\n');

      await wb.runCommand('Remote Sync: Focus on Server View');
      await serverRow('docs').waitFor({ state: 'visible', timeout: 20_000 });
      const names = await pane().locator('.monaco-list-row .label-name').allInnerTexts();
      assert.deepEqual(names.map((n) => n.trim()), ['css', 'docs', 'b.txt', 'index.html']);
      const badges = await waitUntil(async () => {
        const b = { docs: await badgeOf(serverRow('docs')), index: await badgeOf(serverRow('index.html')), b: await badgeOf(serverRow('b.txt')), css: await badgeOf(serverRow('css')) };
        return b.docs && b.index && b.b ? b : undefined;
      }, 'the decorations in the server view', 15_000);
      assert.deepEqual(badges, { docs: 'R', index: 'S', b: 'M', css: '' });
      await wb.screenshot('statuses');

      await wb.runCommand('View: Show Explorer');
      await explorerRow('b.txt').waitFor({ state: 'visible' });
      assert.equal(await waitUntil(async () => badgeOf(explorerRow('b.txt')), 'the M on b.txt in the Explorer'), 'M');
      assert.equal(await badgeOf(explorerRow('index.html')), 'S');
      await wb.screenshot('explorer-letters');
    });
  });

  test('opening a file only the server has downloads it into the workspace and opens it there', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      await wb.runCommand('Remote Sync: Focus on Server View');
      await serverRow('docs').click();
      await serverRow('guide.md').waitFor({ state: 'visible', timeout: 15_000 });
      assert.equal(await waitUntil(async () => badgeOf(serverRow('guide.md')), 'the R on guide.md', 10_000), 'R');
      assert.equal(fx.readLocal('docs/guide.md'), undefined);
      await serverRow('guide.md').click();
      await wb.activeTab('guide.md').waitFor({ state: 'visible', timeout: 20_000 });
      await waitUntil(() => fx.readLocal('docs/guide.md') === '# Guide, written on the server\n', 'docs/guide.md downloaded');
      assert.match(await wb.editorText(), /Guide, written on the server/);
      // the local copy is open (a file: URI, editable), not the read-only server copy
      assert.ok(!(await wb.activeTab().getAttribute('aria-label'))?.includes('remote-sync'));
      await waitUntil(async () => (await badgeOf(serverRow('guide.md'))) === '', 'guide.md in sync after the download', 15_000);
      await wb.screenshot('opened-server-only');
    });
  });

  test('download on open: opening a file the server changed shows the server\'s version', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      // index.html changed on the server after the first upload (the first test); the local copy did not
      assert.equal(fx.readLocal('index.html'), '<h1>Hello</h1>\n');
      await wb.openFile('index.html');
      await waitUntil(async () => /Hello from the server/.test(await wb.editorText()), 'the editor to show the server\'s version', 15_000);
      assert.equal(fx.readLocal('index.html'), '<h1>Hello from the server</h1>\n');
      const line = /Download on open: index\.html: download \(server checked in (\d+) ms\)/.exec(server!.logText('Remote Sync.log'));
      assert.ok(line, 'the check is logged with its time');
      console.log(`download on open: the server was checked in ${line[1]} ms`);
      await wb.runCommand('Remote Sync: Focus on Server View');
      await waitUntil(async () => (await badgeOf(serverRow('index.html'))) === '', 'index.html in sync in the server view', 15_000);
      await wb.screenshot('download-on-open');
    });
  });

  test('the server watch announces a change to the open editor\'s file; Download brings it into the editor', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      await wb.clearNotifications();
      await wb.openFile('css/site.css');
      // download on open checks the file first: the server change comes after that check
      await waitUntil(() => /Download on open: css\/site\.css: none/.test(server!.logText('Remote Sync.log')), 'the open check of site.css');
      fx.writeRemote('css/site.css', 'body { color: teal; } /* from the server */\n');
      // the next check (every 10 s while focused) finds it
      const text = await wb.waitForNotification(/site\.css changed on the server — Compare \/ Download/, 35_000);
      assert.match(text, /site\.css changed on the server/);
      assert.match((await wb.statusBarText()).join(' '), /⇣\d/);
      await wb.screenshot('watch-announces');
      await wb.clickNotificationButton('Download', /site\.css changed on the server/);
      await waitUntil(async () => /from the server/.test(await wb.editorText()), 'the editor to show the server\'s version', 15_000);
      assert.equal(fx.readLocal('css/site.css'), 'body { color: teal; } /* from the server */\n');
      assert.match(server!.logText('Remote Sync.log'), /Server check: \d+ changes? on "web" \(\d+ files listed in \d+ ms\)/);
    });
  });

  test('watch: a build script writing dist/ files outside the editor gets them onto the server', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      const build = `const fs=require('fs');fs.mkdirSync('dist/js',{recursive:true});` +
        `for (const n of ['app','vendor','util']) fs.writeFileSync('dist/js/'+n+'.js','// built '+n+'\\n');fs.writeFileSync('dist/index.html','<h1>built</h1>\\n');`;
      const r = spawnSync(process.execPath, ['-e', build], { cwd: fx.ws, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      for (const n of ['app', 'vendor', 'util']) await fx.waitRemote(`dist/js/${n}.js`, `// built ${n}\n`);
      await fx.waitRemote('dist/index.html', '<h1>built</h1>\n');
      await waitUntil(() => /Watch: uploaded \d+ of \d+ changed files/.test(server!.logText('Remote Sync.log')), 'the watch batch in the log');
      const batches = server!.logText('Remote Sync.log').match(/Watch: uploaded \d+ of \d+ changed files/g) ?? [];
      console.log(`watch: ${batches.length} batch(es): ${batches.join('; ')}`);
      await wb.screenshot('watch-uploaded');
    });
  });
});
