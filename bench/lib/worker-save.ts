// The engine worker's save-latency job: one warm session whose state holds every file of the local
// folder (the bench copies the tree there first: a 10k-entry state at full size), then N saves of a
// 4 KB file through `session.saveFiles([path])`, interleaved with the floor (raw ssh2 / basic-ftp:
// stat + temp write + rename of the same content, floors.ts) and the engine's bare
// `remote.stat` + `remote.write`, each after the same pause. The file is text (HTML), new content
// at each save, as an editor saves it: the engine keeps each saved text as the common version for
// merges (core/merge/bases.ts), which random bytes would skip.
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SyncSession } from '../../src/core/session.js';
import { createTarget, remoteId } from '../../src/core/targets/index.js';
import type { RemoteSpec, Target } from '../../src/core/types.js';
import { type Floor, ftpFloor, sftpFloor } from './floors.js';

export interface SaveJob {
  kind: 'save';
  spec: RemoteSpec;
  local: string;
  /** relative path of the file to save, inside `local` */
  file: string;
  size: number;
  saves: number;
  warmup: number;
  /** pause before each save (not timed) */
  pauseMs: number;
  concurrency?: number;
  /** SFTP: the server's host key (base64, as in known_hosts) for the floor's connection */
  hostKey?: string;
  out: string;
}

export interface SaveResult {
  kind: 'save';
  /** ms per saveFiles() call */
  save: number[];
  /** ms per call spent inside remote.stat/remote.write (wall time, overlapping calls merged) */
  saveRemote: number[];
  /** ms per bare remote.stat + remote.write of the same content */
  bare: number[];
  /** ms per floor put (raw library: stat + temp write + rename) */
  floor: number[];
  statuses: Record<string, number>;
  /** files in the session's state when the saves start */
  stateEntries: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const WORDS = 'the a page site user list item value data form input button header footer section main nav link image title text content style script class name order price total cart search result'.split(' ');

/** `size` bytes of HTML, different at each call (random words: it compresses like markup does, 3–4×) */
export function htmlText(size: number): Buffer {
  const r = randomBytes(size);
  let s = '<!doctype html>\n<html>\n<body>\n';
  for (let i = 0; s.length < size; i++) {
    const n = 4 + (r[i % size] % 9);
    const words: string[] = [];
    for (let k = 0; k < n; k++) words.push(WORDS[r[(i * 13 + k) % size] % WORDS.length]);
    s += `  <p class="${WORDS[r[(i * 7) % size] % WORDS.length]}">${words.join(' ')}</p>\n`;
  }
  return Buffer.from(s.slice(0, size - 1) + '\n');
}

/** Wrap a target method to add its wall time to `acc` (overlaps counted once). */
function timeCalls<T extends object>(obj: T, names: (keyof T)[], acc: { ms: number; active: number; since: number }): void {
  for (const name of names) {
    const orig = obj[name] as unknown as (...a: unknown[]) => Promise<unknown>;
    (obj as Record<string, unknown>)[name as string] = async (...a: unknown[]) => {
      if (acc.active++ === 0) acc.since = performance.now();
      try {
        return await orig.apply(obj, a);
      } finally {
        if (--acc.active === 0) acc.ms += performance.now() - acc.since;
      }
    };
  }
}

export async function saveJob(job: SaveJob): Promise<SaveResult> {
  const local = createTarget({ protocol: 'local', path: job.local });
  const remote: Target = createTarget(job.spec, job.concurrency ? { concurrency: job.concurrency } : {});
  const session = new SyncSession({ local, remote, localRoot: job.local, remoteId: remoteId(job.spec) });
  const abs = join(job.local, job.file);
  let floor: Floor | undefined;
  try {
    writeFileSync(abs, htmlText(job.size));
    // first sync of the pair: every file of the folder gets a state entry (and the connection is warm)
    const first = await session.run({ mode: 'upload', resolve: 'skip' });
    if (first.errors.length) throw new Error(`initial upload failed: ${first.errors[0].message}`);
    const stateEntries = first.stats.uploaded + first.stats.inSync;
    floor = job.spec.protocol === 'sftp' ? await sftpFloor(job.spec, job.hostKey!) : await ftpFloor(job.spec);

    const acc = { ms: 0, active: 0, since: 0 };
    timeCalls(remote, ['stat', 'write'], acc);
    const save: number[] = [], saveRemote: number[] = [], bare: number[] = [], floorMs: number[] = [];
    const statuses: Record<string, number> = {};
    for (let i = 0; i < job.warmup + job.saves; i++) {
      // saves are not back to back: the kernel's file timestamps are coarse (one clock tick, 4–10 ms)
      await sleep(job.pauseMs);
      writeFileSync(abs, htmlText(job.size)); // what the editor does on save, then calls the handler
      acc.ms = 0;
      let t = performance.now();
      const out = await session.saveFiles([job.file]);
      const dt = performance.now() - t;
      const dr = acc.ms;
      const o = out.get(job.file);
      const st = !o ? 'missing' : o.status === 'uploaded' ? 'uploaded' : `${o.status}: ${'reason' in o ? o.reason : 'message' in o ? o.message : o.action.reason}`;

      // the floor: the same content, raw library, its own file beside it
      await sleep(job.pauseMs);
      t = performance.now();
      await floor.put('floor.bin', readFileSync(abs));
      const df = performance.now() - t;

      // the engine's own stat + atomic write, without the handler
      await sleep(job.pauseMs);
      t = performance.now();
      await remote.stat('bare.bin');
      await remote.write('bare.bin', createReadStream(abs), { mtime: Date.now(), size: job.size });
      const db = performance.now() - t;
      if (i >= job.warmup) {
        save.push(dt);
        saveRemote.push(dr);
        statuses[st] = (statuses[st] ?? 0) + 1;
        floorMs.push(df);
        bare.push(db);
      }
    }
    return { kind: 'save', save, saveRemote, bare, floor: floorMs, statuses, stateEntries };
  } finally {
    floor?.close();
    await session.close();
  }
}
