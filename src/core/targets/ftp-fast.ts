// Passive data transfers with the passive command pipelined: "EPSV" and the transfer command
// (MLSD / STOR / APPE) in one write on the control connection, the data connection opened as soon as
// the EPSV reply names its port. basic-ftp sends EPSV, waits for the reply, connects, then sends the
// command: one more socket write and round trip per transfer, and a stream.pipeline (AbortController,
// DOMException, end-of-stream listeners) per file. For many small files those were a large part of
// the client's CPU (see bench/README.md).
//
// Used only where it is known to be safe (FtpTarget decides): plain FTP (no TLS data connections),
// passive mode, a server that passed the pipelining probe (ftp-pipeline.ts) and lists EPSV in FEAT.
// An RFC 959 server reads the transfer command after answering EPSV, then waits for the data
// connection. If EPSV is refused after all, the transfer command's reply is still read (the
// connection stays in step) and a PassiveFastPathError is thrown: the caller turns the fast path off
// and retries the basic-ftp way. Byte counting, the 226-and-data-done rule, the stall watchdog and
// closing the connection on a data-connection error are as in basic-ftp (TransferResolver).
import { FTPError, type Client, type FTPResponse } from 'basic-ftp';
import { TransferWatchdog } from 'basic-ftp/dist/TransferWatchdog';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { LeanFtpContext } from './ftp-context.js';
import { sendFileRange } from './ftp-send.js';
import { bufferOf, fileRangeOf, markRangeRead } from '../transfer/fd-pump.js';

/** EPSV was refused or unusable in a pipelined transfer: nothing was transferred; use the plain path */
export class PassiveFastPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PassiveFastPathError';
  }
}

/** "229 Entering Extended Passive Mode (|||6446|)" → 6446 (some servers use "!" for "|") */
export function parseEpsvPort(message: string): number | undefined {
  const m = /[|!]{3}(\d+)[|!]/.exec(message);
  const port = m ? Number(m[1]) : NaN;
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}

export interface Transfer {
  /** called once the data connection is open and the server said 150/125 (upload: send; download: take the socket) */
  start?(data: Socket, fail: (e: Error) => void, done: () => void): void;
  /** a download: chunks as they arrive */
  onData?(chunk: Buffer): void;
  direction: 'upload' | 'download';
  /** a resumed transfer: REST this offset, sent between EPSV and the command (a refusal closes the connection: it is out of step) */
  rest?: number;
  /** the data socket, made when EPSV names the port (default: a plain Socket) */
  socket?(): Socket;
}

/** Send EPSV [REST n] `command` together and run the transfer on our own data connection (see the header). */
export function runPipelined(c: Client, command: string, t: Transfer): Promise<FTPResponse> {
  const ftp = c.ftp;
  if (!(ftp instanceof LeanFtpContext)) return Promise.reject(new Error('the pipelined passive mode needs a LeanFtpContext (newFtpClient)'));
  const watchdog = new TransferWatchdog();
  const rest = t.rest ?? 0;
  let restReply = rest > 0;
  let epsv: FTPResponse | FTPError | undefined;
  let data: Socket | undefined;
  let dataDone = false;
  let dataStarted = false;
  let preliminary = false;
  let final: FTPResponse | undefined;
  let settled = false;
  return ftp.handleMany(['EPSV', ...(rest > 0 ? [`REST ${rest}`] : []), command], (res, task) => {
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      watchdog.stop();
      ftp.socket.setTimeout(ftp.timeout);
      ftp.dataSocket = undefined; // closes it
      task.reject(e);
    };
    const tryResolve = () => {
      if (settled || !dataDone || final === undefined) return;
      settled = true;
      ftp.dataSocket = undefined;
      task.resolve(final);
    };
    const maybeStart = () => {
      if (dataStarted || dataDone || !preliminary || !data || data.connecting) return; // (a download may end before its 150: nothing to watch)
      dataStarted = true;
      // as basic-ftp: the data connection's watchdog tracks stalls while the transfer runs
      ftp.socket.setTimeout(0);
      data.setTimeout(0);
      watchdog.start(data, t.direction, ftp.timeout, () => ftp.closeWithError(new Error('Timeout (data socket)')));
      t.start?.(data, (e) => ftp.closeWithError(e), () => {
        if (settled) return;
        watchdog.stop();
        ftp.socket.setTimeout(ftp.timeout);
        dataDone = true;
        tryResolve();
      });
    };
    if (res instanceof Error && !(res instanceof FTPError)) { fail(res); return; }
    if (epsv === undefined) {
      // the EPSV reply
      epsv = res;
      const port = res instanceof FTPError ? undefined : parseEpsvPort(res.message);
      const host = ftp.socket.remoteAddress;
      if (port === undefined || host === undefined) return; // wait for the command's reply, then fail (below)
      const s = t.socket?.() ?? new Socket();
      ftp.dataSocket = s; // basic-ftp's handlers: an error or timeout closes the connection with it
      s.setTimeout(ftp.timeout);
      if (t.onData) s.on('data', t.onData);
      if (t.direction === 'download') {
        s.once('end', () => {
          if (settled) return;
          watchdog.stop();
          ftp.socket.setTimeout(ftp.timeout);
          dataDone = true;
          tryResolve();
        });
      }
      s.connect({ port, host, family: ftp.ipFamily }, () => { s.setTimeout(0); maybeStart(); });
      data = s;
      return;
    }
    if (restReply) {
      // the REST reply: the command is on its way already, so a refusal leaves the connection out of step
      restReply = false;
      if (res instanceof FTPError || res.code !== 350) {
        const e = res instanceof FTPError ? res : new FTPError(res);
        ftp.closeWithError(Object.assign(e, { message: `The server refused to resume at byte ${rest} (${e.message})` }));
      }
      return;
    }
    if (!data) {
      // EPSV refused or unreadable: the command could not have used a data connection of ours
      if (res instanceof FTPError || res.code >= 200) {
        const why = epsv instanceof FTPError ? `${epsv.code} ${epsv.message}` : `an EPSV reply without a port: ${(epsv as FTPResponse).message}`;
        fail(new PassiveFastPathError(`pipelined EPSV failed (${why})`));
      }
      return;
    }
    if (res instanceof FTPError) { fail(res); return; }
    if (res.code === 150 || res.code === 125) { preliminary = true; maybeStart(); return; }
    if (res.code < 200) return;
    if (res.code >= 300) { ftp.closeWithError(new Error(`Unexpected FTP response is requesting an answer: ${res.message}`)); return; }
    final = res;
    if (t.direction === 'download' && !dataStarted) {
      // a listing or a download can be answered 226 before our connect callback ran: the data still arrives, then 'end'
      preliminary = true;
      maybeStart();
    }
    tryResolve();
  }) as Promise<FTPResponse>;
}

