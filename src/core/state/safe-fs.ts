// Safe local file writes in a folder we own (the state folder `.remote-sync/`, and anything else
// Remote Sync keeps there: the lock file, merge-base blobs, known certificates).
//
// The rules (issue "Security", item 1): a cloned repository or a shared folder may hold links
// planted to make us write elsewhere (`.remote-sync/<id>.journal -> ~/.bashrc`). So:
// - the folder is created 0700; an existing one must be a real folder (not a link) owned by us;
// - files are opened with O_NOFOLLOW (a link at the name fails), new ones with O_EXCL, mode 0600;
// - an opened file must be a regular file, owned by us, with one link (no hard link to elsewhere);
// - replacing a file goes through a fresh O_EXCL temp file in the same folder and a rename.
// Anything else is a SyncError that names the path and says what to do, raised before anything is
// written. Checks are made on the opened descriptor (fstat), so a swap after a check cannot fool us.
//
// Use it for every file the tool writes under the state folder:
//   ensureOwnedDir(dir)                        create 0700 or check the folder
//   readOwnedFile(path)                        Buffer, or undefined when the file does not exist
//   openOwnedFile(path, 'append' | 'create')   a checked descriptor (append: created when missing)
//   writeOwnedFileAtomic(path, data)           temp (O_EXCL, 0600) + fsync + rename
//   writeOwnedFileInSteps(path, data, …)       the same through the thread pool, given up on request
//   createOwnedFile(path, data)                a new file only (O_EXCL), e.g. a lock; EEXIST is thrown as is

import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { dirname } from 'node:path';
import { SyncError } from '../errors.js';

const C = fs.constants;
/** 0 where the platform has no such flag (Windows): links there need admin rights to create */
const O_NOFOLLOW = C.O_NOFOLLOW ?? 0;
const O_DIRECTORY = C.O_DIRECTORY ?? 0;

/** our uid, or undefined where the platform has none (Windows: no ownership checks) */
export function myUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

/** "rs-attacker (uid 1001)" — a name for a uid, for messages */
export function ownerName(uid: number): string {
  try {
    if (uid === myUid()) return `you (${userInfo().username})`;
    const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.split(':')[2] === String(uid));
    if (line) return `${line.split(':')[0]} (uid ${uid})`;
  } catch { /* no passwd file: the number will do */ }
  return `uid ${uid}`;
}

function mode(m: number): string {
  return '0' + (m & 0o777).toString(8).padStart(3, '0');
}

function unsafe(message: string, path: string, hint: string, detail?: string): SyncError {
  return new SyncError('io', message, { path, hint, detail });
}

/** What is wrong with an opened (or lstat'ed) entry that should be our own regular file; undefined when fine. */
function fileProblem(st: fs.Stats): string | undefined {
  if (st.isSymbolicLink()) return 'is a symbolic link';
  if (!st.isFile()) return 'is not a regular file';
  const uid = myUid();
  if (uid !== undefined && st.uid !== uid) return `is owned by ${ownerName(st.uid)}, not by you`;
  if (st.nlink > 1) return `has ${st.nlink} hard links (it may be another file under a second name)`;
  return undefined;
}

function refuseFile(path: string, problem: string): SyncError {
  return unsafe(`Refusing to use ${path}: it ${problem}`, path,
    'Remote Sync only reads and writes its own state files, never through a link. Remove it (rm) if you did not create it; the next run starts a fresh one');
}

function isErr(e: unknown, ...codes: string[]): boolean {
  return codes.includes((e as NodeJS.ErrnoException)?.code ?? '');
}

/** O_NOFOLLOW on a link fails with ELOOP (Linux) or EMLINK (FreeBSD, macOS) */
function linkError(e: unknown): boolean {
  return isErr(e, 'ELOOP', 'EMLINK', 'EFTYPE');
}

/**
 * Make sure `dir` is a folder we own: create it 0700 when missing (a missing parent is created as
 * any folder; `onCreate` then runs, e.g. to write a .gitignore), else check it is a real folder, not
 * a link, owned by us.
 * An existing folder that group or others can write to is narrowed to 0700 (it is ours).
 * Returns true when the folder was created.
 */
