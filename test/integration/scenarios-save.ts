// Upload on save into a server folder that does not exist yet (issue 7 item 1), for any target kind:
// the first save creates the root and the parents, like a sync does; an error names the saved file
// (never a temporary name) and the likely cause.

import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { writeFile, T12, T13 } from '../harness/fixture.js';
import { scenarioTest, session, type EnvFactory, type SyncEnv } from '../harness/env.js';

/** the same server, one folder further down that nobody has created yet */
function below(env: SyncEnv, rel: string): SyncEnv {
  return { ...env, spec: { ...env.spec, path: posix.join(env.spec.path, rel) }, remoteFs: join(env.remoteFs, ...rel.split('/')) };
}

export function saveScenarios(make: EnvFactory, opts: { skip?: string } = {}): void {
  const t = scenarioTest(make, opts);

  t('first save to a server folder that does not exist yet creates it (root and parents), then every save works', async (base) => {
    const env = below(base, 'home/me/site');
    writeFile(env.local, 'index.html', '<h1>hi</h1>', T12);
    writeFile(env.local, 'css/site.css', 'body{}', T12);
    const s = session(env);
    try {
      const first = await s.saveFiles(['index.html']);
      assert.deepEqual(first.get('index.html')?.status, 'uploaded', JSON.stringify(first.get('index.html')));
      assert.equal(readFileSync(join(env.remoteFs, 'index.html'), 'utf8'), '<h1>hi</h1>');
      const nested = await s.saveFiles(['css/site.css']);
      assert.equal(nested.get('css/site.css')?.status, 'uploaded', JSON.stringify(nested.get('css/site.css')));
      assert.equal(readFileSync(join(env.remoteFs, 'css/site.css'), 'utf8'), 'body{}');
      writeFile(env.local, 'index.html', '<h1>second</h1>', T13);
      const again = await s.saveFiles(['index.html']);
      assert.equal(again.get('index.html')?.status, 'uploaded');
      assert.equal(readFileSync(join(env.remoteFs, 'index.html'), 'utf8'), '<h1>second</h1>');
    } finally {
      await s.close();
    }
  });

  t('a save whose server folder cannot be created names the saved file and the likely cause, never a temp name', async (base) => {
    writeFileSync(join(base.remoteFs, 'blocker'), 'a file where the folder should be');
    if (base.owner) (await import('node:fs')).chownSync(join(base.remoteFs, 'blocker'), base.owner.uid, base.owner.gid);
    const env = below(base, 'blocker/site');
    writeFile(env.local, 'index.html', 'x', T12);
    const s = session(env);
    try {
      const out = (await s.saveFiles(['index.html'])).get('index.html');
      assert.equal(out?.status, 'error', JSON.stringify(out));
      const message = out?.status === 'error' ? out.message : '';
      assert.match(message, /Could not upload index\.html/);
      assert.doesNotMatch(message, /rs-tmp/);
      assert.ok(message.length > 'Could not upload index.html'.length + 5, `a cause is given: ${message}`);
      assert.ok(!existsSync(join(base.remoteFs, 'blocker', 'site')));
    } finally {
      await s.close();
    }
  });
}
