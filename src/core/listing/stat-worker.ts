// The local walk's file stats, off the main thread: the walk (local-walk.ts) reads each folder itself
// and hands the paths of the plain files to one worker thread, a thousand or so at a time, which stats
// them (following links, as statSync does) and sends back their numbers in one Float64Array. The main thread is then
// free for the server's listing that runs at the same time, and the Stats objects (with their Dates)
// are made and collected in the worker's own small heap, not in the engine's.
//
// The worker is a few lines evaluated from a string (nothing to bundle or to find on disk). If it
// cannot start or dies, the batches it had are stat'ed on the main thread instead: nothing is lost.

import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

/** per name: kind (0 gone, 1 file, 2 folder, 3 other, 4 error), size, mtime (ms), mode */
export const FIELDS = 4;
export const GONE = 0, FILE = 1, DIR = 2, OTHER = 3, ERROR = 4;

/** what one batch gives back: FIELDS numbers per name; errors: the code of each name whose kind is ERROR */
export interface StatBatch { nums: Float64Array; errors: Map<number, string> }

/** stat each (absolute) path, here (the worker runs the same steps) */
export function statPaths(paths: string[]): StatBatch {
  const nums = new Float64Array(paths.length * FIELDS);
  const errors = new Map<number, string>();
  for (let i = 0; i < paths.length; i++) {
    const o = i * FIELDS;
    let st;
    try {
      st = statSync(paths[i], { throwIfNoEntry: false });
    } catch (e) {
      nums[o] = ERROR;
      errors.set(i, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
      continue;
    }
    if (!st) continue; // nums[o] is GONE (0)
    nums[o] = st.isFile() ? FILE : st.isDirectory() ? DIR : OTHER;
    nums[o + 1] = st.size;
    nums[o + 2] = st.mtimeMs;
    nums[o + 3] = st.mode;
  }
  return { nums, errors };
}

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { statSync } = require('node:fs');
const FIELDS = ${FIELDS}, FILE = ${FILE}, DIR = ${DIR}, OTHER = ${OTHER}, ERROR = ${ERROR};
parentPort.on('message', (m) => {
  const paths = m.paths.split('\\0');
  const nums = new Float64Array(paths.length * FIELDS);
  const errors = new Map();
  for (let i = 0; i < paths.length; i++) {
    const o = i * FIELDS;
    let st;
    try { st = statSync(paths[i], { throwIfNoEntry: false }); }
    catch (e) { nums[o] = ERROR; errors.set(i, e.code || e.message); continue; }
    if (!st) continue;
    nums[o] = st.isFile() ? FILE : st.isDirectory() ? DIR : OTHER;
    nums[o + 1] = st.size;
    nums[o + 2] = st.mtimeMs;
    nums[o + 3] = st.mode;
  }
  parentPort.postMessage({ id: m.id, nums, errors }, [nums.buffer]);
});
`;

interface Pending { paths: string[]; resolve: (b: StatBatch) => void }

/** one worker thread that stats batches of names; stat() falls back to the main thread when it is gone */
export class StatWorker {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor() {
    try {
      // a small young generation: the worker's garbage is a batch's Stats objects
      this.worker = new Worker(WORKER_SOURCE, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 } });
    } catch {
      return; // no threads here: stat() works on the main thread
    }
    this.worker.unref();
    this.worker.on('message', (m: { id: number; nums: Float64Array; errors: Map<number, string> }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      p.resolve({ nums: m.nums, errors: m.errors });
    });
    const gone = () => {
      this.worker = undefined;
      // what it had not answered: stat'ed here
      for (const [id, p] of this.pending) { this.pending.delete(id); p.resolve(statPaths(p.paths)); }
    };
    this.worker.on('error', gone);
    this.worker.on('exit', gone);
  }

  stat(paths: string[]): Promise<StatBatch> {
    const w = this.worker;
    if (!w) return Promise.resolve(statPaths(paths));
    return new Promise<StatBatch>((resolve) => {
      const id = this.nextId++;
      this.pending.set(id, { paths, resolve });
      w.postMessage({ id, paths: paths.join('\0') }); // one string: far cheaper to pass than an array of them (a path never holds NUL)
    });
  }

  close(): void {
    const w = this.worker;
    this.worker = undefined;
    if (w) {
      w.removeAllListeners('exit');
      void w.terminate();
    }
    this.pending.clear(); // (only a cancelled walk leaves any: nobody waits for them)
  }
}
