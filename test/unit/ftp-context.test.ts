// LeanFtpContext (src/core/targets/ftp-context.ts): basic-ftp's control connection without a stack
// trace per command. Talks to a tiny loopback socket that answers like an FTP server (the parsing and
// the task bookkeeping are basic-ftp's own, only handle() is ours), and its riders (ride()).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, Socket, type Server } from 'node:net';
import { FTPContext, FTPError } from 'basic-ftp';
import { LeanFtpContext, newFtpClient } from '../../src/core/targets/ftp-context.js';

/** a server that answers every line with `reply(line)` (undefined: no answer) */
async function lineServer(reply: (line: string) => string | undefined): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => {
    let buf = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      buf += d;
      let i: number;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const r = reply(line);
        if (r !== undefined) s.write(r);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}

async function connected(ctx: FTPContext, port: number): Promise<void> {
  const s = new Socket();
  await new Promise<void>((r, j) => { s.once('error', j); s.connect(port, '127.0.0.1', r); });
  ctx.socket = s;
}

describe('LeanFtpContext', () => {
  test('requests resolve with the server reply, errors reject, and no stack trace is formatted per command', async () => {
    const { server, port } = await lineServer((l) => (l.startsWith('NOOP') ? '200 ok\r\n' : '502 not here\r\n'));
    const ctx = new LeanFtpContext(5000);
    try {
      await connected(ctx, port);
      // every formatted stack goes through prepareStackTrace: count them while commands run
      let formatted = 0;
      const prev = Error.prepareStackTrace;
      Error.prepareStackTrace = (err, frames) => { formatted++; return prev ? prev(err, frames) : `${err}`; };
      try {
        for (let i = 0; i < 20; i++) assert.equal((await ctx.request('NOOP')).code, 200);
      } finally {
        Error.prepareStackTrace = prev;
      }
      assert.equal(formatted, 0, 'no stack formatted for successful commands');
      await assert.rejects(ctx.request('XYZ'), (e: Error & { code?: number }) => e.code === 502 && /not here/.test(e.message));
      assert.equal((await ctx.request('NOOP')).code, 200, 'the connection is usable after an error reply');
    } finally {
      ctx.close();
      server.close();
    }
  });

  test('a second task started while one runs closes the context with an error naming the running command', async () => {
    const { server, port } = await lineServer(() => undefined); // never answers
    const ctx = new LeanFtpContext(5000);
    try {
      await connected(ctx, port);
      const first = ctx.request('NOOP');
      const second = ctx.request('PASS secret');
      await assert.rejects(first, (e: Error) => /another one is still running/.test(e.message) && /Running task: NOOP/.test(e.stack ?? ''));
      await assert.rejects(second, /closed/);
      assert.equal(ctx.closed, true);
    } finally {
      ctx.close();
      server.close();
    }
  });

  test('the running PASS command is not recorded with its password', async () => {
    const { server, port } = await lineServer(() => undefined);
    const ctx = new LeanFtpContext(5000);
    try {
      await connected(ctx, port);
      const first = ctx.request('PASS hunter2');
      void ctx.request('NOOP').catch(() => undefined);
      await assert.rejects(first, (e: Error) => /Running task: PASS \*\*\*/.test(e.stack ?? '') && !/hunter2/.test(e.stack ?? ''));
    } finally {
      ctx.close();
      server.close();
    }
  });

  test('refusals are FTPErrors with their code and whole reply, made without a stack trace; replies split over packets are read whole', async () => {
    // a multi-line refusal sent in two packets, then a positive reply
    const { server, port } = await lineServer((l) => (l === 'NOOP' ? '200 ok\r\n' : undefined));
    const raw = new Set<Socket>();
    server.on('connection', (s) => {
      raw.add(s);
      s.on('data', (d) => {
        if (!String(d).startsWith('MLST')) return;
        s.write('550-No such file\r\n');
        setTimeout(() => s.write('550 End\r\n'), 20);
      });
    });
    const ctx = new LeanFtpContext(5000);
    try {
      await connected(ctx, port);
      let captured = 0;
      const prev = Error.prepareStackTrace;
      Error.prepareStackTrace = (err, frames) => { if (frames.length) captured++; return prev ? prev(err, frames) : `${err}`; };
      const limit = Error.stackTraceLimit;
      let refused: unknown;
      try {
        refused = await ctx.request('MLST /x').catch((e: unknown) => e);
        assert.equal(Error.stackTraceLimit, limit, 'the stack trace limit is back as it was');
        void (refused as Error).stack; // (V8 formats a stack on first use, from the frames captured when it was made)
      } finally {
        Error.prepareStackTrace = prev;
      }
      assert.ok(refused instanceof FTPError);
      assert.equal(refused.code, 550);
      assert.equal(refused.message, '550-No such file\n550 End');
      assert.equal(captured, 0, 'no stack frames captured for the refusal');
      assert.equal((await ctx.request('NOOP')).code, 200, 'the connection is in step after it');
    } finally {
      ctx.close();
      for (const s of raw) s.destroy();
      server.close();
    }
  });

  test('newFtpClient: a basic-ftp Client on a LeanFtpContext with the given timeout', () => {
    const c = newFtpClient(1234);
    assert.ok(c.ftp instanceof LeanFtpContext);
    assert.equal(c.ftp.timeout, 1234);
    assert.equal((c.ftp as unknown as { _closingError?: Error })._closingError, undefined, 'the replaced context was closed, not the new one');
    c.close();
  });
  test('ride(): commands go out with the next task\'s write (one packet), their replies first; alone on the next turn when no task comes; queued riders in order', async () => {
    const packets: string[] = [];
    let n = 0;
    const { server, port } = await lineServer((l) => (l.startsWith('BAD') ? `550 no ${l}\r\n` : `200 ${l} #${++n}\r\n`));
    server.on('connection', (s) => s.on('data', (d) => packets.push(d.toString())));
    const ctx = new LeanFtpContext(5000);
    try {
      await connected(ctx, port);
      // riding with a task: one write, the rider's replies before the task's
      const riding = ctx.ride(['A1', 'BAD A2']);
      const task = ctx.request('T1');
      const [replies, t1] = await Promise.all([riding, task]);
      assert.deepEqual(replies.map((r) => r.code), [200, 550], 'refusals are replies, not errors');
      assert.ok(replies[1] instanceof FTPError);
      assert.match(t1.message, /T1 #2/, 'the task got its own reply, after the rider\'s');
      assert.equal(packets.at(-1), 'A1\r\nBAD A2\r\nT1\r\n', 'rider and task in one packet');
      // no task: sent alone on the next turn; two riders queued go out together, each gets its replies
      const r1 = ctx.ride(['B1']);
      const r2 = ctx.ride(['C1', 'C2']);
      assert.deepEqual((await r1).map((r) => (r as { message: string }).message.split(' ')[1]), ['B1']);
      assert.deepEqual((await r2).map((r) => (r as { message: string }).message.split(' ')[1]), ['C1', 'C2']);
      assert.equal(packets.at(-1), 'B1\r\nC1\r\nC2\r\n');
      // a rider in flight when a task starts: the task's reply is still its own
      const r3 = ctx.ride(['D1']);
      await new Promise((r) => setImmediate(r)); // (sent alone)
      assert.match((await ctx.request('T2')).message, /T2 #/);
      assert.match((await r3)[0].message, /D1 #/);
      await assert.rejects(ctx.ride(['X\r\nY']), /control characters/, 'checked as send() checks');
    } finally {
      ctx.close();
      server.close();
    }
  });

  test('ride(): a connection error rejects the riders (sent or waiting) and the task; refused while a task runs', async () => {
    const { server, port } = await lineServer((l) => (l === 'HANG' ? undefined : `200 ${l}\r\n`));
    const ctx = new LeanFtpContext(5000);
    try {
      await connected(ctx, port);
      const running = ctx.request('HANG');
      await assert.rejects(ctx.ride(['A']), /a task is running/);
      ctx.close();
      await assert.rejects(running);
    } finally {
      server.close();
    }
    const { server: s2, port: p2 } = await lineServer((l) => (l === 'DROP' || l === 'LATER' ? undefined : `200 ${l}\r\n`));
    s2.on('connection', (s) => s.on('data', (d) => { if (d.toString().includes('DROP')) s.destroy(); }));
    const ctx2 = new LeanFtpContext(5000);
    try {
      await connected(ctx2, p2);
      const sent = ctx2.ride(['DROP']);
      const waiting = ctx2.ride(['LATER']);
      await assert.rejects(sent);
      await assert.rejects(waiting);
      await assert.rejects(ctx2.request('NOOP'), 'the context is closed');
    } finally {
      ctx2.close();
      s2.close();
    }
  });
});
