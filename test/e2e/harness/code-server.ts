// Starts code-server (VS Code for the browser, installed by scripts/setup-code-server.sh) on a free
// loopback port for the end-to-end tests, with a .vsix installed and popup-free user settings.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../../..');
export const CODE_SERVER_VERSION = process.env.CODE_SERVER_VERSION ?? '4.99.4';
export const CODE_SERVER_DIR = process.env.CODE_SERVER_DIR ?? join(REPO_ROOT, '.cache/code-server');
export const CODE_SERVER_ENTRY = join(CODE_SERVER_DIR, 'node_modules/code-server/out/node/entry.js');
const SETUP_SCRIPT = join(REPO_ROOT, 'scripts/setup-code-server.sh');

/** Settings that keep the workbench free of prompts, tours and popups that steal focus, and make typed text land verbatim. */
export const QUIET_SETTINGS: Record<string, unknown> = {
  'security.workspace.trust.enabled': false,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'never',
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'workbench.editor.enablePreview': false,
  'workbench.editor.enablePreviewFromQuickOpen': false,
  'extensions.ignoreRecommendations': true,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'editor.accessibilitySupport': 'off',
  'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' },
  'editor.suggestOnTriggerCharacters': false,
  'editor.acceptSuggestionOnEnter': 'off',
  'editor.wordBasedSuggestions': 'off',
  'editor.parameterHints.enabled': false,
  'editor.autoClosingBrackets': 'never',
  'editor.autoClosingQuotes': 'never',
  'editor.autoSurround': 'never',
  'editor.autoIndent': 'none',
  'editor.formatOnType': false,
  'editor.formatOnSave': false,
  'editor.hover.enabled': false,
  'files.autoSave': 'off',
  'files.hotExit': 'off',
  'files.insertFinalNewline': false,
  'files.trimTrailingWhitespace': false,
  'files.simpleDialog.enable': true,
  'chat.commandCenter.enabled': false,
  'window.commandCenter': false,
  'workbench.layoutControl.enabled': false,
};

export interface StartOptions {
  /** The folder opened in the workbench, or a multi-root workspace file (*.code-workspace). */
  workspace: string;
  /** .vsix file(s) installed with --install-extension before the server starts. */
  vsix?: string | string[];
  /** User settings on top of QUIET_SETTINGS. */
  settings?: Record<string, unknown>;
  /** Default: a new temporary directory (each start gets clean state). */
  extensionsDir?: string;
  userDataDir?: string;
  /** Extra environment for the server and its extension host. */
  env?: Record<string, string>;
  /** Default 120 s. */
  startTimeoutMs?: number;
}

export interface CodeServer {
  url: string;
  port: number;
  workspace: string;
  userDataDir: string;
  extensionsDir: string;
  /** Ends the server and everything it started, and removes its temporary directory (no-op with E2E_KEEP_SERVER=1: it is left running). */
  stop(): Promise<void>;
  /** The server's stdout and stderr so far. */
  logs(): string;
  /** The file they are written to. */
  logPath: string;
  /** Log files written below the user-data dir (extension host, output channels), newest first; filtered by a substring of the path. */
  logFiles(filter?: string): string[];
  /** The text of the newest log file whose path contains `filter` ('' when none), e.g. an extension's LogOutputChannel: logText('Remote Sync.log'). */
  logText(filter: string): string;
  /** Milliseconds from spawn until the workbench page was served. */
  startMs: number;
}

export function isCodeServerInstalled(): boolean {
  return existsSync(join(CODE_SERVER_DIR, `.complete-${CODE_SERVER_VERSION}`)) && existsSync(CODE_SERVER_ENTRY);
}

