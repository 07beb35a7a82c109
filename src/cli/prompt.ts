// Questions on the terminal: one at a time, with or without echo. Ctrl-C while a question is
// open cancels the run (the terminal is in raw mode, so no SIGINT arrives by itself).

import { SyncError } from '../core/errors.js';
import { visible } from './visible.js';

export interface PromptIo {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  output: NodeJS.WritableStream;
  /** called on Ctrl-C during a question (the run is cancelled) */
  onInterrupt?: () => void;
  /** called before and after each question (e.g. to clear and redraw a progress line) */
  around?: { before(): void; after(): void };
}

let queue: Promise<unknown> = Promise.resolve();
/** what was typed after the end of the last answer (typed ahead, or several lines in one chunk) */
const typedAhead = new WeakMap<object, string>();

/** Run questions one after another, even when the engine asks several at once. */
function serial<T>(fn: () => Promise<T>): Promise<T> {
  const next = queue.then(fn, fn);
  queue = next.catch(() => undefined);
  return next;
}

/**
 * Ask one line. `echo: false` for passwords (nothing is shown). Resolves with the answer
 * (without the line end); rejects with SyncError('aborted') on Ctrl-C, and on Ctrl-D / end of
 * input before anything was typed.
 */
export function ask(io: PromptIo, question: string, opts: { echo?: boolean } = {}): Promise<string> {
  return serial(() => new Promise<string>((resolve, reject) => {
    const echo = opts.echo ?? true;
    const input = io.input;
    const raw = typeof input.setRawMode === 'function' && input.isTTY === true;
    io.around?.before();
    io.output.write(visible(question)); // (a server's keyboard-interactive prompt)
    let answer = '';
    let escape = false;
    const finish = (err?: Error) => {
      done = true;
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      if (raw) input.setRawMode!(false);
      input.pause();
      io.output.write('\n');
      io.around?.after();
      if (err) reject(err); else resolve(answer);
    };
    const onEnd = () => finish(answer === '' ? new SyncError('aborted', 'No answer (end of input)') : undefined);
    let done = false;
    const onData = (chunk: Buffer | string) => {
      if (done) return;
      const chars = Array.from(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      for (let i = 0; i < chars.length; i++) {
        const ch = chars[i];
        if (ch === '\r' || ch === '\n') {
          // keep what follows for the next question ("\r\n" counts as one line end)
          const rest = chars.slice(ch === '\r' && chars[i + 1] === '\n' ? i + 2 : i + 1).join('');
          if (rest) typedAhead.set(input, rest);
          return finish();
        }
        if (escape) {
          // skip an escape sequence (arrow keys…): ESC [ … final letter
          if (/[A-Za-z~]/.test(ch)) escape = false;
          continue;
        }
        if (ch === '\x1b') { escape = true; continue; }
        if (ch === '\x03') {
          io.onInterrupt?.();
          return finish(new SyncError('aborted', 'Cancelled'));
        }
        if (ch === '\x04') {
          if (answer === '') return finish(new SyncError('aborted', 'No answer (end of input)'));
          return finish();
        }
        if (ch === '\x7f' || ch === '\b') {
          if (answer.length) {
            answer = [...answer].slice(0, -1).join('');
            if (echo && raw) io.output.write('\b \b');
          }
          continue;
        }
        if (ch < ' ') continue;
        answer += ch;
        if (echo && raw) io.output.write(ch);
      }
    };
    if (raw) input.setRawMode!(true);
    input.on('data', onData);
    input.on('end', onEnd);
    const ahead = typedAhead.get(input);
    if (ahead !== undefined) {
      typedAhead.delete(input);
      onData(ahead);
      if (done) return;
    }
    input.resume();
  }));
}
