// One remote-sync measurement through the engine API, in a fresh process (clean heap, own RSS).
// Run by bench.ts bundled (node worker.js JOB.json), or through tsx (node --import tsx bench/lib/worker.ts JOB.json)
// Writes its result as JSON to job.out.
import { readFileSync, writeFileSync } from 'node:fs';
import { SyncSession } from '../../src/core/session.js';
import { createTarget, remoteId } from '../../src/core/targets/index.js';
import type { RemoteSpec, SyncMode } from '../../src/core/types.js';
import { type SaveJob, saveJob } from './worker-save.js';
import { warmPages } from './warm-pages.js';

export type { SaveJob, SaveResult } from './worker-save.js';

export interface RunJob {
  kind: 'run';
  spec: RemoteSpec;
  local: string;
  mode: SyncMode;
  concurrency?: number;
  /** write and remove this much scratch data in `warm.dir` right before the timed run (warm-pages.ts) */
  warm?: { dir: string; bytes: number };
  out: string;
}

export type Job = RunJob | SaveJob;

export interface RunResult {
  kind: 'run';
  seconds: number;
  /** peak RSS minus RSS just before the run (sampled every 50 ms, and process maxRSS) */
  rssGrowth: number;
  rssBase: number;
  rssPeak: number;
  phases: Record<string, number>;
  stats: Record<string, number>;
  errors: string[];
  conflicts: number;
}

function phaseTimer(obj: object, name: string, phases: Record<string, number>, key: string): void {
  const o = obj as Record<string, unknown>;
  const orig = o[name] as (...a: unknown[]) => unknown;
  o[name] = (...a: unknown[]) => {
    const t = performance.now();
    const r = orig.apply(obj, a);
    if (r instanceof Promise) {
      return r.finally(() => { phases[key] = (phases[key] ?? 0) + performance.now() - t; });
    }
    phases[key] = (phases[key] ?? 0) + performance.now() - t;
    return r;
  };
}

async function runJob(job: RunJob): Promise<RunResult> {
  if (job.warm) warmPages(job.warm.dir, job.warm.bytes);
  // memoryUsage.rss() is the cheap call (memoryUsage() also walks the heap spaces)
  const rssBase = process.memoryUsage.rss();
  let rssPeak = rssBase;
  const sampler = setInterval(() => { const r = process.memoryUsage.rss(); if (r > rssPeak) rssPeak = r; }, 50);
  const phases: Record<string, number> = {};
  const t0 = performance.now();
  const local = createTarget({ protocol: 'local', path: job.local });
  const remote = createTarget(job.spec, job.concurrency ? { concurrency: job.concurrency } : {});
  const session = new SyncSession({ local, remote, localRoot: job.local, remoteId: remoteId(job.spec) });
  phaseTimer(local, 'list', phases, 'list local');
  phaseTimer(remote, 'list', phases, 'list remote');
  phaseTimer(session.state, 'load', phases, 'state load');
  phaseTimer(session.state, 'compact', phases, 'state save');
  let tPlan = 0;
  // run() opens the session itself, as the CLI does: the local walk starts while the server
  // connection is made (a separate open() first would serialise them, which no real caller does)
  let tOpen = 0, openMs = 0, opening = false;
  const open = session.open.bind(session);
  session.open = () => {
    if (opening) return open();
    opening = true;
    const t = performance.now();
    return open().finally(() => { tOpen = performance.now(); openMs = tOpen - t; });
  };
  const cpu0 = process.cpuUsage();
  let result;
  try {
    result = await session.run({
      mode: job.mode, resolve: 'skip', concurrency: job.concurrency,
      onProgress: (e) => { if (e.type === 'plan') tPlan = performance.now(); },
    });
  } finally {
    const tRun = performance.now();
    await session.close();
    const tEnd = performance.now();
    phases['connect + state load (open)'] = openMs;
    if (tPlan) {
      phases['plan (list both, classify)'] = tPlan - tOpen;
      phases['execute'] = tRun - tPlan;
    }
    phases['close'] = tEnd - tRun;
    phases['total'] = tEnd - t0;
    const cpu = process.cpuUsage(cpu0);
    phases['client CPU (user + system)'] = (cpu.user + cpu.system) / 1000;
  }
  clearInterval(sampler);
  const maxRss = process.resourceUsage().maxRSS * 1024;
  rssPeak = Math.max(rssPeak, maxRss, process.memoryUsage.rss());
  return {
    kind: 'run',
    seconds: phases['total'] / 1000,
    rssGrowth: rssPeak - rssBase,
    rssBase,
    rssPeak,
    phases,
    stats: result.stats as unknown as Record<string, number>,
    errors: result.errors.slice(0, 5).map((e) => `${e.kind} ${e.path}: ${e.message}`),
    conflicts: result.conflicts.length,
  };
}

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2], 'utf8')) as Job;
  const result = job.kind === 'run' ? await runJob(job) : await saveJob(job);
  writeFileSync(job.out, JSON.stringify(result));
  // leave even if a library keeps a handle open
  setImmediate(() => process.exit(0));
}

main().catch((e: unknown) => {
  process.stderr.write(`bench worker: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