/** The raw text of an MLSD listing of `absPath`, EPSV pipelined. */
export async function mlsdPipelined(c: Client, absPath: string): Promise<string> {
  const chunks: Buffer[] = [];
  await runPipelined(c, `MLSD ${absPath}`, { direction: 'download', onData: (b) => { chunks.push(b); } });
  return Buffer.concat(chunks).toString(c.ftp.encoding);
}

/**
 * STOR (or APPE) `source` as `absPath`, EPSV pipelined. `moved.bytes` counts every byte handed to the
 * data connection (verify.ts checks it); `onProgress` sees the running total.
 */
export function storePipelined(c: Client, verb: 'STOR' | 'APPE', absPath: string, source: Readable,
  moved: { bytes: number }, onProgress?: (bytes: number) => void): Promise<FTPResponse> {
  return runPipelined(c, `${verb} ${absPath}`, {
    direction: 'upload',
    start(data, fail, done) {
      // a small local file read in one go: its buffer in one write (then the stream is not read at all)
      const whole = bufferOf(source);
      if (whole) {
        markRangeRead(source); // (sent: a retry of this write must not send the stream again)
        moved.bytes += whole.length;
        onProgress?.(moved.bytes);
        // (a write error closes the connection: basic-ftp's data socket handlers, as for the stream below)
        data.once('finish', () => { source.destroy(); done(); });
        data.end(whole);
        return;
      }
      // a range of a local file: read into reused buffers (ftp-send.ts), not the stream's new chunks
      const range = fileRangeOf(source);
      if (range) { sendFileRange(data, range, source, moved, onProgress, fail, done); return; }
      const onError = (e: Error) => fail(e);
      source.once('error', onError);
      data.once('finish', () => { source.removeListener('error', onError); done(); });
      source.on('data', (chunk: Buffer | string) => {
        const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        moved.bytes += b.length;
        onProgress?.(moved.bytes);
        if (!data.write(b)) {
          source.pause();
          data.once('drain', () => source.resume());
        }
      });
      source.once('end', () => data.end());
    },
  });
}

/** Whether a target's transfers take the pipelined path; turned off for good by the first refusal. */
export interface FastPassiveSwitch { on: boolean }

/** `fast()` while the switch is on; after a PassiveFastPathError (nothing was transferred) `slow()`, from then on only that. */
export async function withFastPassive<T>(sw: FastPassiveSwitch, fast: () => Promise<T>, slow: () => Promise<T>): Promise<T> {
  if (!sw.on) return slow();
  try {
    return await fast();
  } catch (e) {
    if (!(e instanceof PassiveFastPathError)) throw e;
    sw.on = false;
    return slow();
  }
}
