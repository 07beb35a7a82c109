// Run the `remote-sync` command as a separate process: dist/cli.js (npm run build) when it exists,
// else the source through tsx. REMOTE_SYNC_CLI=src forces the source; REMOTE_SYNC_CLI=/path/cli.js
// runs that bundle. (Used by the test/integration/cli-*.test.ts files and others.)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const repo = join(__dirname, '../..');
const choice = process.env.REMOTE_SYNC_CLI;
const bundle = choice && choice !== 'src' ? choice : join(repo, 'dist/cli.js');
export const useBundle = choice !== 'src' && existsSync(bundle);
const tsx = pathToFileURL(join(repo, 'node_modules/tsx/dist/loader.mjs')).href;
/** node's arguments that run the CLI from the source through tsx, whatever is built */
export const sourceCliArgs = ['--import', tsx, join(repo, 'src/cli/main.ts')];
/** node's arguments that run the CLI: the bundle when there is one (see above), else the source */
export const cliArgs = useBundle ? [bundle] : sourceCliArgs;

export interface CliRun { code: number; stdout: string; stderr: string }

/** One run; REMOTE_SYNC_PASSWORD is empty and NETRC points nowhere unless `env` says otherwise. */
export function runCliProcess(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; input?: string }): CliRun {
  const r = spawnSync(process.execPath, [...cliArgs, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, REMOTE_SYNC_PASSWORD: '', NETRC: '/nonexistent', ...opts.env },
    input: opts.input ?? '',
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
