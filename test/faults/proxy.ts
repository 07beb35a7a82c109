// A loopback TCP proxy for fault injection: forwards connections to a real server and, where a
// test asks, cuts or stalls one after N bytes (or after the client sent a given command).
//
// - `close`: the client side is ended normally (FIN) after exactly N bytes, the server side dropped —
//   "the data connection was closed normally after 60 MB";
// - `truncate`: after N bytes the rest is read and thrown away, and the stream's end is passed on —
//   the receiver sees a shorter stream end normally, the sender believes all arrived;
// - `reset`: both sides are reset (RST);
// - `stall`: nothing more is forwarded either way, the sockets stay open (packets silently dropped),
//   for `stallMs` (then everything held back flows again; endStalls() ends it sooner) or until the client gives up;
// - `match` (client → server): the chunk holding the pattern is forwarded, the server's answer is
//   never delivered and both sides are dropped shortly after ("the connection dropped right after the
//   command was sent": the server did it, the client never heard).
//
// With `ftp: true` the proxied connection is an FTP control connection: PASV (227) and EPSV (229)
// replies are rewritten so that every data connection goes through the proxy too (plain FTP only:
// a TLS control connection cannot be read).
import net from 'node:net';

export type Direction = 'down' | 'up';
export interface Fault {
  /** bytes counted in this direction: 'down' server → client, 'up' client → server */
  direction: Direction;
  /** the fault hits after this many bytes in `direction` */
  after?: number;
  /** or: right after a client → server chunk matching this */
  match?: RegExp;
  action: 'close' | 'truncate' | 'reset' | 'stall';
  /** stall: how long; undefined: until the client gives up */
  stallMs?: number;
  /** only while no other connection's fault has hit yet (one fault per run; the retry goes through) */
  once?: boolean;
}
export type ConnKind = 'plain' | 'control' | 'data';
export interface ConnInfo {
  kind: ConnKind;
  /** 0-based count of connections of this kind so far */
  index: number;
}
export interface ConnRecord extends ConnInfo {
  up: number;
  down: number;
  fault?: Fault;
  fired: boolean;
}

export class FaultProxy {
  readonly host = '127.0.0.1';
  port = 0;
  readonly connections: ConnRecord[] = [];
  private readonly counts: Record<ConnKind, number> = { plain: 0, control: 0, data: 0 };
  private readonly servers = new Set<net.Server>();
  private readonly sockets = new Set<net.Socket>();
  private stopped = false;
  /** the stalls in progress, each ended by its function (endStalls) */
  private readonly stalls = new Set<() => void>();

  private constructor(
    private readonly target: { host: string; port: number },
    private readonly ftp: boolean,
    /** decides the fault of each new connection (none: forwarded faithfully) */
    public fault: (c: ConnInfo) => Fault | undefined,
  ) {}

  static async start(opts: { target: { host: string; port: number }; ftp?: boolean; fault?: (c: ConnInfo) => Fault | undefined }): Promise<FaultProxy> {
    const p = new FaultProxy(opts.target, opts.ftp ?? false, opts.fault ?? (() => undefined));
    p.port = await p.listen(opts.target.port, p.ftp ? 'control' : 'plain', false);
    return p;
  }

  /** faults that hit so far */
  get fired(): ConnRecord[] { return this.connections.filter((c) => c.fired); }

