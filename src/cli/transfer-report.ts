// What the CLI says about the large-file settings of a run: the rate and time left on the
// --progress line, what a time limit (--max-duration / --stop-at) left for the next run, and how
// each side's files were hashed ("verify": "hash", --checksum).
import type { SyncResult } from '../core/types.js';
import { formatBytes } from './output.js';
import { formatDuration } from '../core/transfer/schedule.js';

/** ", 1.9 MiB/s, 12s left, big.iso" (empty before there is a rate) */
export function progressSuffix(ev: { rate?: number; etaSeconds?: number; current?: string; bytesDone: number; bytesTotal: number }): string {
  const parts: string[] = [];
  if (ev.bytesTotal > 0) parts.push(`${Math.floor((ev.bytesDone / ev.bytesTotal) * 100)}%`);
  if (ev.rate) parts.push(`${formatBytes(ev.rate)}/s`);
  if (ev.etaSeconds !== undefined && ev.rate) parts.push(`${formatDuration(ev.etaSeconds * 1000)} left`);
  if (ev.current) parts.push(ev.current);
  return parts.length ? `, ${parts.join(', ')}` : '';
}

/** "Time is up (--max-duration): 3 transfers (120 MB) not started; the next run goes on with them" */
export function timeUpLines(result: SyncResult): { summary: string; paths: string[] } | undefined {
  const t = result.timeUp;
  if (!t) return undefined;
  const n = t.left.length;
  return {
    summary: `Time is up (--${t.by}): ${n} ${n === 1 ? 'action' : 'actions'} (${formatBytes(t.leftBytes)}) not started; the next run goes on with them`,
    paths: t.left.map((a) => `  left: ${a.kind} ${a.path}`),
  };
}

/** "verified by hash: local read, remote FTP XSHA256" */
export function hashMethodsLine(result: SyncResult): string | undefined {
  const h = result.hashMethods;
  if (!h) return undefined;
  return `verified by hash: local ${h.local.join(' / ') || '-'}, remote ${h.remote.join(' / ') || '-'}`;
}

/** fields the --json report adds for these settings */
export function transferJson(result: SyncResult | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (result?.timeUp) {
    out.timeUp = { by: result.timeUp.by, leftBytes: result.timeUp.leftBytes, left: result.timeUp.left.map((a) => ({ path: a.path, kind: a.kind, bytes: a.bytes })) };
  }
  if (result?.hashMethods) out.hashMethods = result.hashMethods;
  return out;
}
