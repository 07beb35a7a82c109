// basic-ftp's FTPContext without a stack trace per command. Upstream `handle()` stores
// `new Error().stack` with every task, only to print it if a second task is started while one runs
// (a programming error). Capturing and formatting that stack costs 10–60 µs per FTP command, about a
// fifth of the CPU of an FTP upload of many small files. This context records the command instead
// and builds a stack only when that error actually happens. Everything else is upstream's
// behaviour (basic-ftp 6.2.3, FtpContext.handle), unchanged. Refusals (FTPError) are made without a
// stack trace too (refusal() below). Replies are parsed from whole lines only (controlReplies(): a
// reply split by TCP inside a line is read once the line is complete, not as two).
// It also carries a "rider" (ride()): commands whose replies are awaited after the connection went
// back to the pool. They go out with the next task's write on this connection (one socket write and
// one server wake-up less per exchange: ftp-replace.ts), or on the next turn of the event loop when
// no task comes; their replies are the first ones read after that (replies come in order).
import { Client, FTPContext, FTPError, type FTPResponse, type ResponseHandler } from 'basic-ftp';
import { parseControlResponse } from 'basic-ftp/dist/parseControlResponse';

/** upstream's limit of one control response (basic-ftp 6.2.3, maxControlResponseLength) */
const MAX_CONTROL_RESPONSE = 2 ** 16;

/**
 * An FTP refusal as basic-ftp makes it, without capturing a stack trace: it is made in the control
 * socket's data event, so its stack would only name the event loop. An upload of many small files
 * gets one per file (the "not there yet" 550 of the check before a new file's rename): ~20 µs each.
 */
function refusal(res: FTPResponse): FTPError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new FTPError(res);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** commands riding along with the next write (see the header); `commands` undefined once sent */
interface Rider {
  commands: string[] | undefined;
  replies: Array<FTPResponse | FTPError>;
  count: number;
  resolve(replies: Array<FTPResponse | FTPError>): void;
  reject(e: Error): void;
}

export class LeanFtpContext extends FTPContext {
  /** in the order written: the ones sent first, then the ones waiting for a write */
  private riders: Rider[] = [];
  /** the control socket's timeout for the next task started, instead of `timeout` (sendWaitingLonger) */
  nextTaskTimeout: number | undefined;

  /**
   * Send `commands` with the next task's write on this context (or on the next turn of the event
   * loop, with any other riders); resolves with one reply per command, in order, FTP refusals
   * included (as sendPipelined). For a server that passed the pipelining probe only, and with no
   * task running: the caller hands the connection back at once. A connection error or timeout rejects.
   */
  ride(commands: string[]): Promise<Array<FTPResponse | FTPError>> {
    if (this._task) return Promise.reject(new Error('ride(): a task is running on this connection'));
    if (this._closingError) return Promise.reject(new Error(`Client is closed because ${this._closingError.message}`));
    try { checkCommands(commands); } catch (e) { return Promise.reject(e as Error); }
    return new Promise((resolve, reject) => {
      const r: Rider = { commands, replies: [], count: commands.length, resolve, reject };
      this.riders.push(r);
      setImmediate(() => {
        if (!r.commands || !this.riders.includes(r)) return; // gone with a task's write, or the connection closed
        this.sendAll([]); // (every command was checked: nothing throws)
        this.socket.setTimeout(this.timeout); // (a reply that does not come is a stall, as for a task)
      });
    });
  }

  /** riders' replies come first (they were written before the running task's commands) */
  protected override _passToHandler(response: Error | FTPResponse): void {
    const r = this.riders[0];
    if (!r || r.commands) { super._passToHandler(response); return; }
    if (response instanceof Error && !(response instanceof FTPError)) {
      // the connection failed: the riders and the task (whose commands followed) all get the error
      for (const x of this.riders.splice(0)) x.reject(response);
      super._passToHandler(response);
      return;
    }
    if (!(response instanceof FTPError) && response.code < 200) return; // (none of its commands opens a transfer)
    r.replies.push(response);
    if (r.replies.length < r.count) return;
    this.riders.shift();
    if (!this._task && !this.riders.some((x) => !x.commands)) this.socket.setTimeout(0); // (as after a task)
    r.resolve(r.replies);
  }

  override closeWithError(err: Error): void {
    const riders = this.riders.splice(0);
    this._partialResponse = ''; // (a reply cut by the close is never completed; a new socket starts afresh)
    super.closeWithError(err);
    for (const r of riders) r.reject(err);
  }
  /**
   * upstream's (FtpContext._onControlSocketData), with refusal() for the replies of 400 and above, and
   * only whole lines parsed (controlReplies()): upstream parses a chunk's unfinished last line as if
   * it had ended, so a reply split by TCP inside a line gave a cut fact ("size=12" of "size=1234") or
   * a reply of its own ("250" of "250-Begin") that shifted every later pipelined reply by one.
   * `_partialResponse` holds what is not parsed yet (upstream empties it when a socket is set).
   */
  protected override _onControlSocketData(chunk: string): void {
    this.log(`< ${chunk}`);
    // this chunk may complete an earlier partial response; an unbounded response is an attack
    if (this._partialResponse.length + chunk.length > MAX_CONTROL_RESPONSE) {
      this.closeWithError(new Error('FTP control response exceeded maximum allowed size'));
      return;
    }
    const parsed = controlReplies(this._partialResponse, chunk);
    this._partialResponse = parsed.rest;
    for (const message of parsed.messages) {
      const code = parseInt(message.substring(0, 3), 10);
      const response = { code, message };
      this._passToHandler(code >= 400 ? refusal(response) : response);
    }
  }

