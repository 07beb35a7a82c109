// FTP replies split by TCP inside a line (a segment boundary can fall anywhere), through a small
// proxy in front of the crafted server (crafted-ftp.ts) that cuts the server's control-connection
// data at chosen points and sends the pieces as separate segments. basic-ftp's parser once took an
// unfinished line for a whole one: a fact cut short ("size=12" of "size=1234"), or the "250" of
// "250-Begin" as a reply of its own, which shifted every later pipelined reply by one — the re-check
// before overwrite then read MFMT's reply as the MLST of the final name, found no entry in it, and let
// the rename replace a file changed on the server meanwhile. Now replies are parsed from whole lines
// only (ftp-context.ts), and a positive MLST reply without facts is an error (ftp-replace.ts).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { FtpTarget } from '../../src/core/targets/ftp.js';
import { startCraftedFtp, type CraftedFtp } from './crafted-ftp.js';

interface SplitProxy { port: number; splits: number; stop(): Promise<void> }

/**
 * A proxy to `port` on loopback: client → server as is; each chunk server → client cut where
 * `cuts(text)` says, the pieces written `gapMs` apart (separate TCP segments, read as separate chunks).
 */
async function splitProxy(port: number, cuts: (text: string) => number[], gapMs: number): Promise<SplitProxy> {
  const sockets = new Set<net.Socket>();
  const state = { splits: 0 };
  const server = net.createServer((client) => {
    client.setNoDelay(true);
    const upstream = net.connect(port, '127.0.0.1');
    for (const s of [client, upstream]) { sockets.add(s); s.on('error', () => undefined); s.on('close', () => sockets.delete(s)); }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    let queue = Promise.resolve();
    upstream.on('data', (d: Buffer) => {
      const text = d.toString('latin1');
      const at = [...new Set(cuts(text))].filter((i) => i > 0 && i < text.length).sort((a, b) => a - b);
      const pieces = [0, ...at].map((from, k) => text.slice(from, k < at.length ? at[k] : undefined));
      state.splits += at.length;
      queue = queue.then(async () => {
        for (let k = 0; k < pieces.length; k++) {
          if (k > 0) await sleep(gapMs);
          if (!client.destroyed) client.write(Buffer.from(pieces[k], 'latin1'));
        }
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    get splits() { return state.splits; },
    async stop() { for (const s of sockets) s.destroy(); await new Promise<void>((r) => server.close(() => r())); },
  };
}

const stops: Array<() => Promise<void>> = [];
after(async () => { for (const s of stops) await s(); });

async function setup(cuts: (text: string) => number[], gapMs = 15): Promise<{ server: CraftedFtp; proxy: SplitProxy; target: FtpTarget }> {
  const server = await startCraftedFtp();
  stops.push(() => server.stop());
  server.mkdir('/site');
  const proxy = await splitProxy(server.port, cuts, gapMs);
  stops.push(() => proxy.stop());
  const target = new FtpTarget({ protocol: 'ftp', host: '127.0.0.1', port: proxy.port, user: server.user, password: server.password, path: '/site', timeoutSeconds: 10 }, { concurrency: 2 });
  stops.push(() => target.close());
  return { server, proxy, target };
}

/** every index in `text` right after `needle` */
function endsOf(text: string, needle: string): number[] {
  const out: number[] = [];
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) out.push(i + needle.length);
  return out;
}

test('a reply cut inside its facts line: the whole size is read (1234, not 12)', { timeout: 20_000 }, async () => {
  const { server, proxy, target } = await setup((text) => endsOf(text, 'size=12'));
  server.put('/site/big.bin', Buffer.alloc(1234, 7), Date.UTC(2020, 0, 1));
  const st = await target.stat('big.bin');
  assert.ok(proxy.splits >= 1, 'the reply was cut');
  assert.deepEqual(st, { path: 'big.bin', type: 'file', size: 1234, mtime: Date.UTC(2020, 0, 1) });
  // the connection is in step: the next replies are the next commands'
  assert.equal((await target.stat('missing.bin')), undefined);
  assert.equal((await target.stat('big.bin'))?.size, 1234);
});

test('the temp\'s MLST reply cut after "250" (of "250-Begin"): the re-check before overwrite still sees the changed file and nothing is replaced', { timeout: 20_000 }, async () => {
  // the cut: right after the code of the temp's listing ("250" | "-Begin\r\n type=…; /site/.rs-tmp-…")
  const { server, proxy, target } = await setup((text) => [...text.matchAll(/250-Begin\r\n [^\r]*\/\.rs-tmp-/g)].map((m) => m.index + 3));
  server.put('/site/f.txt', 'as planned', Date.UTC(2019, 0, 1));
  const planned = await target.stat('f.txt');
  assert.ok(planned);
  // changed on the server after the plan looked
  server.put('/site/f.txt', 'changed by someone else', Date.UTC(2021, 0, 1));
  const content = Buffer.from('the new content');
  const write = target.write('f.txt', Readable.from([content]), { size: content.length, mtime: Date.UTC(2022, 0, 1), expect: planned });
  await assert.rejects(write, /Changed on the server while the sync ran/);
  assert.ok(proxy.splits >= 1, 'the reply was cut');
  assert.equal(server.files('/site').get('f.txt')?.toString(), 'changed by someone else', 'the changed file was not replaced');
  assert.deepEqual(server.entries('/site'), ['f.txt'], 'no temp left');
  // and with the file as planned, the same write (the same cut) replaces it
  const now = await target.stat('f.txt');
  const entry = await target.write('f.txt', Readable.from([content]), { size: content.length, mtime: Date.UTC(2022, 0, 1), expect: now });
  assert.equal(entry.size, content.length);
  assert.equal(server.files('/site').get('f.txt')?.toString(), 'the new content');
  assert.ok(proxy.splits >= 2);
});

test('every reply cut into pieces of 1–7 bytes: uploads over changed and unchanged files, stats and downloads all right', { timeout: 60_000 }, async () => {
  let seed = 11;
  const rnd = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
  const { server, proxy, target } = await setup((text) => {
    const at: number[] = [];
    for (let i = 1 + Math.floor(rnd() * 7); i < text.length; i += 1 + Math.floor(rnd() * 7)) at.push(i);
    return at;
  }, 2);
  for (let i = 0; i < 4; i++) server.put(`/site/f${i}.txt`, `old ${i}`, Date.UTC(2019, 0, 1));
  const planned = await Promise.all([0, 1, 2, 3].map((i) => target.stat(`f${i}.txt`)));
  server.put('/site/f1.txt', 'changed 1', Date.UTC(2021, 0, 1));
  server.put('/site/f3.txt', 'changed 3 and longer', Date.UTC(2019, 0, 1));
  const results = await Promise.allSettled([0, 1, 2, 3].map((i) => {
    const body = Buffer.from(`new content ${i}`);
    return target.write(`f${i}.txt`, Readable.from([body]), { size: body.length, mtime: Date.UTC(2022, 0, 1), expect: planned[i] });
  }));
  assert.deepEqual(results.map((r) => (r.status === 'fulfilled' ? `ok ${r.value.size}` : (r.reason as Error).message)), [
    'ok 13', 'Changed on the server while the sync ran; left alone', 'ok 13', 'Changed on the server while the sync ran; left alone',
  ]);
  assert.deepEqual(Object.fromEntries([...server.files('/site')].map(([k, v]) => [k, v.toString()])), {
    'f0.txt': 'new content 0', 'f1.txt': 'changed 1', 'f2.txt': 'new content 2', 'f3.txt': 'changed 3 and longer',
  });
  for (let i = 0; i < 4; i++) {
    let got = '';
    for await (const c of await target.read(`f${i}.txt`)) got += String(c);
    assert.equal(got, server.files('/site').get(`f${i}.txt`)?.toString());
  }
  assert.ok(proxy.splits > 100, `replies were cut (${proxy.splits} cuts)`);
});
