// Bundles the extension and the CLI with esbuild. `vscode` stays external (the editor provides it);
// ssh2's optional native add-ons stay external too (ssh2 falls back to pure JS/OpenSSL without them).
import { build } from 'esbuild';
import { chmodSync, copyFileSync, existsSync, mkdirSync } from 'node:fs';

const production = process.argv.includes('--production');
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
};

await build({ ...common, entryPoints: ['src/extension/main.ts'], outfile: 'dist/extension.js' });
await build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } });
chmodSync('dist/cli.js', 0o755);

// The config file's JSON schema, contributed by the extension through `jsonValidation`.
const schema = 'src/core/config/remote-sync.schema.json';
if (existsSync(schema)) {
  mkdirSync('dist', { recursive: true });
  copyFileSync(schema, 'dist/remote-sync.schema.json');
} else if (production) {
  throw new Error(`${schema} is missing: the packaged extension needs it`);
} else {
  console.warn(`warning: ${schema} not found; dist/remote-sync.schema.json not written`);
}
