// The SFTP target's fast listing, where the account may run commands: GNU `find -L ROOT -printf` over
// an exec channel of the same SSH connection lists the whole tree in one stream (Unison's server agent
// in miniature), where the SFTP walk (sftp-list.ts) asks for each folder in turn and the server writes
// an `ls -l` line per entry. It must give exactly what walkSftp gives, or nothing: every doubt returns
// undefined and the caller walks over SFTP, which knows how to report each odd case.
//
// What makes it "nothing" (undefined): the root's path has a character not quoted alike by every shell
// ('  \  !  control characters) or is "/"; the exec request is refused; the output does not start
// with our header (a ForceCommand, a shell that prints a banner, a gateway that fakes commands) or
// does not end with our trailer (find failed: -printf unknown (BusyBox, BSD), a link loop, an
// unreadable folder or link target: anything find reports); anything on stderr; an exit code other
// than 0; a name that is not UTF-8; a time find cannot give as SFTP would (before 1970, after 2106);
// the root folder read over SFTP (at the same time) that does not agree with find's view of it, so
// the shell is known to see the same folder as the SFTP server (a chroot, a virtual file system); or
// a link to a folder that the walk would refuse as a loop (loopsFindMissed). The connection dying
// also returns undefined: the SFTP walk that follows fails and reconnects.
import { SyncError } from '../errors.js';
import { checkRemoteName, isTempName, joinPath, parentOf } from '../paths.js';
import type { EntryType, ListOptions, Logger, PruneName, RemoteSpec } from '../types.js';
import { isReservedName } from '../names/rules.js';
import { Listing } from '../listing/listing.js';
import type { SftpConnection } from './sftp-connect.js';
import { readDirPipelined, walkSftp, type BadName, type SftpListing } from './sftp-list.js';
import { absPath, call, typeOf } from './sftp-util.js';

const HEADER = 'rs-list-1\0';
const TRAILER = 'rs-end';
/** one record: type, size, mtime (s, with a fraction), permission bits (octal), path below the root */
const FORMAT = '%y %s %T@ %m %P\\0';
/** how long the shell may take to print the header (a shell that never answers is not waited on) */
const HEADER_WAIT_MS = 10_000;
/** how long a shell that has exited, its output whole, may take to close the channel (a process it
 *  left running in the background can hold the output open for as long as it runs) */
const CLOSE_WAIT_MS = 1_000;
const SP = 0x20, DOT = 0x2e, MINUS = 0x2d, D0 = 0x30, D7 = 0x37, D9 = 0x39, F = 0x66, D = 0x64, L = 0x4c;

