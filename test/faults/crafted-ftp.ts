// A small FTP server for the fault tests, written with node:net and started by the tests on a free
// loopback port. Its files live in memory, so a test can look at exactly what the server holds, and
// it can lie the way real servers do:
// - `caseInsensitive`: case-insensitive but case-preserving, like IIS / FileZilla Server on Windows
//   (lookups ignore case; a name keeps the spelling it was created with; a rename onto another
//   spelling of an existing file replaces it and takes the new spelling, as NTFS does);
// - `listingSize`: a listing (MLSD / MLST / SIZE) reports a size other than the bytes RETR sends;
// - `changeDuringRetr`: a file is replaced (new content, new time) halfway through its download;
// - `extraListing`: lines added to a folder's MLSD listing (names like "..", "a/b", ".remote-sync");
// - `rewriteName`: names are stored rewritten (pure-ftpd stores `note ` as `note_`);
// - `aliases`: links shown as plain folders (with the target's MLSD "unique" fact), loops included.
// - `noPipelining`: only the first command of each packet is read (commands sent together are lost).
// - `noRenameOver`: RNTO onto an existing file is refused (the client removes the file, then renames);
//   `failRenameTo`: RNTO onto these paths fails (a rename that breaks after the old file was removed).
// - `refuseEpsv`: FEAT lists EPSV but the command is refused (500), as some servers behind NAT do.
// - `refuseList`: MLSD of these folders is refused (550), as for a folder without read permission.
// - `loseAfterListing`: commands that came in the same packet after an MLSD are lost (a server that
//   reads its control connection while it sends a listing and drops what it does not expect).
// - `typeOf`: MLST/MLSD name another type for a path (`OS.unix=slink:/etc/passwd`: a link swapped in).
// - `hidden`: MLST or SIZE of a path answers 550 though it is there (servers that hide dot names).
// - `storeShort`: an upload keeps that many bytes less than arrived, and still ends in 226 (a full disk).
// - `retrBytes`: RETR sends other bytes than the file's (fewer: a data connection closed early), still 226.
// Only what basic-ftp uses is implemented: USER/PASS, FEAT, OPTS, TYPE, STRU, PWD, CWD, EPSV/PASV,
// MLSD, MLST, SIZE, MDTM, REST, RETR, STOR, APPE, DELE, MKD, RMD, RNFR/RNTO, MFMT, NOOP, QUIT.

import net from 'node:net';

