// The framing of targets/sftp-direct-data.ts: READ replies copied from the channel's packets into the
// reads' buffers, every other message handed to ssh2 whole, in order — wherever the packets split
// the messages. ssh2's side is a stand-in that frames what it is given (pure logic: no server).
//   node --import tsx --test test/unit/sftp-direct-data.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { directReadReplies } from '../../src/core/targets/sftp-direct-data.js';

const DATA = 103;
const STATUS = 101;
const HANDLE = 102;
const NAME = 104;

interface Req { cb?: (err: Error | undefined, buf?: Buffer, nb?: number) => void; buffer?: Buffer }

/** ssh2's SFTP object as far as the framing needs it: push() frames the bytes it is given into messages */
class FakeSftp extends EventEmitter {
  _requests: Record<number, Req | undefined> = {};
  _maxInPktLen = 256 * 1024 + 1024;
  /** what happened, in order: "ssh2 <type> <id>" for a message ssh2 got, "direct <id> <nb>" for a read answered here */
  events: string[] = [];
  private acc = Buffer.alloc(0);
  ended = false;
  push(data: Buffer | null): unknown {
    if (data === null) { this.ended = true; return undefined; }
    this.acc = Buffer.concat([this.acc, data]);
    while (this.acc.length >= 4 && this.acc.length >= 4 + this.acc.readUInt32BE(0)) {
      const len = this.acc.readUInt32BE(0);
      const msg = this.acc.subarray(4, 4 + len);
      this.acc = this.acc.subarray(4 + len);
      this.events.push(`ssh2 ${msg[0]} ${msg.length >= 5 ? msg.readUInt32BE(1) : '-'} ${len}`);
    }
    return undefined;
  }
}

function message(type: number, id: number, body: Buffer): Buffer {
  const b = Buffer.alloc(4 + 1 + 4 + body.length);
  b.writeUInt32BE(1 + 4 + body.length, 0);
  b[4] = type;
  b.writeUInt32BE(id, 5);
  body.copy(b, 9);
  return b;
}
const dataMsg = (id: number, data: Buffer) => message(DATA, id, Buffer.concat([Buffer.from([0, 0, 0, 0].map((_, i) => (data.length >>> (24 - 8 * i)) & 255)), data]));

/** a read of `size` bytes waiting for its reply, recording it in `events` */
function read(s: FakeSftp, id: number, size: number, results: Map<number, { err?: Error; nb?: number; buf?: Buffer }>): void {
  const buffer = Buffer.alloc(size);
  s._requests[id] = { buffer, cb: (err, buf, nb) => { s.events.push(`direct ${id} ${nb ?? 'error'}`); delete s._requests[id]; results.set(id, { err, nb, buf }); } };
}

/** feed `stream` in pieces of the given sizes (cycled) */
function feed(s: FakeSftp, stream: Buffer, pieces: number[]): void {
  let at = 0;
  let i = 0;
  while (at < stream.length) {
    const n = Math.max(1, pieces[i++ % pieces.length]);
    s.push(stream.subarray(at, at + n));
    at += n;
  }
}

