// The demo workspace under .cache/demo/: the website ("site", copied from demo-template/), the folder
// that stands in for the server ("server"), the .code-workspace that shows both, and the config's
// optional "sftp-demo" target. Created on first use; `npm start -- --reset` starts it over.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { applyEdits, modify, parse } from 'jsonc-parser';

export const REPO_ROOT = resolve(__dirname, '../..');
export const TEMPLATE_DIR = join(__dirname, 'demo-template');
export const SFTP_TARGET = 'sftp-demo';
export const LOCAL_TARGET = 'demo-server';
export const WORKSPACE_FILE_NAME = 'remote-sync-demo.code-workspace';

export interface DemoPaths {
  root: string;
  /** the workspace folder with .vscode/remote-sync.json */
  site: string;
  /** the folder that stands in for the server (target demo-server) */
  server: string;
  config: string;
  workspaceFile: string;
}

export function demoPaths(root = join(REPO_ROOT, '.cache/demo')): DemoPaths {
  const site = join(root, 'site');
  return { root, site, server: join(root, 'server'), config: join(site, '.vscode/remote-sync.json'), workspaceFile: join(root, WORKSPACE_FILE_NAME) };
}

export interface SftpFolder {
  /** the server's folder on this machine (the sshd serves it) */
  path: string;
  /** the target's "url" and SFTP fields */
  url: string;
  privateKey: string;
  knownHosts: string;
}

/**
 * Creates the demo (with `reset`: deletes and recreates it). Returns true when its "server" folder is new
 * and needs a first sync. A workspace whose config was deleted is recreated; the user's other edits stay.
 */
export function ensureDemo(p: DemoPaths, opts: { reset?: boolean } = {}): boolean {
  if (opts.reset) rmSync(p.root, { recursive: true, force: true });
  if (!existsSync(p.config)) {
    rmSync(p.root, { recursive: true, force: true });
    mkdirSync(p.root, { recursive: true });
    cpSync(join(TEMPLATE_DIR, 'site'), p.site, { recursive: true });
  }
  let fresh = false;
  if (!existsSync(p.server)) {
    // a new (or deleted) server folder: the state of earlier syncs no longer describes it
    mkdirSync(p.server, { recursive: true });
    rmSync(join(p.site, '.remote-sync'), { recursive: true, force: true });
    fresh = true;
  }
  writeWorkspaceFile(p);
  return fresh;
}

/** The .code-workspace: the site, the stand-in server folder, and the SFTP server's folder while --sftp runs. */
export function writeWorkspaceFile(p: DemoPaths, sftp?: SftpFolder): void {
  const folders: Array<{ path: string; name: string }> = [
    { path: 'site', name: 'site' },
    { path: 'server', name: 'server' },
  ];
  if (sftp) folders.push({ path: sftp.path, name: 'sftp server' });
  const ws = {
    folders,
    settings: {
      'workbench.startupEditor': 'readme',
      'git.openRepositoryInParentFolders': 'never',
      'files.exclude': { '**/.remote-sync': true },
    },
  };
  writeFileSync(p.workspaceFile, JSON.stringify(ws, null, 2) + '\n');
}

function editConfig(p: DemoPaths, path: (string | number)[], value: unknown): void {
  const text = readFileSync(p.config, 'utf8');
  const edits = modify(text, path, value, { formattingOptions: { insertSpaces: true, tabSize: 2 } });
  if (edits.length) writeFileSync(p.config, applyEdits(text, edits));
}

/** Adds (or updates) the "sftp-demo" target; comments and the user's other edits stay. */
export function addSftpTarget(p: DemoPaths, sftp: SftpFolder): void {
  editConfig(p, ['targets', SFTP_TARGET], { url: sftp.url, privateKey: sftp.privateKey, knownHosts: sftp.knownHosts });
  writeWorkspaceFile(p, sftp);
}

/** Removes the "sftp-demo" target and folder (its sshd is gone); true when there was one. */
export function removeSftpTarget(p: DemoPaths): boolean {
  if (!existsSync(p.config)) return false;
  const config = parse(readFileSync(p.config, 'utf8')) as { targets?: Record<string, unknown>; defaultTarget?: string } | undefined;
  if (!config?.targets || !(SFTP_TARGET in config.targets)) return false;
  editConfig(p, ['targets', SFTP_TARGET], undefined);
  if (config.defaultTarget === SFTP_TARGET) editConfig(p, ['defaultTarget'], LOCAL_TARGET);
  writeWorkspaceFile(p);
  return true;
}

export interface CliResult { status: number; stdout: string; stderr: string }

/** `remote-sync ARGS` (the built dist/cli.js) in the site folder, so that it reads the demo's config. */
export function runCli(p: DemoPaths, args: string[], opts: { inherit?: boolean; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const cli = join(REPO_ROOT, 'dist/cli.js');
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: p.site, encoding: 'utf8', stdio: opts.inherit ? ['ignore', 'inherit', 'inherit'] : 'pipe', env: opts.env ?? process.env, timeout: 120_000,
  });
  if (r.error) throw new Error(`running ${cli} failed: ${r.error.message}`);
  return { status: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** The first sync of a target (the server side starts empty: everything is uploaded, the state recorded). */
export function firstSync(p: DemoPaths, target?: string): void {
  const r = runCli(p, ['run', ...(target ? [target] : []), '--resolve', 'skip', '-q']);
  if (r.status !== 0) {
    throw new Error(`the first sync of the demo${target ? ` to ${target}` : ''} failed (exit ${r.status}):\n${r.stdout}${r.stderr}` +
      '\nStart over with: npm start -- --reset');
  }
}
