// Incremental build for `npm start`: dist/ (scripts/build.mjs) only when a source is newer than it, and
// the packaged .vsix from the e2e tests' cache (.cache/e2e-vsix/, keyed by a hash of its inputs).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { packagedVsix } from '../../test/e2e/harness/flows';
import { REPO_ROOT } from './demo';

const DIST_OUTPUTS = ['dist/extension.js', 'dist/cli.js', 'dist/cli-main.js', 'dist/ssh2.js'];
const DIST_INPUTS = ['src', 'package.json', 'scripts/build.mjs'];

function newestMtime(p: string): number {
  const st = statSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs; // a deleted file changes its folder's mtime
  for (const n of readdirSync(p)) newest = Math.max(newest, newestMtime(join(p, n)));
  return newest;
}

/** dist/ is older than a source (or missing). */
export function distIsStale(root = REPO_ROOT): boolean {
  const outputs = DIST_OUTPUTS.map((o) => statSync(join(root, o), { throwIfNoEntry: false })?.mtimeMs ?? 0);
  const oldestOutput = Math.min(...outputs);
  return oldestOutput === 0 || DIST_INPUTS.some((i) => newestMtime(join(root, i)) > oldestOutput);
}

/** Builds dist/ (the CLI and the extension) when it is stale; returns what it did. */
export function buildDist(): string {
  const t0 = Date.now();
  if (!distIsStale()) return `dist/ is up to date (${secs(t0)})`;
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`the build failed (node scripts/build.mjs, exit ${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  return `built dist/ in ${secs(t0)}`;
}

/** The .vsix, packaged as `npm run package` does it; rebuilt only when its inputs changed. */
export function buildVsix(): { path: string; note: string } {
  const t0 = Date.now();
  // the same cache as the e2e tests: one packaging per source state for both
  const path = packagedVsix();
  return { path, note: `${path.slice(REPO_ROOT.length + 1)} (${secs(t0)})` };
}

export function secs(t0: number): string {
  return `${((Date.now() - t0) / 1000).toFixed(1)} s`;
}