  /** every stall in progress ends now, as when its `stallMs` are up */
  endStalls(): void { for (const end of [...this.stalls]) end(); }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const s of this.sockets) s.destroy();
    await Promise.all([...this.servers].map((s) => new Promise<void>((r) => s.close(() => r()))));
  }

  /** a listener forwarding to target.host:port; `once`: only one connection (an FTP data connection) */
  private listen(targetPort: number, kind: ConnKind, once: boolean): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = net.createServer({ allowHalfOpen: true }, (client) => {
        if (once) { server.close(); this.servers.delete(server); }
        this.handle(client, targetPort, kind);
      });
      this.servers.add(server);
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
      if (once) setTimeout(() => { server.close(); this.servers.delete(server); }, 60_000).unref();
    });
  }

  private handle(client: net.Socket, targetPort: number, kind: ConnKind): void {
    if (this.stopped) { client.destroy(); return; }
    const info: ConnInfo = { kind, index: this.counts[kind]++ };
    const rec: ConnRecord = { ...info, up: 0, down: 0, fault: this.fault(info), fired: false };
    this.connections.push(rec);
    const server = net.connect({ host: this.target.host, port: targetPort, allowHalfOpen: true });
    this.sockets.add(client);
    this.sockets.add(server);
    client.setNoDelay(true);
    server.setNoDelay(true);
    let dead = false;
    const kill = (reset = false) => {
      if (dead) return;
      dead = true;
      for (const s of [client, server]) {
        if (reset && typeof s.resetAndDestroy === 'function' && !s.destroyed && s.readyState === 'open') s.resetAndDestroy();
        else s.destroy();
        this.sockets.delete(s);
      }
    };
    client.on('error', () => kill());
    server.on('error', () => kill());
    // a half-close is passed on (an FTP upload ends with the client closing the data connection)
    client.on('end', () => { if (!dead) server.end(); });
    server.on('end', () => { if (!dead) client.end(); });
    for (const [a, b] of [[client, server], [server, client]] as const) {
      a.on('close', () => {
        if (dead) return;
        b.end(); // what is still buffered for b is delivered first
        setTimeout(() => kill(), 30_000).unref();
      });
    }
    let discard: Direction | undefined;

    let stalled: { buffers: Array<[Direction, Buffer]> } | undefined;
    const send = (dir: Direction, b: Buffer) => {
      if (dead || !b.length || discard === dir) return;
      if (stalled) { stalled.buffers.push([dir, b]); return; }
      const [src, dst] = dir === 'down' ? [server, client] : [client, server];
      if (!dst.write(b)) {
        src.pause();
        dst.once('drain', () => { if (!stalled) src.resume(); });
      }
    };
    const fire = (dir: Direction) => {
      const f = rec.fault!;
      rec.fired = true;
      if (f.action === 'reset') { kill(true); return; }
      if (f.action === 'truncate') { discard = dir; return; }
      if (f.action === 'close') {
        // the receiving side sees a normal end of stream; the sending side a dropped peer
        dead = true;
        const [sender, receiver] = dir === 'down' ? [server, client] : [client, server];
        sender.destroy();
        receiver.end();
        return;
      }
      stalled = { buffers: [] };
      client.pause();
      server.pause();
      const end = () => {
        this.stalls.delete(end);
        const held = stalled?.buffers ?? [];
        stalled = undefined;
        for (const [d, b] of held) send(d, b);
        if (!dead) { client.resume(); server.resume(); }
      };
      this.stalls.add(end);
      if (f.stallMs !== undefined) setTimeout(end, f.stallMs).unref();
    };
    const pass = (dir: Direction, chunk: Buffer) => {
      const f = rec.fault;
      if (dir === 'up') rec.up += chunk.length; else rec.down += chunk.length;
      if (!f || rec.fired || f.direction !== dir || (f.once && this.fired.length > 0)) { send(dir, chunk); return; }
      if (f.match) {
        send(dir, chunk);
        if (!f.match.test(chunk.toString('latin1'))) return;
        if (f.action === 'stall') { fire(dir); return; }
        rec.fired = true;
        stalled = { buffers: [] }; // the answer never arrives
        setTimeout(() => kill(f.action === 'reset'), 300).unref();
        return;
      }
      const total = dir === 'up' ? rec.up : rec.down;
      const after = f.after ?? 0;
      if (total < after) { send(dir, chunk); return; }
      const keep = chunk.length - (total - after);
      send(dir, chunk.subarray(0, keep));
      fire(dir);
      if (stalled) stalled.buffers.push([dir, chunk.subarray(keep)]);
    };

    client.on('data', (c: Buffer) => pass('up', c));
    if (kind !== 'control') {
      server.on('data', (c: Buffer) => pass('down', c));
      return;
    }
    // an FTP control connection: whole reply lines, PASV / EPSV rewritten (in order)
    let pending = '';
    let chain = Promise.resolve();
    server.on('data', (c: Buffer) => {
      pending += c.toString('latin1');
      const cut = pending.lastIndexOf('\n');
      if (cut < 0) return;
      const lines = pending.slice(0, cut + 1);
      pending = pending.slice(cut + 1);
      chain = chain.then(async () => pass('down', Buffer.from(await this.rewrite(lines), 'latin1'))).catch(() => kill());
    });
  }

  private async rewrite(text: string): Promise<string> {
    let out = '';
    for (const line of text.split(/(?<=\n)/)) {
      const pasv = /^227 .*?\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(line);
      const epsv = /^229 .*?\(\|\|\|(\d+)\|\)/.exec(line);
      if (pasv) {
        const port = await this.listen(Number(pasv[5]) * 256 + Number(pasv[6]), 'data', true);
        out += `227 Entering Passive Mode (127,0,0,1,${port >> 8},${port & 255})\r\n`;
      } else if (epsv) {
        const port = await this.listen(Number(epsv[1]), 'data', true);
        out += `229 Extended Passive mode OK (|||${port}|)\r\n`;
      } else {
        out += line;
      }
    }
    return out;
  }
}