/** characters that single quotes do not protect in every login shell (fish: \ and '; csh: !) */
const UNQUOTABLE = /['\\!\u0000-\u001f\u007f]/;

/** the names of `prune` that find is given to prune (the others are read, and include() turns them down) */
function prunable(prune: readonly PruneName[]): PruneName[] {
  return prune.filter((p) => p.name && !UNQUOTABLE.test(p.name) && !/[*?[\]]/.test(p.name) && !p.name.includes('/'));
}

/** the exec command (exported for tests): header, find (pruning `prune`), trailer only when find succeeded */
export function findCommand(root: string, prune: readonly PruneName[]): string | undefined {
  if (root === '/' || !root.startsWith('/') || UNQUOTABLE.test(root)) return undefined;
  const names = prunable(prune);
  const test = names.map((p) => (p.dirOnly ? `\\( -name '${p.name}' -type d \\)` : `-name '${p.name}'`)).join(' -o ');
  // (a pruned entry is still printed: include() is asked about it, as the SFTP walk asks)
  const pruned = names.length ? `\\( ${test} \\) -printf '${FORMAT}' -prune -o ` : '';
  // a symbolic link to a folder is marked with an L before its record (under -L, %y is what it points to)
  const link = `\\( -type d -xtype l -printf 'L' -o -true \\) , `;
  return `printf 'rs-list-1\\0' && env LC_ALL=C find -L '${root}' -mindepth 1 ${link}\\( ${pruned}-printf '${FORMAT}' \\) && printf '${TRAILER}\\0'`;
}

/**
 * The listing from `find` over an exec channel, the same as walkSftp's; undefined when it cannot be
 * had or trusted here (the caller then walks over SFTP). `prune`: names whose entries include() turns
 * down wherever they are (their content is not read).
 */
export async function execListSftp(c: SftpConnection, options: ListOptions, ctx: { spec: RemoteSpec; log: Logger }): Promise<SftpListing | undefined> {
  const prune = [...(options.prune ?? []), { name: '.remote-sync', dirOnly: false }];
  const cmd = findCommand(c.root, prune);
  if (!cmd || c.dead) return undefined;
  if (options.signal?.aborted) throw new SyncError('aborted', 'Cancelled');
  const parser = new FindParser(options);
  // the root as the SFTP server sees it, read meanwhile: find's view must agree with it
  const sftpRoot = readDirPipelined(c, c.root, '').then((l) => l, (e: unknown) => e as Error);
  const ok = await runFind(c, cmd, parser, options.signal, ctx.log);
  const root = await sftpRoot;
  if (options.signal?.aborted) throw new SyncError('aborted', 'Cancelled');
  if (!ok || parser.failed) {
    if (parser.failed) ctx.log.debug(`Listing with find over SSH: ${parser.failed}; listing over SFTP`);
    return undefined;
  }
  if (root instanceof Error) return undefined; // (the SFTP walk reports it)
  const differs = parser.rootDiffers(root.map((e) => ({ name: e.filename, type: typeOf(e.attrs), size: e.attrs.size, mtime: e.attrs.mtime })));
  if (differs) {
    ctx.log.debug(`Listing with find over SSH: the shell's view of ${c.root} differs from the SFTP server's (${differs}); listing over SFTP`);
    return undefined;
  }
  if (await loopsFindMissed(c, parser)) {
    ctx.log.debug('Listing with find over SSH: a symbolic link to a folder above it (seen past a pruned folder); listing over SFTP');
    return undefined;
  }
  return { out: parser.out, stale: parser.stale, bad: parser.bad, unreadable: [] };
}

/**
 * How an SftpTarget lists: with find where it can (not for a run limited to some paths, which walks
 * only those), else over SFTP. Once find could not be used, this target does not try it again.
 */
export class SftpTreeLister {
  /** how the last listing was read */
  method: 'find' | 'sftp' | undefined;

  constructor(private useFind: boolean) {}

  async list(c: SftpConnection, options: ListOptions, ctx: { spec: RemoteSpec; log: Logger }): Promise<SftpListing> {
    const tried = this.useFind && !options.scoped;
    const fast = tried ? await execListSftp(c, options, ctx) : undefined;
    if (tried && !fast && !c.dead) this.useFind = false;
    this.method = fast ? 'find' : 'sftp';
    return fast ?? await walkSftp(c, options, ctx);
  }
}

/** run the command, feeding stdout to the parser; true when it ended as it must (header … trailer, exit 0, stderr empty) */
function runFind(c: SftpConnection, cmd: string, parser: FindParser, signal: AbortSignal | undefined, log: Logger): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    let done = false;
    let channel: { close(): unknown } | undefined;
    let closeWait: NodeJS.Timeout | undefined;
    const finish = (v: boolean, why?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(closeWait);
      signal?.removeEventListener('abort', onAbort);
      c.client.removeListener('close', onGone);
      if (!v) { if (why) log.debug(`Listing with find over SSH: ${why}; listing over SFTP`); try { channel?.close(); } catch { /* gone */ } }
      resolve(v);
    };
    const onAbort = () => finish(false);
    const onGone = () => finish(false, 'the connection closed');
    signal?.addEventListener('abort', onAbort, { once: true });
    c.client.once('close', onGone);
    const timer = setTimeout(() => finish(false, `no answer within ${HEADER_WAIT_MS / 1000} s`), HEADER_WAIT_MS);
    try {
      c.client.exec(cmd, (err, ch) => {
        if (err) { finish(false, `the server refused to run it (${err.message})`); return; }
        channel = ch;
        if (done) { ch.close(); return; }
        ch.end(); // nothing to read from us: a ForceCommand'ed SFTP server sees EOF and ends
        let stderr = false;
        let exit: number | null | undefined;
        // the shell exited and the output is whole, but the channel may stay open while a process it
        // left in the background holds the output: its close is not waited on for long
        const settle = () => {
          if (exit !== 0 || closeWait || !parser.end()) return;
          closeWait = setTimeout(() => {
            const ok = !stderr && parser.end();
            finish(ok, ok ? undefined : 'find failed (with messages)');
            if (ok) try { ch.close(); } catch { /* gone */ }
          }, CLOSE_WAIT_MS);
        };
        ch.on('data', (d: Buffer) => {
          if (!parser.push(d)) finish(false);
          else if (parser.started) { clearTimeout(timer); settle(); }
        });
        ch.on('exit', (code: number | null) => { exit = code; settle(); });
        ch.stderr.on('data', () => { stderr = true; });
        ch.on('close', (code: number | null) => {
          if (stderr || code !== 0) finish(false, `find failed (exit ${code ?? 'none'}${stderr ? ', with messages' : ''})`);
          else if (!parser.end()) finish(false, 'its output was incomplete');
          else finish(true);
        });
      });
    } catch (e) {
      finish(false, (e as Error).message);
    }
  });
}