/** Runs scripts/setup-code-server.sh when needed (about a minute on a clean machine). Returns an error message, or undefined when installed. */
export function ensureCodeServer(): string | undefined {
  if (isCodeServerInstalled()) return undefined;
  const r = spawnSync('bash', [SETUP_SCRIPT], { stdio: ['ignore', 2, 'pipe'], encoding: 'utf8', timeout: 15 * 60_000 });
  if (r.status !== 0 || !isCodeServerInstalled()) {
    const why = (r.stderr || r.error?.message || `exit ${r.status ?? r.signal}`).trim().split('\n').slice(-5).join(' | ');
    return `code-server ${CODE_SERVER_VERSION} could not be installed by scripts/setup-code-server.sh: ${why}`;
  }
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? res(addr.port) : rej(new Error('no port'))));
    });
  });
}

/** The environment for code-server: none of a surrounding VS Code's variables, no $PORT (it overrides --bind-addr), XDG dirs in `home`. */
export function serverEnv(home: string, extra?: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(VSCODE_|ELECTRON_|CODE_SERVER_|PORT$|NODE_OPTIONS$|TSX_|NODE_TEST)/.test(k)) continue;
    env[k] = v;
  }
  Object.assign(env, {
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CACHE_HOME: join(home, 'cache'),
    ...extra,
  });
  return env;
}

export function installExtension(vsix: string, dirs: { extensionsDir: string; userDataDir: string; env: NodeJS.ProcessEnv }): void {
  const r = spawnSync(process.execPath, [CODE_SERVER_ENTRY, '--extensions-dir', dirs.extensionsDir, '--user-data-dir', dirs.userDataDir,
    '--install-extension', resolve(vsix), '--force'], { encoding: 'utf8', env: dirs.env, timeout: 120_000 });
  const out = `${r.stdout}${r.stderr}`;
  if (r.status !== 0 || !/successfully installed|already installed/i.test(out)) {
    throw new Error(`installing ${vsix} into code-server failed (exit ${r.status ?? r.signal}):\n${out}`);
  }
}

// Every server started here is killed when this process ends, whatever the reason; the supervisor
// below also ends its server when this process dies without running exit handlers (SIGKILL).
const running = new Set<ChildProcess>();
let hooked = false;
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try { process.kill(-child.pid, signal); } catch { /* gone */ }
}
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => { for (const c of running) killGroup(c, 'SIGKILL'); });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      for (const c of running) killGroup(c, 'SIGKILL');
      process.kill(process.pid, sig);
    });
  }
}

// Leads the process group: runs code-server, and kills the whole group when its stdin closes (the
// test process died; not with E2E_KEEP_SERVER=1) or on SIGTERM after a grace period.
export const SUPERVISOR = `
const { spawn } = require('child_process');
const c = spawn(process.execPath, process.argv.slice(1), { stdio: 'inherit' });
const all = () => { try { process.kill(-process.pid, 'SIGKILL'); } catch {} };
if (process.env.E2E_KEEP_SERVER !== '1') { process.stdin.on('end', all); process.stdin.on('error', all); process.stdin.resume(); }
process.on('SIGTERM', () => { c.kill('SIGTERM'); setTimeout(all, 3000).unref(); });
c.on('exit', (code) => { all(); process.exit(code ?? 1); });
`;

