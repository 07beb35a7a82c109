// Opening an FTP download on our own data connection (ftp-retr.ts is the transfer): "EPSV",
// "REST n" and "RETR path" in one write on the control connection, then a data socket that reads with
// `onread` into the memory its consumer names, paused until that consumer starts.
import { FTPError, type Client, type FTPResponse } from 'basic-ftp';
import { TransferWatchdog } from 'basic-ftp/dist/TransferWatchdog';
import { Socket, type OnReadOpts, type SocketConstructorOpts } from 'node:net';
import { LeanFtpContext } from './ftp-context.js';
import { PassiveFastPathError, parseEpsvPort } from './ftp-fast.js';

/** where the data socket's chunks go: set by the consumer before the socket is resumed */
export interface ChunkSink {
  /** the memory the next read fills */
  buffer(): Buffer;
  /** `n` bytes were read into `buf` (the last buffer() returned) */
  chunk(n: number, buf: Buffer): void;
}

export interface OpenRetr {
  socket: Socket;
  /** the server's final reply once the data has ended too; rejects on any failure of the transfer */
  done: Promise<FTPResponse>;
}

/**
 * Send EPSV [REST offset] RETR together; resolves once the data connection is open and the server
 * accepted the transfer (150/125), with the socket paused (nothing read before the consumer starts).
 * Rejects with a PassiveFastPathError when EPSV was refused (nothing transferred, the connection in
 * step), or with the server's refusal (550…) or the connection's error.
 */
export function openRetr(c: Client, absPath: string, offset: number, sink: () => ChunkSink): Promise<OpenRetr> {
  const ftp = c.ftp;
  if (!(ftp instanceof LeanFtpContext)) return Promise.reject(new Error('the pipelined passive mode needs a LeanFtpContext (newFtpClient)'));
  const commands = ['EPSV', ...(offset > 0 ? [`REST ${offset}`] : []), `RETR ${absPath}`];
  return new Promise<OpenRetr>((resolveOpen, rejectOpen) => {
    const watchdog = new TransferWatchdog();
    let replies = 0;
    let epsv: FTPResponse | FTPError | undefined;
    let data: Socket | undefined;
    let dataDone = false;
    let started = false;
    let preliminary = false;
    let final: FTPResponse | undefined;
    let settled = false;
    const done = ftp.handleMany(commands, (res, task) => {
      replies++;
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
        if (started || !preliminary || !data || data.connecting) return;
        started = true;
        // as basic-ftp: the watchdog tracks stalls while the transfer runs; our own pauses (the disk,
        // the bandwidth limit, a consumer not reading yet) are not the server's
        ftp.socket.setTimeout(0);
        data.setTimeout(0);
        watchdog.start(data, 'download', ftp.timeout, () => ftp.closeWithError(new Error('Timeout (data socket)')));
        resolveOpen({ socket: data, done });
      };
      if (res instanceof Error && !(res instanceof FTPError)) { fail(res); return; }
      if (replies === 1) {
        // the EPSV reply
        epsv = res;
        const port = res instanceof FTPError ? undefined : parseEpsvPort(res.message);
        const host = ftp.socket.remoteAddress;
        if (port === undefined || host === undefined) return; // wait for RETR's reply, then fail (below)
        // (Node takes `onread` in the constructor too; @types/node lists it for connect() only)
        const onread: OnReadOpts = { buffer: () => sink().buffer(), callback: (n, buf) => { sink().chunk(n, buf as Buffer); return true; } };
        const s = new Socket({ onread } as SocketConstructorOpts);
        s.pause(); // nothing is read before the consumer says where the bytes go
        ftp.dataSocket = s; // basic-ftp's handlers: an error or timeout closes the connection with it
        s.setTimeout(ftp.timeout);
        s.once('end', () => {
          if (settled) return;
          watchdog.stop();
          ftp.socket.setTimeout(ftp.timeout);
          dataDone = true;
          tryResolve();
        });
        s.connect({ port, host, family: ftp.ipFamily }, () => { s.setTimeout(0); maybeStart(); });
        data = s;
        return;
      }
      if (offset > 0 && replies === 2) {
        // the REST reply: RETR is on its way already, so a refusal leaves the connection out of step
        if (res instanceof FTPError || res.code !== 350) {
          const e = res instanceof FTPError ? res : new FTPError(res);
          ftp.closeWithError(Object.assign(e, { message: `The server refused to resume at byte ${offset} (${e.message})` }));
        }
        return;
      }
      if (!data) {
        // EPSV refused or unreadable: RETR could not have used a data connection of ours
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
      // "226" before our connect callback ran: the data still arrives, then 'end'
      final = res;
      preliminary = true;
      maybeStart();
      tryResolve();
    }) as Promise<FTPResponse>;
    done.catch((e: unknown) => { if (!started) rejectOpen(e); });
  });
}
