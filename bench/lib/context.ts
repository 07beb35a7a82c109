// The benchmark's shared state: the options, the work folder, the input data, the servers and the
// bundled CLI/worker, set once by bench.ts (set()) and read by the scenario modules (live bindings).
import { join, resolve } from 'node:path';
import type { SshdServer } from '../../test/harness/sshd.js';
import type { FtpdServer } from '../../test/harness/ftpd.js';
import type { DataSet } from './data.js';

export const REPO = resolve(__dirname, '..', '..');
export const RESULTS = join(REPO, 'bench', 'results');
export const WORKER = join(REPO, 'bench', 'lib', 'worker.ts');

export interface Options {
  quick: boolean;
  only: string[];
  anchors: boolean;
  cli: boolean;
  cliFile?: string;
  runs: number;
  budget: number;
  concurrency?: number;
  cpuProf: boolean;
  dataDir?: string;
  /** run the CLI with NODE_EXTRA_CA_CERTS when this shell sets it (default: without; see cliEnv) */
  keepNodeEnv: boolean;
}

export let opts: Options;
export let work: string;
export let data: DataSet;
export let sshd: SshdServer | undefined;
export let ftpd: FtpdServer | undefined;
export let cliFile: string | undefined;
export let cliIdleRss: number | undefined;
/** the engine worker bundled like the CLI (plain node, no tsx/source maps); undefined: run it through tsx */
export let workerBundle: string | undefined;
export let rcloneConf: string;
/** the SFTP first upload's remote copy, kept for the re-sync scenario */
export let sftpKeep: string | undefined;

interface State {
  opts: Options; work: string; data: DataSet; sshd: SshdServer | undefined; ftpd: FtpdServer | undefined;
  cliFile: string | undefined; cliIdleRss: number | undefined; workerBundle: string | undefined; rcloneConf: string; sftpKeep: string | undefined;
}

/** assign some of the shared state (the keys given, even when undefined) */
export function set(s: Partial<State>): void {
  if ('opts' in s) opts = s.opts!;
  if ('work' in s) work = s.work!;
  if ('data' in s) data = s.data!;
  if ('sshd' in s) sshd = s.sshd;
  if ('ftpd' in s) ftpd = s.ftpd;
  if ('cliFile' in s) cliFile = s.cliFile;
  if ('cliIdleRss' in s) cliIdleRss = s.cliIdleRss;
  if ('workerBundle' in s) workerBundle = s.workerBundle;
  if ('rcloneConf' in s) rcloneConf = s.rcloneConf!;
  if ('sftpKeep' in s) sftpKeep = s.sftpKeep;
}

/**
 * Variables of this shell that make every Node process start slower and that a user's shell does not
 * set by default: NODE_EXTRA_CA_CERTS makes Node 20 load the whole CA store at start-up, before any of
 * the CLI's code runs (about 70 ms on the bench machine). None of the bench's runs uses TLS.
 */
export const NODE_START_VARS = ['NODE_EXTRA_CA_CERTS'] as const;

/** the environment of a CLI run: this shell's, without NODE_START_VARS (unless --keep-node-env), plus `extra` */
export function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  if (!opts.keepNodeEnv) for (const v of NODE_START_VARS) delete env[v];
  return env;
}
