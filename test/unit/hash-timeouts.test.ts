// A server's sha256sum of a big file prints nothing until the whole file was read: the time it is
// given grows with the file's size (serverHashTimeoutMs), and an answer that does not come in time is
// a slow server, not an account that cannot run sha256sum — the file is read back this once, the
// next one is hashed on the server again. A connection lost while it hashed is a lost connection.
// (FTP HASH: test/faults/hash-slow-server.test.ts)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { SftpTarget } from '../../src/core/targets/sftp.js';
import type { Logger } from '../../src/core/types.js';
import { SERVER_HASH_BYTES_PER_SECOND, serverHashTimeoutMs, sshServerHash, type SshExecClient } from '../../src/core/transfer/hash.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** an exec client whose sha256sum answers after `delayMs` per call (undefined: never), or whose connection drops (`drop`) */
function slowSsh(delays: Array<number | undefined | 'drop'>, onDrop?: () => void) {
  const state = { calls: 0, closed: 0 };
  const client: SshExecClient = {
    exec(command, cb) {
      const delay = delays[Math.min(state.calls++, delays.length - 1)];
      const path = /'(.*)'$/.exec(command)![1];
      const ch = Object.assign(new EventEmitter(), { stderr: new EventEmitter(), close: () => { state.closed++; } });
      setImmediate(() => {
        cb(undefined, ch as never);
        if (delay === 'drop') { setTimeout(() => { onDrop?.(); ch.emit('close'); }, 20); return; }
        if (delay !== undefined) setTimeout(() => { ch.emit('data', Buffer.from(`${sha(path)}  ${path}\n`)); ch.emit('close', 0); }, delay);
      });
      return true;
    },
  };
  return { client, state };
}

function logger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const add = (level: string) => (m: string) => { lines.push(`${level}: ${m}`); };
  return { lines, error: add('error'), warn: add('warn'), info: add('info'), debug: add('debug') };
}

/** an SftpTarget on a stand-in connection (only exec is used by serverHash) */
function targetOn(client: SshExecClient, timeoutSeconds: number) {
  const log = logger();
  const t = new SftpTarget({ protocol: 'sftp', host: 'stand-in', user: 'u', path: '/srv', timeoutSeconds, retries: 0 }, { log });
  const conn = { client, sftp: {}, dead: false, root: '/srv', posixRename: false };
  Object.assign(t as unknown as { conn: unknown }, { conn });
  return { t, log, conn };
}

test('serverHashTimeoutMs: the idle timeout plus the file at a conservative rate; the plain timeout when the size is unknown', () => {
  assert.equal(serverHashTimeoutMs(30_000), 30_000);
  assert.equal(serverHashTimeoutMs(30_000, 0), 30_000);
  assert.equal(serverHashTimeoutMs(30_000, 10 * SERVER_HASH_BYTES_PER_SECOND), 40_000);
  assert.ok(serverHashTimeoutMs(30_000, 4 * 1024 ** 3) >= 30_000 + 200_000, '4 GiB at 20 MiB/s: over 200 s more');
});

test('sftp: a big file\'s sha256sum answering after more than timeoutSeconds is taken (the wait grows with the size)', async () => {
  const { client } = slowSsh([400]);
  const { t } = targetOn(client, 0.2);
  // 20 MiB: 0.2 s + 1 s
  const r = await t.serverHash('big.bin', ['sha256'], undefined, SERVER_HASH_BYTES_PER_SECOND);
  assert.deepEqual(r, { algo: 'sha256', hex: sha('/srv/big.bin'), method: 'sha256sum over SSH' });
});

test('sftp: a sha256sum that times out is a slow server, not an account that cannot hash: the next file is hashed on the server', async () => {
  const { client, state } = slowSsh([undefined, 10]);
  const { t, log } = targetOn(client, 0.2);
  assert.equal(await t.serverHash('huge.bin', ['sha256'], undefined, 1000), undefined, 'no answer: read back');
  assert.equal(state.closed, 1, 'the timed-out exec channel was left open');
  assert.ok(log.lines.some((l) => /^warn: .*no hash of huge\.bin from the server within \d+ s; the file is read back/.test(l)), log.lines.join('\n'));
  assert.ok(!log.lines.some((l) => /cannot run/.test(l)), `a timeout was reported as an account that cannot hash:\n${log.lines.join('\n')}`);
  assert.deepEqual(await t.serverHash('next.bin', ['sha256'], undefined, 1000), { algo: 'sha256', hex: sha('/srv/next.bin'), method: 'sha256sum over SSH' });
  assert.equal(state.calls, 2);
});

test('sftp: a connection lost while the server hashes is a lost connection (an error), not an account that cannot hash', async () => {
  let conn: { dead: boolean } | undefined;
  const { client } = slowSsh(['drop'], () => { conn!.dead = true; });
  const target = targetOn(client, 5);
  conn = target.conn;
  await assert.rejects(target.t.serverHash('a.bin', ['sha256'], undefined, 10), (e: { code?: string }) => e.code === 'connect');
  assert.ok(!target.log.lines.some((l) => /cannot run/.test(l)), target.log.lines.join('\n'));
});

test('sftp: a cancel ends the wait for a slow sha256sum at once, however long the file gives it', async () => {
  const { client, state } = slowSsh([undefined]);
  const { t } = targetOn(client, 1);
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 100);
  const started = Date.now();
  await assert.rejects(t.serverHash('huge.bin', ['sha256'], ac.signal, 100 * 1024 ** 3), (e: { code?: string }) => e.code === 'aborted');
  assert.ok(Date.now() - started < 1000, `the cancel took ${Date.now() - started} ms`);
  assert.equal(state.closed, 1, 'the exec channel was left open');
});

test('sshServerHash: onTimeout tells a timeout from a refusal', async () => {
  let timedOut = 0;
  const { client } = slowSsh([undefined]);
  assert.equal(await sshServerHash(client, '/srv/x', ['sha256'], 50, undefined, () => { timedOut++; }), undefined);
  assert.equal(timedOut, 1);
  const refusing: SshExecClient = { exec(_c, cb) { setImmediate(() => cb(new Error('exec request failed on channel 0'), undefined as never)); return true; } };
  assert.equal(await sshServerHash(refusing, '/srv/x', ['sha256'], 50, undefined, () => { timedOut++; }), undefined);
  assert.equal(timedOut, 1, 'a refused exec was taken for a timeout');
});
