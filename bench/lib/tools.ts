// The tools the benchmark runs: the engine worker, the bundled CLI, and the anchors (OpenSSH sftp,
// lftp, rclone); and the checks of what they left on disk.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, lstatSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runCmd, type CmdResult } from './util.js';
import type { Job, RunResult, SaveResult } from './worker.js';
import type { RemoteSpec, SyncMode } from '../../src/core/types.js';
import { REPO, RESULTS, WORKER, cliEnv, cliFile, data, ftpd, opts, rcloneConf, set, sshd, work, workerBundle } from './context.js';
import { log } from './results.js';
// ---------------------------------------------------------------------------------------------
// tools

export const tools: Record<string, string | undefined> = {};

let errorLogs = 0;
export function cmdError(r: CmdResult, what: string): Error {
  // the whole output goes to a log file; the table gets its first meaningful lines
  const file = join(RESULTS, `error-${++errorLogs}.log`);
  writeFileSync(file, `${what} exited with ${r.code}\n\n${r.output}`);
  const lines = r.output.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('at '));
  return new Error(`${what} exited with ${r.code}: ${lines.slice(0, 4).join(' / ')} (full output: bench/results/${file.split('/').pop()})`);
}

export async function workerRun(job: Job): Promise<RunResult | SaveResult> {
  const jobFile = join(work, `job-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(jobFile, JSON.stringify(job));
  const nodeArgs = workerBundle ? [] : ['--import', 'tsx'];
  if (opts.cpuProf) {
    mkdirSync(join(RESULTS, 'profiles'), { recursive: true });
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', join(RESULTS, 'profiles'));
  }
  const r = await runCmd(process.execPath, [...nodeArgs, workerBundle ?? WORKER, jobFile], { cwd: REPO, tmpDir: work, timeoutMs: 900_000 });
  if (!r.ok) throw cmdError(r, 'the engine worker');
  const res = JSON.parse(readFileSync(job.out, 'utf8')) as RunResult | SaveResult;
  rmSync(jobFile, { force: true });
  rmSync(job.out, { force: true });
  return res;
}

export async function engineRun(spec: RemoteSpec, local: string, mode: SyncMode, warm?: { dir: string; bytes: number }): Promise<RunResult> {
  const res = await workerRun({ kind: 'run', spec, local, mode, concurrency: opts.concurrency, warm, out: join(work, `out-${Date.now()}.json`) }) as RunResult;
  if (res.errors.length || res.conflicts) throw new Error(`remote-sync reported ${res.stats.errors} errors, ${res.conflicts} conflicts: ${res.errors.join('; ')}`);
  return res;
}

export function sftpSpec(path: string): RemoteSpec {
  const s = sshd!;
  return { protocol: 'sftp', host: s.host, port: s.port, user: s.user, identity: s.keyFile, knownHosts: s.knownHostsFile, agent: false, path };
}

export function ftpSpec(ftpPath: string): RemoteSpec {
  const f = ftpd!;
  return { protocol: 'ftp', host: f.host, port: f.port, user: f.user, password: f.password, path: ftpPath };
}

export async function cliRun(mode: SyncMode, local: string, spec: RemoteSpec): Promise<CmdResult> {
  const url = `${spec.protocol}://${spec.user}@${spec.host}:${spec.port}${spec.path}`;
  const args = [cliFile!, mode, local, url, '--resolve', 'skip', '-q'];
  if (spec.protocol === 'sftp') args.push('--identity', spec.identity!, '--known-hosts', spec.knownHosts!);
  if (opts.concurrency) args.push('--concurrency', String(opts.concurrency));
  // the CLI's code cache in the bench's temp folder (removed at the end), not in ~/.cache
  const env = cliEnv({ REMOTE_SYNC_PASSWORD: spec.password ?? '', XDG_CACHE_HOME: join(work, 'xdg-cache') });
  delete env.SSH_AUTH_SOCK;
  const r = await runCmd(process.execPath, args, { env, tmpDir: work, timeoutMs: 900_000 });
  if (!r.ok) throw cmdError(r, 'remote-sync CLI');
  return r;
}

export function sftpArgs(batch: string): string[] {
  const s = sshd!;
  return ['-q', '-b', batch, '-P', String(s.port), '-i', s.keyFile,
    '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none', '-o', `UserKnownHostsFile=${s.knownHostsFile}`, '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'PasswordAuthentication=no', `${s.user}@${s.host}`];
}

export async function sftpBatch(lines: string[]): Promise<CmdResult> {
  const batch = join(work, 'sftp-batch.txt');
  writeFileSync(batch, lines.join('\n') + '\n');
  const r = await runCmd(tools.sftp!, sftpArgs(batch), { tmpDir: work, timeoutMs: 900_000 });
  if (!r.ok) throw cmdError(r, 'sftp');
  return r;
}

export async function lftp(script: string): Promise<CmdResult> {
  const f = ftpd!;
  const r = await runCmd(tools.lftp!, ['-c', `set ftp:ssl-allow no; set net:max-retries 2; set cmd:fail-exit yes; open -u ${f.user},${f.password} -p ${f.port} ${f.host}; ${script}`],
    { tmpDir: work, timeoutMs: 900_000 });
  if (!r.ok) throw cmdError(r, 'lftp');
  return r;
}

/** the rclone remote `bench:` for the harness's sshd (key login, its known_hosts), written once */
export function ensureRcloneConf(): void {
  if (rcloneConf) return;
  const s = sshd!;
  set({ rcloneConf: join(work, 'rclone.conf') });
  writeFileSync(rcloneConf, ['[bench]', 'type = sftp', `host = ${s.host}`, `port = ${s.port}`, `user = ${s.user}`,
    `key_file = ${s.keyFile}`, `known_hosts_file = ${s.knownHostsFile}`, ''].join('\n'));
}

export async function rclone(args: string[], timeoutMs = 300_000): Promise<CmdResult> {
  // rclone's own timeouts turn a stalled connection into an error instead of a hang
  ensureRcloneConf();
  const r = await runCmd(tools.rclone!, [...args, '--config', rcloneConf, '--contimeout', '15s', '--timeout', '60s'], { tmpDir: work, timeoutMs });
  if (!r.ok) throw cmdError(r, `rclone ${args[0]}`);
  return r;
}

/** files and bytes below a folder on this machine (the daemons' side), temp names and state left out */
export function census(dir: string): { files: number; bytes: number } {
  let files = 0, bytes = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === '.remote-sync' || e.name.startsWith('.rs-tmp')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) { files++; bytes += lstatSync(p).size; }
    }
  };
  walk(dir);
  return { files, bytes };
}

export function expectTree(dir: string): void {
  const c = census(dir);
  if (c.files !== data.spec.files || c.bytes !== data.treeBytes) {
    throw new Error(`the remote copy is incomplete: ${c.files} files / ${c.bytes} bytes, expected ${data.spec.files} / ${data.treeBytes}`);
  }
}

export function expectBig(file: string): void {
  const size = existsSync(file) ? statSync(file).size : -1;
  if (size !== data.spec.bigBytes) throw new Error(`the remote big file has ${size} bytes, expected ${data.spec.bigBytes}`);
}

/** run `fn` with remote-sync's state folder moved out of `dir`, so an anchor copies exactly the data */
export async function withoutState<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const st = join(dir, '.remote-sync');
  const stash = join(work, `stash-${Date.now()}`);
  const had = existsSync(st);
  if (had) renameSync(st, stash);
  try {
    return await fn();
  } finally {
    if (had) renameSync(stash, st);
  }
}

export const rm = (p: string) => rmSync(p, { recursive: true, force: true });
