// READ replies straight into the request's buffer. ssh2 gathers every SFTP message from the channel's
// 32 KiB packets into a Buffer of its own (256 KiB for each reply of a big read), then copies the data
// into the buffer the read was given: per 512 MiB downloaded, 512 MiB of short-lived Buffers for V8 to
// collect and a second copy. Here the channel's data is framed first: the bytes of a DATA reply to a
// read with a buffer are copied from the packets into that buffer as they come, and the read's
// callback is called as ssh2 would; every other message is handed to ssh2 whole and unchanged.
//
// It relies on ssh2 1.x internals (SFTP#push, _requests, _maxInPktLen; checked when installed: with
// anything else ssh2 is left alone). A malformed message (a length over the limit, a DATA reply whose
// data length does not fit its message) is left to ssh2, which fails the channel.
//
// A DATA reply with more bytes than its READ asked for fails that read ("Received more data than
// requested"), its bytes skipped, nothing copied. ssh2 has that check (in read_) but it never fires:
// its request buffer is exactly the asked length and its copy (bufferCopy) is cut to the buffer's
// length, so such a reply was quietly cut to the asked length and the read succeeded. A server that
// sends more than asked is broken, and the first bytes of its reply need not be the ones at the
// offset (a byte too many in front shifted a whole chunk of the download). The messages after it are
// framed by their own lengths: the channel goes on.

/** the part of ssh2's SFTP object this uses */
interface SftpInternals {
  push(data: Buffer | null): unknown;
  once(event: 'close', listener: () => void): unknown;
  _requests: Record<number, { cb?: (err: Error | undefined, buf?: Buffer, nb?: number) => void; buffer?: Buffer } | undefined>;
  _maxInPktLen: number;
}

const SSH_FXP_DATA = 103;
/** uint32 length, byte type, uint32 request id, uint32 data length */
const HEAD = 13;
const INSTALLED = Symbol('remote-sync.directData');

/** Route the data of READ replies on `sftp` (an ssh2 SFTP channel) straight into the reads' buffers. */
export function directReadReplies(sftp: object): boolean {
  const s = sftp as SftpInternals & { [INSTALLED]?: true };
  if (s[INSTALLED]) return true;
  if (typeof s.push !== 'function' || typeof s.once !== 'function' || typeof s._requests !== 'object' || s._requests === null || typeof s._maxInPktLen !== 'number') return false;
  const original = s.push.bind(s);
  const head = Buffer.alloc(HEAD);
  let headLen = 0;
  /** bytes of the current message still to come: handed to ssh2 ('pass'), copied ('direct') or dropped ('skip') */
  let rest = 0;
  let mode: 'head' | 'pass' | 'direct' | 'skip' = 'head';
  let dest: Buffer | undefined;
  let destLen = 0;
  let deliver: ((err: Error | undefined, buf?: Buffer, nb?: number) => void) | undefined;

  /** the header read so far goes to ssh2, and the rest of its message after it */
  const pass = (): unknown => {
    const len = head.readUInt32BE(0);
    rest = 4 + len - headLen;
    const r = original(Buffer.from(head.subarray(0, headLen)));
    headLen = 0;
    mode = rest > 0 ? 'pass' : 'head';
    return r;
  };
  const finish = () => {
    const cb = deliver;
    const buf = dest!;
    const nb = destLen;
    dest = deliver = undefined;
    mode = 'head';
    cb?.(undefined, buf, nb);
  };

  /**
   * a DATA reply (`len`: its message's length) to a read with a buffer: copied here if the buffer takes
   * all of it, else the read fails (more data than asked for) and the reply is skipped
   */
  const ours = (id: number, size: number, len: number): boolean => {
    const req = s._requests[id];
    return !!req?.buffer && typeof req.cb === 'function' && size === len - (HEAD - 4);
  };

  /** the channel ended in the middle of a reply being copied: its read fails as ssh2 fails the others */
  const abandon = () => {
    const cb = deliver;
    dest = deliver = undefined;
    mode = 'head';
    headLen = rest = 0;
    cb?.(new Error('No response from server'));
  };
  s.once('close', abandon);

  s.push = (data: Buffer | null): unknown => {
    if (data === null) { abandon(); return original(data); }
    if (!Buffer.isBuffer(data)) return original(data);
    let ret: unknown;
    let p = 0;
    const n = data.length;
    while (p < n) {
      if (mode === 'pass') {
        const k = Math.min(rest, n - p);
        ret = original(p === 0 && k === n ? data : data.subarray(p, p + k));
        p += k;
        rest -= k;
        if (!rest) mode = 'head';
        continue;
      }
      if (mode === 'skip') {
        const k = Math.min(rest, n - p);
        p += k;
        rest -= k;
        if (!rest) mode = 'head';
        continue;
      }
      if (mode === 'direct') {
        const k = Math.min(rest, n - p);
        data.copy(dest!, destLen, p, p + k);
        destLen += k;
        p += k;
        rest -= k;
        if (!rest) finish();
        continue;
      }
      if (headLen === 0) {
        // at a message boundary: the messages that are not ours go to ssh2 in one piece, as they came
        // (whole messages in a piece: ssh2 reads them in place, without a copy of its own)
        let q = p;
        while (n - q >= HEAD) {
          const len = data.readUInt32BE(q);
          if (len === 0 || len > s._maxInPktLen) break; // (below: ssh2 fails the channel)
          if (data[q + 4] === SSH_FXP_DATA && len >= HEAD - 4 && ours(data.readUInt32BE(q + 5), data.readUInt32BE(q + 9), len)) break;
          q += 4 + len;
        }
        if (q > p) {
          const end = Math.min(q, n);
          ret = original(p === 0 && end === n ? data : data.subarray(p, end));
          if (q > n) { rest = q - n; mode = 'pass'; }
          p = end;
          continue;
        }
      }
      // the header, never past its message's end (a message may be shorter than a DATA header)
      const want = headLen < 4 ? 4 : Math.min(HEAD, 4 + head.readUInt32BE(0));
      const k = Math.min(want - headLen, n - p);
      data.copy(head, headLen, p, p + k);
      headLen += k;
      p += k;
      if (headLen < 4) continue;
      const len = head.readUInt32BE(0);
      if (len === 0 || len > s._maxInPktLen) { ret = pass(); continue; } // ssh2 fails the channel
      if (headLen < 5) continue;
      if (head[4] !== SSH_FXP_DATA || len < HEAD - 4) { ret = pass(); continue; }
      if (headLen < HEAD) continue;
      if (!ours(head.readUInt32BE(5), head.readUInt32BE(9), len)) { ret = pass(); continue; }
      const req = s._requests[head.readUInt32BE(5)]!;
      const size = head.readUInt32BE(9);
      delete s._requests[head.readUInt32BE(5)];
      headLen = 0;
      if (size > req.buffer!.length) {
        rest = size;
        mode = 'skip';
        req.cb!(new Error(`Received more data than requested: the server sent ${size} bytes for a read of ${req.buffer!.length}`));
        continue;
      }
      dest = req.buffer;
      destLen = 0;
      deliver = req.cb;
      rest = size;
      mode = 'direct';
      if (!rest) finish();
    }
    return ret;
  };
  s[INSTALLED] = true;
  return true;
}
