// Reading a remote file over SFTP with many READ requests in flight on one channel (as OpenSSH's sftp
// does), up to the size fstat gave, then one request at a time until EOF (the file may have grown).
//
// Two ways out, as for an FTP download (ftp-retr.ts):
// - the stream way (hashes, merges, the explorer, a tapped copy): a Readable, each request's bytes in
//   a Buffer of its own, pushed in order;
// - straight into a local file (file-sink.ts writeToFd takes the stream's fd pump, transfer/fd-pump.ts):
//   the requests read into a few buffers of the request size that are written with fs.write in order,
//   one write in flight, and reused — also by the next file. No Buffer per request for V8 to free
//   (kept while their requests were in flight, they outlived the young generation: a 512 MiB download
//   cost dozens of full collections), and no second copy into the sink's buffers.
import { write } from 'node:fs';
import { Readable } from 'node:stream';
import type { SFTPWrapper } from 'ssh2';
import { abortError } from '../errors.js';
import { offerFdPump, withdrawFdPump, type FdPumpOptions } from '../transfer/fd-pump.js';
import { OverlapCheck } from '../transfer/overlap.js';
import { PumpBuffers } from '../transfer/buffer-pool.js';
import { noteMoved } from '../transfer/scavenge.js';
import { BIG_CHUNK, channelOpen, connectionLost, depthFor, maxLen, type PipelineOptions } from './sftp-stream.js';

export interface ReadStreamOptions extends PipelineOptions {
  /** turn a low-level error into what consumers should see */
  mapError?: (err: Error) => Error;
  /** called whenever a read request is answered (idle detection) */
  onActivity?: () => void;
  /** offset to read from (a resumed download) */
  start?: number;
}

interface Slot {
  pos: number;
  /** bytes still to read for this slot */
  left: number;
  parts: Buffer[];
  done: boolean;
  eof: boolean;
}

/** buffers the pump way writes from, beyond the requests in flight (one being written, one filled) */
const PUMP_EXTRA = 2;
/** buffers of finished pumps kept for the next file (request-sized: transfer/buffer-pool.ts) */
const SPARE_MAX = 16;

/**
 * A Readable over an open remote file handle. `size` (from fstat) lets it pipeline up to the known
 * end; past it, it reads one request at a time until EOF (the file may have grown). Closes the handle
 * when done or destroyed.
 */
export class SftpReadStream extends Readable {
  private readonly chunk: number;
  private readonly depth: number;
  private slots: Slot[] = [];
  private nextPos = 0;
  private inflight = 0;
  private eofSeen = false;
  private wanting = false;
  private finished = false;
  private handleClosed = false;
  private readonly mapError: (err: Error) => Error;
  private readonly onActivity: () => void;
  /** read the stream way (the pump is withdrawn) */
  private streamWay = false;
  /** the pump's failure handler while it runs (the stream destroyed: connection lost, cancelled) */
  private pumpFail?: (e: Error) => void;
  /** read requests sent and not answered yet */
  get waiting(): boolean { return this.inflight > 0; }

  constructor(private readonly sftp: SFTPWrapper, private readonly handle: Buffer, private readonly size: number,
    opts: ReadStreamOptions = {}) {
    super({ highWaterMark: 256 * 1024 });
    this.mapError = opts.mapError ?? ((e) => e);
    this.onActivity = opts.onActivity ?? (() => undefined);
    const onClose = () => { if (!this.finished) this.destroy(this.mapError(connectionLost())); };
    sftp.once('close', onClose);
    this.once('close', () => sftp.off('close', onClose));
    // few large reads (as OpenSSH's sftp does with the server's limits): 4× fewer requests to
    // send and answer than with 64 KiB ones, for the same bytes in flight
    this.chunk = maxLen(sftp, '_maxReadLen', opts.chunkSize ?? BIG_CHUNK);
    this.depth = opts.depth ?? depthFor(this.chunk);
    this.nextPos = opts.start ?? 0;
    offerFdPump(this, (fd, o) => this.pump(fd, o));
  }

  /** one READ request: `cb(err)` or `cb(undefined, nb)` (0: end of file) */
  private request(buf: Buffer, off: number, len: number, pos: number, cb: (err: Error | undefined, nb: number) => void): void {
    if (!channelOpen(this.sftp)) { this.destroy(this.mapError(connectionLost())); return; }
    this.inflight++;
    try {
      this.sftp.read(this.handle, buf, off, len, pos, (err, nb) => {
        this.inflight--;
        this.onActivity();
        cb(err ? this.mapError(err) : undefined, nb);
      });
    } catch (e) {
      this.inflight--;
      this.destroy(this.mapError(e as Error));
    }
  }

  // ---- the stream way ---------------------------------------------------------------------------

