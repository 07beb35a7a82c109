// What the scenarios share: selection by tag, table cells, phase tables, contender series, and
// a fresh remote folder per measurement.
import { fmtMem, markdownTable, MB, median, syncDisks } from './util.js';
import type { RunResult } from './worker.js';
import type { RemoteSpec } from '../../src/core/types.js';
import { cliIdleRss, data, ftpd, opts, sshd } from './context.js';
import { type Sample, log, maxOf, overBudget, phaseTables, rows } from './results.js';
import { ftpSpec, sftpSpec } from './tools.js';
// ---------------------------------------------------------------------------------------------
// scenarios

export interface Scenario { name: string; tags: string[]; run: () => Promise<void> }

export function selected(s: Scenario): boolean {
  if (!opts.only.length) return true;
  return opts.only.some((t) => t === s.name || s.tags.includes(t));
}

export const treeLabel = () => `${data.spec.files.toLocaleString('en')} files`;
export const filesPerSec = (sec: number) => `${Math.round(data.spec.files / sec).toLocaleString('en')} files/s (${(data.treeBytes / MB / sec).toFixed(1)} MB/s)`;

export function engineMemCell(s: Sample[]): string {
  return `+${fmtMem(maxOf(s, 'mem'))} (peak ${fmtMem(maxOf(s, 'memPeak'))})`;
}
export function cliMemCell(s: Sample[]): string {
  const peak = maxOf(s, 'memPeak');
  return `peak ${fmtMem(peak)}${cliIdleRss ? ` (+${fmtMem(peak - cliIdleRss)} over idle CLI)` : ''}`;
}
/** the two ways remote-sync's sync rows are measured: [series key, row name, memory cell, label in the goals table] */
export const SYNC_CONTENDERS = [
  ['engine', 'remote-sync `sync` (engine API)', engineMemCell, 'engine'],
  ['cli', 'remote-sync CLI `sync` (wall time incl. node start)', cliMemCell, 'CLI'],
] as const;

export function anchorMemCell(s: Sample[]): string {
  const peak = maxOf(s, 'memPeak');
  return Number.isFinite(peak) ? `peak ${fmtMem(peak)}` : '';
}

export function phaseTable(title: string, results: RunResult[]): void {
  if (!results.length) return;
  const first = ['connect + state load (open)', 'plan (list both, classify)', 'execute', 'close', 'total'];
  const keys = [...first, ...Object.keys(results[0].phases).filter((k) => !first.includes(k))].filter((k) => k in results[0].phases);
  const body = keys.map((k) => [k, `${median(results.map((r) => r.phases[k] ?? 0)).toFixed(0)} ms`]);
  phaseTables.push(`**${title}** (engine, median of ${results.length}; the rows below \`total\` overlap the phases they run in)\n\n${markdownTable(['phase', 'time'], body)}`);
}

export interface Contender { key: string; label: string; fn: (i: number) => Promise<Sample> }
export interface Series { samples: Sample[]; error?: string }

/**
 * Run the contenders round-robin (anchor, engine, CLI, anchor, engine, CLI, …) so that a change in
 * machine load hits them alike; each up to opts.runs times while its runs are "fast" (< 20 s) and the
 * time budget holds. A failure ends that contender's series.
 */
export async function series(contenders: Contender[]): Promise<Map<string, Series>> {
  const out = new Map<string, Series>(contenders.map((c) => [c.key, { samples: [] }]));
  const done = new Set<string>();
  for (let i = 0; i < opts.runs; i++) {
    for (const c of contenders) {
      if (done.has(c.key)) continue;
      const s = out.get(c.key)!;
      try {
        syncDisks();
        const x = await c.fn(i);
        s.samples.push(x);
        log(`${c.label} #${i + 1}: ${x.seconds.toFixed(3)} s${x.mem !== undefined ? `, +${fmtMem(x.mem)}` : ''}${x.memPeak !== undefined ? `, peak ${fmtMem(x.memPeak)}` : ''}`);
        if (x.seconds > 20 || overBudget()) done.add(c.key);
      } catch (e) {
        s.error = (e as Error).message;
        log(`${c.label} #${i + 1} FAILED: ${s.error.slice(0, 500)}`);
        done.add(c.key);
      }
    }
    if (done.size === contenders.length) break;
  }
  return out;
}

/** a fresh remote folder: its path on this machine and the path the protocol sees */
export function remoteDir(proto: 'sftp' | 'ftp', name: string): { absolute: string; spec: RemoteSpec; remotePath: string } {
  if (proto === 'sftp') {
    const absolute = sshd!.makeRemoteDir(name);
    return { absolute, spec: sftpSpec(absolute), remotePath: absolute };
  }
  const d = ftpd!.makeRemoteDir(`${name}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`);
  return { absolute: d.absolute, spec: ftpSpec(d.ftpPath), remotePath: d.ftpPath };
}
