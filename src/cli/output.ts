// Where the CLI's text goes and how much of it: verbosity levels, the --json split (human text to
// stderr), and the one-line --progress display on stderr.

import type { Logger } from '../core/types.js';
import { redactSecrets } from '../core/redact.js';

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
}

export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

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

  /** a line of human output at a verbosity level */
  line(text: string, level: number = LEVEL.changes): void {
    if (!this.shows(level)) return;
    this.write(this.human, text + '\n');
  }

  error(text: string): void {
    if (this.shows(LEVEL.errors)) this.write(this.err, text + '\n');
  }

  warn(text: string): void {
    if (this.shows(LEVEL.changes)) this.write(this.err, `warning: ${text}\n`);
  }

  /** JSON report: the only thing on stdout with --json */
  json(doc: unknown): void {
    this.clearProgress();
    this.opts.stdout.write(redactSecrets(JSON.stringify(doc, null, 2)) + '\n');
  }

  /** a detail for -v on stderr (connection, config file used…) */
  note(text: string, level: number = LEVEL.details): void {
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
  progress(filesDone: number, filesTotal: number, bytesDone: number, bytesTotal: number, force = false, suffix = ''): void {
    if (!this.progressOn) return;
    const text = `${filesDone}/${filesTotal} files, ${formatBytes(bytesDone)}/${formatBytes(bytesTotal)}${suffix}`;
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

  /** every line goes through here: a password in a URL (`user:secret@`) is never printed */
  private write(stream: NodeJS.WritableStream, raw: string): void {
    const text = redactSecrets(raw);
    if (this.progressShown) {
      this.clearProgress();
      stream.write(text);
      this.redraw();
    } else {
      stream.write(text);
    }
  }
}
