// Pipelined FTP commands: dependent commands sent in one write on the control connection, the
// replies read in order (exactly one final reply per command; RFC 959 servers read commands line by
// line from the connection). One socket write per command was a sixth of the CPU of an upload of
// many small files, and every reply a round trip. A server is probed once before its connections
// pipeline: the first connection's settings and a NOOP in one write (ftp-access.ts), else NOOP+NOOP;
// one that does not answer them all in time is driven a command at a time.
import { FTPError, type Client, type FTPResponse } from 'basic-ftp';
import { LeanFtpContext } from './ftp-context.js';

export type Reply = FTPResponse | FTPError;

/**
 * Send `commands` in one write; resolves with one reply per command, in order. FTP error replies
 * (4xx/5xx) are returned in the array, not thrown: the caller decides what a refusal means. A
 * connection error or timeout rejects (basic-ftp closes the connection then).
 */
export function sendPipelined(c: Client, commands: string[]): Promise<Reply[]> {
  if (!(c.ftp instanceof LeanFtpContext)) return Promise.reject(new Error('pipelining needs a LeanFtpContext (newFtpClient)'));
  const replies: Reply[] = [];
  return c.ftp.handleMany(commands, (res, task) => {
    if (res instanceof FTPError) replies.push(res);
    else if (res instanceof Error) { task.reject(res); return; }
    else if (res.code < 200) return; // preliminary (1xx): the final reply follows
    else replies.push(res);
    if (replies.length === commands.length) task.resolve(replies);
  }) as Promise<Reply[]>;
}

/**
 * Send `commands` with the next command written on this connection (ftp-context.ts ride()); the caller
 * hands the connection back to the pool at once. Replies as sendPipelined's.
 */
export function rideAlong(c: Client, commands: string[]): Promise<Reply[]> {
  if (!(c.ftp instanceof LeanFtpContext)) return Promise.reject(new Error('pipelining needs a LeanFtpContext (newFtpClient)'));
  return c.ftp.ride(commands);
}

/**
 * Does this server answer commands sent together? NOOP+NOOP in one write, both answered 2xx within
 * `waitMs`. On a timeout the connection is closed (a late reply would be taken for the next
 * command's) and false returned.
 */
export async function probePipelining(c: Client, waitMs: number): Promise<boolean> {
  const r = await sendProbe(c, ['NOOP', 'NOOP'], waitMs);
  return r !== undefined && r.every((x) => !(x instanceof FTPError) && x.code >= 200 && x.code < 300);
}

/**
 * `commands` in one write as the pipelining probe: their replies, or undefined when they did not all
 * come within `waitMs` (the connection is then closed: a late reply would be taken for the next
 * command's). The first connection's settings go this way, with a NOOP last (ftp-access.ts).
 */
export async function sendProbe(c: Client, commands: string[], waitMs: number): Promise<Reply[] | undefined> {
  if (!(c.ftp instanceof LeanFtpContext)) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const probe = sendPipelined(c, commands);
  probe.catch(() => undefined); // settled by the close below when it times out
  const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), waitMs); });
  try {
    const r = await Promise.race([probe, timeout]);
    if (r === 'timeout') {
      c.close();
      return undefined;
    }
    return r;
  } finally {
    clearTimeout(timer);
  }
}