  override _read(): void {
    // read the stream way (a 'readable' listener does not count as a read for fdPumpOf): no pump from here on
    if (!this.streamWay) { this.streamWay = true; withdrawFdPump(this); }
    this.wanting = true;
    this.fill();
  }

  private fill(): void {
    if (this.destroyed || this.finished) return;
    // (!destroyed: a request on a channel no longer open destroys the stream without sending anything)
    while (this.wanting && !this.eofSeen && !this.destroyed && this.inflight < this.depth) {
      const beyond = this.nextPos >= this.size;
      if (beyond && this.inflight > 0) break; // past the known size: one probe at a time
      const len = beyond ? this.chunk : Math.min(this.chunk, this.size - this.nextPos);
      const slot: Slot = { pos: this.nextPos, left: len, parts: [], done: false, eof: false };
      this.nextPos += len;
      this.slots.push(slot);
      this.issue(slot);
    }
  }

  private issue(slot: Slot): void {
    const buf = Buffer.allocUnsafe(slot.left);
    this.request(buf, 0, slot.left, slot.pos, (err, nb) => {
      if (this.destroyed || this.finished) return;
      if (err) { this.destroy(err); return; }
      if (!nb) {
        slot.done = true;
        slot.eof = true;
        this.eofSeen = true;
      } else {
        slot.parts.push(nb === buf.length ? buf : buf.subarray(0, nb));
        noteMoved(nb);
        slot.pos += nb;
        slot.left -= nb;
        if (slot.left > 0) { this.issue(slot); return; } // short read: fetch the rest of this slot
        slot.done = true;
      }
      this.flush();
      this.fill();
    });
  }

  private flush(): void {
    while (this.slots.length && this.slots[0].done) {
      const slot = this.slots.shift()!;
      for (const p of slot.parts) {
        if (!this.push(p)) this.wanting = false;
      }
      if (slot.eof) {
        this.finished = true;
        this.slots = [];
        this.closeHandle(() => this.push(null));
        return;
      }
    }
  }

