// FTP downloads on our own data connection: "EPSV", "REST n" (a resumed download) and "RETR path"
// in one write on the control connection, as ftp-fast.ts does for MLSD/STOR (same conditions: plain
// FTP, passive, a server that pipelines and lists EPSV; a refused EPSV is a PassiveFastPathError and
// the caller goes the basic-ftp way, PASV included). The data socket reads with `onread` into a few
// reused buffers instead of a new 64 KiB Buffer per chunk: V8 frees those only after tens of MB of
// them, which was most of a big download's memory, and the chunks went through a PassThrough, the
// progress tap and the file sink's copy before reaching the disk.
//
// The transfer is a Readable (RetrStream) for every use of Target.read(); when the copy step writes it
// into a local file (file-sink.ts writeToFd) it takes the stream's fd pump (transfer/fd-pump.ts):
// the socket reads straight into 1 MiB buffers that are written in order (by this thread while the
// disk keeps up: writeBuffer below), one write in flight, the socket paused while every buffer waits
// for the disk or for the bandwidth limit.
// Opening the transfer (the commands, the data socket) is in ftp-retr-open.ts.
// Done means the server's final reply (226) AND the end of the data; a reply such as 426, a reset
// data connection, an abort or a stall (basic-ftp's TransferWatchdog, which sees our own pauses) is
// an error. The byte count is checked against the expected size by the caller (verify.ts), as a
// data connection closed early may still end in "226".
import type { Client, FTPResponse } from 'basic-ftp';
import { write, writeSync } from 'node:fs';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { openRetr, type ChunkSink } from './ftp-retr-open.js';
import { offerFdPump, type FdPumpOptions } from '../transfer/fd-pump.js';
import { PumpBuffers } from '../transfer/buffer-pool.js';
import { OverlapCheck } from '../transfer/overlap.js';
import { abortError } from '../errors.js';

/**
 * the size of one buffer (one write; reads fill it in parts); four of them per transfer. Measured
 * against 256 KiB buffers on loopback (512 MiB, interleaved): a third less system CPU, not slower.
 */
export const RETR_BUFFER = 1024 * 1024;
/** (also how many the next download may find kept from the last one: transfer/buffer-pool.ts) */
const BUFFERS = 4;
/** a buffer with less room left than this goes to the disk; the next read fills the next buffer */
const MIN_READ = 256 * 1024;
/**
 * where a read goes when no buffer of a transfer's own is ready (a stream consumer's reads, the first
 * read of a pump): shared by every download, which is safe because each chunk is copied out in the
 * read's callback, before any other socket reads
 */
const SCRATCH = Buffer.allocUnsafe(MIN_READ);

/**
 * The download as a Readable, with an fd pump (writeToFd uses it). Before a consumer starts, the
 * data socket stays paused; the stream way copies each chunk into a new Buffer (what a Readable
 * needs), the pump way reuses its buffers.
 */
class RetrStream extends Readable {
  private sink: ChunkSink;
  private mode: 'idle' | 'stream' | 'pump' = 'idle';
  private socket: Socket | undefined;
  /** the transfer completed (final reply and all data) */
  private finished = false;
  /** the transfer failed (the target's error) */
  private failure: Error | undefined;
  private onFinished?: () => void;
  private onFailed?: (e: Error) => void;
  /** the data connection ended (the server's final reply may still be pending) */
  private onDataEnd?: () => void;
  /** read before a consumer was there (not expected: the socket starts paused), kept for it */
  private readonly early: Buffer[] = [];

  constructor(private readonly c: Client, private readonly wrapError: (e: unknown) => Error) {
    super({ highWaterMark: MIN_READ }); // (the stream way: what is buffered for a slow reader)
    this.sink = {
      buffer: () => SCRATCH,
      chunk: (n, buf) => { this.early.push(Buffer.from(buf.subarray(0, n))); this.socket?.pause(); },
    };
    offerFdPump(this, (fd, opts) => this.pump(fd, opts));
  }

  current(): ChunkSink { return this.sink; }

  attach(socket: Socket, done: Promise<FTPResponse>): void {
    this.socket = socket;
    socket.once('end', () => this.onDataEnd?.());
    done.then(() => {
      this.finished = true;
      this.onFinished?.();
    }, (e: unknown) => {
      this.failure = this.wrapError(e);
      this.onFailed?.(this.failure);
    });
  }

  // ---- the stream way (hashes, merges, the explorer, a tapped copy) ------------------------------

