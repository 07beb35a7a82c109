// The @vscode/test-electron suite (test/electron/suite/index.ts: the user flows through the vscode API)
// run here, where desktop VS Code cannot be downloaded: in code-server's Node extension host, with the
// packaged extension (the .vsix, unpacked) as the extension under development. The workbench URL's
// `payload` carries extensionDevelopmentPath and extensionTestsPath (as VS Code's web workbench reads
// them); the suite's console output reaches the page, where its summary line is read.
// Without code-server, Chromium or sshd: fails with the reason under CI, skips otherwise.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startSshd } from '../harness/sshd';
import { buildSuite, SUMMARY_RE, prepareWorkspace } from '../electron/prepare';
import { startCodeServer } from './harness/code-server';
import { browserUnavailable, packagedVsix, skipOrFail, waitUntil } from './harness/flows';
import { launchBrowser } from './harness/workbench';

const unavailable = browserUnavailable();

test('the vscode-API suite of test:electron passes in code-server\'s extension host', { skip: !process.env.CI && unavailable }, async (t) => {
  if (unavailable) assert.fail(unavailable); // only reached under CI
  const sshd = await startSshd();
  if ('skip' in sshd) return skipOrFail(t, `sshd: ${sshd.skip}`);
  const root = mkdtempSync(join(tmpdir(), 'rs-e2e-api-'));
  const ws = join(root, 'workspace');
  const userDataDir = join(root, 'user-data');
  const suite = join(root, 'suite/index.js');
  const lines: string[] = [];
  let server: Awaited<ReturnType<typeof startCodeServer>> | undefined;
  const browser = await launchBrowser();
  try {
    const env = prepareWorkspace(sshd, ws, userDataDir);
    await buildSuite(suite);
    // the packaged extension, unpacked (a .vsix is a zip; its files are under extension/)
    const unpacked = join(root, 'vsix');
    const unzip = spawnSync('python3', ['-m', 'zipfile', '-e', packagedVsix(), unpacked], { encoding: 'utf8' });
    assert.equal(unzip.status, 0, `unpacking the .vsix failed: ${unzip.stderr || unzip.error}`);
    server = await startCodeServer({ workspace: ws, userDataDir, env });
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    page.on('console', (m) => lines.push(m.text().replace(/^%c\s*\w+\s*color:\s*\S+\s*/, '')));
    const authority = new URL(server.url).host;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', `vscode-remote://${authority}${join(root, 'vsix/extension')}`],
      ['extensionTestsPath', `vscode-remote://${authority}${suite}`],
    ]);
    await page.goto(`${server.url}?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(payload)}`);
    const summary = await waitUntil(() => lines.find((l) => SUMMARY_RE.test(l)) ?? '', 'the suite\'s summary line in the page console', 90_000, 250)
      .catch((e: Error) => assert.fail(`${e.message}\nconsole:\n${lines.slice(-40).join('\n')}\nserver log:\n${server?.logs().split('\n').slice(-20).join('\n')}`));
    const flowLines = lines.filter((l) => /^\s*(✓|✗|-) /.test(l) || /^\s{4}/.test(l));
    for (const l of flowLines) t.diagnostic(l.trim());
    const [, passed, failed] = SUMMARY_RE.exec(summary)!;
    assert.equal(Number(failed), 0, `the suite failed:\n${flowLines.join('\n')}`);
    assert.equal(Number(passed), 6);
  } finally {
    await browser.close().catch(() => undefined);
    await server?.stop();
    await sshd.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