export interface CraftedFtpOptions {
  caseInsensitive?: boolean;
  /** the size listings report for an absolute path (undefined: the real size) */
  listingSize?: (path: string) => number | undefined;
  /** new content for a file, swapped in halfway through its next download (once) */
  changeDuringRetr?: Map<string, Buffer>;
  /** raw MLSD lines ("type=file;size=1;modify=20200101000000; name") added to a folder's listing */
  extraListing?: (dir: string) => string[];
  /** the name a new entry is stored under */
  rewriteName?: (name: string) => string;
  /** links the server shows as folders (alias path → target folder), as servers that follow links do */
  aliases?: Map<string, string>;
  /** RNTO onto another spelling of the same file is refused ("550 File exists"), as some Windows servers do */
  refuseCaseOnlyRename?: boolean;
  /** a naive server: reads one command per packet and drops the rest (commands sent together are lost) */
  noPipelining?: boolean;
  /** RNTO onto an existing file is refused ("553 File exists"), as servers without atomic rename-over do */
  noRenameOver?: boolean;
  /** RNTO onto these absolute paths fails ("451 Rename failed"; the test empties it to let renames work again) */
  failRenameTo?: Set<string>;
  /** EPSV is listed in FEAT but refused ("500"): clients must fall back to PASV */
  refuseEpsv?: boolean;
  /** MLSD of these absolute paths is refused ("550 Permission denied") */
  refuseList?: Set<string>;
  /** what follows an MLSD in the same packet is lost */
  loseAfterListing?: boolean;
  /** the type fact MLST and MLSD give an absolute path instead of its own ("OS.unix=slink:/etc/passwd") */
  typeOf?: (path: string) => string | undefined;
  /** MLST or SIZE of this absolute path answers "550 No such file" though it is there */
  hidden?: (path: string, cmd: 'MLST' | 'SIZE') => boolean;
  /** STOR/APPE store this many bytes less than arrived, still answered with 226 */
  storeShort?: number;
  /** what RETR sends of a file (after REST), still answered with 226: a data connection closed early, or extra bytes */
  retrBytes?: (path: string, sent: Buffer) => Buffer;
  /** an old or embedded server: no MLST/MLSD/MFMT in FEAT (MLSD/MLST/MFMT answer 500); LIST only, in this format,
   *  its times in the server's local time (`tzOffsetMin` east of UTC); MDTM stays UTC (RFC 3659) */
  listOnly?: { format?: 'unix' | 'dos' | 'iso' | 'de'; tzOffsetMin?: number; links?: Map<string, string>; /** MFMT offered (and listed in FEAT) */ mfmt?: boolean };
  /** FEAT lines added (" HASH SHA-256*;MD5"); `other`: the reply to a command, instead of the server's own
   *  (undefined: its own; `file`: a path's content; a promise: a reply that takes time) — HASH, XSHA256 (hash-*.test.ts) */
  feat?: string[]; other?: (cmd: string, arg: string, file: (path: string) => Buffer | undefined) => string | undefined | Promise<string | undefined>;
}

interface Node { type: 'file' | 'dir'; data: Buffer; mtime: number }

export interface CraftedFtp {
  host: string;
  port: number;
  user: string;
  password: string;
  /** absolute path → content of every file below `root` (relative paths), as stored */
  files(root: string): Map<string, Buffer>;
  /** every entry below `root` (relative paths, folders with a trailing "/") */
  entries(root: string): string[];
  put(path: string, content: string | Buffer, mtime?: number): void;
  /** packets that held more than one command (pipelined commands) */
  readonly pipelinedPackets: number;
  /** packets where an upload's RNTO + MLST came with more commands after them (the next file's: ftp-replace.ts) */
  readonly renamesWithNext: number;
  /** how often each command was received (upper case: "EPSV", "PASV", "STOR"…) */
  readonly commands: Map<string, number>;
  /** packets that held a passive-mode command and the transfer command after it ("EPSV+STOR", "EPSV+MLSD"…) */
  readonly passiveWithTransfer: Map<string, number>;
  /** packets that held more than one MLSD (several folders listed in one write) */
  readonly batchedListings: number;
  mkdir(path: string): void;
  stop(): Promise<void>;
}

const fold = (s: string) => s.normalize('NFC').toLowerCase();
const mlsxTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
const parentOf = (p: string) => (p.lastIndexOf('/') <= 0 ? '/' : p.slice(0, p.lastIndexOf('/')));
const baseOf = (p: string) => p.slice(p.lastIndexOf('/') + 1);

