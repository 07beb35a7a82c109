// Capturing a file's content as its common version while it is transferred (no second read), or
// by reading it (an equal pair recorded without a transfer).

import { Transform, type Readable } from 'node:stream';
import type { Entry, Target } from '../types.js';
import type { BaseRef, BaseStore } from './bases.js';
import { bufferOf } from '../transfer/fd-pump.js';

export interface BaseTap {
  /** the stream to hand to the writer in place of the source */
  stream: Readable;
  /** after a successful write: the ref to record (undefined: none) */
  ref(): Promise<BaseRef | undefined>;
}

/** Pass `source` through, keeping a copy of its bytes when the file is small enough to be a common version. */
export function tapForBase(source: Readable, size: number, bases: BaseStore | undefined): BaseTap {
  if (!bases) return { stream: source, ref: async () => undefined };
  const tooLarge = bases.refForSize(size);
  if (tooLarge) return { stream: source, ref: async () => tooLarge };
  // a small local file read in one go (transfer/fd-pump.ts): its buffer is what the writer sends, kept as is (no stream in between)
  const whole = bufferOf(source);
  if (whole) return { stream: source, ref: () => bases.keep(whole) };
  const chunks: Buffer[] = [];
  let total = 0;
  let over = false;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (!over) {
        total += chunk.length;
        if (total > bases.maxFileSize) { over = true; chunks.length = 0; } else chunks.push(chunk);
      }
      cb(null, chunk);
    },
  });
  // an error on either side destroys both (the writer sees it). pipe() and two listeners, not
  // stream.pipeline: that costs an AbortController and a DOMException per file
  source.once('error', (e) => tap.destroy(e));
  tap.once('close', () => { if (!source.destroyed && !source.readableEnded) source.destroy(); });
  source.pipe(tap);
  return { stream: tap, ref: async () => (over ? bases.refForSize(total) : bases.keep(Buffer.concat(chunks, total))) };
}

/** Read `entry` from `target` and keep it as the common version. Never throws: undefined when it cannot. */
export async function captureBase(target: Target, entry: Entry, bases: BaseStore | undefined, signal?: AbortSignal): Promise<BaseRef | undefined> {
  if (!bases || entry.type !== 'file') return undefined;
  const tooLarge = bases.refForSize(entry.size);
  if (tooLarge) return tooLarge;
  try {
    const content = await readAll(await target.read(entry.path, signal), bases.maxFileSize);
    return content ? await bases.keep(content) : bases.refForSize(Number.MAX_SAFE_INTEGER);
  } catch {
    return undefined;
  }
}

/** The whole stream in memory; undefined (and the stream destroyed) past `limit` bytes. */
export async function readAll(stream: Readable, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) { stream.destroy(); return undefined; }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}
