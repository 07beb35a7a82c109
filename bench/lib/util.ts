// Small helpers for the benchmark: statistics, formatting, and running an external command with
// its wall time and peak memory.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** nearest-rank percentile (p in 0..100) */
export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[Math.min(s.length, rank) - 1];
}

export const MB = 1e6;
export const MiB = 1024 * 1024;

export function fmtSec(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s)) return '—';
  return s < 10 ? s.toFixed(3) : s.toFixed(2);
}

export function fmtMem(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '—';
  return `${(bytes / MB).toFixed(0)} MB`;
}

export function which(cmd: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || undefined;
  } catch {
    return undefined;
  }
}

/** flush dirty pages so one measurement's write-back does not land in the next one */
export function syncDisks(): void {
  try { execFileSync('sync'); } catch { /* not fatal */ }
}

export interface CmdResult {
  ok: boolean;
  code: number | null;
  seconds: number;
  /** peak resident set size (bytes) of the command, from /usr/bin/time when available */
  maxRss?: number;
  output: string;
}

const TIME_BIN = '/usr/bin/time';
let haveTime: boolean | undefined;

/**
 * Run a command, timing it from spawn to exit. When /usr/bin/time exists it wraps the command to
 * read its peak RSS (%M, kB); time's own start-up (~1 ms) is inside the measured seconds.
 */
export function runCmd(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; tmpDir: string; timeoutMs?: number }): Promise<CmdResult> {
  if (haveTime === undefined) { try { readFileSync(TIME_BIN); haveTime = true; } catch { haveTime = false; } }
  const timeOut = join(opts.tmpDir, `time-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`);
  const [bin, argv] = haveTime ? [TIME_BIN, ['-o', timeOut, '-f', '%M', cmd, ...args]] : [cmd, args];
  return new Promise((resolve) => {
    let output = '';
    const started = performance.now();
    const child = spawn(bin, argv, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => { output = (output + d.toString()).slice(-20_000); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = opts.timeoutMs ? setTimeout(() => { output += '\n[bench: timed out, killed]'; child.kill('SIGKILL'); }, opts.timeoutMs) : undefined;
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (timer) clearTimeout(timer);
      let maxRss: number | undefined;
      if (haveTime) {
        try {
          const lines = readFileSync(timeOut, 'utf8').trim().split('\n');
          const kb = Number(lines[lines.length - 1]);
          if (Number.isFinite(kb)) maxRss = kb * 1024;
        } catch { /* no report */ }
        rmSync(timeOut, { force: true });
      }
      resolve({ ok: code === 0, code, seconds, maxRss, output });
    });
  });
}

export function markdownTable(header: string[], rows: string[][]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `| ${header.map(esc).join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}