export async function startCraftedFtp(opts: CraftedFtpOptions = {}): Promise<CraftedFtp> {
  const nodes = new Map<string, Node>([['/', { type: 'dir', data: Buffer.alloc(0), mtime: Date.now() }]]);
  const sockets = new Set<net.Socket>();
  let pipelinedPackets = 0;
  let renamesWithNext = 0;
  let batchedListings = 0;
  const commands = new Map<string, number>();
  const passiveWithTransfer = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

  const ids = new Map<string, number>();
  const idOf = (key: string) => { if (!ids.has(key)) ids.set(key, ids.size + 1); return ids.get(key)!; };
  /** a path through an alias (a link the server follows) → the path it stands for */
  const resolve = (p: string): string => {
    for (let i = 0; i < 64; i++) {
      const hit = [...(opts.aliases ?? [])].find(([a]) => p === a || p.startsWith(`${a}/`));
      if (!hit) return p;
      p = hit[1] + p.slice(hit[0].length);
    }
    return p;
  };
  /** the stored key of an absolute path (case-folded lookup in case-insensitive mode) */
  const find = (q: string): string | undefined => {
    const p = resolve(q);
    if (nodes.has(p)) return p;
    if (!opts.caseInsensitive) return undefined;
    const f = fold(p);
    for (const k of nodes.keys()) if (fold(k) === f) return k;
    return undefined;
  };
  const children = (dir: string): string[] => [...nodes.keys()].filter((k) => k !== '/' && parentOf(k) === dir);
  /** where a new entry named by `p` goes: the stored parent's key + the (possibly rewritten) name */
  const newKey = (p: string): string | undefined => {
    const parent = find(parentOf(p));
    if (!parent || nodes.get(parent)!.type !== 'dir') return undefined;
    const name = opts.rewriteName ? opts.rewriteName(baseOf(p)) : baseOf(p);
    return parent === '/' ? `/${name}` : `${parent}/${name}`;
  };
  const sizeOf = (key: string, n: Node) => (n.type === 'dir' ? 0 : opts.listingSize?.(key) ?? n.data.length);
  const facts = (key: string, n: Node) => `type=${opts.typeOf?.(key) ?? n.type};size=${sizeOf(key, n)};modify=${mlsxTime(n.mtime)};unique=${idOf(key)};`;

  const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const listLine = (key: string, n: Node): string => {
    const d = new Date(n.mtime + (opts.listOnly?.tzOffsetMin ?? 0) * 60_000); // the server's wall clock
    const p2 = (x: number) => String(x).padStart(2, '0');
    if (opts.listOnly?.format === 'dos') {
      const h = d.getUTCHours();
      const when = `${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}-${p2(d.getUTCFullYear() % 100)}  ${p2(h % 12 === 0 ? 12 : h % 12)}:${p2(d.getUTCMinutes())}${h < 12 ? 'AM' : 'PM'}`;
      return `${when}       ${n.type === 'dir' ? '<DIR>         ' : String(sizeOf(key, n)).padStart(14)} ${baseOf(key)}`;
    }
    if (opts.listOnly?.format === 'iso') {
      const when = `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}`;
      return `${n.type === 'dir' ? 'drwxr-xr-x' : '-rw-r--r--'} 1 ftp ftp ${String(sizeOf(key, n)).padStart(8)} ${when} ${baseOf(key)}`;
    }
    const recent = Math.abs(Date.now() - n.mtime) < 180 * 86400_000;
    const months = opts.listOnly?.format === 'de' ? ['Jan', 'Feb', 'Mär', 'Apr', 'Mai', 'Jun', 'Jul', 'Aug', 'Sep', 'Okt', 'Nov', 'Dez'] : MON;
    const when = `${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${recent ? `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}` : ` ${d.getUTCFullYear()}`}`;
    return `${n.type === 'dir' ? 'drwxr-xr-x' : '-rw-r--r--'} 1 ftp ftp ${String(sizeOf(key, n)).padStart(8)} ${when} ${baseOf(key)}`;
  };
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    let cwd = '/';
    let renameFrom: string | undefined;
    let restAt = 0;
    let dataServer: net.Server | undefined;
    let dataSocket: Promise<net.Socket> | undefined;
    const reply = (s: string) => { if (!sock.destroyed) sock.write(`${s}\r\n`); };
    const abs = (arg: string): string => {
      const parts: string[] = [];
      for (const seg of (arg.startsWith('/') ? arg : `${cwd}/${arg}`).split('/')) {
        if (seg === '' || seg === '.') continue;
        if (seg === '..') parts.pop(); else parts.push(seg);
      }
      return `/${parts.join('/')}`;
    };
    const openData = async (): Promise<number> => {
      dataServer?.close();
      const srv = net.createServer();
      dataServer = srv;
      dataSocket = new Promise((resolve) => srv.once('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => undefined); resolve(s); srv.close(); }));
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      return (srv.address() as net.AddressInfo).port;
    };
    const withData = async (fn: (d: net.Socket) => Promise<void>) => {
      if (!dataSocket) return reply('425 Use EPSV or PASV first');
      const d = await dataSocket;
      dataSocket = undefined;
      reply('150 Opening data connection');
      await fn(d);
      reply('226 Transfer complete');
    };
    const sendAll = (d: net.Socket, chunks: Buffer[]) => new Promise<void>((resolve) => {
      d.once('close', () => resolve());
      for (const c of chunks) d.write(c);
      d.end();
    });

    const handle = async (line: string) => {
      const sp = line.indexOf(' ');
      const cmd = (sp < 0 ? line : line.slice(0, sp)).toUpperCase();
      bump(commands, cmd);
      const arg = sp < 0 ? '' : line.slice(sp + 1);
      const own = await opts.other?.(cmd, arg, (p) => nodes.get(find(abs(p)) ?? '')?.data);
      if (own !== undefined) return reply(own);
      switch (cmd) {
        case 'USER': return reply('331 Password required');
        case 'PASS': return reply('230 Logged in');
        case 'SYST': return reply('215 UNIX Type: L8');
        case 'FEAT': return opts.listOnly ? reply(`211-Features:\r\n SIZE\r\n MDTM\r\n${opts.listOnly.mfmt ? ' MFMT\r\n' : ''} UTF8\r\n EPSV\r\n211 End`) : reply(`211-Features:\r\n MLST type*;size*;modify*;\r\n MFMT\r\n SIZE\r\n MDTM\r\n UTF8\r\n EPSV\r\n${(opts.feat ?? []).map((f) => `${f}\r\n`).join('')}211 End`);
        case 'LIST': {
          if (!opts.listOnly) return reply('502 Command not implemented');
          const a = arg.replace(/^-a\s*/, '');
          const k = find(abs(a || cwd));
          if (!k || nodes.get(k)!.type !== 'dir') return reply('550 No such folder');
          const lines = children(k).map((c) => `${listLine(c, nodes.get(c)!)}\r\n`);
          for (const [name, target] of opts.listOnly.links ?? []) if (parentOf(name) === k) lines.push(`lrwxrwxrwx 1 ftp ftp ${target.length} Jan  1  2020 ${baseOf(name)} -> ${target}\r\n`);
          return withData((d) => sendAll(d, [Buffer.from(lines.join(''))]));
        }
        case 'REST': restAt = Number(arg); return reply(`350 Restarting at ${restAt}`);
        case 'OPTS': case 'TYPE': case 'STRU': case 'NOOP': return reply('200 OK');
        case 'PWD': return reply(`257 "${cwd}"`);
        case 'CWD': {
          const k = find(abs(arg));
          if (!k || nodes.get(k)!.type !== 'dir') return reply('550 No such folder');
          cwd = k;
          return reply('250 OK');
        }
        case 'EPSV': if (opts.refuseEpsv) return reply('500 EPSV not understood'); return reply(`229 Entering Extended Passive Mode (|||${await openData()}|)`);
        case 'PASV': { const p = await openData(); return reply(`227 Entering Passive Mode (127,0,0,1,${p >> 8},${p & 255})`); }
        case 'MLSD': {
          if (opts.listOnly) return reply('500 Unknown command');
          const k = find(abs(arg || cwd));
          if (!k || nodes.get(k)!.type !== 'dir') return reply('550 No such folder');
          if (opts.refuseList?.has(k)) return reply('550 Permission denied');
          const lines = [`type=cdir;unique=${idOf(k)}; .\r\n`, ...children(k).map((c) => `${facts(c, nodes.get(c)!)} ${baseOf(c)}\r\n`)];
          for (const [alias, target] of opts.aliases ?? []) {
            const t = find(target);
            if (parentOf(alias) === k && t) lines.push(`${facts(t, nodes.get(t)!)} ${baseOf(alias)}\r\n`);
          }
          for (const extra of opts.extraListing?.(k) ?? []) lines.push(`${extra}\r\n`);
          return withData((d) => sendAll(d, [Buffer.from(lines.join(''))]));
        }
        case 'MLST': {
          if (opts.listOnly) return reply('500 Unknown command');
          const k = find(abs(arg));
          if (!k || opts.hidden?.(k, 'MLST')) return reply('550 No such file');
          return reply(`250-Begin\r\n ${facts(k, nodes.get(k)!)} ${k}\r\n250 End`);
        }
        case 'SIZE': { const k = find(abs(arg)); const n = k && !opts.hidden?.(k, 'SIZE') && nodes.get(k); return n && n.type === 'file' ? reply(`213 ${sizeOf(k, n)}`) : reply('550 No such file'); }
        case 'MDTM': { const k = find(abs(arg)); const n = k && nodes.get(k); return n ? reply(`213 ${mlsxTime(n.mtime)}`) : reply('550 No such file'); }
        case 'MFMT': {
          if (opts.listOnly && !opts.listOnly.mfmt) return reply('500 Unknown command');
          const m = /^(\d{14}) (.+)$/.exec(arg);
          const k = m && find(abs(m[2]));
          if (!m || !k) return reply('550 No such file');
          const t = m[1];
          nodes.get(k)!.mtime = Date.UTC(+t.slice(0, 4), +t.slice(4, 6) - 1, +t.slice(6, 8), +t.slice(8, 10), +t.slice(10, 12), +t.slice(12, 14));
          return reply(`213 Modify=${t}; ${k}`);
        }
        case 'RETR': {
          const k = find(abs(arg));
          const n = k && nodes.get(k);
          if (!k || !n || n.type !== 'file') return reply('550 No such file');
          const swap = opts.changeDuringRetr?.get(k);
          const from = restAt;
          restAt = 0;
          const sent = n.data.subarray(from);
          if (!swap) return withData((d) => sendAll(d, [opts.retrBytes ? opts.retrBytes(k, sent) : sent]));
          opts.changeDuringRetr!.delete(k);
          return withData(async (d) => {
            const half = Math.floor(n.data.length / 2);
            const first = n.data.subarray(0, half);
            n.data = swap; // replaced on the server while the transfer runs
            n.mtime = Date.now() + 5000;
            await sendAll(d, [first, swap.subarray(half)]);
          });
        }
        case 'STOR':
        case 'APPE': {
          const key = newKey(abs(arg));
          if (!key) return reply('553 No such folder');
          return withData((d) => new Promise<void>((resolve) => {
            const chunks: Buffer[] = [];
            d.on('data', (c: Buffer) => chunks.push(c));
            d.on('close', () => {
              const existing = find(key);
              const before = cmd === 'APPE' && existing ? nodes.get(existing)!.data : Buffer.alloc(0);
              if (existing && existing !== key) nodes.delete(existing);
              const data = Buffer.concat([before, ...chunks]);
              nodes.set(key, { type: 'file', data: opts.storeShort ? data.subarray(0, Math.max(0, data.length - opts.storeShort)) : data, mtime: Date.now() });
              resolve();
            });
          }));
        }
        case 'DELE': {
          const k = find(abs(arg));
          if (!k || nodes.get(k)!.type !== 'file') return reply('550 No such file');
          nodes.delete(k);
          return reply('250 Deleted');
        }
        case 'MKD': {
          const key = newKey(abs(arg));
          if (!key) return reply('550 No such folder');
          if (find(key)) return reply('550 File exists');
          nodes.set(key, { type: 'dir', data: Buffer.alloc(0), mtime: Date.now() });
          return reply(`257 "${key}" created`);
        }
        case 'RMD': {
          const k = find(abs(arg));
          if (!k || nodes.get(k)!.type !== 'dir') return reply('550 No such folder');
          if (children(k).length) return reply('550 Folder not empty');
          nodes.delete(k);
          return reply('250 Removed');
        }
        case 'RNFR': {
          renameFrom = find(abs(arg));
          return renameFrom ? reply('350 Ready for RNTO') : reply('550 No such file');
        }
        case 'RNTO': {
          const from = renameFrom;
          renameFrom = undefined;
          const to = newKey(abs(arg));
          if (!from || !to) return reply('550 Rename failed');
          const existing = find(to);
          if (existing && existing === from && to !== from && opts.refuseCaseOnlyRename) return reply('550 File exists');
          if (existing && existing !== from && opts.noRenameOver) return reply('553 File exists');
          if (opts.failRenameTo?.has(to)) return reply('451 Rename failed: local error in processing');
          if (existing && existing !== from) {
            if (nodes.get(existing)!.type === 'dir') return reply('550 Target folder exists');
            nodes.delete(existing); // replaced; the new spelling wins (NTFS)
          }
          for (const k of [...nodes.keys()]) {
            if (k === from || k.startsWith(`${from}/`)) {
              const n = nodes.get(k)!;
              nodes.delete(k);
              nodes.set(to + k.slice(from.length), n);
            }
          }
          return reply('250 Renamed');
        }
        case 'QUIT': reply('221 Bye'); sock.end(); return;
        default: return reply('502 Command not implemented');
      }
    };

    let buf = '';
    let chain = Promise.resolve();
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => {
      if ((chunk.match(/\r\n/g)?.length ?? 0) > 1) pipelinedPackets++;
      if ((chunk.match(/^MLSD /gim)?.length ?? 0) > 1) batchedListings++;
      // (anywhere in the packet: an upload's rename may ride ahead of the next EPSV+STOR)
      for (const m of chunk.matchAll(/^(EPSV|PASV)\r\n(\w+)/gim)) bump(passiveWithTransfer, `${m[1]}+${m[2]}`.toUpperCase());
      if (/^RNTO [^\r]*\r\nMLST [^\r]*\r\n./im.test(chunk)) renamesWithNext++;
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = opts.noPipelining || (opts.loseAfterListing && /^MLSD\b/i.test(line)) ? '' : buf.slice(i + 2);
        chain = chain.then(() => handle(line)).catch((e) => reply(`451 ${(e as Error).message}`));
      }
    });
    sock.on('close', () => dataServer?.close());
    reply('220 crafted FTP server ready');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;

  const mkdirs = (path: string) => {
    let cur = '';
    for (const seg of path.split('/').filter(Boolean)) {
      cur += `/${seg}`;
      if (!nodes.has(cur)) nodes.set(cur, { type: 'dir', data: Buffer.alloc(0), mtime: Date.now() });
    }
  };
  const below = (root: string) => [...nodes.keys()].filter((k) => k.startsWith(`${root}/`)).sort();
  return {
    host: '127.0.0.1', port, user: 'tester', password: 'secret',
    get pipelinedPackets() { return pipelinedPackets; },
    get renamesWithNext() { return renamesWithNext; },
    get batchedListings() { return batchedListings; },
    commands,
    passiveWithTransfer,
    files(root) {
      const out = new Map<string, Buffer>();
      for (const k of below(root)) { const n = nodes.get(k)!; if (n.type === 'file') out.set(k.slice(root.length + 1), n.data); }
      return out;
    },
    entries(root) {
      return below(root).map((k) => k.slice(root.length + 1) + (nodes.get(k)!.type === 'dir' ? '/' : ''));
    },
    put(path, content, mtime = Date.now()) {
      mkdirs(parentOf(path));
      nodes.set(path, { type: 'file', data: Buffer.from(content), mtime });
    },
    mkdir: mkdirs,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
