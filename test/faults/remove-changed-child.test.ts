// A folder the plan removes takes a file below it only as the plan saw it there: a file the plan
// showed and that was changed between the plan and its execution (the editor's preview is open for
// as long as the user likes) is left, with its folder, and named — as a single file's deletion is.
// Against a local folder, the real sshd and the real pure-ftpd, deleting on either side.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { session } from '../harness/env.js';
import { writeFile, T12, T13 } from '../harness/fixture.js';
import { envTest, linkEnvKinds } from './names-envs.js';

for (const [kind, make] of linkEnvKinds) {
  for (const side of ['server', 'local'] as const) {
    envTest(kind, make, `a folder deleted ${side === 'server' ? 'on the server' : 'locally'} keeps a shown file changed after the plan`, async (env) => {
      const [from, to, toOwner] = side === 'server' ? [env.local, env.remoteFs, env.owner] : [env.remoteFs, env.local, undefined];
      writeFile(env.local, 'site/a.txt', 'a\n', T12);
      writeFile(env.local, 'site/sub/b.txt', 'b\n', T12);
      writeFile(env.local, 'other.txt', 'o\n', T12);
      const s = session(env);
      try {
        assert.equal((await s.run({ mode: 'sync' })).stats.errors, 0);
        rmSync(join(from, 'site'), { recursive: true, force: true });
        const plan = await s.plan({ mode: 'sync' });
        assert.deepEqual(plan.actions.map((a) => `${a.kind} ${a.path}`), [`${side === 'server' ? 'delete-remote' : 'delete-local'} site`]);
        // the user edits a file the plan shows below the folder, before confirming the plan
        writeFile(to, 'site/sub/b.txt', 'an edit made after the plan\n', T13, toOwner);
        const r = await s.execute(plan);
        assert.equal(readFileSync(join(to, 'site/sub/b.txt'), 'utf8'), 'an edit made after the plan\n', 'the edit was deleted');
        assert.ok(!existsSync(join(to, 'site/a.txt')), 'what the plan showed unchanged is gone');
        assert.equal(r.errors.length, 1);
        assert.match(r.errors[0].message, /Folder site kept .*"site\/sub\/b\.txt"/);
      } finally {
        await s.close();
      }
    });
  }
}
