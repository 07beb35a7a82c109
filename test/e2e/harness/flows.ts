// Shared setup of the user-flow tests (flows*.test.ts): the packaged extension (built once per source
// state and cached), workspaces whose .vscode/remote-sync.json points at a loopback daemon, the
// prerequisite check (fail under CI, skip otherwise), a step wrapper that adds the evidence to a
// failure, and Remote Sync specific workbench helpers (the plan view).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { TestContext } from 'node:test';
import { ensureCodeServer, REPO_ROOT, type CodeServer } from './code-server';
import type { Locator } from 'playwright-core';
import { chromiumMissing, waitUntil, type Workbench } from './workbench';

export { waitUntil };

/** Why the browser side cannot run here (Chromium, code-server), or undefined. */
export function browserUnavailable(): string | undefined {
  return chromiumMissing() ?? ensureCodeServer();
}

/** Under CI a missing prerequisite is a failure; elsewhere the test skips with the reason. */
export function skipOrFail(t: TestContext, reason: string): void {
  if (process.env.CI) throw new Error(`cannot run (CI must run every e2e flow): ${reason}`);
  t.skip(reason);
}

// ---- the .vsix ---------------------------------------------------------------------------------

const VSIX_CACHE = join(REPO_ROOT, '.cache/e2e-vsix');
/** What goes into the package (scripts/build.mjs + package.json "files"); a change to any of them rebuilds it. */
const VSIX_INPUTS = ['src', 'media', 'package.json', '.vscodeignore', 'README.md', 'CHANGELOG.md', 'LICENSE', 'scripts/build.mjs'];

function inputsHash(): string {
  const h = createHash('sha256');
  const add = (p: string) => {
    const abs = join(REPO_ROOT, p);
    const st = statSync(abs, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) { for (const n of readdirSync(abs).sort()) add(join(p, n)); return; }
    h.update(`${p}\0${st.size}\0`).update(readFileSync(abs));
  };
  for (const p of VSIX_INPUTS) add(p);
  return h.digest('hex').slice(0, 16);
}

/**
 * The extension packaged exactly as `npm run package` does it (scripts/build.mjs --production, then
 * vsce package --no-dependencies), built in a private staging folder so that the shared dist/ and
 * remote-sync.vsix are not rewritten under other jobs; cached in .cache/e2e-vsix/ by the hash of its
 * inputs. E2E_VSIX=path uses that file instead.
 */
