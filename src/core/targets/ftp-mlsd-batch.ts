// Several folders listed on one connection in one write: "EPSV, MLSD a, EPSV, MLSD b, …". An RFC 959
// server reads the next command when it has answered the previous one, so the next folder's listing
// starts as soon as the last one is sent, without waiting for our round trip. The recursive listing
// (ftp-list.ts) uses it to keep as many listings in flight with half the connections: every login
// costs the server far more CPU than listing a folder (pure-ftpd with system accounts: ~25 ms each).
//
// Used only where the single pipelined listing is (ftp-fast.ts: plain FTP, passive, a server that
// passed the pipelining probe and lists EPSV). Every command's final reply is read before the batch
// settles, so the connection stays in step whatever a folder's outcome: a refused MLSD (550…) is that
// folder's result; a refused EPSV makes the whole batch fail with PassiveFastPathError once all
// replies are in (the caller lists those folders the plain way). A data-connection error, a stall
// (no data for the connection's timeout) or an unexpected reply closes the connection, as basic-ftp does;
// the listing then turns batches off for the target (a server that loses commands sent during a
// listing stalls the batch once) and lists every folder alone.
import { FTPError, type Client, type FTPResponse } from 'basic-ftp';
import { Socket } from 'node:net';
import { LeanFtpContext } from './ftp-context.js';
import { PassiveFastPathError, parseEpsvPort } from './ftp-fast.js';

/** a folder's listing text, or the server's refusal of its MLSD */
export type BatchListing = string | FTPError;

interface Item {
  epsv?: FTPResponse | FTPError;
  data?: Socket;
  chunks: Buffer[];
  /** the server said 150/125 and the data is flowing */
  flowing: boolean;
  dataDone: boolean;
  final?: FTPResponse | FTPError;
  /** the data connection failed before the MLSD's reply said whether it was to be used */
  dataError?: Error;
}

/** MLSD of every path in `absPaths`, each with its EPSV, all in one write; one result per path, in order. */
export function mlsdBatchPipelined(c: Client, absPaths: string[]): Promise<BatchListing[]> {
  const ftp = c.ftp;
  if (!(ftp instanceof LeanFtpContext)) return Promise.reject(new Error('the pipelined listing needs a LeanFtpContext (newFtpClient)'));
  const items: Item[] = absPaths.map(() => ({ chunks: [], flowing: false, dataDone: false }));
  const results: (BatchListing | undefined)[] = absPaths.map(() => undefined);
  const sockets = new Set<Socket>();
  let cur = 0; // the item whose replies are being read
  let flowing = 0;
  let settled = false;
  return ftp.handleMany(absPaths.flatMap((p) => ['EPSV', `MLSD ${p}`]), (res, task) => {
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      for (const s of sockets) s.destroy();
      task.reject(e);
    };
    const finish = () => {
      if (settled || cur < items.length || results.some((r) => r === undefined)) return;
      settled = true;
      const refused = items.find((it) => it.data === undefined);
      if (refused) {
        const e = refused.epsv;
        task.reject(new PassiveFastPathError(`pipelined EPSV failed (${e instanceof FTPError ? `${e.code} ${e.message}` : `an EPSV reply without a port: ${e?.message ?? ''}`})`));
      } else {
        task.resolve(results);
      }
    };
    const stopFlowing = (it: Item) => {
      if (!it.flowing) return;
      it.flowing = false;
      if (--flowing === 0 && !settled) ftp.socket.setTimeout(ftp.timeout);
    };
    const settleItem = (i: number) => {
      const it = items[i];
      if (results[i] !== undefined || it.final === undefined) return;
      if (it.final instanceof FTPError || !it.data) results[i] = it.final instanceof FTPError ? it.final : '';
      else if (it.dataDone) results[i] = Buffer.concat(it.chunks).toString(ftp.encoding);
      else return;
      finish();
    };
    if (res instanceof Error && !(res instanceof FTPError)) { fail(res); return; }
    if (settled || cur >= items.length) return;
    const i = cur;
    const it = items[i];
    if (it.epsv === undefined) {
      it.epsv = res;
      const port = res instanceof FTPError ? undefined : parseEpsvPort(res.message);
      const host = ftp.socket.remoteAddress;
      if (port === undefined || host === undefined) return; // the MLSD's reply follows; the batch fails once all are read
      const s = new Socket();
      sockets.add(s);
      it.data = s;
      // no data for the timeout: the transfer stalled (the control connection waits meanwhile)
      s.setTimeout(ftp.timeout);
      // a refused MLSD never uses its data connection, and a server that has answered it may close the
      // passive port at once (for the next EPSV) before our connect arrives: a data-connection error is
      // one only once the MLSD's reply said the transfer runs
      const dataFailed = (e: Error) => {
        if (it.final instanceof FTPError) return;
        if (it.final === undefined && !it.flowing) { it.dataError = e; return; }
        ftp.closeWithError(e);
      };
      s.on('timeout', () => dataFailed(new Error('Timeout (data socket)')));
      s.on('error', dataFailed);
      s.on('data', (b: Buffer) => { it.chunks.push(b); });
      s.once('end', () => {
        it.dataDone = true;
        stopFlowing(it);
        sockets.delete(s);
        s.destroy();
        settleItem(i);
      });
      s.connect({ port, host, family: ftp.ipFamily });
      return;
    }
    // a reply to this item's MLSD
    if (!it.data) {
      // EPSV refused: the MLSD could not have used a data connection of ours
      if (res instanceof FTPError || res.code >= 200) { it.final = res; cur++; settleItem(i); }
      return;
    }
    if (res instanceof FTPError) {
      // the folder is refused (550…): its data connection is not used
      sockets.delete(it.data);
      it.data.destroy();
      stopFlowing(it);
      it.final = res;
      cur++;
      settleItem(i);
      return;
    }
    if (it.dataError && res.code < 300) { ftp.closeWithError(it.dataError); return; }
    if (res.code === 150 || res.code === 125) {
      if (!it.flowing && !it.dataDone) { it.flowing = true; flowing++; ftp.socket.setTimeout(0); }
      return;
    }
    if (res.code < 200) return;
    if (res.code >= 300) { ftp.closeWithError(new Error(`Unexpected FTP response is requesting an answer: ${res.message}`)); return; }
    it.final = res;
    cur++;
    settleItem(i);
  }) as Promise<BatchListing[]>;
}
