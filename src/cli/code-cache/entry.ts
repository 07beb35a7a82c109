// The `remote-sync` command as installed (dist/cli.js, package.json `bin`): runs the CLI's bundle
// (dist/cli-main.js, built from src/cli/main.ts) with a V8 code cache, and the SSH bundle
// (dist/ssh2.js) the same way when the run needs it. Kept tiny: it is compiled on every run.
// REMOTE_SYNC_NO_CODE_CACHE=1 runs without the cache (cache-dir.ts says where it is kept).

import { join } from 'node:path';
import { codeCacheDir } from './cache-dir.js';
import { createLoader } from './loader.js';
import { onlyPrints } from './policy.js';

declare const REMOTE_SYNC_VERSION: string; // set by scripts/build.mjs

const where = codeCacheDir(process.env);
const loader = createLoader({
  cacheDir: 'dir' in where ? where.dir : undefined,
  uid: process.getuid?.(),
  version: typeof REMOTE_SYNC_VERSION === 'string' ? REMOTE_SYNC_VERSION : 'dev',
  siblings: ['ssh2.js'],
});
if ('dir' in where && !onlyPrints(process.argv.slice(2))) process.on('exit', () => { loader.save(); });
loader.load(join(__dirname, 'cli-main.js'));
