// A small SFTP server for the fault tests (ssh2's Server), started by the tests on a free loopback
// port. Its files live in memory, so a test can look at exactly what the server holds, and it can
// answer the way some real servers do:
// - `strip`: attributes left out of the replies (READDIR, STAT, LSTAT) for a path: no permissions
//   (some Windows and embedded servers), no size, no time — the protocol makes every one optional;
// - `longname`: the "ls -l" line READDIR gives a path (default: one that matches its type);
// - `exitOn` / exitSftp(): the SFTP subsystem exits as a killed or crashed sftp-server does: the
//   server sends CHANNEL_EOF, answers nothing more on the channel, and CHANNEL_CLOSE `closeAfterMs` later
//   (or when the test calls closeExited()).
// Only what the SFTP target uses for listings, reads, writes and removals is implemented.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, utils, type Attributes, type SFTPWrapper } from 'ssh2';
import type { RemoteSpec } from '../../src/core/types.js';

export type AttrName = 'mode' | 'size' | 'mtime';

export interface CraftedSftpOptions {
  /** attributes left out of every reply about this absolute path */
  strip?: (path: string) => AttrName[];
  /** the READDIR "ls -l" line of this absolute path (undefined: the usual one) */
  longname?: (path: string, usual: string) => string;
  /**
   * the bytes a READ of `length` at `offset` of `data` (the whole file) is answered with; null: EOF.
   * undefined (or no hook): the usual ones
   */
  read?: (path: string, offset: number, length: number, data: Buffer) => Buffer | null | undefined;
  /** the server's SSH identification (an "OpenSSH_…" one: ssh2's client then asks up to 255 KiB per READ) */
  ident?: string;
  /** ssh2's Server `algorithms` (e.g. { cipher: [...] }) */
  algorithms?: Record<string, string[]>;
  /** the subsystem exits instead of answering this request ("STAT"…; the absolute path, or the handle's) */
  exitOn?: (request: string, path: string) => boolean;
  /** ms from the EOF of an exit to its CHANNEL_CLOSE (default 20); null: closed only by closeExited() */
  closeAfterMs?: number | null;
}

interface Node { type: 'file' | 'dir' | 'link'; data: Buffer; mtime: number; mode: number; target?: string }

export interface CraftedSftp {
  spec: RemoteSpec;
  /** relative path → content of every file below `root` (an absolute path) */
  files(root: string): Map<string, Buffer>;
  /** every entry below `root` (relative paths, folders with a trailing "/") */
  entries(root: string): string[];
  put(path: string, content: string | Buffer, mtime?: number): void;
  mkdir(path: string): void;
  /** how often each request was received ("REMOVE", "RMDIR"…; "AFTER_EXIT": any, on a channel after its exit) */
  readonly requests: Map<string, number>;
  /** the SFTP subsystem of every open channel exits now (see `exitOn`) */
  exitSftp(closeAfterMs?: number | null): void;
  /** the CHANNEL_CLOSE now, of every channel whose subsystem exited without one yet */
  closeExited(): void;
  stop(): Promise<void>;
}

const { STATUS_CODE, OPEN_MODE } = utils.sftp;
const parentOf = (p: string) => (p.lastIndexOf('/') <= 0 ? '/' : p.slice(0, p.lastIndexOf('/')));
const baseOf = (p: string) => p.slice(p.lastIndexOf('/') + 1);
const norm = (p: string): string => {
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop(); else parts.push(seg);
  }
  return `/${parts.join('/')}`;
};
const TYPE_BITS = { file: 0o100000, dir: 0o040000, link: 0o120000 } as const;

