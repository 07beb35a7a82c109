// Issue 6 item 9: a step retried after a dropped connection first checks whether it already took
// effect. Here the FTP control connection drops right after RNTO reached the server (which renamed
// the file) and before its answer came back: the retry must see the rename done, not report
// "550 … doesn't exist".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { assertOutcome, hashesOf, makeEnv, syncOnce, writeTree } from './env.js';

for (const action of ['close', 'reset'] as const) {
  test(`ftp: the control connection drops (${action}) after RNTO went through: the retried rename sees it done`, async (t) => {
    const env = await makeEnv('ftp', `rnto-${action}`, {
      fault: (c) => (c.kind === 'control' ? { direction: 'up', match: /^RNTO /m, action, once: true } : undefined),
    });
    if ('skip' in env) { t.skip(env.skip); return; }
    try {
      const files = { 'a.txt': 'a', 'b.txt': 'bb', 'c.bin': randomBytes(100_000) };
      writeTree(env.local, files);
      const r = await syncOnce(env, 'upload');
      assert.equal(env.proxy!.fired.length, 1, 'the connection dropped once, after an RNTO');
      assert.deepEqual(r.errors, [], 'no "550 … does not exist" for the file renamed before the drop');
      assert.equal(r.stats.uploaded, 3);
      await assertOutcome(env, hashesOf(files));
    } finally {
      await env.cleanup();
    }
  });
}
