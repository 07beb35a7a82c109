// `remote-sync run GROUP`: each member of a server group (core/groups) runs in parallel as if
// named alone (`remote-sync run web1`), with its own state, lock and conflicts. Its lines are
// prefixed with its name; a failing member does not stop the others; the exit code is the worst
// of the members' (core/groups worstExitCode). Members never ask on the terminal (parallel
// questions cannot be answered): conflicts are left unless --resolve says what to do.

import { Writable } from 'node:stream';
import { groupSummary, worstExitCode, type MemberOutcome } from '../core/groups/index.js';
import { redactSecrets } from '../core/redact.js';
import type { CliArgs } from './args.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './run.js';
import { visible } from './visible.js';

/** Writes whole lines to `to`, each prefixed; remembers the last error line ("remote-sync: …"). */
class PrefixedLines extends Writable {
  private pending = '';
  lastError?: string;
  constructor(private readonly to: NodeJS.WritableStream, private readonly prefix: string) { super(); }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.pending += chunk.toString();
    const lines = this.pending.split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) this.emitLine(line);
    done();
  }
  flushRest(): void {
    if (this.pending) this.emitLine(this.pending);
    this.pending = '';
  }
  private emitLine(raw: string): void {
    const line = raw.replace(/^.*\r(?!$)/, ''); // a progress line's last state only
    if (line.startsWith('remote-sync: ')) this.lastError = line.slice('remote-sync: '.length);
    this.to.write(`${this.prefix}${visible(line)}\n`);
  }
}

class Captured extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.text += chunk.toString();
    done();
  }
}

export type RunOne = (io: CliIo, args: CliArgs) => Promise<number>;

export async function runGroup(io: CliIo, args: CliArgs, group: string, members: readonly string[], runOne: RunOne): Promise<number> {
  const started = Date.now();
  const width = Math.max(...members.map((m) => m.length));
  const results = await Promise.all(members.map(async (target) => {
    const prefix = `${target.padEnd(width)} | `;
    const err = new PrefixedLines(io.stderr, prefix);
    const out = args.json ? new Captured() : new PrefixedLines(io.stdout, prefix);
    const memberIo: CliIo = { ...io, stdout: out, stderr: err };
    let code: number;
    try {
      code = await runOne(memberIo, { ...args, target, progress: false });
    } catch (e) {
      err.write(`remote-sync: ${(e as Error).message}\n`);
      code = EXIT.ERROR;
    }
    err.flushRest();
    if (out instanceof PrefixedLines) out.flushRest();
    let report: unknown;
    if (out instanceof Captured) {
      try { report = JSON.parse(out.text); } catch { report = { exitCode: code, output: out.text }; }
    }
    // conflicts left (4) are a done run with something to decide; any other non-zero code failed
    const ok = code === EXIT.OK || code === EXIT.CONFLICTS;
    const outcome: MemberOutcome = { target, ok, problem: ok ? undefined : err.lastError ?? `exit code ${code}` };
    return { target, code, report, outcome };
  }));
  const code = worstExitCode(results.map((r) => r.code));
  const summary = redactSecrets(`${group}: ${groupSummary(results.map((r) => r.outcome))}`);
  const stream = args.json ? io.stderr : io.stdout;
  if (args.verbosity >= -1) stream.write(`${summary}\n`);
  if (args.json) {
    io.stdout.write(JSON.stringify({
      group, exitCode: code, summary, elapsedMs: Date.now() - started,
      members: results.map((r) => ({ target: r.target, exitCode: r.code, report: r.report })),
    }, null, 2) + '\n');
  }
  return code;
}
