// Reused transfer buffers, for the pumps that move a file's bytes through memory without a Buffer per
// chunk (file-sink.ts, the FTP download's ftp-retr.ts, the SFTP download's sftp-read.ts).
//
// One transfer takes its buffers from a PumpBuffers: a buffer is freed for the next data once its
// write is done, and at most `max` are made. When the transfer ends well, its full-size buffers go on
// a shelf for the next transfer that uses buffers of that same size (a shelf per size: a transfer
// never gets a buffer smaller than it asks for, whatever size another one used before it).

const shelves = new Map<number, Buffer[]>();

function shelf(size: number): Buffer[] {
  let s = shelves.get(size);
  if (!s) shelves.set(size, (s = []));
  return s;
}

export class PumpBuffers {
  private readonly mine = new Set<Buffer>();
  private readonly free: Buffer[] = [];

  /**
   * `size`: one buffer's size; `max`: how many the transfer may make; `keep`: how many of that size
   * the shelf holds for later transfers
   */
  constructor(readonly size: number, private readonly max = Infinity, private readonly keep = 4) {}

  /** how many buffers this transfer made */
  get count(): number {
    return this.mine.size;
  }

  /**
   * a free buffer, else a new one while fewer than `max` were made: of `small` bytes (at least 1) when
   * the transfer needs less than a whole one, else of `size` (from the shelf when one waits there);
   * undefined at the limit
   */
  take(small?: number): Buffer | undefined {
    const f = this.free.pop();
    if (f) return f;
    if (this.mine.size >= this.max) return undefined;
    const b = small !== undefined ? Buffer.allocUnsafe(Math.max(small, 1)) : shelf(this.size).pop() ?? Buffer.allocUnsafe(this.size);
    this.mine.add(b);
    return b;
  }

  /** `buf` was written (ignored when it is not one of ours): free for the next data */
  release(buf: Buffer): void {
    if (this.mine.has(buf)) this.free.push(buf);
  }

  /**
   * The transfer is over. `reuse`: its full-size buffers go on the shelf; false after a failure, when
   * a read may still be pending into one of them.
   */
  done(reuse: boolean): void {
    if (reuse) {
      const s = shelf(this.size);
      for (const b of this.mine) if (b.length === this.size && s.length < this.keep) s.push(b);
    }
    this.mine.clear();
    this.free.length = 0;
  }
}
