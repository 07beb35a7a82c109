// Active-mode FTP for basic-ftp (which does only passive mode itself): a data connection is
// prepared by listening on the local address the control connection uses, telling the server
// with EPRT (RFC 2428; PORT when the server does not know EPRT), and taking the connection the
// server opens once the transfer command is sent. With FTPS the data connection is wrapped in TLS
// as the client side, reusing the control connection's session (as in passive mode).
//
// basic-ftp expects `ftp.dataSocket` when the transfer starts; the server connects around the
// time it answers 150, so the 150/125 reply (and anything after it) is held back until the server
// has connected.

import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import { connect as tlsConnect, TLSSocket } from 'node:tls';
import type { Client, FTPResponse } from 'basic-ftp';

type FtpContext = Client['ftp'];
type Handler = (res: Error | FTPResponse, task: unknown) => void;

function listen(host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => { server.removeListener('error', reject); resolve(server); });
  });
}

/** "|1|127.0.0.1|5282|" (EPRT) and "127,0,0,1,20,162" (PORT) */
export function eprtArgument(host: string, port: number): string {
  return `|${host.includes(':') ? 2 : 1}|${host}|${port}|`;
}
export function portArgument(host: string, port: number): string {
  return `${host.split('.').join(',')},${port >> 8},${port & 255}`;
}

/** The `prepareTransfer` strategy of a basic-ftp Client for active mode. */
export function activeModeTransfer(debug: (msg: string) => void = () => undefined, onDataSocket?: (s: Socket) => void): (ftp: FtpContext) => Promise<FTPResponse> {
  let eprtWorks = true;
  return async (ftp) => {
    const control = ftp.socket;
    const local = control.localAddress?.replace(/^::ffff:(?=\d+\.)/, '');
    if (!local) throw new Error('Active mode: the control connection has no local address');
    const server = await listen(local);
    const { port } = server.address() as AddressInfo;
    let accepted: Socket | undefined;
    let acceptError: Error | undefined;
    let wake: (() => void) | undefined;
    const remote = control.remoteAddress?.replace(/^::ffff:(?=\d+\.)/, '');
    server.on('connection', (sock) => {
      // only the server we talk to may connect (no other host can slip in its data)
      if (accepted || sock.remoteAddress?.replace(/^::ffff:(?=\d+\.)/, '') !== remote) { sock.destroy(); return; }
      accepted = sock;
      debug(`active mode: data connection from ${sock.remoteAddress}:${sock.remotePort}`);
      server.close();
      wake?.();
    });
    server.on('error', (e) => { acceptError = e; wake?.(); });
    const stop = () => { server.close(); };

    let res: FTPResponse;
    try {
      if (eprtWorks) {
        try {
          res = await ftp.request(`EPRT ${eprtArgument(local, port)}`);
        } catch (e) {
          const code = (e as { code?: number }).code;
          if (local.includes(':') || (code !== 500 && code !== 501 && code !== 502)) throw e;
          eprtWorks = false; // an old server: PORT from now on
          res = await ftp.request(`PORT ${portArgument(local, port)}`);
        }
      } else {
        res = await ftp.request(`PORT ${portArgument(local, port)}`);
      }
    } catch (e) {
      stop();
      throw e;
    }
    debug(`active mode: ${eprtWorks ? 'EPRT' : 'PORT'} ${local}:${port} accepted (${res.code}); waiting for the server's data connection`);

    // a stand-in until the server connects (basic-ftp checks that a data socket exists)
    const stand = new Socket();
    ftp.dataSocket = stand;
    const waitForServer = (): Promise<Socket> => {
      if (accepted) return Promise.resolve(accepted);
      if (acceptError) return Promise.reject(acceptError);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => { stop(); reject(new Error(`Active mode: the server did not connect to ${local}:${port} (a firewall between them?)`)); }, ftp.timeout || 30_000);
        wake = () => {
          clearTimeout(timer);
          if (accepted) resolve(accepted); else reject(acceptError ?? new Error('Active mode: no data connection'));
        };
      });
    };
    const dataSocketFor = (raw: Socket): Socket => {
      if (!(control instanceof TLSSocket)) return raw;
      const tls = tlsConnect({ ...ftp.tlsOptions, socket: raw, session: ftp.tlsSessionStore ?? control.getSession() });
      tls.on('session', (s) => { ftp.tlsSessionStore = s; });
      onDataSocket?.(tls); // e.g. the pinned certificate's check (ftp-access.ts)
      return tls;
    };

    // hold the transfer's replies from 150/125 on until the server has connected
    const handle = ftp.handle.bind(ftp);
    ftp.handle = ((command: string | undefined, handler: Handler) => {
      delete (ftp as { handle?: unknown }).handle; // once: the prototype's method again
      let held: [Error | FTPResponse, unknown][] | undefined;
      const wrapped: Handler = (r, task) => {
        if (held) { held.push([r, task]); return; }
        if (!(r instanceof Error) && (r.code === 150 || r.code === 125) && !(ftp.dataSocket && ftp.dataSocket !== stand)) {
          held = [[r, task]];
          waitForServer().then((raw) => {
            ftp.dataSocket = dataSocketFor(raw);
          }, (e: Error) => { held!.splice(0, held!.length, [e, task]); }).finally(() => {
            const queue = held!;
            held = undefined;
            for (const [rr, t] of queue) handler(rr, t);
          });
          return;
        }
        if (r instanceof Error || r.code >= 200) stop();
        handler(r, task);
      };
      return handle(command, wrapped as Parameters<typeof handle>[1]);
    }) as typeof ftp.handle;
    return res;
  };
}
