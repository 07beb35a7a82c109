// Opening an FTP download on our own data connection (ftp-retr.ts is the transfer): "EPSV",
// "REST n" and "RETR path" in one write on the control connection (ftp-fast.ts runPipelined, the
// exchange listings and uploads use), with a data socket that reads with `onread` into the memory its
// consumer names, paused until that consumer starts.
import type { Client, FTPResponse } from 'basic-ftp';
import { Socket, type OnReadOpts, type SocketConstructorOpts } from 'node:net';
import { runPipelined } from './ftp-fast.js';

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
 * Send EPSV [REST offset] RETR together (ftp-fast.ts runPipelined); resolves once the data connection
 * is open and the server accepted the transfer (150/125), with the socket paused (nothing read before
 * the consumer starts). Rejects with a PassiveFastPathError when EPSV was refused (nothing
 * transferred, the connection in step), or with the server's refusal (550…) or the connection's error.
 */
export function openRetr(c: Client, absPath: string, offset: number, sink: () => ChunkSink): Promise<OpenRetr> {
  return new Promise<OpenRetr>((resolveOpen, rejectOpen) => {
    let started = false;
    const done: Promise<FTPResponse> = runPipelined(c, `RETR ${absPath}`, {
      direction: 'download',
      rest: offset,
      socket: () => {
        // (Node takes `onread` in the constructor too; @types/node lists it for connect() only)
        const onread: OnReadOpts = { buffer: () => sink().buffer(), callback: (n, buf) => { sink().chunk(n, buf as Buffer); return true; } };
        const s = new Socket({ onread } as SocketConstructorOpts);
        s.pause(); // nothing is read before the consumer says where the bytes go
        return s;
      },
      // the stall watchdog runs from here; our own pauses (the disk, the bandwidth limit, a consumer not
      // reading yet) are not the server's
      start: (data) => { started = true; resolveOpen({ socket: data, done }); },
    });
    done.catch((e: unknown) => { if (!started) rejectOpen(e); });
  });
}
