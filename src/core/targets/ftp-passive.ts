// Passive-mode data connections that always go to the host of the control connection. A PASV reply
// names an address; a hostile or misconfigured server can name another machine (FTP bounce, or a
// scan of the client's network), so the address in the reply is ignored and only its port is used,
// as curl does (--ftp-skip-pasv-ip is its default). EPSV carries only a port anyway.
import { enterPassiveModeIPv6, type Client, type FTPContext, type FTPResponse } from 'basic-ftp';
import { connectForPassiveTransfer, parsePasvResponse } from 'basic-ftp/dist/transfer';
import type { Socket } from 'node:net';

type Strategy = (ftp: FTPContext) => Promise<FTPResponse>;

/** PASV, then connect to the control connection's address at the port the reply names */
export async function enterPassiveModeControlHost(ftp: FTPContext, onOtherHost?: (named: string, used: string) => void): Promise<FTPResponse> {
  const res = await ftp.request('PASV');
  const target = parsePasvResponse(res.message);
  const control = ftp.socket.remoteAddress?.replace(/^::ffff:/i, '');
  if (!control) throw new Error('The control connection is closed; cannot open a data connection');
  if (target.host !== control) onOtherHost?.(target.host, control);
  await connectForPassiveTransfer(control, target.port, ftp);
  return res;
}

/**
 * EPSV, else PASV to the control host; the first that works is kept for this connection (as basic-ftp
 * does). `onDataSocket` sees each data connection before the transfer uses it.
 */
export function usePassiveControlHost(c: Client, onOtherHost?: (named: string, used: string) => void, onDataSocket?: (s: Socket) => void): void {
  const strategies: Strategy[] = [enterPassiveModeIPv6, (ftp) => enterPassiveModeControlHost(ftp, onOtherHost)];
  let chosen: Strategy | undefined;
  const seen = (ftp: FTPContext, res: FTPResponse) => {
    if (onDataSocket && ftp.dataSocket) onDataSocket(ftp.dataSocket);
    return res;
  };
  c.prepareTransfer = async (ftp) => {
    if (chosen) return seen(ftp, await chosen(ftp));
    let last: unknown;
    for (const s of strategies) {
      try {
        const res = await s(ftp);
        chosen = s;
        return seen(ftp, res);
      } catch (e) {
        if (ftp.closed) throw e;
        last = e; // a server may answer EPSV wrongly: try the next one
      }
    }
    throw new Error(`No passive mode works with this server (EPSV, PASV): ${(last as Error)?.message ?? String(last)}`);
  };
}