  override _read(): void {
    if (this.mode === 'idle') {
      this.mode = 'stream';
      this.sink = {
        buffer: () => SCRATCH,
        chunk: (n, b) => { if (!this.push(Buffer.from(b.subarray(0, n)))) this.socket?.pause(); },
      };
      for (const b of this.early.splice(0)) this.push(b);
      this.onFinished = () => this.push(null);
      this.onFailed = (e) => this.destroy(e);
      if (this.failure) { this.destroy(this.failure); return; }
      if (this.finished) { this.push(null); return; }
    }
    if (this.mode === 'stream' && !this.finished) this.socket?.resume();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    // a consumer that stops early (a tail check reads 64 KiB) or an abort: the server's final reply
    // is still pending, so the connection is closed (the pool does not take it back)
    if (this.socket && !this.finished && !this.failure) this.c.close();
    cb(err);
  }

  // ---- straight into a local file ---------------------------------------------------------------

  /*
   * Node asks for the memory of the next read (`buffer()`) right after each chunk (and once when the
   * socket is made), also when the socket is paused then: the read happens when it is resumed. So the
   * next region is picked right away: the rest of the current buffer, else a free buffer, else the
   * buffer whose write finishes first (writes go one at a time, in order) — and the socket stays
   * paused until that write is done. At most four buffers, taken as needed: a small file gets one
   * of its size. A read into anything else (the shared scratch: the first read, made before the pump
   * started, or bytes after all those expected) is copied in.
   */
  private pump(fd: number, opts: FdPumpOptions): Promise<number> {
    this.mode = 'pump';
    return new Promise<number>((resolve, reject) => {
      const socket = this.socket!;
      const buffers = new PumpBuffers(RETR_BUFFER, BUFFERS, BUFFERS);
      /** buffers handed to the disk (queued or being written), and their lengths, in order */
      const queue: Array<[Buffer, number]> = [];
      let cur: Buffer | undefined;
      let fill = 0;
      let received = 0;
      let written = 0;
      let position = opts.position;
      const overlap = new OverlapCheck(opts.overlap);
      let writing = false;
      let transferDone = false;
      let failed: Error | undefined;
      let settled = false;
      /** the socket paused by us: the next read's buffer is still being written, or the bandwidth limit makes us wait */
      let paused = false;
      let pacing: NodeJS.Timeout | undefined;

      const busy = (b: Buffer) => queue.some(([q]) => q === b);
      /** every byte expected is here: the next read should find the end */
      const allIn = () => opts.size !== undefined && received >= opts.size;
      const take = (): Buffer | undefined => {
        const rest = opts.size === undefined ? Infinity : opts.size - received;
        return buffers.take(rest < RETR_BUFFER ? rest : undefined);
      };
      const cleanup = (ok: boolean) => {
        opts.signal?.removeEventListener('abort', onAbort);
        if (pacing) clearTimeout(pacing);
        pacing = undefined;
        // after a failure a read may still be pending into one of them: not reused
        buffers.done(ok);
        this.destroy();
      };
      const settle = () => {
        if (settled || writing) return;
        if (failed) {
          settled = true;
          cleanup(false);
          reject(failed);
        } else if (transferDone && !queue.length) {
          settled = true;
          cleanup(true);
          resolve(written);
        }
      };
      const fail = (e: Error) => {
        if (failed || settled) return;
        failed = e;
        if (!this.finished && !this.failure) this.c.close(); // stops the transfer; the connection is not reused
        settle();
      };
      const mustWait = () => pacing !== undefined || (cur !== undefined && busy(cur));
      const resumeIfRoom = () => {
        if (paused && !mustWait() && !failed && !transferDone) { paused = false; socket.resume(); }
      };
      const next = () => {
        if (writing || failed || !queue.length) return settle();
        const [buf, len] = queue[0];
        // a resumed download's first bytes: compared with the partial's, not written (transfer/overlap.ts)
        let off = 0;
        if (overlap.pending) {
          try { off = overlap.take(buf, 0, len); } catch (e) { fail(e as Error); return; }
          if (off === len) { done(buf); return; }
        }
        writing = true;
        writeAll(buf, off, len - off);
      };
      /** `buf` (first in the queue) is written: its memory for the next reads */
      const done = (buf: Buffer) => {
        queue.shift();
        if (buf !== cur) buffers.release(buf);
        next();
        resumeIfRoom();
      };
      const writeAll = (buf: Buffer, off: number, len: number) => {
        writeBuffer(fd, buf, off, len, position ?? null, (err, n) => {
          if (!err && n === 0) err = Object.assign(new Error('The disk took no bytes'), { code: 'EIO' });
          if (err) { writing = false; fail(err); return; }
          written += n;
          if (position !== undefined) position += n;
          if (n < len) { writeAll(buf, off + n, len - n); return; }
          writing = false;
          done(buf);
        });
      };
      /** the current buffer to the disk */
      const hand = () => {
        queue.push([cur!, fill]);
        cur = undefined;
        fill = 0;
        next();
      };
      /** bytes read into memory not ours: copied into free buffers (or, with none left, a copy of their own) */
      const copyIn = (b: Buffer, n: number) => {
        let off = 0;
        while (off < n) {
          if (!cur || busy(cur)) cur = take();
          if (!cur) {
            queue.push([Buffer.from(b.subarray(off, n)), n - off]);
            next();
            return;
          }
          const k = b.copy(cur, fill, off, n);
          fill += k;
          off += k;
          if (fill === cur.length) hand();
        }
      };

      this.sink = {
        buffer: () => (cur ? cur.subarray(fill) : SCRATCH),
        chunk: (n, b) => {
          if (cur && b.buffer === cur.buffer && b.byteOffset === cur.byteOffset + fill) fill += n;
          else copyIn(b, n);
          received += n;
          opts.onProgress?.(received);
          if (cur) {
            const room = cur.length - fill;
            if (room === 0 || (cur.length === RETR_BUFFER && room < MIN_READ)) hand();
          }
          // the next read's buffer (none once all expected is here: an end, or extra bytes, is read into the scratch)
          if (!cur && !allIn()) cur = take() ?? queue[0][0];
          const wait = opts.limiter?.reserve(n) ?? 0;
          if (wait > 0) pacing = setTimeout(() => { pacing = undefined; resumeIfRoom(); }, wait);
          if (!paused && mustWait()) { paused = true; socket.pause(); }
        },
      };
      this.onFinished = () => {
        if (transferDone) return;
        transferDone = true;
        if (cur && fill) hand();
        next();
      };
      /** the data ended short of the bytes expected: what arrived is written and counted, the caller's size
       *  check fails it; the server's final reply is not waited for (pure-ftpd sends none after a cut) */
      let cutShort = false;
      this.onDataEnd = () => {
        if (opts.size === undefined || received >= opts.size || failed || transferDone) return;
        cutShort = true;
        if (!this.finished) this.c.close(); // its reply still pending: the connection is not reused
        this.onFinished!();
      };
      this.onFailed = (e) => { if (!cutShort) fail(e); };
      function onAbort() { fail(abortError()); }
      if (opts.signal?.aborted) { onAbort(); return; }
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (this.failure) { fail(this.failure); return; }
      // chunks read before the pump started (not expected: the socket starts paused)
      for (const e of this.early.splice(0)) this.sink.chunk(e.length, e);
      if (this.finished) { this.onFinished(); return; }
      socket.resume();
    });
  }
}