export function packagedVsix(): string {
  if (process.env.E2E_VSIX) return process.env.E2E_VSIX;
  const out = join(VSIX_CACHE, `remote-sync-${inputsHash()}.vsix`);
  if (existsSync(out)) return out;
  mkdirSync(VSIX_CACHE, { recursive: true });
  const stage = mkdtempSync(join(VSIX_CACHE, 'stage-'));
  try {
    for (const p of ['package.json', '.vscodeignore', 'README.md', 'CHANGELOG.md', 'LICENSE', 'scripts/build.mjs', 'media']) {
      if (existsSync(join(REPO_ROOT, p))) cpSync(join(REPO_ROOT, p), join(stage, p), { recursive: true });
    }
    symlinkSync(join(REPO_ROOT, 'src'), join(stage, 'src'));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(stage, 'node_modules'));
    const run = (args: string[]) => {
      const r = spawnSync(process.execPath, args, { cwd: stage, encoding: 'utf8', timeout: 180_000 });
      if (r.status !== 0) throw new Error(`packaging the extension failed: node ${args.join(' ')}:\n${r.stdout}${r.stderr}`);
    };
    run(['scripts/build.mjs', '--production']);
    const tmp = join(stage, 'remote-sync.vsix');
    // the flags of `npm run package` (README images stay relative: they are in the package)
    run([join(REPO_ROOT, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--no-rewrite-relative-links', '--allow-missing-repository', '--out', tmp]);
    renameSync(tmp, out); // atomic: a concurrent run sees a whole file or none
    for (const f of readdirSync(VSIX_CACHE)) if (f.endsWith('.vsix') && join(VSIX_CACHE, f) !== out) rmSync(join(VSIX_CACHE, f), { force: true });
    return out;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

// ---- workspaces -----------------------------------------------------------------------------------

export interface Owner { uid: number; gid: number }

/** A local workspace folder and the server's folder (on this machine's filesystem), with file helpers for both. */
export class SyncFixture {
  readonly root: string;
  readonly ws: string;

  constructor(label: string, readonly remoteDir: string, private readonly owner: Owner) {
    this.root = mkdtempSync(join(tmpdir(), `rs-e2e-${label}-`));
    this.ws = join(this.root, 'workspace');
    mkdirSync(join(this.ws, '.vscode'), { recursive: true });
  }

  writeConfig(config: Record<string, unknown>): void {
    writeFileSync(join(this.ws, '.vscode/remote-sync.json'), '// written by the e2e test\n' + JSON.stringify(config, null, 2) + '\n');
  }

  writeLocal(rel: string, text: string): void {
    mkdirSync(dirname(join(this.ws, rel)), { recursive: true });
    writeFileSync(join(this.ws, rel), text);
  }

  readLocal(rel: string): string | undefined {
    try { return readFileSync(join(this.ws, rel), 'utf8'); } catch { return undefined; }
  }

  /** writes a file on the server's filesystem, owned by the daemon's user (so the daemon can replace it) */
  writeRemote(rel: string, text: string): void {
    const abs = join(this.remoteDir, rel);
    let dir = this.remoteDir;
    for (const part of relative(this.remoteDir, dirname(abs)).split('/').filter(Boolean)) {
      dir = join(dir, part);
      if (!existsSync(dir)) { mkdirSync(dir); chownSync(dir, this.owner.uid, this.owner.gid); }
    }
    writeFileSync(abs, text);
    chownSync(abs, this.owner.uid, this.owner.gid);
  }

  readRemote(rel: string): string | undefined {
    try { return readFileSync(join(this.remoteDir, rel), 'utf8'); } catch { return undefined; }
  }

  removeRemote(rel: string): void {
    rmSync(join(this.remoteDir, rel), { recursive: true, force: true });
  }

  /** files of the server's folder (relative paths, sorted; temp files included so leftovers show) */
  remoteFiles(): string[] {
    const out: string[] = [];
    const walk = (rel: string) => {
      for (const n of readdirSync(join(this.remoteDir, rel)).sort()) {
        const p = rel ? `${rel}/${n}` : n;
        if (statSync(join(this.remoteDir, p)).isDirectory()) walk(p); else out.push(p);
      }
    };
    walk('');
    return out;
  }

  async waitRemote(rel: string, text: string, what = `${rel} on the server`): Promise<void> {
    await waitUntil(() => this.readRemote(rel) === text, `${what} (now: ${JSON.stringify(this.readRemote(rel))})`, 30_000);
  }

  async waitLocal(rel: string, text: string, what = `${rel} in the workspace`): Promise<void> {
    await waitUntil(() => this.readLocal(rel) === text, `${what} (now: ${JSON.stringify(this.readLocal(rel))})`, 30_000);
  }

  cleanup(): void {
    if (process.env.E2E_KEEP_SERVER !== '1') rmSync(this.root, { recursive: true, force: true });
  }
}

// ---- steps ------------------------------------------------------------------------------------

export interface StepContext {
  wb?: Workbench;
  server?: CodeServer;
  timings: Record<string, number>;
}

/** Runs a step; on failure adds a screenshot, the page errors, the Remote Sync log and the server log tail to the error. */
export async function step(ctx: StepContext, t: TestContext, fn: () => Promise<void>): Promise<void> {
  const t1 = Date.now();
  try {
    await fn();
  } catch (e) {
    const shot = await ctx.wb?.screenshot(`FAILED-${t.name}`).catch(() => 'none');
    const err = e instanceof Error ? e : new Error(String(e));
    err.message += `\nscreenshot: ${shot}` +
      `\nnotifications: ${JSON.stringify(await ctx.wb?.notifications().catch(() => []))}` +
      `\nstatus bar: ${JSON.stringify(await ctx.wb?.statusBarText().catch(() => []))}` +
      `\npage errors: ${JSON.stringify(ctx.wb?.consoleErrors.slice(-10))}` +
      `\nRemote Sync log (tail):\n${ctx.server?.logText('Remote Sync.log').split('\n').slice(-25).join('\n')}` +
      `\ncode-server log (tail):\n${ctx.server?.logs().split('\n').slice(-15).join('\n')}`;
    throw err;
  } finally {
    ctx.timings[t.name] = Date.now() - t1;
  }
}

/** The "Remote Sync" log (LogOutputChannel file) after `since` characters, for "what did this step log". */
export function logSince(server: CodeServer, since: number): string {
  return server.logText('Remote Sync.log').slice(since);
}

/** "Remote Sync 0.1.0 activated in N ms" from the extension's log. */
export function activationFromLog(server: CodeServer): number | undefined {
  const m = /Remote Sync \S+ activated in (\d+) ms/.exec(server.logText('Remote Sync.log'));
  return m ? Number(m[1]) : undefined;
}

// ---- the Remote Sync plan view --------------------------------------------------------------------

export function planViewPane(wb: Workbench) {
  return wb.page.locator('.pane').filter({ has: wb.page.locator('.pane-header[aria-label="Remote Sync Section"]') });
}

/**
 * Shows the plan view ("Remote Sync", in the Remote Sync container of the activity bar, below the
 * Server view) with room for its rows: the Server section is collapsed (rows are virtualised).
 * `revealed`: the view is on screen already (a preview reveals it), only make room.
 */
export async function showPlanView(wb: Workbench, options: { revealed?: boolean } = {}): Promise<void> {
  // a preview reveals the view itself, but not always at once: else focus it
  const server = wb.page.locator('.pane-header[aria-label^="Server Section"]').first();
  if (options.revealed) await server.waitFor({ state: 'visible', timeout: 5000 }).catch(() => undefined);
  if (!options.revealed || !(await server.isVisible())) await wb.runCommand('Remote Sync: Focus on Remote Sync View');
  await setSectionExpanded(wb, 'Server Section', false);
  await setSectionExpanded(wb, 'Remote Sync Section', true);
}

/** Back to the Explorer after showPlanView, with the Server section expanded again for the next look. */
export async function leavePlanView(wb: Workbench): Promise<void> {
  await setSectionExpanded(wb, 'Server Section', true);
  await wb.runCommand('View: Show Explorer');
}

/**
 * Expands or collapses a section of the side bar by its header's aria-label prefix ("Explorer Section",
 * "Remote Sync Section"). Tree rows are virtualised (only rows in view exist), so a view needs room to be read.
 */
export async function setSectionExpanded(wb: Workbench, ariaLabel: string, expanded: boolean): Promise<void> {
  const header = wb.page.locator(`.pane-header[aria-label^="${ariaLabel}"]`).first();
  if ((await header.getAttribute('aria-expanded')) !== String(expanded)) await header.click();
  await waitUntil(async () => (await header.getAttribute('aria-expanded')) === String(expanded), `"${ariaLabel}" to ${expanded ? 'expand' : 'collapse'}`, 5000);
}

/** Waits until no progress notification of Remote Sync ("Remote Sync: Upload → target: 3/7") is on screen. */
export async function waitProgressGone(wb: Workbench, timeoutMs = 15_000): Promise<void> {
  await waitUntil(async () => !(await wb.notifications()).some((m) => /^Remote Sync: .* → /.test(m)), 'the progress notification to close', timeoutMs);
}

/**
 * Hovers `target` and waits for its hover (tooltip) to show `text`, for a screenshot that explains
 * itself. Returns whether it showed; a hover that does not come is not a failure of the flow.
 */
export async function showHover(wb: Workbench, target: Locator, text: string | RegExp, timeoutMs = 5000): Promise<boolean> {
  await target.hover();
  const hover = wb.page.locator('.workbench-hover, .monaco-hover').filter({ hasText: text }).first();
  return hover.waitFor({ state: 'visible', timeout: timeoutMs }).then(() => true, () => false);
}

/** "Developer: Show Running Extensions": VS Code's own activation time of an extension ("Startup Activation: 57ms"). */
export async function runningExtensionActivation(wb: Workbench, displayName: string): Promise<{ text: string; ms: number }> {
  await wb.runCommand('Developer: Show Running Extensions');
  const row = wb.page.locator('.runtime-extensions-editor .monaco-list-row').filter({ hasText: displayName }).first();
  const text = await waitUntil(async () => {
    const t = await row.innerText().catch(() => '');
    return /Activation: \d+ms/.test(t) ? t : '';
  }, `${displayName} in the running extensions`);
  const line = text.split('\n').find((l) => /Activation: \d+ms/.test(l))!.trim();
  return { text: line, ms: Number(/(\d+)ms/.exec(line)![1]) };
}

/** The rows of the "Remote Sync" plan view (Remote Sync container): label, description and depth (1 = top level). */
export async function planViewRows(wb: Workbench): Promise<Array<{ label: string; description: string; level: number }>> {
  const rows = planViewPane(wb).locator('.monaco-list-row');
  return rows.evaluateAll((els) => els.map((el) => ({
    label: (el.querySelector('.label-name')?.textContent ?? '').trim(),
    description: (el.querySelector('.label-description')?.textContent ?? '').trim(),
    level: Number(el.getAttribute('aria-level') ?? 0),
  })));
}