export function ensureOwnedDir(dir: string, onCreate?: (dir: string) => void): boolean {
  // the usual case, there already: one lstat (a failed mkdir costs an exception per call)
  if (checkOwnedDir(dir, true)) return false;
  let created = false;
  try {
    try {
      fs.mkdirSync(dir, { mode: 0o700 });
    } catch (e) {
      if (!isErr(e, 'ENOENT')) throw e;
      // the parent (a local root the run is about to fill) is missing: make it as any folder, then ours
      fs.mkdirSync(dirname(dir), { recursive: true });
      fs.mkdirSync(dir, { mode: 0o700 });
    }
    created = true;
  } catch (e) {
    if (!isErr(e, 'EEXIST')) {
      throw new SyncError('io', `Could not create the folder ${dir}`, { path: dir, detail: (e as Error).message, cause: e });
    }
  }
  checkOwnedDir(dir, true);
  if (created && onCreate) onCreate(dir);
  return created;
}

/**
 * Check an existing folder we keep files in: not a link, a folder, owned by us; with `narrow`, a
 * folder group or others can write to is set to 0700. Returns false when it does not exist.
 */
export function checkOwnedDir(dir: string, narrow = false): boolean {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dir);
  } catch (e) {
    if (isErr(e, 'ENOENT')) return false;
    throw new SyncError('io', `Cannot inspect the folder ${dir}`, { path: dir, detail: (e as Error).message, cause: e });
  }
  const hint = 'Remote Sync keeps its state only in a real folder of your own, never through a link. Remove it (rm) if you did not create it; the next run creates a fresh one';
  if (st.isSymbolicLink()) throw unsafe(`Refusing to use ${dir}: it is a symbolic link`, dir, hint);
  if (!st.isDirectory()) throw unsafe(`Refusing to use ${dir}: it is not a folder`, dir, hint);
  const uid = myUid();
  if (uid !== undefined && st.uid !== uid) {
    throw unsafe(`Refusing to use ${dir}: it is owned by ${ownerName(st.uid)}, not by you`, dir, hint);
  }
  if (narrow && uid !== undefined && (st.mode & 0o077) !== 0) {
    // ours, but others may swap files in it: narrow it on the descriptor (the name may have moved since)
    const fd = fs.openSync(dir, C.O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    try {
      const again = fs.fstatSync(fd);
      if (again.ino !== st.ino || again.dev !== st.dev) throw unsafe(`Refusing to use ${dir}: it changed while it was checked`, dir, hint);
      fs.fchmodSync(fd, 0o700);
    } finally {
      fs.closeSync(fd);
    }
  }
  return true;
}

/** Open an existing file with O_NOFOLLOW and check it; undefined when it does not exist. */
function openExisting(path: string, flags: number): number | undefined {
  let fd: number;
  try {
    fd = fs.openSync(path, flags | O_NOFOLLOW);
  } catch (e) {
    if (isErr(e, 'ENOENT')) return undefined;
    if (linkError(e)) throw refuseFile(path, 'is a symbolic link');
    if (isErr(e, 'EISDIR')) throw refuseFile(path, 'is not a regular file');
    throw new SyncError('io', `Cannot open ${path}`, { path, detail: (e as Error).message, cause: e });
  }
  const problem = fileProblem(fs.fstatSync(fd));
  if (problem) {
    fs.closeSync(fd);
    throw refuseFile(path, problem);
  }
  return fd;
}

/** Create a new file (O_EXCL | O_NOFOLLOW, 0600) and return its descriptor; EEXIST is thrown as is. */
function openNew(path: string, flags: number): number {
  try {
    return fs.openSync(path, flags | C.O_CREAT | C.O_EXCL | O_NOFOLLOW, 0o600);
  } catch (e) {
    if (isErr(e, 'EEXIST')) throw e;
    if (linkError(e)) throw refuseFile(path, 'is a symbolic link');
    throw new SyncError('io', `Cannot create ${path}`, { path, detail: (e as Error).message, cause: e });
  }
}

