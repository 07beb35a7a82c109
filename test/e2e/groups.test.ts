// Server groups in the editor (issue 8, item 6), end to end: the packaged extension in code-server
// (Playwright + Chromium) against a real sshd on loopback, with a group of two SFTP targets (two
// folders on the server) as the target: Sync: Upload and one save reach both members.
// Screenshots: test-results/e2e/groups-sftp-NN-<step>.png.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startSshd, type SshdServer } from '../harness/sshd';
import { startCodeServer, type CodeServer } from './harness/code-server';
import { browserUnavailable, packagedVsix, skipOrFail, step, SyncFixture, waitProgressGone, waitUntil, type StepContext } from './harness/flows';
import { launchBrowser, Workbench } from './harness/workbench';

const unavailable = browserUnavailable();
if (unavailable && process.env.CI) test('e2e prerequisites: code-server and Chromium', () => assert.fail(unavailable));

describe('a server group of two SFTP targets in code-server', { skip: unavailable }, () => {
  let sshd: SshdServer | undefined;
  let fx: SyncFixture;
  let web2Dir = '';
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let wb: Workbench;
  let missing: string | undefined;
  const ctx: StepContext = { timings: {} };
  const read2 = (rel: string) => { try { return readFileSync(join(web2Dir, rel), 'utf8'); } catch { return undefined; } };

  before(async () => {
    const started = await startSshd();
    if ('skip' in started) {
      missing = `sshd: ${started.skip}`;
      if (process.env.CI) throw new Error(missing);
      return;
    }
    sshd = started;
    fx = new SyncFixture('groups', sshd.makeRemoteDir('e2e-group-web1'), { uid: sshd.uid, gid: sshd.gid });
    web2Dir = sshd.makeRemoteDir('e2e-group-web2');
    const url = (dir: string) => `sftp://${sshd!.user}@127.0.0.1:${sshd!.port}${dir}`;
    fx.writeConfig({
      targets: {
        web1: { url: url(fx.remoteDir), privateKey: sshd.keyFile, knownHosts: sshd.knownHostsFile },
        web2: { url: url(web2Dir), privateKey: sshd.keyFile, knownHosts: sshd.knownHostsFile },
        all: { group: ['web1', 'web2'] },
      },
      defaultTarget: 'all',
      uploadOnSave: true,
      ignore: ['.vscode/'],
    });
    fx.writeLocal('index.html', '<h1>Hello</h1>\n');
    server = await startCodeServer({ workspace: fx.ws, vsix: packagedVsix() });
    ctx.server = server;
    browser = await launchBrowser();
    wb = await Workbench.open(browser, server.url, { name: 'groups-sftp', viewport: { width: 1400, height: 900 } });
    ctx.wb = wb;
  });

  after(async () => {
    await wb?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await sshd?.stop();
    fx?.cleanup();
  });

  test('Sync: Upload goes to both members: 2/2 servers', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      await wb.waitForStatusBar('all', 30_000);
      await wb.runCommand('Sync: Upload');
      await fx.waitRemote('index.html', '<h1>Hello</h1>\n');
      await waitUntil(() => read2('index.html') === '<h1>Hello</h1>\n', 'index.html on web2');
      assert.match(await wb.waitForNotification(/Upload → all: 2\/2 servers/), /web1: .*web2: /);
      await waitProgressGone(wb);
      await wb.screenshot('group-upload');
      await wb.clearNotifications();
    });
  });

  test('one save reaches both members; the status bar says 2/2 servers', async (t) => {
    if (missing) return skipOrFail(t, missing);
    await step(ctx, t, async () => {
      await wb.openFile('index.html');
      await wb.typeInEditor('<p>Saved once, on two servers</p>\n');
      await wb.save();
      const saved = fx.readLocal('index.html')!;
      assert.match(saved, /Saved once, on two servers/);
      await fx.waitRemote('index.html', saved);
      await waitUntil(() => read2('index.html') === saved, 'the save on web2');
      assert.match(await wb.waitForStatusBar('2/2 servers'), /all · ↑ index\.html · 2\/2 servers/);
      const log = server!.logText('Remote Sync.log');
      assert.match(log, /Uploaded on save to web1: index\.html/);
      assert.match(log, /Uploaded on save to web2: index\.html/);
      await wb.screenshot('group-save');
    });
  });
});