test('DATA replies land in the reads\' buffers, other messages reach ssh2 whole and in order, at every split', () => {
  const a = randomBytes(1000);
  const b = randomBytes(70_000);
  const messages = [
    message(STATUS, 1, Buffer.from([0, 0, 0, 0])), // 9 bytes of body: shorter than a DATA header
    message(NAME, 11, randomBytes(5000)), // a big message not ours: across the packets' ends
    dataMsg(2, a),
    message(HANDLE, 3, Buffer.from([0, 0, 0, 1, 7])),
    message(STATUS, 10, Buffer.alloc(0)), // 9 bytes in all, right before a DATA reply: not read past
    dataMsg(4, b),
    dataMsg(5, Buffer.alloc(0)), // an empty DATA reply
    dataMsg(6, Buffer.from('not asked for')), // no such request: ssh2's business
    dataMsg(7, randomBytes(20)), // more than the read asked for: the read fails, its bytes skipped (ssh2 would cut them to 10)
    message(STATUS, 8, Buffer.from([0, 0, 0, 1])),
  ];
  const stream = Buffer.concat(messages);
  const expected = ['ssh2 101 1 9', 'ssh2 104 11 5005', 'direct 2 1000', 'ssh2 102 3 10', 'ssh2 101 10 5', 'direct 4 70000', 'direct 5 0', `ssh2 103 6 ${messages[7].length - 4}`, 'direct 7 error', 'ssh2 101 8 9'];
  for (const pieces of [[stream.length], [1], [2], [3], [5], [7], [12], [13], [14], [1000], [32_768], [4, 9, 1, 13, 5000], [31, 1, 1]]) {
    const s = new FakeSftp();
    assert.equal(directReadReplies(s), true);
    const results = new Map<number, { err?: Error; nb?: number; buf?: Buffer }>();
    read(s, 2, 1000, results);
    read(s, 4, 256 * 1024, results);
    read(s, 5, 100, results);
    read(s, 7, 10, results);
    const seven = s._requests[7]!.buffer!;
    feed(s, stream, pieces);
    assert.ok(seven.equals(Buffer.alloc(10)), `pieces ${pieces.join(',')}: nothing copied into the read that got too much`);
    assert.deepEqual(s.events, expected, `pieces ${pieces.join(',')}`);
    assert.ok(results.get(2)!.buf!.subarray(0, 1000).equals(a), `pieces ${pieces.join(',')}: the first read's bytes`);
    assert.ok(results.get(4)!.buf!.subarray(0, 70_000).equals(b), `pieces ${pieces.join(',')}: the second read's bytes`);
    assert.equal(results.get(5)!.nb, 0);
    assert.match(String(results.get(7)!.err), /Received more data than requested: the server sent 20 bytes for a read of 10/);
    assert.equal(s._requests[7], undefined);
  }
});

test('installed once; an object that is not ssh2\'s SFTP is left alone', () => {
  const s = new FakeSftp();
  assert.equal(directReadReplies(s), true);
  const push = s.push;
  assert.equal(directReadReplies(s), true);
  assert.equal(s.push, push, 'not wrapped twice');
  const other = { push: () => undefined };
  assert.equal(directReadReplies(other), false);
});

test('a message longer than ssh2 accepts, or of length 0, goes to ssh2 (which fails the channel)', () => {
  const s = new FakeSftp();
  directReadReplies(s);
  const results = new Map<number, { err?: Error; nb?: number; buf?: Buffer }>();
  read(s, 1, 10, results);
  const huge = Buffer.alloc(13);
  huge.writeUInt32BE(s._maxInPktLen + 1, 0);
  huge[4] = DATA;
  huge.writeUInt32BE(1, 5);
  s.push(huge);
  assert.equal(results.size, 0, 'not taken as the read\'s reply');
  assert.ok(s._requests[1]);
});

test('the channel ends in the middle of a reply: that read fails (as ssh2 fails the others), nothing is left waiting', () => {
  const s = new FakeSftp();
  directReadReplies(s);
  const results = new Map<number, { err?: Error; nb?: number; buf?: Buffer }>();
  read(s, 9, 5000, results);
  const m = dataMsg(9, randomBytes(5000));
  s.push(m.subarray(0, 2000));
  assert.equal(results.size, 0);
  s.push(null);
  assert.ok(results.get(9)?.err instanceof Error);
  assert.equal(s.ended, true, 'ssh2 still sees the end');

  // and on 'close' without an end of data
  const t = new FakeSftp();
  directReadReplies(t);
  const r2 = new Map<number, { err?: Error; nb?: number; buf?: Buffer }>();
  read(t, 3, 100, r2);
  t.push(dataMsg(3, randomBytes(100)).subarray(0, 50));
  t.emit('close');
  assert.ok(r2.get(3)?.err instanceof Error);
});