/**
 * The links to folders that find followed, checked as walkSftp checks a link (sftp-list.ts, with the
 * same realpath request): the root, a link above on the way, or a folder above the physical path of
 * the folder holding it. true: one of them is a loop the walk refuses (reported there), or could not
 * be told.
 */
async function loopsFindMissed(c: SftpConnection, parser: FindParser): Promise<boolean> {
  const chains = parser.linkChains();
  if (!chains.length) return false;
  const links = [...new Set(chains.flat())];
  let reals: string[];
  try {
    reals = await Promise.all(links.map((l) => call<string>(c, (s, cb) => s.realpath(absPath(c, l), cb))));
  } catch {
    return true;
  }
  const real = new Map(links.map((l, i) => [l, reals[i]]));
  for (const chain of chains) {
    let phys = c.root, at = '';
    const above: string[] = [];
    for (const l of chain) {
      const parent = parentOf(l);
      const parentPhys = phys + (at ? parent.slice(at.length) : parent ? `/${parent}` : '');
      const r = real.get(l)!;
      if (r === c.root || above.includes(r) || (parentPhys + '/').startsWith(r + '/')) return true;
      phys = r;
      above.push(r);
      at = l;
    }
  }
  return false;
}

interface RootEntry { name: string; type: EntryType | 'link' | undefined; size: number; mtime: number }

/** find's output, record by record (NUL-terminated, pre-order: a folder before what is in it) into a Listing */
export class FindParser {
  readonly out: Listing;
  readonly stale: string[] = [];
  readonly bad: BadName[] = [];
  /** why the output cannot be used (set once) */
  failed?: string;
  started = false;
  private ended = false;
  private carry?: Buffer;
  /** folders whose content is left out (excluded, a temp, a bad name…) */
  private readonly skipped = new Set<string>();
  /** folders below a symbolic link to a folder (and those links): the nearest such link above (or itself) */
  private readonly nearestLink = new Map<string, string>();
  /** the links to folders find followed, in its order */
  private readonly links: string[] = [];
  private readonly include: (path: string, type: EntryType) => boolean;
  /** what find saw in the root: name → [type letter's byte, size, mtime] */
  private readonly rootSeen = new Map<string, [number, number, number]>();

  constructor(options: ListOptions) {
    this.out = new Listing(options.index);
    this.include = options.include ?? (() => true);
  }

  /** false once the output cannot be used */
  push(d: Buffer): boolean {
    if (this.failed) return false;
    const buf = this.carry ? Buffer.concat([this.carry, d]) : d;
    this.carry = undefined;
    let at = 0;
    if (!this.started) {
      if (buf.length < HEADER.length) { this.carry = buf; return true; }
      if (buf.toString('latin1', 0, HEADER.length) !== HEADER) return this.fail('the shell printed something else before the listing');
      this.started = true;
      at = HEADER.length;
    }
    for (;;) {
      const nul = buf.indexOf(0, at);
      if (nul < 0) break;
      if (this.ended) return this.fail('output after its end');
      if (!this.record(buf, at, nul)) return false;
      at = nul + 1;
    }
    if (at < buf.length) this.carry = buf.subarray(at);
    return true;
  }

  /** the output ended: true when it was whole */
  end(): boolean {
    return !this.failed && this.started && this.ended && !this.carry;
  }

  private fail(why: string): false {
    this.failed ??= why;
    return false;
  }