  private closeHandle(cb: () => void): void {
    if (this.handleClosed) return cb();
    this.handleClosed = true;
    try { this.sftp.close(this.handle, () => cb()); } catch { cb(); }
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    // the pump running: it fails with the error (or, destroyed without one, as cut short)
    this.pumpFail?.(err ?? Object.assign(new Error('The transfer was stopped before it ended (premature close)'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    this.finished = true;
    this.slots = [];
    if (this.handleClosed) return cb(err);
    this.handleClosed = true;
    try { this.sftp.close(this.handle, () => { /* best effort */ }); } catch { /* connection gone */ }
    cb(err);
  }

  // ---- straight into a local file ---------------------------------------------------------------

  /*
   * Requests read into buffers of the request size (a file smaller than one request: one of its
   * size), at most `depth` in flight and two more being written or waiting for the disk: a request
   * goes out when a buffer is free. Finished requests are written in order, one write at a time; a
   * buffer whose write is done takes the next request. A short read asks for the rest of its buffer.
   */
  private pump(fd: number, opts: FdPumpOptions): Promise<number> {
    this.wanting = false; // (the stream way never starts: the pump owns the handle)
    const chunk = this.chunk;
    const whole = Math.max(0, this.size - this.nextPos);
    return new Promise<number>((resolve, reject) => {
      interface PSlot { pos: number; buf: Buffer; len: number; filled: number; done: boolean; eof: boolean }
      const slots: PSlot[] = [];
      const buffers = new PumpBuffers(chunk, this.depth + PUMP_EXTRA, SPARE_MAX);
      let received = 0;
      let written = 0;
      let position = opts.position;
      const overlap = new OverlapCheck(opts.overlap);
      let writing = false;
      let ended = false;
      let failed: Error | undefined;
      let settled = false;
      let pacing: NodeJS.Timeout | undefined;
      /**
       * where this pump's requests past the known end read (expected: EOF), made at the first one.
       * Its own, never shared with another pump: sftp-direct-data.ts copies a DATA reply into the
       * request's buffer packet by packet, over several socket reads (turns of the event loop), so
       * another connection's probe into a shared buffer would interleave its bytes with ours. One probe
       * at a time here, and its bytes are copied out in its callback before the next is sent (a probe
       * still pending after a failure writes into this pump's buffer only).
       */
      let scratch: Buffer | undefined;

      const take = (len: number): Buffer | undefined => {
        return buffers.take(whole < chunk ? len : undefined);
      };
      const cleanup = (ok: boolean) => {
        opts.signal?.removeEventListener('abort', onAbort);
        if (pacing) clearTimeout(pacing);
        this.pumpFail = undefined;
        // after a failure a request may still be pending into one of them: not reused
        buffers.done(ok);
        this.destroy();
      };
      const settle = () => {
        if (settled || writing) return;
        if (failed) {
          settled = true;
          cleanup(false);
          reject(failed);
        } else if (ended && this.inflight === 0) {
          settled = true;
          this.finished = true;
          this.closeHandle(() => { cleanup(true); resolve(written); });
        }
      };
      const fail = (e: Error) => {
        if (failed || settled) return;
        failed = e;
        settle();
      };
      this.pumpFail = fail;
      // a destroy with an error (connection lost, cancelled) fails the pump, which rejects with it:
      // the stream's own 'error' event has no one else to hear it
      this.on('error', () => undefined);

      const fill = () => {
        while (!failed && !ended && !this.eofSeen && pacing === undefined && this.inflight < this.depth) {
          const beyond = this.nextPos >= this.size;
          if (beyond) {
            if (this.inflight > 0) break; // past the known size: one probe at a time, after the rest
            probe();
            break;
          }
          const len = Math.min(chunk, this.size - this.nextPos);
          const buf = take(len);
          if (!buf) break;
          const slot: PSlot = { pos: this.nextPos, buf, len, filled: 0, done: false, eof: false };
          this.nextPos += len;
          slots.push(slot);
          // under a bandwidth limit a request is booked when it is sent: it asks for its bytes
          const wait = opts.limiter?.reserve(len) ?? 0;
          if (wait > 0) {
            pacing = setTimeout(() => { pacing = undefined; if (!failed && !settled) { issue(slot); fill(); } }, wait);
            break;
          }
          issue(slot);
        }
      };
      const issue = (slot: PSlot) => {
        this.request(slot.buf, slot.filled, slot.len - slot.filled, slot.pos + slot.filled, (err, nb) => {
          if (failed || settled) return;
          if (ended) { settle(); return; } // a request past the end of file (the file shrank)
          if (err) { fail(err); return; }
          if (!nb) {
            slot.done = slot.eof = true;
            this.eofSeen = true;
          } else {
            slot.filled += nb;
            got(nb);
            if (slot.filled < slot.len) { issue(slot); return; } // short read: the rest of this buffer
            slot.done = true;
          }
          next();
          fill();
        });
      };
      /** a request past the known end, into this pump's scratch; bytes there (the file grew) are copied out */
      const probe = () => {
        const buf = (scratch ??= Buffer.allocUnsafe(chunk));
        const slot: PSlot = { pos: this.nextPos, buf, len: chunk, filled: 0, done: false, eof: false };
        slots.push(slot);
        this.request(buf, 0, chunk, this.nextPos, (err, nb) => {
          if (failed || settled) return;
          if (ended) { settle(); return; }
          if (err) { fail(err); return; }
          slot.done = true;
          if (!nb) {
            slot.eof = true;
            this.eofSeen = true;
          } else {
            slot.buf = Buffer.from(buf.subarray(0, nb));
            slot.len = slot.filled = nb;
            this.nextPos += nb;
            got(nb);
          }
          next();
          fill();
        });
      };
      const got = (n: number) => {
        received += n;
        noteMoved(n);
        opts.onProgress?.(received);
      };
      /** the first finished buffer to the disk (in order); the end once the first is the end of file */
      const next = () => {
        if (writing || failed) return settle();
        const slot = slots[0];
        if (!slot?.done) return settle();
        if (slot.eof && !slot.filled) {
          ended = true;
          slots.length = 0; // (requests past the end: their replies find `ended`)
          return settle();
        }
        // a resumed download's first bytes: compared with the partial's, not written (transfer/overlap.ts)
        let off = 0;
        if (overlap.pending) {
          try { off = overlap.take(slot.buf, 0, slot.filled); } catch (e) { fail(e as Error); return; }
          if (off === slot.filled) { done(slot); return; }
        }
        writing = true;
        writeAll(slot, off, slot.filled - off);
      };
      /** `slot` (the first) is written: its buffer for the next request, or the end */
      const done = (slot: PSlot) => {
        slots.shift();
        if (slot.eof) { ended = true; slots.length = 0; }
        else buffers.release(slot.buf);
        next();
        fill();
      };
      const writeAll = (slot: PSlot, off: number, len: number) => {
        write(fd, slot.buf, off, len, position ?? null, (err, n) => {
          if (!err && n === 0) err = Object.assign(new Error('The disk took no bytes'), { code: 'EIO' });
          if (err) { writing = false; fail(err); return; }
          written += n;
          if (position !== undefined) position += n;
          if (n < len) { writeAll(slot, off + n, len - n); return; }
          writing = false;
          done(slot);
        });
      };
      function onAbort() { fail(abortError()); }

      if (opts.signal?.aborted) { onAbort(); return; }
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (this.destroyed) { fail(this.mapError(connectionLost())); return; }
      fill();
    });
  }
}
