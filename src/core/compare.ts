// Byte comparison of a file on both sides, streamed (early out on the first difference).

import type { Readable } from 'node:stream';
import type { Target } from './types.js';

export async function sameContent(a: Target, b: Target, path: string, signal?: AbortSignal): Promise<boolean> {
  const [ra, rb] = await Promise.all([a.read(path, signal), b.read(path, signal)]);
  try {
    return await sameStreams(ra, rb);
  } finally {
    ra.destroy();
    rb.destroy();
  }
}

export async function sameStreams(ra: Readable, rb: Readable): Promise<boolean> {
  const ia = ra[Symbol.asyncIterator]();
  const ib = rb[Symbol.asyncIterator]();
  let bufA = Buffer.alloc(0);
  let bufB = Buffer.alloc(0);
  let doneA = false;
  let doneB = false;
  for (;;) {
    while (!bufA.length && !doneA) { const r = await ia.next(); if (r.done) doneA = true; else bufA = Buffer.from(r.value); }
    while (!bufB.length && !doneB) { const r = await ib.next(); if (r.done) doneB = true; else bufB = Buffer.from(r.value); }
    if (!bufA.length || !bufB.length) {
      if ((!bufA.length && doneA) && (!bufB.length && doneB)) return true;
      if ((!bufA.length && doneA) || (!bufB.length && doneB)) return false;
      continue;
    }
    const n = Math.min(bufA.length, bufB.length);
    if (!bufA.subarray(0, n).equals(bufB.subarray(0, n))) return false;
    bufA = bufA.subarray(n);
    bufB = bufB.subarray(n);
  }
}
