// FTP keeps twice as many copies going as it has connections (TargetCapabilities.transferOverlap): the
// extra ones wait for a connection. The executor shows a copy as started (action-start, and the
// current file of the stats) only once its bytes move, or when it ends: never a file that is still
// waiting (src/core/executor.ts runOne). Against pure-ftpd, 2 connections, uploads and downloads.
// Run: node --import tsx --test test/integration/ftp-progress-waiting.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FtpTarget } from '../../src/core/targets/ftp.js';
import { LocalTarget } from '../../src/core/targets/local.js';
import { remoteId } from '../../src/core/targets/index.js';
import { SyncSession } from '../../src/core/session.js';
import type { ProgressEvent, RemoteSpec, SyncMode } from '../../src/core/types.js';
import { startFtpd } from '../harness/ftpd.js';
import { skipOrFail } from '../harness/env.js';

/** every action-start must be followed at once by that file's first bytes, or its end */
function checkStarts(events: ProgressEvent[]): { starts: number; waitingShown: string[] } {
  let starts = 0;
  const waitingShown: string[] = [];
  events.forEach((e, i) => {
    if (e.type !== 'action-start') return;
    starts++;
    const next = events[i + 1];
    const p = e.action.path;
    const ok = next && ((next.type === 'bytes' && next.path === p) || ((next.type === 'action-done' || next.type === 'action-error') && next.action.path === p));
    if (!ok) waitingShown.push(`${p} (then ${next ? next.type : 'nothing'}${next && 'action' in next ? ` ${next.action.path}` : next && 'path' in next ? ` ${next.path}` : ''})`);
  });
  return { starts, waitingShown };
}

test('FTP with copies waiting for a connection: a file is shown as started only when its bytes move (upload and download)', async (t) => {
  const server = await startFtpd({ tls: 'none' });
  if ('skip' in server) { skipOrFail(server.skip); t.skip(server.skip); return; }
  const base = mkdtempSync(path.join(tmpdir(), 'rs-progress-waiting-'));
  t.after(async () => { await server.stop(); rmSync(base, { recursive: true, force: true }); });
  const dir = server.makeRemoteDir('progress-waiting');
  const spec: RemoteSpec = { protocol: 'ftp', host: server.host, port: server.port, user: server.user, password: server.password, path: dir.ftpPath };
  const files = new Map<string, Buffer>();
  for (let i = 0; i < 12; i++) files.set(`f${String(i).padStart(2, '0')}.bin`, randomBytes(200_000 + i * 1000));

  const run = async (localDir: string, mode: SyncMode) => {
    const events: ProgressEvent[] = [];
    const remote = new FtpTarget(spec, { concurrency: 2 });
    assert.equal(remote.capabilities.transferOverlap, 2, 'the case this test is about: more copies than connections');
    const session = new SyncSession({ local: new LocalTarget(localDir), remote, localRoot: localDir, remoteId: remoteId(spec) });
    try {
      const r = await session.run({ mode, resolve: 'skip', concurrency: 2, onProgress: (e) => events.push(e) });
      assert.equal(r.errors.length, 0, JSON.stringify(r.errors));
    } finally {
      await session.close();
    }
    return events;
  };

  const up = path.join(base, 'up');
  mkdirSync(up);
  for (const [n, b] of files) writeFileSync(path.join(up, n), b);
  const upEvents = await run(up, 'upload');
  const u = checkStarts(upEvents);
  assert.equal(u.starts, files.size);
  assert.deepEqual(u.waitingShown, [], 'upload: files shown as started while waiting');
  for (const [n, b] of files) assert.ok(readFileSync(path.join(dir.absolute, n)).equals(b), n);

  const down = path.join(base, 'down');
  mkdirSync(down);
  const downEvents = await run(down, 'download');
  const d = checkStarts(downEvents);
  assert.equal(d.starts, files.size);
  assert.deepEqual(d.waitingShown, [], 'download: files shown as started while waiting');
  for (const [n, b] of files) assert.ok(readFileSync(path.join(down, n)).equals(b), n);
});
