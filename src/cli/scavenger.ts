// The CLI's collector for core/transfer/scavenge.ts: V8's own `gc()`, asked for a minor
// (young-generation) collection. `--expose-gc` is set only for the moment a fresh context is made
// (the function is taken from there, not put on this process's global object), and only when a
// transfer first moved enough to ask for it (~3 ms): a run that moves little never pays.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setScavenger } from '../core/transfer/scavenge.js';

type Gc = (options?: { type?: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

/** V8's gc function, or undefined where this Node cannot give it */
export function exposedGc(): Gc | undefined {
  let gc: unknown;
  try {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('typeof gc === "function" ? gc : undefined');
  } catch {
    gc = undefined;
  } finally {
    try { setFlagsFromString('--no-expose-gc'); } catch { /* as it was */ }
  }
  return typeof gc === 'function' ? gc as Gc : undefined;
}

/** turn the scavenger on for this process (the collector is made on first use; without one, nothing happens) */
export function enableScavenger(): void {
  let gc: Gc | undefined | null = null;
  setScavenger(() => {
    if (gc === null) gc = exposedGc();
    gc?.({ type: 'minor' });
  });
}
