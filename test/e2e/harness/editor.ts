// The editor side of an e2e file, the same in every one: code-server with the packaged extension on a
// workspace, Chromium, the workbench page; closing them again; the timings file; the loopback sshd
// (a missing one fails under CI, is the reason to skip elsewhere) and a workspace synced with it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startSshd, type SshdServer } from '../../harness/sshd';
import { startCodeServer, type CodeServer, type StartOptions } from './code-server';
import { packagedVsix, SyncFixture, type StepContext } from './flows';
import { launchBrowser, SHOTS_DIR, Workbench, type OpenOptions } from './workbench';

export interface EditorContext extends StepContext { browser?: Browser }

/**
 * Starts code-server on `workspace` with the packaged extension, Chromium and the workbench page
 * (`name` prefixes its screenshots). Each piece goes into ctx as soon as it is up, so closeEditor(ctx)
 * stops what started even when a later piece failed. Records vsixMs, codeServerMs, workbenchMs.
 */
export async function openEditor(
  ctx: EditorContext,
  opts: { workspace: string; name: string; viewport: OpenOptions['viewport']; env?: StartOptions['env'] },
): Promise<{ server: CodeServer; wb: Workbench }> {
  const t1 = Date.now();
  const vsix = packagedVsix();
  ctx.timings.vsixMs = Date.now() - t1;
  const t2 = Date.now();
  const server = await startCodeServer({ workspace: opts.workspace, vsix, env: opts.env });
  ctx.server = server;
  ctx.timings.codeServerMs = Date.now() - t2;
  const t3 = Date.now();
  ctx.browser = await launchBrowser();
  const wb = await Workbench.open(ctx.browser, server.url, { name: opts.name, viewport: opts.viewport });
  ctx.wb = wb;
  ctx.timings.workbenchMs = Date.now() - t3;
  return { server, wb };
}

/** Closes the page and the browser (errors ignored) and stops code-server: whatever openEditor started. */
export async function closeEditor(ctx: EditorContext): Promise<void> {
  await ctx.wb?.close().catch(() => undefined);
  await ctx.browser?.close().catch(() => undefined);
  await ctx.server?.stop();
}

/** test-results/e2e/<file>, pretty JSON; and one line `<label>: {...}` on the console. */
export function writeTimings(file: string, label: string, timings: Record<string, unknown>): void {
  mkdirSync(SHOTS_DIR, { recursive: true });
  writeFileSync(join(SHOTS_DIR, file), JSON.stringify(timings, null, 2) + '\n');
  console.log(`${label}: ${JSON.stringify(timings)}`);
}

/** The loopback sshd, or why it cannot run here (under CI that is an error: every e2e flow must run). */
export async function sshdOrReason(): Promise<SshdServer | string> {
  const started = await startSshd();
  if (!('skip' in started)) return started;
  const missing = `sshd: ${started.skip}`;
  if (process.env.CI) throw new Error(missing);
  return missing;
}

/**
 * A workspace (SyncFixture `label`) whose .vscode/remote-sync.json has one target, `loopback`: the
 * sshd folder `remoteName` (key login, the test known_hosts), upload on save, .vscode/ ignored.
 */
export function sftpWorkspace(sshd: SshdServer, label: string, remoteName: string, conflictPolicy: 'ask' | 'merge'): SyncFixture {
  const fx = new SyncFixture(label, sshd.makeRemoteDir(remoteName), { uid: sshd.uid, gid: sshd.gid });
  fx.writeConfig({
    targets: {
      loopback: { url: `sftp://${sshd.user}@127.0.0.1:${sshd.port}${fx.remoteDir}`, privateKey: sshd.keyFile, knownHosts: sshd.knownHostsFile },
    },
    uploadOnSave: true,
    conflictPolicy,
    ignore: ['.vscode/'],
  });
  return fx;
}
