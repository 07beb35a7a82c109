// A server hashes a big file at disk speed and says nothing until it is done: its FTP HASH reply may
// come later than the idle timeout (`timeoutSeconds`, here 1 s). The wait grows with the file's size
// (serverHashTimeoutMs: the timeout plus the file at 20 MB/s), so a verified upload or a --checksum
// compare of a big file gets the server's hash instead of failing as a stall; a reply that still does
// not come in time is no error either: the file is read back (and the log says why); a cancel ends
// the wait at once. (SFTP's sha256sum: test/unit/hash-timeouts.test.ts)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SyncSession } from '../../src/core/session.js';
import { createTarget, remoteId } from '../../src/core/targets/index.js';
import { FtpTarget } from '../../src/core/targets/ftp.js';
import type { Logger, RemoteSpec } from '../../src/core/types.js';
import { startCraftedFtp, type CraftedFtp } from './crafted-ftp.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const MiB = 1024 * 1024;
const servers: CraftedFtp[] = [];
after(async () => { for (const s of servers) await s.stop(); });

/** a server whose HASH reply (a good one) comes `delayMs` after the command */
async function slowHashServer(delayMs: number): Promise<CraftedFtp> {
  const server = await startCraftedFtp({
    feat: [' HASH SHA-256*'],
    other: async (cmd, arg, file) => {
      if (cmd !== 'HASH') return undefined;
      const data = file(arg);
      if (!data) return '550 No such file';
      await sleep(delayMs);
      return `213 SHA-256 0-${data.length} ${sha(data)} ${arg}`;
    },
  });
  servers.push(server);
  server.mkdir('/site');
  return server;
}

function logger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, error: () => undefined, warn: (m) => warnings.push(m), info: () => undefined, debug: () => undefined };
}

const specOf = (server: CraftedFtp): RemoteSpec => ({
  protocol: 'ftp', host: server.host, port: server.port, user: server.user, password: server.password, path: '/site', timeoutSeconds: 1, retries: 1,
});

/** a session between a new local folder holding `files` and the crafted server's /site */
async function withSession<T>(server: CraftedFtp, files: Record<string, Buffer>, fn: (s: SyncSession, log: ReturnType<typeof logger>) => Promise<T>): Promise<T> {
  const base = mkdtempSync(join(tmpdir(), 'rs-slowhash-'));
  const local = join(base, 'local');
  mkdirSync(local);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(local, name), content);
  const log = logger();
  const spec = specOf(server);
  const s = new SyncSession({
    local: createTarget({ protocol: 'local', path: local }), remote: createTarget(spec, { concurrency: 2, log }), localRoot: local, remoteId: remoteId(spec), log,
  });
  try {
    return await fn(s, log);
  } finally {
    await s.close();
    rmSync(base, { recursive: true, force: true });
  }
}

test('ftp HASH of a big file, answered after more than timeoutSeconds: the verified upload takes the server\'s hash', async () => {
  // 40 MiB: 1 s + 2 s to answer; the server takes 1.5 s (a plain 1 s timeout gives up before it)
  const server = await slowHashServer(1500);
  const content = Buffer.alloc(40 * MiB, 7);
  const r = await withSession(server, { 'big.bin': content }, (s) => s.run({ mode: 'upload', transfer: { verify: 'hash', retries: 1, retrySleepMs: 1 } }));
  assert.deepEqual(r.errors.map((e) => e.message), []);
  assert.equal(r.stats.uploaded, 1);
  assert.deepEqual(r.hashMethods, { local: ['read'], remote: ['FTP HASH'] });
  assert.equal(sha(server.files('/site').get('big.bin')!), sha(content));
});

test('--checksum compare of a big file whose HASH comes after more than timeoutSeconds: equal, by the server\'s hash', async () => {
  const server = await slowHashServer(1500);
  const content = Buffer.alloc(40 * MiB, 9);
  server.put('/site/big.bin', content, Date.now() - 60_000);
  const plan = await withSession(server, { 'big.bin': content }, (s) => s.plan({ mode: 'sync', checksum: true }));
  assert.deepEqual(plan.actions.map((a) => `${a.kind} ${a.path}`), []);
  assert.equal(server.commands.get('RETR') ?? 0, 0, 'the file was downloaded instead of hashed on the server');
});

test('ftp HASH that does not come within the time given: the file is read back (no error), the log says so', async () => {
  // a small file: 1 s; the server takes 2.5 s
  const server = await slowHashServer(2500);
  const { r, log } = await withSession(server, { 'small.bin': Buffer.alloc(5000, 1) }, async (s, log) => {
    const r = await s.run({ mode: 'upload', transfer: { verify: 'hash', retries: 1, retrySleepMs: 1 } });
    return { r, log };
  });
  assert.deepEqual(r.errors.map((e) => e.message), []);
  assert.equal(r.stats.uploaded, 1);
  assert.deepEqual(r.hashMethods, { local: ['read'], remote: ['read back'] });
  assert.ok(log.warnings.some((w) => /no hash of \/site\/.* within 1 s; the file is read back/.test(w)), log.warnings.join('\n'));
  assert.equal(server.commands.get('HASH'), 1, 'the timed-out hash was tried again');
  // (a listing's data-connection watchdog left running had closed the connection under the hash: ftp-fast.ts)
  assert.ok(!log.warnings.some((w) => /data socket/.test(w)), log.warnings.join('\n'));
});

test('a cancel ends the wait for a slow HASH at once', async () => {
  const server = await slowHashServer(5000);
  server.put('/site/huge.bin', Buffer.alloc(1000, 3));
  const t = new FtpTarget(specOf(server), { concurrency: 1 });
  try {
    await t.open();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const started = Date.now();
    // a 10 GB file per the caller: minutes to answer
    await assert.rejects(t.serverHash('huge.bin', ['sha256'], ac.signal, 10 * 1024 * MiB), (e: { code?: string }) => e.code === 'aborted');
    assert.ok(Date.now() - started < 3000, `the cancel took ${Date.now() - started} ms`); // (the reply comes at 5 s)
  } finally {
    await t.close();
  }
});
