// Entry point of the `remote-sync` command (bundled to dist/cli.js).

// (only the version: the bundle then holds that field, not the whole manifest)
import { version } from '../../package.json';
import { runCli } from './run.js';
import { EXIT } from './exit-codes.js';
import { redactSecrets } from '../core/redact.js';
import { enableScavenger } from './scavenger.js';

function onInterrupt(handler: () => void): () => void {
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.removeListener('SIGINT', handler);
    process.removeListener('SIGTERM', handler);
  };
}

// a minor collection every few MiB moved: a big transfer's garbage Buffers (core/transfer/scavenge.ts)
enableScavenger();

runCli({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  // (process.stdin is made on first use, ~3 ms: a run whose stderr is not a terminal never asks anything)
  get stdin() { return process.stdin; },
  stdout: process.stdout,
  stderr: process.stderr,
  version,
  onInterrupt,
}).then(
  (code) => {
    process.exitCode = code;
    // let stdout drain, then leave even if a library left a handle open
    process.stdout.write('', () => setImmediate(() => process.exit(code)));
  },
  (err: unknown) => {
    process.stderr.write(redactSecrets(`remote-sync: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`));
    process.exit(EXIT.ERROR);
  },
);