export async function startCodeServer(opts: StartOptions): Promise<CodeServer> {
  if (!isCodeServerInstalled()) throw new Error(`code-server is not installed in ${CODE_SERVER_DIR}: run scripts/setup-code-server.sh`);
  const home = mkdtempSync(join(tmpdir(), 'rs-code-server-'));
  const userDataDir = resolve(opts.userDataDir ?? join(home, 'user-data'));
  const extensionsDir = resolve(opts.extensionsDir ?? join(home, 'extensions'));
  const workspace = resolve(opts.workspace);
  // a folder, or a multi-root workspace file (*.code-workspace), which must exist already
  const dirs = [userDataDir, extensionsDir, join(userDataDir, 'User'), ...(workspace.endsWith('.code-workspace') ? [] : [workspace])];
  for (const d of dirs) mkdirSync(d, { recursive: true });
  const env = serverEnv(home, opts.env);

  for (const v of ([] as string[]).concat(opts.vsix ?? [])) installExtension(v, { extensionsDir, userDataDir, env });
  const settings = { ...QUIET_SETTINGS, ...opts.settings };
  writeFileSync(join(userDataDir, 'User/settings.json'), JSON.stringify(settings, null, 2));
  const config = join(home, 'config.yaml');
  writeFileSync(config, 'auth: none\ncert: false\n');

  const keepServer = process.env.E2E_KEEP_SERVER === '1';
  const logPath = join(home, 'code-server.log');
  const out = () => { try { return readFileSync(logPath, 'utf8'); } catch { return ''; } };
  const t0 = Date.now();
  const deadline = t0 + (opts.startTimeoutMs ?? 120_000);

  const launch = async () => {
    const port = await freePort();
    const args = [CODE_SERVER_ENTRY, '--config', config, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
      '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--disable-telemetry', '--disable-update-check',
      '--disable-workspace-trust', '--disable-getting-started-override', '--disable-proxy', workspace];
    const logFd = openSync(logPath, 'a');
    const child = spawn(process.execPath, ['-e', SUPERVISOR, ...args],
      { cwd: CODE_SERVER_DIR, env, detached: true, stdio: [keepServer ? 'ignore' : 'pipe', logFd, logFd] });
    closeSync(logFd);
    if (keepServer) child.unref();
    else { hookExit(); running.add(child); (child.stdin as unknown as { unref?: () => void } | null)?.unref?.(); }
    const state = { exited: undefined as string | undefined };
    const exitP = new Promise<void>((res) => child.on('exit', (code, sig) => { state.exited = `exit ${code ?? sig}`; running.delete(child); res(); }));
    const kill = async () => {
      if (state.exited) return;
      killGroup(child, 'SIGTERM');
      const t = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
      await exitP;
      clearTimeout(t);
    };
    // The VS Code server is loaded on the first request for the workbench page: wait for that page.
    const url = `http://127.0.0.1:${port}/`;
    let last = '';
    for (;;) {
      if (state.exited) return { error: `code-server ended while starting (${state.exited})` };
      if (Date.now() > deadline) { await kill(); return { error: `code-server did not serve ${url} in time (${last})` }; }
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
        const body = await res.text();
        if (res.ok && body.includes('workbench')) return { url, port, child, kill };
        last = `HTTP ${res.status}`;
      } catch (e) { last = (e as Error).message; }
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  let started = await launch();
  // the free port can be taken by someone else before code-server binds it: try another
  for (let i = 0; i < 3 && 'error' in started && /EADDRINUSE/.test(out()); i++) started = await launch();
  if ('error' in started) {
    const msg = `${started.error}:\n${out()}`;
    if (!keepServer) rmSync(home, { recursive: true, force: true });
    throw new Error(msg);
  }
  const { url, port, child, kill } = started;
  const startMs = Date.now() - t0;

  const stop = async () => {
    if (keepServer) {
      console.log(`[e2e] E2E_KEEP_SERVER=1: code-server left running at ${url} (kill -- -${child.pid}); log ${logPath}`);
      return;
    }
    await kill();
    rmSync(home, { recursive: true, force: true }); // its logs, and the user-data and extensions dirs unless given
  };

  const logFiles = (filter = '') => {
    const found: { p: string; m: number }[] = [];
    const walk = (d: string) => {
      let names: string[];
      try { names = readdirSync(d); } catch { return; }
      for (const n of names) {
        const p = join(d, n);
        const s = statSync(p, { throwIfNoEntry: false });
        if (s?.isDirectory()) walk(p);
        else if (s && p.includes(filter)) found.push({ p, m: s.mtimeMs });
      }
    };
    walk(join(userDataDir, 'logs'));
    return found.sort((a, b) => b.m - a.m).map((f) => f.p);
  };
  const logText = (filter: string) => { const f = logFiles(filter)[0]; return f ? readFileSync(f, 'utf8') : ''; };
  return { url, port, workspace, userDataDir, extensionsDir, stop, logs: out, logPath, logFiles, logText, startMs };
}