export async function startCraftedSftp(opts: CraftedSftpOptions = {}): Promise<CraftedSftp> {
  const nodes = new Map<string, Node>([['/', { type: 'dir', data: Buffer.alloc(0), mtime: Date.now(), mode: 0o755 }]]);
  const requests = new Map<string, number>();
  const bump = (k: string) => requests.set(k, (requests.get(k) ?? 0) + 1);
  const children = (dir: string) => [...nodes.keys()].filter((k) => k !== '/' && parentOf(k) === dir).sort();
  const attrsOf = (path: string, n: Node): Attributes => {
    const a: Partial<Attributes> = { uid: 0, gid: 0, size: n.type === 'file' ? n.data.length : 0, mode: TYPE_BITS[n.type] | n.mode, atime: n.mtime / 1000, mtime: n.mtime / 1000 };
    for (const k of opts.strip?.(path) ?? []) {
      delete a[k];
      if (k === 'mtime') delete a.atime; // (sent as a pair)
    }
    return a as Attributes;
  };
  const longnameOf = (path: string, n: Node) => {
    const usual = `${n.type === 'dir' ? 'd' : n.type === 'link' ? 'l' : '-'}rw-r--r--    1 tester   tester   ${String(n.data.length).padStart(8)} Jan  1 00:00 ${baseOf(path)}`;
    return opts.longname?.(path, usual) ?? usual;
  };

  // (ssh2 cannot parse about 1 in 500 of the ed25519 keys it generates: "Malformed OpenSSH private key")
  let privateKey = '';
  let hostKey: ReturnType<typeof utils.parseKey> = new Error('no key');
  for (let i = 0; i < 10 && hostKey instanceof Error; i++) {
    privateKey = utils.generateKeyPairSync('ed25519').private;
    hostKey = utils.parseKey(privateKey);
  }
  if (hostKey instanceof Error) throw hostKey;
  const clients = new Set<{ end(): void }>();
  const exits = new Set<(closeAfterMs: number | null) => void>();
  const unclosed = new Set<() => void>();

  const serve = (sftp: SFTPWrapper) => {
    const handles = new Map<string, { path: string; dir?: string[] }>();
    let nextHandle = 0;
    const open = (h: { path: string; dir?: string[] }) => { const b = Buffer.from(String(nextHandle++)); handles.set(b.toString(), h); return b; };
    const fail = (id: number, code = STATUS_CODE.NO_SUCH_FILE) => sftp.status(id, code);
    let gone = false;
    const exit = (closeAfterMs: number | null) => {
      if (gone) return;
      gone = true;
      exits.delete(exit);
      const ch = sftp as unknown as { _protocol: { channelEOF(id: number): void; channelClose(id: number): void }; outgoing: { id: number } };
      ch._protocol.channelEOF(ch.outgoing.id);
      const close = () => { unclosed.delete(close); try { ch._protocol.channelClose(ch.outgoing.id); } catch { /* connection gone */ } };
      if (closeAfterMs !== null) setTimeout(close, closeAfterMs);
      else unclosed.add(close);
    };
    exits.add(exit);
    const pathOf = (a: unknown) => (typeof a === 'string' ? norm(a) : Buffer.isBuffer(a) ? handles.get(a.toString())?.path ?? '' : '');
    const on = (ev: string, fn: (id: number, ...a: never[]) => void) => sftp.on(ev as 'OPEN', ((id: number, ...a: never[]) => {
      if (gone) return bump('AFTER_EXIT');
      bump(ev);
      if (opts.exitOn?.(ev, pathOf(a[0]))) return exit(opts.closeAfterMs === undefined ? 20 : opts.closeAfterMs);
      fn(id, ...a);
    }) as never);

    on('REALPATH', (id, p: string) => sftp.name(id, [{ filename: norm(p), longname: '', attrs: {} as Attributes }]));
    const stat = (follow: boolean) => (id: number, p: string) => {
      let path = norm(p);
      let n = nodes.get(path);
      if (n?.type === 'link' && follow) { path = norm(n.target!); n = nodes.get(path); }
      return n ? sftp.attrs(id, attrsOf(path, n)) : fail(id);
    };
    on('STAT', stat(true));
    on('LSTAT', stat(false));
    on('OPENDIR', (id, p: string) => {
      const path = norm(p);
      if (nodes.get(path)?.type !== 'dir') return fail(id);
      sftp.handle(id, open({ path, dir: children(path) }));
    });
    on('READDIR', (id, h: Buffer) => {
      const st = handles.get(h.toString());
      if (!st?.dir) return fail(id, STATUS_CODE.FAILURE);
      const batch = st.dir.splice(0, 50);
      if (!batch.length) return fail(id, STATUS_CODE.EOF);
      sftp.name(id, batch.filter((k) => nodes.has(k)).map((k) => ({ filename: baseOf(k), longname: longnameOf(k, nodes.get(k)!), attrs: attrsOf(k, nodes.get(k)!) })));
    });
    on('OPEN', (id, p: string, flags: number) => {
      const path = norm(p);
      const n = nodes.get(path);
      if (flags & OPEN_MODE.WRITE) {
        if (nodes.get(parentOf(path))?.type !== 'dir') return fail(id);
        if (flags & OPEN_MODE.EXCL && n) return fail(id, STATUS_CODE.FAILURE);
        if (!n || flags & OPEN_MODE.TRUNC) nodes.set(path, { type: 'file', data: Buffer.alloc(0), mtime: Date.now(), mode: 0o600 });
      } else if (n?.type !== 'file') return fail(id);
      sftp.handle(id, open({ path }));
    });
    on('READ', (id, h: Buffer, offset: number, length: number) => {
      const n = nodes.get(handles.get(h.toString())?.path ?? '');
      if (!n) return fail(id, STATUS_CODE.FAILURE);
      const crafted = opts.read?.(handles.get(h.toString())!.path, offset, length, n.data);
      if (crafted !== undefined) return crafted === null ? fail(id, STATUS_CODE.EOF) : sftp.data(id, crafted);
      if (offset >= n.data.length) return fail(id, STATUS_CODE.EOF);
      sftp.data(id, n.data.subarray(offset, offset + length));
    });
    on('WRITE', (id, h: Buffer, offset: number, data: Buffer) => {
      const n = nodes.get(handles.get(h.toString())?.path ?? '');
      if (!n) return fail(id, STATUS_CODE.FAILURE);
      const end = Math.max(n.data.length, offset + data.length);
      const b = Buffer.alloc(end);
      n.data.copy(b);
      data.copy(b, offset);
      n.data = b;
      sftp.status(id, STATUS_CODE.OK);
    });
    const setAttrs = (path: string | undefined, a: Attributes) => {
      const n = nodes.get(path ?? '');
      if (!n) return false;
      if (typeof a.mode === 'number') n.mode = a.mode & 0o7777;
      if (typeof a.mtime === 'number') n.mtime = a.mtime * 1000;
      return true;
    };
    on('FSETSTAT', (id, h: Buffer, a: Attributes) => sftp.status(id, setAttrs(handles.get(h.toString())?.path, a) ? STATUS_CODE.OK : STATUS_CODE.FAILURE));
    on('SETSTAT', (id, p: string, a: Attributes) => sftp.status(id, setAttrs(norm(p), a) ? STATUS_CODE.OK : STATUS_CODE.NO_SUCH_FILE));
    on('FSTAT', (id, h: Buffer) => {
      const path = handles.get(h.toString())?.path ?? '';
      const n = nodes.get(path);
      return n ? sftp.attrs(id, attrsOf(path, n)) : fail(id, STATUS_CODE.FAILURE);
    });
    on('CLOSE', (id, h: Buffer) => { handles.delete(h.toString()); sftp.status(id, STATUS_CODE.OK); });
    on('REMOVE', (id, p: string) => {
      const path = norm(p);
      const n = nodes.get(path);
      if (!n) return fail(id);
      if (n.type === 'dir') return fail(id, STATUS_CODE.FAILURE); // (unlink of a folder: refused, as OpenSSH does)
      nodes.delete(path);
      sftp.status(id, STATUS_CODE.OK);
    });
    on('RMDIR', (id, p: string) => {
      const path = norm(p);
      if (nodes.get(path)?.type !== 'dir') return fail(id);
      if (children(path).length) return fail(id, STATUS_CODE.FAILURE);
      nodes.delete(path);
      sftp.status(id, STATUS_CODE.OK);
    });
    on('MKDIR', (id, p: string) => {
      const path = norm(p);
      if (nodes.has(path) || nodes.get(parentOf(path))?.type !== 'dir') return fail(id, STATUS_CODE.FAILURE);
      nodes.set(path, { type: 'dir', data: Buffer.alloc(0), mtime: Date.now(), mode: 0o755 });
      sftp.status(id, STATUS_CODE.OK);
    });
    on('RENAME', (id, from: string, to: string) => {
      const a = norm(from), b = norm(to);
      if (!nodes.has(a)) return fail(id);
      if (nodes.has(b)) return fail(id, STATUS_CODE.FAILURE); // (plain RENAME: never over a name, as the protocol says)
      for (const k of [...nodes.keys()]) {
        if (k === a || k.startsWith(`${a}/`)) { const n = nodes.get(k)!; nodes.delete(k); nodes.set(b + k.slice(a.length), n); }
      }
      sftp.status(id, STATUS_CODE.OK);
    });
    on('READLINK', (id, p: string) => {
      const n = nodes.get(norm(p));
      return n?.type === 'link' ? sftp.name(id, [{ filename: n.target!, longname: '', attrs: {} as Attributes }]) : fail(id);
    });
  };

  const server = new Server({ hostKeys: [privateKey], ...(opts.ident ? { ident: opts.ident } : {}), ...(opts.algorithms ? { algorithms: opts.algorithms } : {}) }, (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => (ctx.method === 'password' && ctx.username === 'tester' && ctx.password === 'secret' ? ctx.accept() : ctx.reject(['password'])));
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('sftp', (acceptSftp) => serve(acceptSftp()));
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), 'rs-crafted-sftp-'));
  const knownHosts = join(dir, 'known_hosts');
  const pub = Buffer.from((hostKey as { getPublicSSH(): Buffer }).getPublicSSH()).toString('base64');
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ssh-ed25519 ${pub}\n`);
  writeFileSync(join(dir, 'ssh_config'), '');

  const mkdirs = (path: string) => {
    let cur = '';
    for (const seg of path.split('/').filter(Boolean)) {
      cur += `/${seg}`;
      if (!nodes.has(cur)) nodes.set(cur, { type: 'dir', data: Buffer.alloc(0), mtime: Date.now(), mode: 0o755 });
    }
  };
  const below = (root: string) => [...nodes.keys()].filter((k) => k.startsWith(`${root}/`)).sort();
  return {
    spec: {
      protocol: 'sftp', host: '127.0.0.1', port, user: 'tester', password: 'secret', path: '/site',
      knownHosts, agent: false, identity: join(dir, 'none'), sshConfig: join(dir, 'ssh_config'),
    },
    requests,
    exitSftp(closeAfterMs = 20) { for (const e of [...exits]) e(closeAfterMs); },
    closeExited() { for (const c of [...unclosed]) c(); },
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
      nodes.set(path, { type: 'file', data: Buffer.from(content), mtime, mode: 0o644 });
    },
    mkdir: mkdirs,
    async stop() {
      for (const c of clients) c.end();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
