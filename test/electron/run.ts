// The @vscode/test-electron variant of the user-flow tests (issue 3 §7): desktop VS Code with this
// repository as the extension under development, a workspace whose .vscode/remote-sync.json points at
// a loopback sshd, and the suite test/electron/suite/index.ts (bundled into out/electron/).
//
//   npm run test:electron          (builds dist/ first; needs root for sshd, and VS Code: downloaded
//                                   into .cache/vscode-test/, or VSCODE_EXECUTABLE=/path/to/code)
//
// Env: VSCODE_EXECUTABLE (an installed VS Code, no download), VSCODE_VERSION (default "stable"),
// RS_E2E_KEEP=1 (keep the workspace and user-data dir). Exit codes: 0 passed, 1 failed,
// 2 VS Code could not be downloaded or started (no internet?), 3 sshd cannot run here (skipped, not under CI).
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshd } from '../harness/sshd';
import { buildSuite, prepareWorkspace, REPO_ROOT } from './prepare';

const SUITE = join(REPO_ROOT, 'out/electron/suite/index.js');

const SETTINGS = {
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'git.enabled': false,
  'files.autoSave': 'off',
  'files.insertFinalNewline': false,
  'files.trimTrailingWhitespace': false,
  'editor.formatOnSave': false,
};

function fail(code: number, message: string): never {
  console.error(`\n[test:electron] ${message}`);
  process.exit(code);
}

async function vscodeExecutable(): Promise<string> {
  if (process.env.VSCODE_EXECUTABLE) {
    if (!existsSync(process.env.VSCODE_EXECUTABLE)) fail(2, `VSCODE_EXECUTABLE=${process.env.VSCODE_EXECUTABLE} does not exist`);
    return process.env.VSCODE_EXECUTABLE;
  }
  const version = process.env.VSCODE_VERSION ?? 'stable';
  try {
    return await downloadAndUnzipVSCode({ version, cachePath: join(REPO_ROOT, '.cache/vscode-test'), timeout: 30_000 });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return fail(2, `VS Code (${version}) could not be downloaded: ${why}\n` +
      'This suite runs in desktop VS Code, which @vscode/test-electron downloads from update.code.visualstudio.com. ' +
      'Without internet access, point VSCODE_EXECUTABLE at an installed VS Code (the `code` binary of a desktop install, 1.99 or later). ' +
      'Here the same suite runs in code-server\'s extension host instead (test/e2e/vscode-api-suite.test.ts), next to the Playwright flows: ' +
      'node --import tsx --test test/e2e/*.test.ts');
  }
}

async function main(): Promise<void> {
  if (!existsSync(join(REPO_ROOT, 'dist/extension.js'))) fail(1, 'dist/extension.js is missing: run `npm run build` first (npm run test:electron does)');

  await buildSuite(SUITE);

  const executable = await vscodeExecutable();

  const sshd = await startSshd();
  if ('skip' in sshd) {
    if (process.env.CI) fail(1, `sshd cannot run here (CI must run this suite): ${sshd.skip}`);
    fail(3, `skipped: sshd cannot run here: ${sshd.skip}`);
  }
  const root = mkdtempSync(join(tmpdir(), 'rs-electron-'));
  const ws = join(root, 'workspace');
  const userData = join(root, 'user-data');
  let code = 1;
  try {
    const suiteEnv = prepareWorkspace(sshd, ws, userData);
    mkdirSync(join(userData, 'User'), { recursive: true });
    writeFileSync(join(userData, 'User/settings.json'), JSON.stringify(SETTINGS, null, 2));

    const launchArgs = [ws, '--user-data-dir', userData, '--extensions-dir', join(root, 'extensions'), '--disable-extensions',
      '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', '--disable-gpu'];
    if (process.getuid?.() === 0) launchArgs.push('--no-sandbox');
    try {
      code = await runTests({
        vscodeExecutablePath: executable,
        extensionDevelopmentPath: REPO_ROOT,
        extensionTestsPath: SUITE,
        launchArgs,
        extensionTestsEnv: suiteEnv,
      });
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      // runTests rejects when the tests fail (TestRunFailedError) or VS Code does not start
      code = /Test run failed/i.test(why) ? 1 : 2;
      console.error(`[test:electron] ${code === 1 ? 'the suite failed' : 'VS Code did not run'}: ${why}`);
    }
  } finally {
    await sshd.stop();
    if (process.env.RS_E2E_KEEP === '1') console.log(`[test:electron] kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
  console.log(`[test:electron] ${code === 0 ? 'passed' : 'FAILED'}`);
  process.exit(code);
}

main().catch((e) => fail(1, e instanceof Error ? e.stack ?? e.message : String(e)));
