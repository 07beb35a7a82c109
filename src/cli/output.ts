// Where the CLI's text goes and how much of it: verbosity levels, the --json split (human text to
// stderr), and the one-line --progress display on stderr.

import type { Logger } from '../core/types.js';
import { redactSecrets } from '../core/redact.js';
import { visible } from './visible.js';
import { formatBytes, formatDuration, formatRate, type ProgressSnapshot } from '../core/progress/meter.js';

/** Verbosity levels (0 = normal): what each level shows. */
export const LEVEL = {
  /** -qq: errors only */
  errors: -2,
  /** -q: the summary (and errors) */
  summary: -1,
  /** normal: every change, warnings */
  changes: 0,
  /** -v: equal files, skipped entries, connection details */
  details: 1,
  /** -vv: debug output and stack traces */
  debug: 2,
} as const;

export interface OutputOptions {
  verbosity: number;
  json: boolean;
  progress: boolean;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  now?: () => number;
  /** --log-file: every line at any verbosity (debug included) goes here too, with a time stamp */
  logFile?: (line: string) => void;
}

export { formatBytes } from '../core/progress/meter.js';

export class Output {
  readonly verbosity: number;
  /** human-readable text: stdout, or stderr with --json */
  private readonly human: OutputOptions['stdout'];
  private readonly err: OutputOptions['stderr'];
  private readonly progressOn: boolean;
  private readonly progressTty: boolean;
  private progressText = '';
  private progressShown = false;
  private lastDraw = 0;
  private readonly now: () => number;

  constructor(private readonly opts: OutputOptions) {
    this.verbosity = opts.verbosity;
    this.human = opts.json ? opts.stderr : opts.stdout;
    this.err = opts.stderr;
    this.progressOn = opts.progress;
    this.progressTty = opts.stderr.isTTY === true;
    this.now = opts.now ?? Date.now;
  }

  shows(level: number): boolean {
    return this.verbosity >= level;
  }

  /** --log-file: everything, whatever the verbosity */
  private record(text: string): void {
    if (!this.opts.logFile) return;
    const t = new Date(this.now()).toISOString();
    for (const l of visible(text).split('\n')) this.opts.logFile(`${t} ${l}\n`);
  }

  /** a line of human output at a verbosity level */
  line(text: string, level: number = LEVEL.changes): void {
    this.record(text);
    if (!this.shows(level)) return;
    this.write(this.human, text + '\n');
  }

  error(text: string): void {
    this.record(text);
    if (this.shows(LEVEL.errors)) this.write(this.err, text + '\n');
  }

  warn(text: string): void {
    this.record(`warning: ${text}`);
    if (this.shows(LEVEL.changes)) this.write(this.err, `warning: ${text}\n`);
  }

  /** JSON report: the only thing on stdout with --json */
  json(doc: unknown): void {
    this.clearProgress();
    this.opts.stdout.write(redactSecrets(JSON.stringify(doc, null, 2)) + '\n');
  }

  /** a detail for -v on stderr (connection, config file used…) */
  note(text: string, level: number = LEVEL.details): void {
    this.record(text);
    if (this.shows(level)) this.write(this.err, text + '\n');
  }

  /**
   * The engine's log. Its errors repeat what the action lines already say, and its info lines
   * name every action, so both are shown at -vv; debug (protocol details) at -vvv.
   */
  logger(): Logger {
    return {
      error: (m) => this.note(`error: ${m}`, LEVEL.debug),
      warn: (m) => this.warn(m),
      info: (m) => this.note(m, LEVEL.debug),
      debug: (m) => this.note(`debug: ${m}`, LEVEL.debug + 1),
    };
  }

  /** update the progress line (throttled; a final call with force draws at once) */
  progress(filesDone: number, filesTotal: number, bytesDone: number, bytesTotal: number, force = false, rate?: Pick<ProgressSnapshot, 'rate' | 'etaMs'>, suffix = ''): void {
    if (!this.progressOn) return;
    let text = `${filesDone}/${filesTotal} files, ${formatBytes(bytesDone)}/${formatBytes(bytesTotal)}`;
    if (rate && rate.rate > 0) text += `, ${formatRate(rate.rate)}`;
    if (rate?.etaMs !== undefined && bytesDone < bytesTotal) text += `, ${formatDuration(rate.etaMs)} left`;
    text += suffix;
    const t = this.now();
    if (!force && t - this.lastDraw < (this.progressTty ? 100 : 1000)) { this.progressText = text; return; }
    this.lastDraw = t;
    this.progressText = text;
    if (this.progressTty) {
      const width = Math.max(20, (this.err.columns ?? 80) - 1);
      this.err.write(`\r\x1b[K${text.slice(0, width)}`);
      this.progressShown = true;
    } else {
      this.err.write(`progress: ${text}\n`);
    }
  }

  clearProgress(): void {
    if (this.progressShown) {
      this.err.write('\r\x1b[K');
      this.progressShown = false;
    }
  }

  /** around a terminal question: hide the progress line, then bring it back */
  readonly aroundPrompt = {
    before: () => this.clearProgress(),
    after: () => this.redraw(),
  };

  private redraw(): void {
    if (this.progressOn && this.progressTty && this.progressText) {
      this.err.write(`\r\x1b[K${this.progressText}`);
      this.progressShown = true;
    }
  }

  /** every line goes through here: a password in a URL (`user:secret@`) is never printed, nor a control character (visible.ts) */
  private write(stream: NodeJS.WritableStream, raw: string): void {
    const text = visible(redactSecrets(raw));
    if (this.progressShown) {
      this.clearProgress();
      stream.write(text);
      this.redraw();
    } else {
      stream.write(text);
    }
  }
}
