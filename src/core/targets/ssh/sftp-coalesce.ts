// SFTP requests sent in the same turn of the event loop share SSH packets. ssh2 sends every SFTP
// request (OPENDIR, READDIR, CLOSE, OPEN, STAT…) as an SSH packet of its own: per request a packet
// buffer, its random padding, a cipher object (AES-GCM without ssh2's native add-on) and a socket write.
// A folder listing sends five requests per folder, most of them in the same turn as others, so a
// 10,000-file tree in 200 folders cost ~1,000 packets each way. The SFTP channel is a byte stream: the
// requests can share a CHANNEL_DATA packet.
//
// How: the channel's `_protocol` (ssh2's Protocol, through which the SFTP object sends) is replaced, for
// this channel only, by a proxy whose channelData() sends the first small payload of a turn at once
// (a lone request, as a save makes them, is not delayed at all) and queues the turn's next ones, sent
// together on process.nextTick (after the promise callbacks of the turn have run: their requests join).
// ssh2 counted the channel's window before it called channelData, and each payload fits the channel's
// packet size, so a joined packet is cut at that size. A payload over SMALL (a WRITE's data) sends
// what is queued first and then goes out alone, as before: in order, without a copy. channelClose sends
// what is queued first. Data queued when the channel stopped being open is dropped: ssh2 fails those
// requests when the channel closes. Once the server has ended the channel (its EOF: the subsystem
// exited), nothing more is sent on it: the requests queued then were failed by ssh2 at the EOF, and the
// ones made after it are failed by sftp-ended.ts.
//
// It relies on ssh2 1.x internals (SFTP#_protocol, #outgoing { id, state, packetSize }); with anything
// else the channel is left alone.

/** the part of ssh2's SFTP object this uses */
interface SftpChannel {
  _protocol: Protocol;
  outgoing: { id: number; state: string; packetSize: number };
  /** 'open' until the server's EOF or CLOSE */
  incoming?: { state?: string };
}

interface Protocol {
  channelData(id: number, data: Buffer): void;
  channelClose(id: number): void;
}

/** payloads up to this many bytes are joined; a bigger one (a WRITE's data) goes alone */
export const SMALL = 4096;
const INSTALLED = Symbol('remote-sync.coalesce');

/** counts, for tests: packets sent, and payloads that went into them */
export interface CoalesceStats { packets: number; payloads: number }

/**
 * Send the small SFTP requests of a turn after its first together; returns the counts, or undefined
 * when ssh2 is not as expected. `onFail`: a send that failed after its caller had returned (the connection is to be dropped).
 */
export function coalesceRequests(sftp: object, onFail: (e: unknown) => void): CoalesceStats | undefined {
  const s = sftp as SftpChannel & { [INSTALLED]?: CoalesceStats };
  if (s[INSTALLED]) return s[INSTALLED];
  const real = s._protocol;
  const out = s.outgoing;
  if (!real || typeof real.channelData !== 'function' || typeof real.channelClose !== 'function' || !out ||
    typeof out.id !== 'number' || typeof out.packetSize !== 'number' || out.packetSize <= 0 || typeof out.state !== 'string') return undefined;
  const stats: CoalesceStats = { packets: 0, payloads: 0 };
  /** the server ended the channel: nothing will answer what would be sent */
  const ended = () => s.incoming?.state !== undefined && s.incoming.state !== 'open';
  let queue: Buffer[] = [];
  let queued = 0;
  /** a request went out in this turn: the next ones of the turn wait for its end (queue non-empty ⇒ turn) */
  let turn = false;

  const send = (id: number, data: Buffer) => {
    stats.packets++;
    real.channelData(id, data);
  };
  /** what is queued, as one packet (channelData sends the queue before it would outgrow a packet) */
  const flush = () => {
    if (!queue.length) return;
    const parts = queue;
    const size = queued;
    queue = [];
    queued = 0;
    send(out.id, parts.length === 1 ? parts[0] : Buffer.concat(parts, size));
  };
  const onTick = () => {
    turn = false;
    if (out.state !== 'open' || ended()) { queue = []; queued = 0; return; } // closed or ended meanwhile: the requests are failed
    try {
      flush();
    } catch (e) {
      // (sent from the caller's own call before, such an error was that call's; here nobody would see
      // it and the requests would wait for ever: the connection is given up, which fails them all)
      queue = [];
      queued = 0;
      onFail(e);
    }
  };

  const channelData = (id: number, data: Buffer): void => {
    stats.payloads++;
    if (id === out.id && ended()) { queue = []; queued = 0; return; } // (failed by ssh2 at the EOF, or by sftp-ended.ts)
    if (id !== out.id || data.length > SMALL) {
      flush();
      send(id, data);
      return;
    }
    if (!turn) {
      // the turn's first request goes at once: a lone one (a save's stat, open, rename…) waits for
      // nothing, and the server starts on it while the rest of the turn is gathered
      turn = true;
      process.nextTick(onTick);
      send(id, data);
      return;
    }
    if (queued + data.length > out.packetSize) flush();
    queue.push(data);
    queued += data.length;
  };
  const channelClose = (id: number): void => {
    if (id === out.id) flush(); // the requests before the close, then the close
    real.channelClose(id);
  };
  s._protocol = new Proxy(real, {
    get(target, key) {
      if (key === 'channelData') return channelData;
      if (key === 'channelClose') return channelClose;
      const v = Reflect.get(target, key) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
    set(target, key, value) { return Reflect.set(target, key, value); },
  });
  s[INSTALLED] = stats;
  return stats;
}
