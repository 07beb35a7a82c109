// A listing whose data connection ends early but cleanly, while the server says 226 (a middlebox that
// ends the stream; the server believes all was sent): pure-ftpd behind the fault proxy's `truncate`.
// The listing text then stops in the middle of a line. Taken as it came, it was a shorter folder: the
// files left out looked deleted on the server and were deleted here. Now such a listing is an error
// (CutListingError, src/core/targets/ftp-util.ts), listed again; a listing cut every time fails the
// run with nothing deleted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeEnv, syncOnce, writeTree, hashTree, assertOutcome, type FaultEnv } from './env.js';
import type { Fault } from './proxy.js';

const FILES = 60;

function files(): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < FILES; i++) out[`file-${String(i).padStart(3, '0')}.txt`] = `content of file ${i}\n`;
  return out;
}

/**
 * Run 1 syncs the files down (no fault); the root listing's size is read off the proxy. Run 2 lists the
 * root through a proxy that cuts its data stream 5 bytes before its end: inside the last line, always.
 */
async function setUp(label: string, cutEvery: boolean): Promise<{ env: FaultEnv; arm: () => void } | { skip: string }> {
  let listingBytes = 0;
  let armed = false;
  const env = await makeEnv('ftp', label, {
    fault: (c): Fault | undefined => {
      if (!armed || c.kind !== 'data') return undefined;
      if (!cutEvery) armed = false;
      return { direction: 'down', after: listingBytes - 5, action: 'truncate' };
    },
  });
  if ('skip' in env) return env;
  writeTree(env.remoteFs, files(), env.owner);
  const r1 = await syncOnce(env, 'sync');
  assert.deepEqual(r1.errors, []);
  assert.equal(r1.stats.downloaded, FILES);
  // the first data connection of run 1 is the root's listing (the only folder)
  const first = env.proxy!.connections.find((c) => c.kind === 'data');
  assert.ok(first && first.down > 100, 'the root listing went through the proxy');
  listingBytes = first.down;
  return { env, arm: () => { armed = true; } };
}

test('a listing cut in the middle of a line once (226 from the server): listed again, nothing deleted', async (t) => {
  const s = await setUp('listcut1', false);
  if ('skip' in s) { t.skip(s.skip); return; }
  const { env, arm } = s;
  try {
    const before = hashTree(env.local);
    const cutsBefore = env.proxy!.connections.filter((c) => c.fired).length;
    arm();
    const r2 = await syncOnce(env, 'sync');
    assert.equal(env.proxy!.connections.filter((c) => c.fired).length, cutsBefore + 1, 'the cut happened');
    assert.deepEqual(r2.errors, [], 'the listing was taken again, whole');
    assert.equal(r2.stats.deletedLocal, 0, JSON.stringify(r2.stats));
    assert.deepEqual(r2.plan.actions.map((a) => `${a.kind} ${a.path}`), [], 'nothing to do: no file looks deleted or new');
    assert.deepEqual(hashTree(env.local), before, 'every local file kept');
    await assertOutcome(env, before);
  } finally {
    await env.cleanup();
  }
});

test('a listing cut in the middle of a line every time: the run fails naming the cut listing, nothing deleted', async (t) => {
  const s = await setUp('listcutall', true);
  if ('skip' in s) { t.skip(s.skip); return; }
  const { env, arm } = s;
  try {
    const before = hashTree(env.local);
    arm();
    let message = '';
    try {
      const r2 = await syncOnce(env, 'sync');
      assert.equal(r2.stats.deletedLocal, 0, JSON.stringify(r2.stats));
      assert.equal(r2.stats.deletedRemote, 0, JSON.stringify(r2.stats));
      message = r2.errors.map((e) => e.message).join('\n');
    } catch (e) {
      message = (e as Error).message;
    }
    assert.match(message, /came cut short/, 'the error says what happened');
    assert.deepEqual(hashTree(env.local), before, 'every local file kept');
    assert.deepEqual(hashTree(env.remoteFs, false), before, 'every server file kept');
  } finally {
    await env.cleanup();
  }
});