  override handle(command: string | undefined, responseHandler: ResponseHandler): Promise<any> {
    return this.track(command === undefined ? undefined : [command], responseHandler);
  }

  /**
   * Several commands in one socket write (pipelining: ftp-pipeline.ts); `responseHandler` gets every
   * reply, in order, until it settles the task. Each command is checked as send() checks one.
   */
  handleMany(commands: string[], responseHandler: ResponseHandler): Promise<any> {
    return this.track(commands, responseHandler);
  }

  /** send one command or several in one write (after a rider's commands not sent yet) */
  private sendAll(commands: string[]): void {
    checkCommands(commands); // (a rider's were checked by ride())
    const waiting = this.riders.filter((r) => r.commands);
    if (waiting.length) {
      commands = [...waiting.flatMap((r) => r.commands!), ...commands];
      for (const r of waiting) r.commands = undefined;
    }
    if (commands.length === 1) { this.send(commands[0]); return; }
    for (const command of commands) this.log(`> ${command}`);
    this.socket.write(commands.map((c) => `${c}\r\n`).join(''), this.encoding);
  }

  private track(commands: string[] | undefined, responseHandler: ResponseHandler): Promise<any> {
    const command = commands?.join(' + ');
    const timeout = this.nextTaskTimeout ?? this.timeout; // (for this task only)
    this.nextTaskTimeout = undefined;
    if (this._task) {
      const err = new Error("User launched a task while another one is still running. Forgot to use 'await' or '.then()'?");
      err.stack += `\nRunning task: ${this._task.stack}`;
      this.closeWithError(err);
      // as upstream: go on and return the promise, rejected because the context is closed now
    }
    return new Promise((resolveTask, rejectTask) => {
      // a task settles once; a handler may still hold its resolver after that (a late stream error)
      let settled = false;
      const stopTrackingOnce = () => {
        if (settled) return;
        settled = true;
        this._stopTrackingTask();
      };
      this._task = {
        // the command, not a call stack (passwords are not recorded)
        stack: command === undefined ? '(response handler)' : /^PASS\b/i.test(command) ? 'PASS ***' : command,
        responseHandler,
        resolver: {
          resolve: (arg: unknown) => { stopTrackingOnce(); resolveTask(arg); },
          reject: (err: Error) => { stopTrackingOnce(); rejectTask(err); },
        },
      };
      if (this._closingError) {
        const closing = this._closingError;
        const err = new Error(`Client is closed because ${closing.message}`) as NodeJS.ErrnoException;
        err.stack += `\nClosing reason: ${closing.stack}`;
        err.code = closing.code !== undefined ? closing.code : '0';
        this._passToHandler(err);
        return;
      }
      // the control socket's timeout runs only while a task does (as upstream)
      this.socket.setTimeout(timeout);
      if (commands?.length) {
        // nothing was sent if this throws: reject without closing
        try {
          this.sendAll(commands);
        } catch (err) {
          this._task.resolver.reject(err as Error);
        }
      }
    });
  }
}

/**
 * The replies completed by `chunk`, read after `pending` (what an earlier call left, its `rest`): only
 * the lines up to the last line feed (CRLF or a bare LF) are parsed (basic-ftp's parseControlResponse,
 * multi-line replies "123-…" … "123 …" included); the unfinished last line and an open multi-line
 * reply stay in `rest` for the next chunk. Any split of the same text gives the same replies.
 */
export function controlReplies(pending: string, chunk: string): { messages: string[]; rest: string } {
  const text = pending + chunk;
  const end = text.lastIndexOf('\n') + 1;
  if (end === 0) return { messages: [], rest: text };
  const parsed = parseControlResponse(text.slice(0, end));
  // (an open multi-line reply comes back as its lines, each ended by a line feed)
  return { messages: parsed.messages, rest: parsed.rest + text.slice(end) };
}

/** as send() checks a command: no line breaks or NUL in it (the password is not repeated) */
function checkCommands(commands: string[]): void {
  for (const command of commands) {
    if (/[\r\n\0]/.test(command)) {
      throw new Error(`Invalid command: Contains control characters. (${/^PASS\b/i.test(command) ? 'PASS ###' : command})`);
    }
  }
}

/**
 * Send `command` (refusals resolved, as sendIgnoringError) and wait up to `ms` for its reply instead
 * of the client's timeout: a reply the server computes before it can send a byte (HASH of a big
 * file). The control connection is silent meanwhile, so a dead server is noticed only after `ms`
 * (its TCP keepalive is on, with the system's delays: hours): `ms` must stay bounded.
 */
export function sendWaitingLonger(c: Client, command: string, ms: number): Promise<FTPResponse> {
  if (c.ftp instanceof LeanFtpContext) c.ftp.nextTaskTimeout = ms;
  return c.sendIgnoringError(command);
}

/** A basic-ftp Client whose control connection is a LeanFtpContext. */
export function newFtpClient(timeoutMs: number): Client {
  const c = new Client(timeoutMs);
  const original = c.ftp;
  (c as { ftp: FTPContext }).ftp = new LeanFtpContext(timeoutMs, original.encoding);
  original.close(); // never connected: just releases its unused socket
  return c;
}
