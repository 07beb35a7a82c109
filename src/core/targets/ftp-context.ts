// basic-ftp's FTPContext without a stack trace per command. Upstream `handle()` stores
// `new Error().stack` with every task, only to print it if a second task is started while one runs
// (a programming error). Capturing and formatting that stack costs 10–60 µs per FTP command, about a
// fifth of the CPU of an FTP upload of many small files. This context records the command instead
// and builds a stack only when that error actually happens. Everything else is upstream's
// behaviour (basic-ftp 6.2.3, FtpContext.handle), unchanged.
import { Client, FTPContext, type ResponseHandler } from 'basic-ftp';

export class LeanFtpContext extends FTPContext {
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

  /** send one command or several in one write */
  private sendAll(commands: string[]): void {
    for (const command of commands) {
      if (/[\r\n\0]/.test(command)) {
        throw new Error(`Invalid command: Contains control characters. (${/^PASS\b/i.test(command) ? 'PASS ###' : command})`);
      }
    }
    if (commands.length === 1) { this.send(commands[0]); return; }
    for (const command of commands) this.log(`> ${command}`);
    this.socket.write(commands.map((c) => `${c}\r\n`).join(''), this.encoding);
  }

  private track(commands: string[] | undefined, responseHandler: ResponseHandler): Promise<any> {
    const command = commands?.join(' + ');
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
      this.socket.setTimeout(this.timeout);
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

/** A basic-ftp Client whose control connection is a LeanFtpContext. */
export function newFtpClient(timeoutMs: number): Client {
  const c = new Client(timeoutMs);
  const original = c.ftp;
  (c as { ftp: FTPContext }).ftp = new LeanFtpContext(timeoutMs, original.encoding);
  original.close(); // never connected: just releases its unused socket
  return c;
}
