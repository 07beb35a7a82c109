// Bundles the extension and the CLI with esbuild. `vscode` stays external (the editor provides it);
// ssh2's optional native add-ons stay external too (ssh2 falls back to pure JS/OpenSSL without them).
//
//   node scripts/build.mjs [--production] [--cli-only] [--outdir DIR]   (default: dist)
//
// What it writes (the `files` of package.json):
//   cli.js        the `remote-sync` command: a small entry that runs cli-main.js with a V8 code cache
//                 (src/cli/code-cache/)
//   cli-main.js   the CLI itself
//   extension.js  the extension
//   ssh2.js       ssh2 and what only it needs, shared by both: the CLI and the extension `require` it
//                 on the first SSH connection (src/core/targets/ssh/ssh2-lazy.ts), so a run that never
//                 speaks SSH never reads or compiles it
import { build } from 'esbuild';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const production = argv.includes('--production');
const cliOnly = argv.includes('--cli-only');
const outdirAt = argv.indexOf('--outdir');
const outdir = outdirAt >= 0 ? argv[outdirAt + 1] : 'dist';
if (!outdir) throw new Error('--outdir needs a folder');
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  external: ['vscode', 'cpu-features', '*.node'],
  logLevel: 'warning',
  legalComments: 'none',
  // prefer a package's ES module build: jsonc-parser's `main` is a UMD file whose inner requires
  // esbuild cannot follow (the bundle would need node_modules at run time)
  mainFields: ['module', 'main'],
  // every import() becomes a require(): the CLI's bundle runs as a vm.Script (code-cache/), which has
  // no loader for a real dynamic import
  supported: { 'dynamic-import': false },
};

/** `import('ssh2')` (ssh2-lazy.ts) loads the ssh2 bundle next to the one being built */
const ssh2Apart = {
  name: 'ssh2-apart',
  setup(b) {
    b.onResolve({ filter: /^ssh2$/ }, () => ({ path: './ssh2.js', external: true }));
  },
};

const out = (name) => join(outdir, name);

await build({
  ...common,
  stdin: { contents: "module.exports = require('ssh2');", resolveDir: process.cwd(), sourcefile: 'ssh2-bundle.js' },
  outfile: out('ssh2.js'),
});
if (!cliOnly) await build({ ...common, entryPoints: ['src/extension/main.ts'], outfile: out('extension.js'), plugins: [ssh2Apart] });
await build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: out('cli-main.js'), plugins: [ssh2Apart] });
await build({
  ...common,
  entryPoints: ['src/cli/code-cache/entry.ts'],
  outfile: out('cli.js'),
  banner: { js: '#!/usr/bin/env node' },
  // the entry names its bundle's version in the cache key without reading package.json
  define: { REMOTE_SYNC_VERSION: JSON.stringify(pkg.version) },
});
chmodSync(out('cli.js'), 0o755);

// The config file's JSON schema, contributed by the extension through `jsonValidation`.
const schema = 'src/core/config/remote-sync.schema.json';
if (cliOnly) {
  // (the CLI does not read it)
} else if (existsSync(schema)) {
  mkdirSync(outdir, { recursive: true });
  copyFileSync(schema, out('remote-sync.schema.json'));
} else if (production) {
  throw new Error(`${schema} is missing: the packaged extension needs it`);
} else {
  console.warn(`warning: ${schema} not found; ${out('remote-sync.schema.json')} not written`);
}
