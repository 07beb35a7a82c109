// The pair's lock during saves (src/core/session/pair-lock.ts): kept from one save to the next while
// saves come, released once they pause (or at close); another session of the pair — here in the
// same process, as the CLI would be in another — waits for it and then runs; calls of one session
// take turns. Local folders on both sides (real files, no server needed).
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SyncSession } from '../../src/core/session.js';
import { createTarget, remoteId } from '../../src/core/targets/index.js';
import { lockFileFor } from '../../src/core/lock.js';
import type { RemoteSpec } from '../../src/core/types.js';
import type { SessionOptions } from '../../src/core/api.js';

describe('saves: the pair lock is kept while saves come', () => {
  const base = mkdtempSync(join(tmpdir(), 'rs-pair-lock-'));
  after(() => rmSync(base, { recursive: true, force: true }));
  let n = 0;

  function pair(idleCompactMs: number) {
    const dir = join(base, String(n++));
    const local = join(dir, 'local');
    const remote = join(dir, 'remote');
    mkdirSync(local, { recursive: true });
    mkdirSync(remote, { recursive: true });
    writeFileSync(join(local, 'a.txt'), 'a1');
    const spec = { protocol: 'local', path: remote } as RemoteSpec;
    const make = (lock?: SessionOptions['lock']) => new SyncSession({
      local: createTarget({ protocol: 'local', path: local } as RemoteSpec), remote: createTarget(spec),
      localRoot: local, remoteId: remoteId(spec), idleCompactMs, lock,
    });
    const s = make();
    return { s, make, local, remote, lock: lockFileFor(s.stateFile) };
  }

  test('kept between saves, released when they pause; the lock file is ours meanwhile', async () => {
    const { s, local, lock } = pair(150);
    try {
      for (let i = 0; i < 5; i++) {
        writeFileSync(join(local, 'a.txt'), `a${i}`);
        assert.equal((await s.saveFiles(['a.txt'])).get('a.txt')?.status, 'uploaded');
        assert.ok(existsSync(lock), `kept after save ${i}`);
        assert.equal(JSON.parse(readFileSync(lock, 'utf8')).pid, process.pid);
        await sleep(20);
      }
      // (released by the idle work, after the journal's fsync: seconds on a machine busy writing back)
      for (let i = 0; i < 500 && existsSync(lock); i++) await sleep(20);
      assert.equal(existsSync(lock), false, 'released once saves paused');
      // a run takes it and releases it at its end
      const r = await s.run({ mode: 'sync' });
      assert.deepEqual(r.errors, []);
      assert.equal(existsSync(lock), false);
    } finally {
      await s.close();
    }
  });

  test('another session of the pair waits for a kept lock, then runs; close releases a kept lock at once', async () => {
    const { s, make, local, remote, lock } = pair(60_000);
    let waited = '';
    const other = make({ onWait: (_h, who) => { waited = who; } });
    try {
      writeFileSync(join(local, 'a.txt'), 'saved');
      assert.equal((await s.saveFiles(['a.txt'])).get('a.txt')?.status, 'uploaded');
      assert.ok(existsSync(lock));
      const running = other.run({ mode: 'sync' });
      for (let i = 0; i < 500 && !waited; i++) await sleep(20); // (the lock is kept for 60 s: it can only wait)
      assert.match(waited, new RegExp(`pid ${process.pid}`), 'the other session waits for the kept lock');
      await s.close(); // releases it: the other run goes on
      const r = await running;
      assert.deepEqual(r.errors, []);
      assert.equal(readFileSync(join(remote, 'a.txt'), 'utf8'), 'saved');
    } finally {
      await Promise.all([s.close(), other.close()]);
    }
    assert.equal(existsSync(lock), false);
  });

  test('calls of one session take turns; one cancelled while waiting its turn leaves the others working', async () => {
    const { s, local, remote } = pair(60_000);
    try {
      writeFileSync(join(local, 'a.txt'), 'first');
      writeFileSync(join(local, 'b.txt'), 'second');
      const ac = new AbortController();
      const one = s.saveFiles(['a.txt']);
      const cancelled = s.saveFiles(['b.txt'], { signal: ac.signal });
      ac.abort();
      const three = s.saveFiles(['b.txt']);
      await assert.rejects(cancelled, /Cancelled/);
      assert.equal((await one).get('a.txt')?.status, 'uploaded');
      assert.equal((await three).get('b.txt')?.status, 'uploaded');
      assert.equal(readFileSync(join(remote, 'b.txt'), 'utf8'), 'second');
    } finally {
      await s.close();
    }
  });

  test('a kept lock removed by someone else is taken again before the next save', async () => {
    const { s, local, lock } = pair(60_000);
    try {
      writeFileSync(join(local, 'a.txt'), 'one');
      await s.saveFiles(['a.txt']);
      rmSync(lock);
      writeFileSync(join(local, 'a.txt'), 'two');
      assert.equal((await s.saveFiles(['a.txt'])).get('a.txt')?.status, 'uploaded');
      assert.ok(existsSync(lock), 'taken again');
    } finally {
      await s.close();
    }
    assert.equal(existsSync(lock), false);
  });
});
