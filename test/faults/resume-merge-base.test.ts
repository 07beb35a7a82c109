// The common version kept for merges after a resumable upload is what the server got, not what the
// local file holds once the upload ends: an editor save during the upload (temp + rename) must not
// become the base, or the next merge drops that save's edit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeEnv, sessionFor } from './env.js';

const lines = (edit: Record<number, string> = {}) => Array.from({ length: 4000 }, (_, i) => edit[i] ?? `line ${i} of a long text file ........................\n`).join('');
const ONE = { 10: 'LOCAL EDIT ONE\n' };

test('a save during a resumable upload is not taken as the merge base (its edit survives the next merge)', async (t) => {
  const env = await makeEnv('sftp', 'resume-base');
  if ('skip' in env) { t.skip(env.skip); return; }
  const transfer = { resumeAbove: 64 * 1024 }; // the file (~240 KB) resumes and is under mergeBase.maxFileSize
  try {
    const f = join(env.local, 'notes.txt');
    writeFileSync(f, lines()); utimesSync(f, new Date(Date.UTC(2020, 0, 1)), new Date(Date.UTC(2020, 0, 1)));
    { const s = sessionFor(env); await s.run({ mode: 'sync', transfer }); await s.close(); }
    writeFileSync(f, lines(ONE));
    const s = sessionFor(env);
    const remote = s.remote as unknown as { writePartial: (...a: unknown[]) => Promise<number> };
    const orig = remote.writePartial.bind(remote);
    remote.writePartial = async (...args) => {
      const n = await orig(...args);
      writeFileSync(`${f}.swp`, lines({ ...ONE, 2000: 'LOCAL EDIT TWO\n' })); renameSync(`${f}.swp`, f); // the editor saves meanwhile
      return n;
    };
    const r = await s.run({ mode: 'sync', transfer });
    await s.close();
    assert.equal(r.stats.uploaded, 1);
    writeFileSync(join(env.remoteFs, 'notes.txt'), lines({ ...ONE, 3500: 'SERVER EDIT\n' })); // a colleague's edit
    const s2 = sessionFor(env);
    await s2.run({ mode: 'sync', resolve: 'merge', transfer });
    await s2.close();
    const local = readFileSync(f, 'utf8');
    assert.ok(local.includes('LOCAL EDIT TWO'), 'the save made during the upload is kept');
    assert.ok(local.includes('SERVER EDIT'));
  } finally {
    await env.cleanup();
  }
});
