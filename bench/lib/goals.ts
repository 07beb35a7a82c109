// The goals of issue 12: every row of its table, remote-sync against its anchor measured in the same
// run, with the ratio and PASS/MISS. The scenarios add rows here (timeGoal, limitGoal); bench.ts
// prints them as the compact "Goals of issue 12" table under the main one.
import { markdownTable } from './util.js';

export interface Goal {
  /** the row, e.g. "first upload, 10,000 files, FTP — CLI" */
  row: string;
  ours: string;
  anchor: string;
  ratio: string;
  goal: string;
  result: 'PASS' | 'MISS' | '?';
}

export const goals: Goal[] = [];

export const fmtS = (s: number) => (s < 10 ? `${s.toFixed(3)} s` : `${s.toFixed(1)} s`);
export const fmtMs = (ms: number) => `${ms.toFixed(1)} ms`;

/**
 * A time goal "ours ≤ max × anchor": adds the summary row and returns the main table's result cell,
 * e.g. "PASS (0.93× lftp)". Without an anchor time the verdict is "?" (never a PASS).
 */
export function timeGoal(g: { row: string; sec: number; anchorSec?: number; anchorName: string; max: number; anchorDesc?: string; runs?: number; anchorRuns?: number }): string {
  const once = (n: number | undefined) => (n === 1 ? ', 1 run' : '');
  const goal = g.max === 1 ? `≤ ${g.anchorName}` : `≤ ${g.max.toFixed(1)}× ${g.anchorName}`;
  if (g.anchorSec === undefined || !(g.anchorSec > 0)) {
    goals.push({ row: g.row, ours: `${fmtS(g.sec)}${once(g.runs)}`, anchor: 'not measured', ratio: '—', goal, result: '?' });
    return `? (${g.anchorName} not measured)`;
  }
  const ratio = g.sec / g.anchorSec;
  const result = ratio <= g.max ? 'PASS' : 'MISS';
  goals.push({ row: g.row, ours: `${fmtS(g.sec)}${once(g.runs)}`, anchor: `${fmtS(g.anchorSec)} (${g.anchorDesc ?? g.anchorName}${once(g.anchorRuns)})`, ratio: `${ratio.toFixed(2)}×`, goal, result });
  return `${result} (${ratio.toFixed(2)}× ${g.anchorName})`;
}

/**
 * A limit goal "ours ≤ limit" (memory, latency); `anchor` is what the anchor measured, for context
 * (a ratio is shown when given). Returns "PASS"/"MISS".
 */
export function limitGoal(g: { row: string; value: number; limit: number; fmt: (v: number) => string; anchor?: string; anchorValue?: number; goal?: string }): 'PASS' | 'MISS' | '?' {
  const result = !Number.isFinite(g.value) ? '?' : g.value <= g.limit ? 'PASS' : 'MISS';
  const ratio = g.anchorValue && Number.isFinite(g.value) ? `${(g.value / g.anchorValue).toFixed(2)}×` : '—';
  goals.push({ row: g.row, ours: Number.isFinite(g.value) ? g.fmt(g.value) : '—', anchor: g.anchor ?? '—', ratio, goal: g.goal ?? `≤ ${g.fmt(g.limit)}`, result });
  return result;
}

/** a goal that could not be measured (its scenario failed or was skipped) */
export function missingGoal(row: string, goal: string, why: string): void {
  goals.push({ row, ours: why.replace(/\s+/g, ' ').slice(0, 80), anchor: '', ratio: '—', goal, result: '?' });
}

export function goalsTable(): string {
  if (!goals.length) return '';
  const pass = goals.filter((g) => g.result === 'PASS').length;
  return [
    `## Goals of issue 12 (${pass} of ${goals.length} met)`,
    '',
    'ours and the anchor were measured interleaved in this run (median); ratio = ours / anchor. CLI rows are wall time of the bundled `remote-sync` from spawn to exit; engine rows are the engine API in a fresh process, start-up excluded.',
    '',
    markdownTable(['row', 'ours', 'anchor', 'ratio', 'goal', 'result'], goals.map((g) => [g.row, g.ours, g.anchor, g.ratio, g.goal, g.result])),
  ].join('\n');
}
