// The benchmark's results: the table rows, notes and raw numbers, the log, and repeated measurements.
import { fmtMem, median, syncDisks } from './util.js';
import { opts } from './context.js';
import { series } from './scenario-kit.js';
// ---------------------------------------------------------------------------------------------
// results

export interface Row {
  scenario: string;
  tool: string;
  runs: string;
  time: string;
  rate: string;
  memory: string;
  goal: string;
  result: string;
}

export const rows: Row[] = [];
export const notes: string[] = [];
export const phaseTables: string[] = [];
export const raw: Record<string, unknown> = {};
export const t0 = Date.now();

export function log(s: string): void {
  const el = ((Date.now() - t0) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[bench ${el}s] ${s}\n`);
}

export function overBudget(): boolean {
  return (Date.now() - t0) / 1000 > opts.budget;
}

export interface Sample { seconds: number; mem?: number; memPeak?: number; extra?: unknown }

/**
 * Repeat `fn` up to opts.runs times — only while one run is "fast" (< 20 s) and the time budget
 * holds; a failure ends the series. Returns the samples and the first error.
 */
export async function repeat(label: string, fn: (i: number) => Promise<Sample>, maxRuns = opts.runs): Promise<{ samples: Sample[]; error?: string }> {
  const samples: Sample[] = [];
  for (let i = 0; i < maxRuns; i++) {
    try {
      syncDisks();
      const s = await fn(i);
      samples.push(s);
      log(`${label} #${i + 1}: ${s.seconds.toFixed(3)} s${s.mem !== undefined ? `, mem ${fmtMem(s.mem)}` : ''}`);
      if (s.seconds > 20 || overBudget()) break;
    } catch (e) {
      const msg = (e as Error).message;
      log(`${label} #${i + 1} FAILED: ${msg.slice(0, 500)}`);
      return { samples, error: msg };
    }
  }
  return { samples };
}

export const medianOf = (s: Sample[], k: 'seconds' | 'mem' | 'memPeak') => median(s.map((x) => x[k]).filter((v): v is number => v !== undefined));
export const maxOf = (s: Sample[], k: 'mem' | 'memPeak') => Math.max(...s.map((x) => x[k] ?? -Infinity));
export const runsCell = (s: Sample[]) => String(s.length);

export function skipRow(scenario: string, tool: string, why: string): void {
  rows.push({ scenario, tool, runs: '0', time: `skipped: ${why}`, rate: '', memory: '', goal: '', result: '' });
  log(`${scenario} / ${tool}: skipped: ${why}`);
}

export function errorRow(scenario: string, tool: string, err: string, goal = ''): void {
  rows.push({ scenario, tool, runs: '—', time: `error: ${err.replace(/\s+/g, ' ').slice(0, 160)}`, rate: '', memory: '', goal, result: goal ? 'MISS' : '' });
}
