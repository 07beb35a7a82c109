// A small scripted FTP server (node:net + node:tls) for attacks a real daemon will not stage: a
// certificate that changes between connections (a man in the middle), and a PASV reply naming
// another host. It logs in anybody, lists one fixed folder with MLSD, and records every command,
// so a test can prove that a password was never sent.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { skipOrFail } from './env.js';

export interface FakeFtpOptions {
  /** PEM certificate + key for AUTH TLS (explicit FTPS); none: plain FTP only */
  tls?: { cert: string; key: string };
  /** refuse EPSV, and answer PASV with this host (the data listener is on the control host) */
  pasvHost?: string;
  /** MLSD lines of the listed folder ("type=file;size=3;modify=20200101000000; a.txt") */
  listing?: string[];
  /** another certificate for the data connections (a man in the middle of those only) */
  dataTls?: { cert: string; key: string };
}

export interface FakeFtpServer {
  host: string;
  port: number;
  /** every command received, per connection, in order ("PASS" lines included: tests check them) */
  sessions: string[][];
  /** bytes received by STOR, per file name (the content is thrown away) */
  stored: Map<string, number>;
  /** change the certificate for the next connections */
  setTls(t: { cert: string; key: string }): void;
  close(): Promise<void>;
}

/** a self-signed certificate for 127.0.0.1 in `dir`: { cert, key } PEM texts, and the cert's file */
export function makeSelfSigned(dir: string, name: string): { cert: string; key: string; certFile: string } {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.crt`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
    '-days', '2', '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8'), certFile: cert };
}

export type SelfSigned = ReturnType<typeof makeSelfSigned>;

/** makeSelfSigned for each of `names`; without openssl: undefined, the test skipped (a failure under CI) */
export function selfSignedOrSkip(t: TestContext, dir: string, ...names: string[]): SelfSigned[] | undefined {
  try {
    return names.map((name) => makeSelfSigned(dir, name));
  } catch (e) {
    t.skip(skipOrFail(`openssl is needed to make test certificates: ${(e as Error).message}`).skip);
    return undefined;
  }
}

export async function startFakeFtp(opts: FakeFtpOptions = {}): Promise<FakeFtpServer> {
  let tlsOpts = opts.tls;
  const sessions: string[][] = [];
  const stored = new Map<string, number>();
  const sockets = new Set<net.Socket>();
  const servers: net.Server[] = [];

  const server = net.createServer((raw) => {
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    raw.on('error', () => undefined);
    const log: string[] = [];
    sessions.push(log);
    let sock: net.Socket = raw;
    let buf = '';
    let secure = false;
    let protP = false;
    let data: { server: net.Server; conn: Promise<net.Socket> } | undefined;
    const reply = (s: string) => { if (!sock.destroyed) sock.write(s + '\r\n'); };

    const openData = async (): Promise<{ port: number }> => {
      const srv = net.createServer();
      servers.push(srv);
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      const conn = new Promise<net.Socket>((resolve) => srv.once('connection', (c) => {
        c.on('error', () => undefined);
        if (!protP || !tlsOpts) return resolve(c);
        const d = opts.dataTls ?? tlsOpts;
        const t = new tls.TLSSocket(c, { isServer: true, cert: d.cert, key: d.key });
        t.on('error', () => undefined);
        t.once('secure', () => resolve(t));
      }));
      data = { server: srv, conn };
      return { port: (srv.address() as net.AddressInfo).port };
    };

    const onLine = async (line: string) => {
      log.push(line);
      const [cmd, ...rest] = line.split(' ');
      const arg = rest.join(' ');
      switch (cmd.toUpperCase()) {
        case 'AUTH':
          if (!tlsOpts) return reply('502 no TLS here');
          reply('234 go ahead');
          sock.removeAllListeners('data');
          sock = new tls.TLSSocket(raw, { isServer: true, cert: tlsOpts.cert, key: tlsOpts.key });
          sock.on('error', () => undefined);
          sock.on('data', onData);
          secure = true;
          return;
        case 'USER': return reply('331 password please');
        case 'PASS': return reply('230 logged in');
        case 'FEAT': return reply('211-Features:\r\n MLST type*;size*;modify*;\r\n EPSV\r\n PASV\r\n211 End');
        case 'PBSZ': return reply(secure ? '200 PBSZ=0' : '503 no TLS');
        case 'PROT': protP = arg.toUpperCase() === 'P'; return reply('200 ok');
        case 'TYPE': case 'STRU': case 'OPTS': case 'NOOP': return reply('200 ok');
        case 'PWD': return reply('257 "/" is the current folder');
        case 'EPSV': {
          if (opts.pasvHost) return reply('500 EPSV not understood');
          const { port } = await openData();
          return reply(`229 Entering Extended Passive Mode (|||${port}|)`);
        }
        case 'PASV': {
          const { port } = await openData();
          const h = (opts.pasvHost ?? '127.0.0.1').split('.').join(',');
          return reply(`227 Entering Passive Mode (${h},${port >> 8},${port & 255})`);
        }
        case 'MLST': return reply(`250-Listing ${arg}\r\n type=dir;modify=20200101000000; ${arg}\r\n250 End`);
        case 'MLSD': {
          if (!data) return reply('425 no data connection');
          const d = data;
          data = undefined;
          reply('150 here it comes');
          const c = await d.conn;
          c.end((opts.listing ?? []).map((l) => l + '\r\n').join(''));
          await new Promise((r) => c.once('close', r));
          d.server.close();
          return reply('226 done');
        }
        case 'STOR': {
          if (!data) return reply('425 no data connection');
          const d = data;
          data = undefined;
          reply('150 send it');
          let c: net.Socket;
          try {
            c = await Promise.race([d.conn, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no data connection')), 5000))]);
          } catch {
            d.server.close();
            return reply('425 no data connection');
          }
          let n = 0;
          c.on('data', (b: Buffer) => { n += b.length; });
          await new Promise((r) => { c.once('close', r); c.once('end', r); });
          stored.set(arg, (stored.get(arg) ?? 0) + n);
          d.server.close();
          return reply(n >= 0 ? '226 stored' : '451 failed');
        }
        case 'DELE': case 'RNFR': case 'RNTO': case 'MFMT': return reply('250 ok');
        case 'QUIT': reply('221 bye'); sock.end(); return;
        default: return reply('502 not implemented');
      }
    };
    let chain = Promise.resolve();
    function onData(d: Buffer): void {
      buf += d.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        chain = chain.then(() => onLine(line)).catch(() => undefined);
      }
    }
    raw.on('data', onData);
    reply('220 fake FTP server');
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    host: '127.0.0.1',
    port: (server.address() as net.AddressInfo).port,
    sessions,
    stored,
    setTls(t) { tlsOpts = t; },
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}
