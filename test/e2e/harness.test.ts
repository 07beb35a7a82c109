// Smoke test of the end-to-end harness: code-server + Playwright in Debian's Chromium, driving a tiny
// extension generated and packaged here (not the real one), so the harness is proven on its own.
// Without code-server or Chromium it fails with the reason under CI (CI set) and skips otherwise.
// Debugging: test/e2e/README.md (E2E_HEADED, E2E_SLOWMO, E2E_KEEP_SERVER).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { Browser } from 'playwright-core';
import { ensureCodeServer, REPO_ROOT, startCodeServer, type CodeServer } from './harness/code-server';
import { chromiumMissing, launchBrowser, SHOTS_DIR, waitUntil, Workbench } from './harness/workbench';

const T0 = Date.now();
const unavailable = chromiumMissing() ?? ensureCodeServer();
const setupMs = Date.now() - T0;

if (unavailable && process.env.CI) {
  test('e2e prerequisites: code-server and Chromium', () => assert.fail(unavailable));
}

const SMOKE_EXTENSION = String.raw`
const vscode = require('vscode');
let count = 0;
exports.activate = (ctx) => {
  const log = vscode.window.createOutputChannel('Smoke', { log: true });
  const item = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 100);
  item.text = '$(check) Smoke ready';
  item.show();
  const folder = () => vscode.workspace.workspaceFolders[0].uri;
  // a read-only "remote" side under a custom scheme, as the real extension serves its remote files
  const remote = { '/a.txt': 'remote line\n' };
  const emitter = new vscode.EventEmitter();
  const denied = () => { throw vscode.FileSystemError.NoPermissions('read-only'); };
  ctx.subscriptions.push(vscode.workspace.registerFileSystemProvider('smoke-remote', {
    onDidChangeFile: emitter.event,
    watch: () => new vscode.Disposable(() => {}),
    stat: (uri) => {
      if (!(uri.path in remote)) throw vscode.FileSystemError.FileNotFound(uri);
      return { type: vscode.FileType.File, ctime: 0, mtime: 0, size: remote[uri.path].length };
    },
    readFile: (uri) => {
      if (!(uri.path in remote)) throw vscode.FileSystemError.FileNotFound(uri);
      return Buffer.from(remote[uri.path]);
    },
    readDirectory: () => [], createDirectory: denied, writeFile: denied, delete: denied, rename: denied,
  }, { isCaseSensitive: true, isReadonly: true }));
  ctx.subscriptions.push(vscode.commands.registerCommand('smoke.hello', async () => {
    count++;
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder(), 'smoke-hello.txt'), Buffer.from('hello ' + count + '\n'));
    item.text = '$(check) Smoke: hello ' + count;
    log.info('hello ' + count + ' written');
    const pick = await vscode.window.showInformationMessage('Smoke: hello ' + count + ' written', 'Show Log');
    if (pick === 'Show Log') log.show(true);
  }));
  ctx.subscriptions.push(vscode.commands.registerCommand('smoke.compare', () =>
    vscode.commands.executeCommand('vscode.diff', vscode.Uri.from({ scheme: 'smoke-remote', path: '/a.txt' }),
      vscode.Uri.joinPath(folder(), 'a.txt'), 'a.txt (remote \u2194 local)')));
  ctx.subscriptions.push(vscode.commands.registerCommand('smoke.ask', async () => {
    const ok = await vscode.window.showWarningMessage('Smoke: trust host key SHA256:abc?', { modal: true, detail: 'first connection' }, 'Trust');
    if (ok !== 'Trust') return;
    const pw = await vscode.window.showInputBox({ prompt: 'Smoke: password', password: true, ignoreFocusOut: true });
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder(), 'answer.txt'), Buffer.from(pw ?? '(cancelled)'));
  }));
  ctx.subscriptions.push(vscode.commands.registerCommand('smoke.keepLocal', async () => {
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder(), 'kept-local.txt'), Buffer.from('kept\n'));
    vscode.window.showInformationMessage('Smoke: kept local');
  }));
};
exports.deactivate = () => {};
`;

const SMOKE_MANIFEST = {
  name: 'e2e-smoke', displayName: 'E2E Smoke', publisher: 'remote-sync-test', version: '0.0.1', license: 'MIT',
  engines: { vscode: '^1.90.0' }, main: './extension.js', activationEvents: ['onStartupFinished'],
  contributes: {
    commands: [
      { command: 'smoke.hello', title: 'Hello', category: 'Smoke' },
      { command: 'smoke.compare', title: 'Compare', category: 'Smoke' },
      { command: 'smoke.keepLocal', title: 'Keep Local', category: 'Smoke', icon: '$(check)' },
      { command: 'smoke.ask', title: 'Ask', category: 'Smoke' },
    ],
    menus: { 'editor/title': [{ command: 'smoke.keepLocal', when: 'isInDiffEditor', group: 'navigation' }] },
  },
};

/** Writes the smoke extension into `dir` and packages it with vsce; returns the .vsix path. */
function packageSmokeExtension(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify(SMOKE_MANIFEST, null, 2));
  writeFileSync(join(dir, 'extension.js'), SMOKE_EXTENSION);
  writeFileSync(join(dir, 'README.md'), '# E2E smoke extension\n\nGenerated by test/e2e/harness.test.ts.\n');
  const vsix = join(dir, 'e2e-smoke.vsix');
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies',
    '--allow-missing-repository', '--skip-license', '--out', vsix], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0 || !existsSync(vsix)) throw new Error(`vsce package failed:\n${r.stdout}${r.stderr}`);
  return vsix;
}

