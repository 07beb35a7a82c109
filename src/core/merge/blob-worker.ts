// The common-version store's blob writes (merge/bases.ts) on a worker thread, for bursts: a first
// upload or download of a text tree keeps one blob per file. Compressing each (brotli) and creating
// its file ran on the thread that drives the transfers, and creating a file waits for the file
// system's journal when the disk is busy (here: the FTP server writing the same files on the same
// disk): 10,000 blob files took 3.7 s of the event loop in one profile, the transfers stalled with
// them. The worker does exactly what BaseStore.writeBlob does on the main thread: create
// `<dir>/<hash>` with O_EXCL|O_NOFOLLOW, 0600, write the compressed content, and on EEXIST (the same
// content, kept earlier) renew its time instead; a blob that fails is removed, never left
// half-written under its name.
//
// The worker is a few lines evaluated from a string (nothing to bundle or find on disk), like the
// local walk's stat worker. If it cannot start or dies, the batches it had are handed back
// (`undefined`), and the store writes them on its own thread: nothing is lost.

import { Worker } from 'node:worker_threads';
import { constants as zc } from 'node:zlib';

/** per batch: the index and message of each blob that could not be written (the rest are on disk) */
export type BlobErrors = Array<[number, string]>;

/** brotli's quality for blobs (speed first: README, "The cost of keeping common versions") */
export const BLOB_QUALITY = 1;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { join } = require('node:path');
const zlib = require('node:zlib');
const FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | (fs.constants.O_NOFOLLOW || 0);
parentPort.on('message', (m) => {
  const errors = [];
  for (let i = 0; i < m.hashes.length; i++) {
    const file = join(m.dir, m.hashes[i]);
    const content = m.contents[i];
    let fd;
    try {
      fd = fs.openSync(file, FLAGS, 0o600);
    } catch (e) {
      if (e && e.code === 'EEXIST') {
        try { const now = new Date(); fs.lutimesSync(file, now, now); } catch {}
        continue;
      }
      errors.push([i, String((e && e.message) || e)]);
      continue;
    }
    try {
      fs.writeSync(fd, zlib.brotliCompressSync(content, { params: { [${zc.BROTLI_PARAM_QUALITY}]: ${BLOB_QUALITY}, [${zc.BROTLI_PARAM_SIZE_HINT}]: content.length } }));
      fs.closeSync(fd);
    } catch (e) {
      try { fs.closeSync(fd); } catch {}
      fs.rmSync(file, { force: true });
      errors.push([i, String((e && e.message) || e)]);
    }
  }
  parentPort.postMessage({ id: m.id, errors });
});
`;

interface Pending { resolve(errors: BlobErrors | undefined): void }

/** One worker thread that writes batches of blobs; write() resolves undefined when the worker is gone (the caller writes them itself). */
export class BlobWorker {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  /** undefined when no thread can be started here */
  static start(): BlobWorker | undefined {
    const w = new BlobWorker();
    return w.worker ? w : undefined;
  }

  private constructor() {
    try {
      // a small heap: the worker holds a batch of content at a time
      this.worker = new Worker(WORKER_SOURCE, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 } });
    } catch {
      return;
    }
    this.worker.unref();
    this.worker.on('message', (m: { id: number; errors: BlobErrors }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      p.resolve(m.errors);
    });
    const gone = () => {
      this.worker = undefined;
      for (const [id, p] of this.pending) { this.pending.delete(id); p.resolve(undefined); }
    };
    this.worker.on('error', gone);
    this.worker.on('exit', gone);
  }

  get alive(): boolean { return this.worker !== undefined; }

  /** write the blobs in `dir` (each a hash and its uncompressed content); undefined: not written, the worker is gone */
  write(dir: string, hashes: string[], contents: Buffer[]): Promise<BlobErrors | undefined> {
    const w = this.worker;
    if (!w) return Promise.resolve(undefined);
    return new Promise<BlobErrors | undefined>((resolve) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve });
      try {
        // a view into a larger buffer would be copied whole: such content is sent as a copy of its own
        const own = contents.map((c) => (c.byteOffset === 0 && c.byteLength === c.buffer.byteLength ? c : new Uint8Array(c)));
        w.postMessage({ id, dir, hashes, contents: own });
      } catch {
        this.pending.delete(id);
        resolve(undefined);
      }
    });
  }

  /** stop the thread; batches not answered yet resolve undefined */
  close(): void {
    const w = this.worker;
    if (!w) return;
    void w.terminate();
  }
}
