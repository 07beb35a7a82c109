// kill -9 at ten different moments of a bidirectional sync with changes on both sides, then run
// again: every file on both sides is what a complete sync gives (sha256), nothing beside the roots
// changed, no temp file or lock is left, and one more run has nothing to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { assertOutcome, hashesOf, makeEnv, syncOnce, writeTree, type FaultEnv } from './env.js';

const MB = 1024 * 1024;
const HOUR = 3600_000;
const T0 = Date.UTC(2024, 0, 1, 12);

/** when to kill the child: the first stdout line for which this returns true */
type Moment = { name: string; at: (line: string, seen: string[]) => boolean };
const doneCount = (seen: string[]) => seen.filter((l) => l.startsWith('done ')).length;
const MOMENTS: Moment[] = [
  { name: 'while listing', at: (l) => l === 'ready' },
  { name: 'right after planning', at: (l) => l.startsWith('plan ') },
  { name: 'as the first action starts', at: (l) => l.startsWith('start ') },
  { name: 'after the first action', at: (l, s) => l.startsWith('done ') && doneCount(s) === 1 },
  { name: 'after three actions', at: (l, s) => l.startsWith('done ') && doneCount(s) === 3 },
  { name: 'after six actions', at: (l, s) => l.startsWith('done ') && doneCount(s) === 6 },
  { name: 'in the middle of a big upload', at: (l) => /^bytes big-up\.bin (\d+)/.test(l) && Number(/(\d+)$/.exec(l)![1]) > MB },
  { name: 'in the middle of a big download', at: (l) => /^bytes big-down\.bin (\d+)/.test(l) && Number(/(\d+)$/.exec(l)![1]) > MB },
  { name: 'as the first deletion starts', at: (l) => /^start delete-/.test(l) },
  { name: 'after the last action (before the state is compacted)', at: (l, s) => l.startsWith('done ') && doneCount(s) === Number(s.find((x) => x.startsWith('plan '))!.slice(5)) },
];

const BASE: Record<string, string> = {
  'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c', 'd.txt': 'd', 'e.txt': 'e',
  'dir/f.txt': 'f', 'dir/g.txt': 'g', 'gone/h.txt': 'h', 'gone/i.txt': 'i', 'rgone/j.txt': 'j',
};

/** after a first sync of BASE: changes on both sides (none conflicting); returns what a complete sync gives */
async function prepare(env: FaultEnv): Promise<Record<string, string | Buffer>> {
  writeTree(env.local, BASE, undefined, T0);
  writeTree(env.remoteFs, BASE, env.owner, T0);
  const first = await syncOnce(env, 'sync', { direct: true });
  assert.deepEqual(first.errors, []);
  const localNew = { 'a.txt': 'a, changed locally', 'new-local/n1.txt': 'n1', 'new-local/n2.txt': 'n2', 'big-up.bin': randomBytes(6 * MB) };
  const remoteNew = { 'b.txt': 'b, changed on the server', 'new-remote/r1.txt': 'r1', 'big-down.bin': randomBytes(6 * MB) };
  writeTree(env.local, localNew, undefined, T0 + HOUR);
  writeTree(env.remoteFs, remoteNew, env.owner, T0 + HOUR);
  rmSync(join(env.local, 'c.txt'));
  rmSync(join(env.remoteFs, 'd.txt'));
  rmSync(join(env.local, 'gone'), { recursive: true });
  rmSync(join(env.remoteFs, 'rgone'), { recursive: true });
  const expected: Record<string, string | Buffer> = { ...BASE, ...localNew, ...remoteNew };
  for (const k of ['c.txt', 'd.txt', 'gone/h.txt', 'gone/i.txt', 'rgone/j.txt']) delete expected[k];
  return expected;
}

/** run the sync in a child and SIGKILL it at `moment`; resolves with the line it was killed at */
async function killAt(env: FaultEnv, moment: Moment): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'kill-child.ts'), JSON.stringify({ local: env.local, spec: env.directSpec })], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const seen: string[] = [];
  const closed = new Promise<void>((r) => child.once('close', () => r()));
  const hit = await new Promise<string | undefined>((resolve) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      seen.push(line);
      if (moment.at(line, seen)) { child.kill('SIGKILL'); resolve(line); }
    });
    void closed.then(() => resolve(undefined));
  });
  await closed;
  assert.ok(hit !== undefined, `the child was never at "${moment.name}": ${seen.slice(-5).join(' | ')} ${err}`);
  assert.equal(child.signalCode, 'SIGKILL');
  return hit;
}

// all ten moments over SFTP; over FTP (a pool of connections, RNFR/RNTO) the ones in the middle of the work
const RUNS: Array<['sftp' | 'ftp', number]> = [...MOMENTS.keys()].map((i) => ['sftp', i] as ['sftp', number]);
for (const i of [4, 6, 7, 8]) RUNS.push(['ftp', i]);

for (const [kind, i] of RUNS) {
  const moment = MOMENTS[i];
  test(`${kind}: kill -9 ${moment.name} (${i + 1}/10), then run again: nothing lost`, async (t) => {
    const env = await makeEnv(kind, `kill9-${i}`);
    if ('skip' in env) { t.skip(env.skip); return; }
    try {
      const expected = await prepare(env);
      await killAt(env, moment);
      const r = await syncOnce(env, 'sync', { direct: true });
      assert.deepEqual(r.errors, [], 'the rerun completes');
      assert.deepEqual(r.conflicts.map((c) => c.path), [], 'what the killed run did is not mistaken for a conflict');
      await assertOutcome(env, hashesOf(expected));
    } finally {
      await env.cleanup();
    }
  });
}
