// The host verifier of one SSH connection (targets/ssh/session-host-key.ts): the first key exchange is
// checked asynchronously (known_hosts, prompts); a re-key is answered synchronously from that answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sessionHostVerifier } from '../../../src/core/targets/ssh/session-host-key.js';
import { SyncError } from '../../../src/core/errors.js';

const KEY = Buffer.from('ssh-ed25519 key A');
const OTHER = Buffer.from('ssh-ed25519 key B');

function verifier(check: (k: Buffer) => Promise<void>) {
  const refused: unknown[] = [];
  const answers: boolean[] = [];
  const v = sessionHostVerifier(check, (e) => refused.push(e));
  return { v, refused, answers, verify: (ok: boolean) => answers.push(ok) };
}

test('the first exchange waits for the check; a re-key with the same key is accepted at once, without checking again', async () => {
  let checks = 0;
  const h = verifier(async () => { checks++; });
  assert.equal(h.v(KEY, h.verify), undefined, 'first: asynchronous');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(h.answers, [true]);
  assert.equal(h.v(Buffer.from(KEY), h.verify), true, 're-key: synchronous yes');
  assert.equal(h.v(Buffer.from(KEY), h.verify), true);
  assert.equal(checks, 1);
  assert.deepEqual(h.answers, [true], 'the callback is not used for a synchronous answer');
  assert.equal(h.refused.length, 0);
});

test('a different key on a re-key is refused at once, with a host-key error', async () => {
  const h = verifier(async () => {});
  h.v(KEY, h.verify);
  await new Promise((r) => setImmediate(r));
  assert.equal(h.v(OTHER, h.verify), false);
  assert.equal(h.refused.length, 1);
  assert.ok(h.refused[0] instanceof SyncError);
  assert.equal((h.refused[0] as SyncError).code, 'hostkey');
  assert.match((h.refused[0] as SyncError).message, /different host key during the session/);
});

test('a refused first check answers no and reports its reason; nothing is remembered', async () => {
  const why = new SyncError('hostkey', 'Host key mismatch');
  const h = verifier(async () => { throw why; });
  assert.equal(h.v(KEY, h.verify), undefined);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(h.answers, [false]);
  assert.deepEqual(h.refused, [why]);
});

test('the accepted key is a copy: ssh2 reusing the packet memory does not change what a re-key is compared with', async () => {
  const h = verifier(async () => {});
  const packet = Buffer.from(KEY);
  h.v(packet, h.verify);
  await new Promise((r) => setImmediate(r));
  packet.fill(0);
  assert.equal(h.v(Buffer.from(KEY), h.verify), true);
});

test('an exchange that begins while the first check is still open is refused, not guessed', () => {
  const h = verifier(() => new Promise(() => {}));
  assert.equal(h.v(KEY, h.verify), undefined);
  assert.equal(h.v(KEY, h.verify), false);
  assert.equal(h.refused.length, 1);
});