function writeAll(fd: number, data: string | Uint8Array): void {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  let off = 0;
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
}

/** The content of one of our files; undefined when it does not exist. Refuses links and foreign files. */
export function readOwnedFile(path: string): Buffer | undefined {
  const fd = openExisting(path, C.O_RDONLY | (C.O_NONBLOCK ?? 0));
  if (fd === undefined) return undefined;
  try {
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A checked descriptor for writing:
 * - 'append': read/write with O_APPEND; an existing file is checked, a missing one created (O_EXCL, 0600);
 * - 'create': a new file only (O_EXCL); an existing name (file or link) throws EEXIST.
 */
export function openOwnedFile(path: string, how: 'append' | 'create'): number {
  if (how === 'create') return openNew(path, C.O_WRONLY);
  const flags = C.O_RDWR | C.O_APPEND;
  for (let attempt = 0; ; attempt++) {
    const fd = openExisting(path, flags);
    if (fd !== undefined) return fd;
    try {
      return openNew(path, flags);
    } catch (e) {
      // created by someone else between the two calls: check that one
      if (!isErr(e, 'EEXIST') || attempt > 2) throw e;
    }
  }
}

/** A new file with this content (O_EXCL: EEXIST is thrown as is, e.g. for a lock file), 0600. */
export function createOwnedFile(path: string, data: string | Uint8Array): void {
  const fd = openNew(path, C.O_WRONLY);
  try {
    writeAll(fd, data);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(path, { force: true });
    throw e;
  }
  fs.closeSync(fd);
}

/**
 * Replace `path` atomically: the data goes to a fresh temp file beside it (O_EXCL, O_NOFOLLOW,
 * 0600), is flushed, then renamed over `path` (a rename replaces a link, it never writes through
 * one). On failure the temp file is removed and `path` keeps its old content.
 */
export function writeOwnedFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  let fd: number | undefined;
  try {
    fd = openNew(tmp, C.O_WRONLY);
    writeAll(fd, data);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) { try { fs.closeSync(fd); } catch { /* already failing */ } }
    if (!isErr(e, 'EEXIST')) fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * writeOwnedFileAtomic() off the event loop: create, write and flush the temp file through the
 * thread pool, then — only when `go()` still says so, checked right before — rename it over `path`
 * (synchronously: nothing runs between the last check and the rename). Given up (the temp removed,
 * false returned) as soon as `go()` says no or `giveUp` settles, without waiting for a flush in
 * progress (the temp is removed once it ends).
 */
export async function writeOwnedFileInSteps(path: string, data: string, go: () => boolean, giveUp: Promise<unknown>): Promise<boolean> {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  let fh: fs.promises.FileHandle | undefined;
  let created = false;
  let inFlight: Promise<unknown> = Promise.resolve();
  /** run one step; false when the write is given up first (the step goes on; cleaned up after it) */
  const step = async (p: Promise<unknown>): Promise<boolean> => {
    inFlight = p.then(() => undefined, () => undefined);
    const finished = await Promise.race([p.then(() => true), giveUp.then(() => false)]);
    return finished && go();
  };
  let renamed = false;
  try {
    const opening = fs.promises.open(tmp, C.O_WRONLY | C.O_CREAT | C.O_EXCL | O_NOFOLLOW, 0o600).then((h) => { fh = h; created = true; });
    if (await step(opening) && await step(fh!.writeFile(data)) && await step(fh!.sync())
      && await step(fh!.close().then(() => { fh = undefined; })) && go()) {
      fs.renameSync(tmp, path); // synchronous right after the last check
      renamed = true;
    }
    return renamed;
  } catch (e) {
    if (linkError(e)) throw refuseFile(tmp, 'is a symbolic link');
    throw e;
  } finally {
    if (!renamed) {
      void inFlight.then(async () => {
        await fh?.close().catch(() => undefined);
        if (created) fs.rmSync(tmp, { force: true });
      });
    }
  }
}

/** Mode as text ("0644"), for messages. */
export { mode as modeText };
