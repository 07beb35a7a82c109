// Bundles the extension and the CLI with esbuild. `vscode` stays external (the editor provides it);
// ssh2's optional native add-ons stay external too (ssh2 falls back to pure JS/OpenSSL without them).
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

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
};

await build({ ...common, entryPoints: ['src/extension/main.ts'], outfile: 'dist/extension.js' });
await build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } });
chmodSync('dist/cli.js', 0o755);
