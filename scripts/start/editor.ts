// The editor for `npm start`: a desktop VS Code when `code` is on the PATH (the .vsix installed into it,
// the demo workspace opened), otherwise code-server (the e2e tests' install in .cache/code-server/) on
// 127.0.0.1:8080 in the foreground, until stop().
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import {
  CODE_SERVER_DIR, CODE_SERVER_ENTRY, CODE_SERVER_VERSION, ensureCodeServer, installExtension, isCodeServerInstalled, serverEnv, SUPERVISOR,
} from '../../test/e2e/harness/code-server';
import { isLoopback } from './args';

/** The `code` command of a desktop VS Code on the PATH, if any. */
export function desktopCode(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, 'code');
    try { accessSync(p, constants.X_OK); return p; } catch { /* not here */ }
  }
  return undefined;
}

/** Installs the .vsix into the desktop VS Code and opens the workspace there. */
export function openInDesktopCode(code: string, vsix: string, workspaceFile: string): void {
  const install = spawnSync(code, ['--install-extension', vsix, '--force'], { encoding: 'utf8', timeout: 180_000 });
  if (install.status !== 0) {
    throw new Error(`${code} --install-extension ${vsix} failed (exit ${install.status ?? install.signal}):\n${install.stdout}${install.stderr}` +
      '\nTo use code-server instead: npm start -- --code-server');
  }
  const open = spawnSync(code, [workspaceFile], { encoding: 'utf8', timeout: 60_000 });
  if (open.status !== 0) throw new Error(`${code} ${workspaceFile} failed (exit ${open.status ?? open.signal}):\n${open.stdout}${open.stderr}`);
}

/** User settings of the demo's code-server: no trust prompt, tours or telemetry; the README opens first. */
const DEMO_SETTINGS: Record<string, unknown> = {
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'readme',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'extensions.ignoreRecommendations': true,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'git.openRepositoryInParentFolders': 'never',
  'files.simpleDialog.enable': true,
  'chat.commandCenter.enabled': false,
};

export interface DemoCodeServer {
  url: string;
  /** set when not on loopback: the login password */
  password?: string;
  pid: number;
  /** resolves with a description when code-server ends by itself */
  exited: Promise<string>;
  logTail(lines?: number): string;
  stop(): Promise<void>;
  /** At once, without waiting: kills its process group and removes its temporary folder. */
  killNow(): void;
}

function portFree(host: string, port: number): Promise<string | undefined> {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', (e: NodeJS.ErrnoException) => res(e.code ?? e.message));
    srv.listen(port, host, () => srv.close(() => res(undefined)));
  });
}

export async function startDemoCodeServer(opts: { workspaceFile: string; vsix: string; host: string; port: number; log: (s: string) => void;
  /** the demo's own config, listed in this code-server's user settings: its "local" target beside the workspace is not asked about */
  trustedConfig?: string; }): Promise<DemoCodeServer> {
  if (!isCodeServerInstalled()) opts.log(`installing code-server ${CODE_SERVER_VERSION} into ${CODE_SERVER_DIR} (once; about a minute) …`);
  const missing = ensureCodeServer();
  if (missing) throw new Error(`${missing}\n(code-server is installed into ${CODE_SERVER_DIR} by scripts/setup-code-server.sh)`);
  const busy = await portFree(opts.host, opts.port);
  if (busy) {
    throw new Error(busy === 'EADDRINUSE'
      ? `port ${opts.port} on ${opts.host} is in use (another npm start or code-server?): choose another with npm start -- --port ${opts.port === 65535 ? 8081 : opts.port + 1}`
      : `cannot listen on ${opts.host}:${opts.port} (${busy}): choose another address or port with --host / --port`);
  }

  const home = mkdtempSync(join(tmpdir(), 'rs-demo-code-server-'));
  const userDataDir = join(home, 'user-data');
  const extensionsDir = join(home, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  const env = serverEnv(home);
  try {
    opts.log('installing the .vsix into code-server …');
    installExtension(opts.vsix, { extensionsDir, userDataDir, env });
  } catch (e) {
    rmSync(home, { recursive: true, force: true });
    throw e;
  }
  const settings = { ...DEMO_SETTINGS, ...(opts.trustedConfig ? { 'remoteSync.trustedConfigs': [opts.trustedConfig] } : {}) };
  writeFileSync(join(userDataDir, 'User/settings.json'), JSON.stringify(settings, null, 2));
  // no login on loopback (only this machine can connect); elsewhere a password
  const password = isLoopback(opts.host) ? undefined : randomBytes(12).toString('base64url');
  const config = join(home, 'config.yaml');
  writeFileSync(config, password ? `auth: password\npassword: ${password}\ncert: false\n` : 'auth: none\ncert: false\n', { mode: 0o600 });

  const hostInUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const args = [CODE_SERVER_ENTRY, '--config', config, '--auth', password ? 'password' : 'none', '--bind-addr', `${hostInUrl}:${opts.port}`,
    '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', '--disable-getting-started-override', '--disable-proxy', opts.workspaceFile];
  const logPath = join(home, 'code-server.log');
  const logFd = openSync(logPath, 'a');
  // the supervisor leads its own process group and ends it all when this process goes away (its stdin closes)
  const child: ChildProcess = spawn(process.execPath, ['-e', SUPERVISOR, ...args],
    { cwd: CODE_SERVER_DIR, env, detached: true, stdio: ['pipe', logFd, logFd] });
  closeSync(logFd);
  const pid = child.pid!;
  let ended: string | undefined;
  const exited = new Promise<string>((res) => child.on('exit', (code, sig) => { ended = `exit ${code ?? sig}`; res(ended); }));
  const logTail = (n = 20) => { try { return readFileSync(logPath, 'utf8').split('\n').slice(-n).join('\n'); } catch { return ''; } };
  const killGroup = (sig: NodeJS.Signals) => { try { process.kill(-pid, sig); } catch { /* gone */ } };
  const stop = async () => {
    if (!ended) {
      killGroup('SIGTERM');
      const t = setTimeout(() => killGroup('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    killGroup('SIGKILL'); // anything of the group that outlived the supervisor
    rmSync(home, { recursive: true, force: true });
  };

  // VS Code's server is loaded on the first request for the workbench page: wait for that page
  const url = `http://${isLoopback(opts.host) || opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : hostInUrl}:${opts.port}/`;
  const deadline = Date.now() + 180_000;
  let last = '';
  for (;;) {
    if (ended) { const tail = logTail(); await stop(); throw new Error(`code-server ended while starting (${ended}):\n${tail}`); }
    if (Date.now() > deadline) { const tail = logTail(); await stop(); throw new Error(`code-server did not serve ${url} in 3 minutes (${last}):\n${tail}`); }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000), redirect: 'follow' });
      const body = await res.text();
      if (res.ok && body.includes('workbench')) break;
      if (password && res.ok && /password/i.test(body)) break; // the login page
      last = `HTTP ${res.status}`;
    } catch (e) { last = (e as Error).message; }
    await new Promise((r) => setTimeout(r, 250));
  }
  const killNow = () => { killGroup('SIGKILL'); rmSync(home, { recursive: true, force: true }); };
  return { url, password, pid, exited, logTail, stop, killNow };
}
