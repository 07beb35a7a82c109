// What the vscode-API suite (suite/index.ts) needs around it, shared by its two runners: desktop VS Code
// (run.ts, @vscode/test-electron) and code-server's Node extension host (test/e2e/electron-suite.test.ts).
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { SshdServer } from '../harness/sshd';

export const REPO_ROOT = resolve(__dirname, '../..');

/** The workspace's files before the first sync (this suite and the code-server flows check them on the server). */
export const INITIAL: Record<string, string> = {
  'index.html': '<h1>Hello</h1>\n',
  'css/site.css': 'body { margin: 0; }\n',
  'a.txt': 'a: first version\n',
  'b.txt': 'b: first version\n',
  'c.txt': 'c: first version\n',
  'd.txt': 'd: first version\n',
  'old.txt': 'old: first version\n',
};

/** The line the suite prints last: "[remote-sync suite] 6 passed, 0 failed". */
export const SUMMARY_RE = /\[remote-sync suite\] (\d+) passed, (\d+) failed/;

/** Bundles the suite for the extension host (`vscode` is provided there). */
export async function buildSuite(outfile: string): Promise<void> {
  await build({
    entryPoints: [join(REPO_ROOT, 'test/electron/suite/index.ts')], outfile,
    bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['vscode'], sourcemap: 'inline', logLevel: 'warning',
  });
}

/**
 * Writes the workspace (its .vscode/remote-sync.json points at `sshd`: key login, known_hosts, upload on
 * save, conflicts asked) and returns the environment the suite reads.
 */
export function prepareWorkspace(sshd: SshdServer, ws: string, userDataDir: string): Record<string, string> {
  const remote = sshd.makeRemoteDir('vscode-api');
  const write = (p: string, text: string) => { mkdirSync(dirname(p), { recursive: true }); writeFileSync(p, text); };
  write(join(ws, '.vscode/remote-sync.json'), JSON.stringify({
    targets: { loopback: { url: `sftp://${sshd.user}@127.0.0.1:${sshd.port}${remote}`, privateKey: sshd.keyFile, knownHosts: sshd.knownHostsFile } },
    uploadOnSave: true,
    conflictPolicy: 'ask',
    ignore: ['.vscode/'],
  }, null, 2));
  for (const [rel, text] of Object.entries(INITIAL)) write(join(ws, rel), text);
  return {
    RS_E2E_WORKSPACE: ws, RS_E2E_REMOTE: remote, RS_E2E_UID: String(sshd.uid), RS_E2E_GID: String(sshd.gid),
    RS_E2E_USER_DATA: userDataDir, RS_E2E_INITIAL: JSON.stringify(INITIAL),
  };
}
