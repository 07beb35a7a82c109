// Opening an FTP target (src/core/targets/ftp.ts, ftp-access.ts) against pure-ftpd: loginSent()
// resolves once the password is sent, before the login completes, and also when the login fails
// (refused password, nothing listening); the session (SyncSession.open) reads its state after it,
// while the server checks the password; the first connection's settings go pipelined as the probe and
// the target then lists as before.
// Run: node --import tsx --test test/integration/ftp-login.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FtpTarget } from '../../src/core/targets/ftp.js';
import { LocalTarget } from '../../src/core/targets/local.js';
import { remoteId } from '../../src/core/targets/index.js';
import { SyncSession } from '../../src/core/session.js';
import { SyncError } from '../../src/core/errors.js';
import type { RemoteSpec } from '../../src/core/types.js';
import { startFtpd } from '../harness/ftpd.js';
import { skipOrFail } from '../harness/env.js';

/** the order in which `loginSent()` and `open()` settle */
async function order(t: FtpTarget): Promise<{ events: string[]; error?: unknown }> {
  const events: string[] = [];
  const opening = t.open().then(() => { events.push('open'); }, (e: unknown) => { events.push('open failed'); return e; });
  const sent = t.loginSent().then(() => { events.push('sent'); });
  // not settled at once: the password goes after the greeting and the USER reply
  await new Promise<void>((r) => setImmediate(r));
  if (!events.length) events.push('waiting');
  const error = await opening;
  await sent;
  return { events, error };
}

test('FTP open: loginSent() before the login completes, also when it fails; the session loads its state after it', async (t) => {
  const server = await startFtpd({ tls: 'none' });
  if ('skip' in server) { skipOrFail(server.skip); t.skip(server.skip); return; }
  const base = mkdtempSync(path.join(tmpdir(), 'rs-login-'));
  t.after(async () => { await server.stop(); rmSync(base, { recursive: true, force: true }); });
  const dir = server.makeRemoteDir('login');
  writeFileSync(path.join(dir.absolute, 'a.txt'), 'a');
  const spec: RemoteSpec = { protocol: 'ftp', host: server.host, port: server.port, user: server.user, password: server.password, path: dir.ftpPath };

  await t.test('the password is sent before open() resolves; the pipelined settings leave the target working', async () => {
    const ftp = new FtpTarget(spec);
    const { events } = await order(ftp);
    assert.deepEqual(events, ['waiting', 'sent', 'open']);
    const listing = await ftp.list();
    assert.deepEqual([...listing.keys()], ['a.txt']);
    assert.equal(listing.get('a.txt')?.size, 1);
    await ftp.close();
  });

  await t.test('a refused password: loginSent() resolves, open() fails with auth', async () => {
    const ftp = new FtpTarget({ ...spec, password: 'wrong password' });
    const { events, error } = await order(ftp);
    assert.deepEqual(events, ['waiting', 'sent', 'open failed']);
    assert.ok(error instanceof SyncError && error.code === 'auth', String(error));
    await ftp.close();
  });

  await t.test('nothing answering: loginSent() resolves when open() fails', async () => {
    // a port that accepts and closes at once: no greeting, no login
    const dead = createServer((s) => s.destroy());
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as { port: number }).port;
    try {
      const ftp = new FtpTarget({ ...spec, port, retries: 0 });
      const { events, error } = await order(ftp);
      assert.deepEqual(events.filter((e) => e !== 'waiting').sort(), ['open failed', 'sent']);
      assert.ok(error instanceof SyncError, String(error));
      await ftp.close();
    } finally {
      dead.close();
    }
  });

  await t.test('SyncSession.open() reads the state once the password is sent', async () => {
    const localRoot = path.join(base, 'local');
    const local = new LocalTarget(localRoot);
    mkdirSync(localRoot, { recursive: true });
    const ftp = new FtpTarget(spec);
    const session = new SyncSession({ local, remote: ftp, localRoot, remoteId: remoteId(spec) });
    const events: string[] = [];
    const sent = ftp.loginSent.bind(ftp);
    ftp.loginSent = () => sent().then(() => { events.push('sent'); });
    const load = session.state.load.bind(session.state);
    session.state.load = () => { events.push('load'); load(); };
    await session.open();
    assert.deepEqual(events, ['sent', 'load']);
    await session.close();
  });
});