  private record(buf: Buffer, from: number, to: number): boolean {
    // "y size mtime mode path": the numbers read from the bytes (a string per field was a third of the parse)
    if (to - from === TRAILER.length && buf.toString('latin1', from, to) === TRAILER) { this.ended = true; return true; }
    const link = buf[from] === L;
    if (link) from++;
    const y = buf[from];
    let i = from + 2;
    if (buf[from + 1] !== SP) return this.fail('a line it could not read');
    let size = 0, digits = 0;
    for (let b = buf[i]; b >= D0 && b <= D9 && digits < 16; b = buf[++i], digits++) size = size * 10 + (b - D0);
    if (!digits || buf[i++] !== SP || !Number.isSafeInteger(size)) return this.fail('a line it could not read');
    // the time: whole seconds (SFTP version 3 carries whole seconds in 32 bits), its fraction dropped
    let mtime = 0;
    digits = 0;
    for (let b = buf[i]; b >= D0 && b <= D9 && digits < 11; b = buf[++i], digits++) mtime = mtime * 10 + (b - D0);
    if (!digits) return this.fail(buf[i] === MINUS ? 'a modification time SFTP cannot carry' : 'a line it could not read');
    if (buf[i] === DOT) for (i++; buf[i] >= D0 && buf[i] <= D9;) i++;
    if (buf[i++] !== SP) return this.fail('a line it could not read');
    if (mtime > 0xffffffff) return this.fail('a modification time SFTP cannot carry');
    let mode = 0;
    digits = 0;
    for (let b = buf[i]; b >= D0 && b <= D7 && digits < 7; b = buf[++i], digits++) mode = mode * 8 + (b - D0);
    if (!digits || buf[i++] !== SP || i >= to) return this.fail('a line it could not read');
    const path = buf.toString('utf8', i, to);
    // a name that is not UTF-8: ssh2 decodes it with U+FFFD, and the SFTP walk then cannot open or
    // follow it under that name (reported there); find would list what is behind it
    if (path.includes('\ufffd')) return this.fail('a name that is not UTF-8');
    const slash = path.lastIndexOf('/');
    const dir = slash < 0 ? '' : path.slice(0, slash);
    const name = slash < 0 ? path : path.slice(slash + 1);
    if (!dir) this.rootSeen.set(name, [y, size, mtime]);
    if (y === D) this.noteLinks(path, dir, link);
    if (dir && this.skipped.has(dir)) { if (y === D) this.skipped.add(path); return true; }
    // in the order walkSftp takes them: a bad name, the state folder, a temp, what it is, include
    try {
      checkRemoteName(name, dir);
    } catch (e) {
      this.bad.push({ path: dir, name, message: (e as Error).message });
      this.skipped.add(path);
      return true;
    }
    if (isReservedName(name)) { this.skipped.add(path); return true; }
    if (isTempName(name)) { this.stale.push(joinPath(dir, name)); this.skipped.add(path); return true; }
    const type: EntryType | undefined = y === F ? 'file' : y === D ? 'dir' : undefined;
    if (!type) return true; // a broken link ('l'), a device, a socket, a pipe: not synced
    if (!this.include(path, type)) { this.skipped.add(path); return true; }
    this.out.add(path, type, type === 'file' ? size : 0, mtime * 1000, mode & 0o777);
    return true;
  }

  /**
   * A folder's record: the nearest link to a folder above it (or itself). find -L meets a loop (a link
   * to a folder above it, which the SFTP walk refuses) when it comes back down to where it was, but
   * not when that way down passes through a pruned folder: every link find followed is checked as the
   * walk checks it (loopsFindMissed).
   */
  private noteLinks(path: string, dir: string, link: boolean): void {
    const up = dir ? this.nearestLink.get(dir) : undefined;
    if (link) { this.nearestLink.set(path, path); this.links.push(path); } else if (up) this.nearestLink.set(path, up);
  }

  /** for each listed link to a folder: the links from the root down to it (itself last) */
  linkChains(): string[][] {
    const chains: string[][] = [];
    for (const l of this.links) {
      if (!this.out.has(l)) continue; // (one left out is left out by the SFTP walk too, loop or not)
      const chain: string[] = [];
      for (let k: string | undefined = l; k; k = this.nearestLink.get(parentOf(k))) chain.unshift(k);
      chains.push(chain);
    }
    return chains;
  }

  /** why the root as read over SFTP does not match what find listed in it (undefined: it matches) */
  rootDiffers(sftp: RootEntry[]): string | undefined {
    const names = sftp.filter((e) => !isReservedName(e.name));
    let seen = 0;
    for (const e of names) {
      const f = this.rootSeen.get(e.name);
      if (!f) return `${JSON.stringify(e.name)} is missing`;
      seen++;
      if (e.type === 'link') continue; // (find followed it)
      const letter = e.type === 'file' ? F : e.type === 'dir' ? D : undefined;
      if (letter && f[0] !== letter) return `${JSON.stringify(e.name)} is of another type`;
      if (e.type === 'file' && (f[1] !== e.size || f[2] !== e.mtime)) return `${JSON.stringify(e.name)} has another size or time`;
    }
    let findCount = 0;
    for (const name of this.rootSeen.keys()) if (!isReservedName(name)) findCount++;
    return findCount !== seen ? `${findCount - seen} more entries` : undefined;
  }
}
