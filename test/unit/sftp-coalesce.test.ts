// The coalescer's rules on a stand-in for ssh2's channel (src/core/targets/ssh/sftp-coalesce.ts): the
// first payload of a turn goes at once, the turn's next ones together at its end, in order and cut at
// the packet size; a big payload sends what is queued, then goes alone and uncopied; the close sends
// what is queued first; nothing queued is sent on a channel that closed before the turn ended; a send
// that fails after the turn gives the connection up instead of throwing where nobody catches it.
// (Against the real sshd: test/integration/sftp-coalesce.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coalesceRequests, SMALL } from '../../src/core/targets/ssh/sftp-coalesce.js';

type Sent = { kind: 'data'; id: number; data: Buffer } | { kind: 'close'; id: number };

function channel(packetSize = 100) {
  const sent: Sent[] = [];
  const protocol = {
    fail: undefined as Error | undefined,
    other: 0,
    channelData(id: number, data: Buffer) { if (this.fail) throw this.fail; sent.push({ kind: 'data', id, data }); },
    channelClose(id: number) { sent.push({ kind: 'close', id }); },
    channelWindowAdjust() { this.other++; },
  };
  const ch = { _protocol: protocol as object, outgoing: { id: 7, state: 'open', packetSize } };
  const send = (data: Buffer) => (ch._protocol as typeof protocol).channelData(7, data);
  return { ch, protocol, sent, send };
}

const turn = () => new Promise<void>((r) => setImmediate(r));
const bytes = (n: number, fill: number) => Buffer.alloc(n, fill);
const lengths = (sent: Sent[]) => sent.map((s) => (s.kind === 'data' ? s.data.length : -1));

test('the first payload of a turn goes at once, the next ones together at its end, in order, cut at the packet size', async () => {
  const { ch, sent, send } = channel(100);
  assert.ok(coalesceRequests(ch, () => assert.fail('no failure expected')));
  const parts = [bytes(30, 1), bytes(30, 2), bytes(30, 3), bytes(30, 4), bytes(100, 5), bytes(1, 6)];
  for (const p of parts.slice(0, 4)) send(p);
  assert.deepEqual(lengths(sent), [30], 'the first at once, the next three wait for the end of the turn');
  for (const p of parts.slice(4)) send(p);
  assert.deepEqual(lengths(sent), [30, 90, 100], 'a packet that would overflow is sent at once');
  await turn();
  assert.deepEqual(lengths(sent), [30, 90, 100, 1]);
  const data = sent.map((s) => (s.kind === 'data' ? s.data : Buffer.alloc(0)));
  assert.ok(Buffer.concat(data).equals(Buffer.concat(parts)), 'the bytes in the order they were sent');
  assert.ok(sent.every((s) => s.id === 7));
  // a new turn: its first payload goes at once again
  send(bytes(5, 7));
  assert.deepEqual(lengths(sent), [30, 90, 100, 1, 5]);
});

test('a big payload sends what is queued first, then goes alone, not copied', async () => {
  const { ch, sent, send } = channel(64 * 1024);
  coalesceRequests(ch, () => assert.fail('no failure expected'));
  const a = bytes(10, 1), b = bytes(20, 2);
  const big = bytes(SMALL + 1, 3);
  send(a); // at once
  send(b); // queued
  send(big);
  assert.deepEqual(lengths(sent), [10, 20, SMALL + 1], 'the queued one before the big one');
  assert.ok(sent[2].kind === 'data' && sent[2].data === big, 'the big payload itself');
  send(bytes(5, 4)); // queued behind it
  assert.equal(sent.length, 3);
  await turn();
  assert.deepEqual(lengths(sent), [10, 20, SMALL + 1, 5]);
});

test('the close sends what is queued first; other calls reach the protocol unchanged', async () => {
  const { ch, protocol, sent, send } = channel();
  coalesceRequests(ch, () => assert.fail('no failure expected'));
  send(bytes(10, 1));
  send(bytes(11, 2));
  (ch._protocol as typeof protocol).channelClose(7);
  (ch._protocol as typeof protocol).channelWindowAdjust();
  assert.deepEqual(lengths(sent), [10, 11, -1]);
  assert.equal(protocol.other, 1, 'a method the coalescer does not know is the protocol\'s own, on the protocol');
  await turn();
  assert.equal(sent.length, 3, 'nothing sent twice');
});

test('a channel closed before the turn ended: what was queued is not sent', async () => {
  const { ch, sent, send } = channel();
  coalesceRequests(ch, () => assert.fail('no failure expected'));
  send(bytes(10, 1));
  send(bytes(12, 2));
  ch.outgoing.state = 'closed';
  await turn();
  assert.deepEqual(lengths(sent), [10]);
});

test('a send that fails after the turn: the connection is given up, nothing thrown', async () => {
  const { ch, protocol, send } = channel();
  const failures: unknown[] = [];
  coalesceRequests(ch, (e) => failures.push(e));
  send(bytes(10, 1)); // at once
  protocol.fail = new Error('cipher gone');
  send(bytes(10, 2)); // queued: fails at the end of the turn
  await turn();
  assert.equal(failures.length, 1);
  assert.equal((failures[0] as Error).message, 'cipher gone');
  // a send in the caller's own call fails there, as it did before
  assert.throws(() => send(bytes(10, 3)), /cipher gone/);
  assert.throws(() => send(bytes(SMALL + 1, 4)), /cipher gone/);
});

test('not an ssh2 1.x channel: left alone', () => {
  assert.equal(coalesceRequests({}, () => undefined), undefined);
  assert.equal(coalesceRequests({ _protocol: { channelData() {} }, outgoing: { id: 1, state: 'open', packetSize: 10 } }, () => undefined), undefined);
  const { ch } = channel();
  const first = coalesceRequests(ch, () => undefined);
  assert.equal(coalesceRequests(ch, () => undefined), first, 'installed once');
});
