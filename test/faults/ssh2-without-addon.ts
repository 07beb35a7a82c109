// Loads ssh2 as the bundled CLI and extension do (scripts/build.mjs leaves `*.node` out): without its
// native crypto add-on, so that its OpenSSL-based deciphers run — the ones that are handed views of
// the SSH socket's one reused read buffer (src/core/targets/ssh/socket-reads.ts). Under tsx the add-on
// is built and used, and it gets copies: the reused buffer would not be exercised at all.
// Import this first in a test file, before anything loads ssh2 (each test file runs in its own process).
import Module from 'node:module';

const extensions = (Module as unknown as { _extensions: Record<string, (m: unknown, filename: string) => unknown> })._extensions;
const loadNative = extensions['.node'];
extensions['.node'] = function (this: unknown, m: unknown, filename: string) {
  if (/sshcrypto\.node$/.test(filename)) throw new Error('ssh2 native add-on left out (as in the bundles)');
  return loadNative.call(this, m, filename);
};
