// A resumed download asks again for the last bytes it already has (up to 64 KiB before the partial's
// end, resume.ts) on the same transfer that brings the rest: they are compared with the partial's
// instead of written, and only what follows them is appended. One transfer instead of a check and
// then the rest — over FTP the check could not even be limited to 64 KiB (a RETR runs until its data
// connection is closed, and what the server pushed by then had to be read and thrown away).
// The download pumps (FTP ftp-retr.ts, SFTP sftp-read.ts) and the stream sink (file-sink.ts) run the
// check on each buffer before its write.

/** the source's bytes before the resume point differ from the partial's: it is not built on */
export class OverlapMismatch extends Error {
  constructor() {
    super("The partial file's last bytes differ from the source's");
    this.name = 'OverlapMismatch';
  }
}

/** the comparison of a transfer's first bytes with `expected` (none: nothing to compare) */
export class OverlapCheck {
  private at = 0;
  constructor(private readonly expected: Buffer | undefined) {}

  /** bytes still to compare */
  get pending(): boolean {
    return this.expected !== undefined && this.at < this.expected.length;
  }

  /**
   * Compare the start of `buf[off, off + len)` with the bytes expected next: returns how many it took
   * (not to be written); throws OverlapMismatch when they differ.
   */
  take(buf: Buffer, off: number, len: number): number {
    const want = this.expected;
    if (!want || this.at >= want.length) return 0;
    const k = Math.min(len, want.length - this.at);
    if (buf.compare(want, this.at, this.at + k, off, off + k) !== 0) throw new OverlapMismatch();
    this.at += k;
    return k;
  }
}