/**
 * While the pump's writes take at most this long (ms, on average), they are synchronous: the buffer
 * just read from the socket is copied into the page cache by the same thread, on the same core, as
 * lftp does. Handed to the thread pool instead, each write cost two to four times the system CPU (the
 * buffer copied on another core, four threads taking turns at the file) and a 512 MiB loopback
 * download took 1.4× the time on two cores. Slower writes mean the disk pushes back (dirty-page
 * throttling, a slow or network file system): from then on the writes go to the thread pool and never
 * block this thread again. An average (each write a quarter of it), so that one write held up by the
 * scheduler on a busy machine does not decide it.
 */
const SLOW_WRITE_MS = 20;
/**
 * The switch (process-wide): `inline` until the average write (`avgMs`) passes `slowMs`. An object so
 * that the tests can take the thread-pool path, or the switch in the middle of a file: a disk slow
 * enough to set it off cannot be made on demand.
 */
export const retrWrites = { inline: true, avgMs: 0, slowMs: SLOW_WRITE_MS };

/** fs.write, or its synchronous form (see SLOW_WRITE_MS) with the same callback, called before it returns */
function writeBuffer(fd: number, buf: Buffer, off: number, len: number, position: number | null,
  cb: (err: NodeJS.ErrnoException | null, n: number) => void): void {
  if (!retrWrites.inline) { write(fd, buf, off, len, position, cb); return; }
  const t = performance.now();
  let n: number;
  try {
    n = writeSync(fd, buf, off, len, position);
  } catch (e) {
    cb(e as NodeJS.ErrnoException, 0);
    return;
  }
  retrWrites.avgMs += (performance.now() - t - retrWrites.avgMs) / 4;
  if (retrWrites.avgMs > retrWrites.slowMs) retrWrites.inline = false;
  cb(null, n);
}

/**
 * RETR `absPath` from `offset` on `c`, EPSV pipelined. Resolves once the server accepted the
 * transfer, with the download's stream; `onEnd(ok)` is called once when the transfer is over (`ok`:
 * complete, the connection may be reused; else it is closed). `wrapError` turns a transfer's failure
 * into the target's error (a stream destroyed with it, a pump rejected with it).
 */
export async function retrPipelined(c: Client, absPath: string, offset: number, onEnd: (ok: boolean) => void,
  wrapError: (e: unknown) => Error): Promise<Readable> {
  const stream = new RetrStream(c, wrapError);
  const opened = await openRetr(c, absPath, offset, () => stream.current());
  stream.attach(opened.socket, opened.done); // (before onEnd: the stream knows it is finished before the connection is reused)
  opened.done.then(() => onEnd(true), () => onEnd(false));
  return stream;
}