describe('e2e harness: code-server + Playwright with a smoke extension', { skip: unavailable }, () => {
  let tmp = '';
  let ws = '';
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let wb: Workbench;
  const timings: Record<string, number> = { setupMs };

  /** Runs a step; on failure saves a screenshot and adds the server log tail and page errors to the error. */
  async function step(t: TestContext, fn: () => Promise<void>): Promise<void> {
    const t1 = Date.now();
    try {
      await fn();
    } catch (e) {
      const shot = await wb?.screenshot(`FAILED-${t.name}`).catch(() => 'none');
      const err = e as Error;
      err.message += `\nscreenshot: ${shot}\npage errors: ${JSON.stringify(wb?.consoleErrors.slice(-10))}` +
        `\ncode-server log (tail):\n${server?.logs().split('\n').slice(-30).join('\n')}`;
      throw err;
    } finally {
      timings[t.name] = Date.now() - t1;
    }
  }

  before(async () => {
    const t1 = Date.now();
    tmp = mkdtempSync(join(tmpdir(), 'rs-e2e-smoke-'));
    ws = join(tmp, 'workspace');
    mkdirSync(join(ws, 'sub/dir'), { recursive: true });
    writeFileSync(join(ws, 'notes.txt'), 'first line\n');
    writeFileSync(join(ws, 'sub/dir/deep.txt'), 'deep\n');
    writeFileSync(join(ws, 'a.txt'), 'local line\n');
    const vsix = packageSmokeExtension(join(tmp, 'ext'));
    timings.packageMs = Date.now() - t1;
    const t2 = Date.now();
    server = await startCodeServer({ workspace: ws, vsix });
    timings.installAndStartMs = Date.now() - t2;
    timings.serverServeMs = server.startMs;
    const t3 = Date.now();
    browser = await launchBrowser();
    wb = await Workbench.open(browser, server.url, { name: 'harness' });
    timings.workbenchReadyMs = Date.now() - t3;
  });

  after(async () => {
    await wb?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await server?.stop();
    timings.totalMs = Date.now() - T0;
    mkdirSync(SHOTS_DIR, { recursive: true });
    writeFileSync(join(SHOTS_DIR, 'harness-timings.json'), JSON.stringify(timings, null, 2) + '\n');
    console.log(`e2e harness timings (ms): ${JSON.stringify(timings)}`);
    if (tmp && process.env.E2E_KEEP_SERVER !== '1') rmSync(tmp, { recursive: true, force: true });
  });

  test('the extension is active at startup: its status bar item shows', async (t) => step(t, async () => {
    assert.match(await wb.waitForStatusBar('Smoke ready', 30_000), /Smoke ready/);
    await wb.screenshot('startup');
  }));

  test('a palette command writes a file, notifies, updates the status bar and logs', async (t) => step(t, async () => {
    await wb.runCommand('Smoke: Hello');
    const file = join(ws, 'smoke-hello.txt');
    await waitUntil(() => existsSync(file) && readFileSync(file, 'utf8') === 'hello 1\n', 'smoke-hello.txt on disk');
    assert.equal(await wb.waitForNotification('Smoke: hello 1 written'), 'Smoke: hello 1 written');
    assert.match(await wb.waitForStatusBar('Smoke: hello 1'), /Smoke: hello 1/);
    await wb.screenshot('hello-notification');
    await wb.clickNotificationButton('Show Log', 'Smoke: hello 1 written');
    await waitUntil(async () => (await wb.outputText()).includes('hello 1 written'), 'the log line in the output panel');
    assert.match(server!.logText('Smoke.log'), /\[info\] hello 1 written/);
    await wb.screenshot('output-channel');
    await wb.showOutput('Smoke');
    assert.match(await wb.outputText(), /hello 1 written/);
  }));

  test('a modal dialog and a password input box are answered', async (t) => step(t, async () => {
    await wb.runCommand('Smoke: Ask');
    assert.match(await wb.waitForDialog('trust host key'), /Smoke: trust host key SHA256:abc\?/);
    await wb.screenshot('modal-dialog');
    await wb.clickDialogButton('Trust');
    await wb.answerInputBox('s3cret');
    await waitUntil(() => existsSync(join(ws, 'answer.txt')) && readFileSync(join(ws, 'answer.txt'), 'utf8') === 's3cret', 'answer.txt on disk');
  }));

  test('open a file with quick open, type, save: the file on disk changes', async (t) => step(t, async () => {
    await wb.openFile('notes.txt');
    await wb.typeInEditor('typed by the test');
    await wb.save();
    assert.equal(readFileSync(join(ws, 'notes.txt'), 'utf8'), 'first line\ntyped by the test');
    await wb.openFile('sub/dir/deep.txt');
    await wb.typeInEditor('replaced\n', 'replace');
    await wb.save();
    assert.equal(readFileSync(join(ws, 'sub/dir/deep.txt'), 'utf8'), 'replaced\n');
    await wb.screenshot('typed-and-saved');
  }));

  test('a diff against a read-only custom scheme opens titled, and its title action runs', async (t) => step(t, async () => {
    await wb.runCommand('Smoke: Compare');
    assert.equal(await wb.waitForDiffEditor('a.txt (remote ↔ local)'), 'a.txt (remote ↔ local)');
    assert.ok(await wb.isDiffEditorOpen());
    await waitUntil(async () => {
      const d = await wb.diffTexts();
      return d.original.includes('remote line') && d.modified.includes('local line');
    }, 'both sides of the diff');
    await wb.screenshot('diff-editor');
    await wb.clickEditorTitleAction('Keep Local');
    await waitUntil(() => existsSync(join(ws, 'kept-local.txt')), 'kept-local.txt on disk');
    await wb.waitForNotification('Smoke: kept local');
  }));
});
