// A local file replaced by a fifo between the plan and its upload is refused, never opened for
// reading in a way that blocks: before the fix the synchronous open of a small file blocked the whole
// event loop for ever (the run, its lock, the editor's extension host). Without the fix this test
// hangs (nothing can time it out: the loop is blocked); run it under `timeout`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { session } from '../harness/env.js';
import { writeFile, T12 } from '../harness/fixture.js';
import { envTest, linkEnvKinds } from './names-envs.js';

for (const [kind, make] of linkEnvKinds) {
  envTest(kind, make, 'a file replaced by a fifo after the plan: the upload is refused, nothing hangs', async (env) => {
    writeFile(env.local, 'f.txt', 'f\n', T12);
    writeFile(env.local, 'g.txt', 'g\n', T12);
    const s = session(env);
    try {
      const plan = await s.plan({ mode: 'sync' });
      rmSync(join(env.local, 'f.txt'));
      execFileSync('mkfifo', [join(env.local, 'f.txt')]);
      const r = await s.execute(plan);
      assert.deepEqual(r.errors.map((e) => e.path), ['f.txt']);
      assert.equal(readFileSync(join(env.remoteFs, 'g.txt'), 'utf8'), 'g\n', 'the rest of the run goes on');
    } finally {
      await s.close();
    }
  });
}
