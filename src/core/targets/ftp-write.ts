// An FTP upload (FtpTarget.write): STOR (or APPE into a private temp) under a temporary name, the
// bytes counted, then the replace step — the temp's size checked on the server, the re-check of the
// file being replaced (recheck.ts) or of a destination planned empty (dest-check.ts), RNFR/RNTO,
// the mtime, the stored name and size after the rename — pipelined in two exchanges where the
// server copes (ftp-replace.ts), else one command at a time. A failed upload's temp is removed,
// unless it is the only copy left (kept-temps.ts).
import type { Client } from 'basic-ftp';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Entry, WriteOptions } from '../types.js';
import { SyncError, errorMessage, throwIfAborted } from '../errors.js';
import { parentOf, tempPathFor } from '../paths.js';
import { checkSize, countChunks } from '../transfer/verify.js';
import { untouched } from '../transfer/fd-pump.js';
import { assertUnchanged } from '../transfer/recheck.js';
import { TempKeptError } from '../transfer/kept-temps.js';
import { DestinationAppeared } from '../transfer/dest-check.js';
import { checkTempSizeBySize, renameAbs, statAbs, tempSizeIfShown, verifyStoredName } from './ftp-ops.js';
import { storePipelined, withFastPassive, type FastPassiveSwitch } from './ftp-fast.js';
import { RideLost, finishRename, judgeChecks, lost, rideChecks, rideRename, type PipelinedReplace, type WithConnection } from './ftp-replace.js';
import { mfmtRefused, setMtimeFtp } from './ftp-partial.js';
import type { FtpReadHost } from './ftp-read.js';
import { ftpCode, holdIfEmpty } from './ftp-util.js';

export interface FtpWriteHost extends FtpReadHost {
  /** FTPS: an empty upload is held until the data connection's TLS is up (ftp-util.ts holdIfEmpty) */
  readonly ftps: boolean;
  /** EPSV pipelined with STOR/APPE (ftp-fast.ts) */
  readonly fast: FastPassiveSwitch;
  /** the server answers commands sent together (probed once); turned off when a pipelined replace breaks */
  pipelining: boolean | undefined;
  withClient<T>(what: string, path: string, fn: (c: Client) => Promise<T>, opts?: {
    signal?: AbortSignal; canRetry?: () => boolean; beforeRetry?: () => Promise<void>;
  }): Promise<T>;
}

export async function writeFtp(h: FtpWriteHost, path: string, source: Readable, options: WriteOptions = {}): Promise<Entry> {
  await h.ready();
  const { signal, onProgress } = options;
  const tmp = tempPathFor(path);
  const absTmp = h.abs(tmp);
  const abs = h.abs(path);
  throwIfAborted(signal);
  const moved = { bytes: 0 };
  try {
    await h.withClient(`upload ${abs}`, path, async (c) => {
      const onAbort = () => c.close(); // closing the connection aborts the transfer
      signal?.addEventListener('abort', onAbort, { once: true });
      c.trackProgress((info) => onProgress?.(info.bytes));
      try {
        moved.bytes = 0;
        // every byte sent is counted (verify.ts); an empty first upload (a private temp, ftp-modes.ts) adds none
        const body = (r: Readable) => Readable.from(countChunks(h.ftps ? holdIfEmpty(r) : r, moved), { objectMode: false });
        const privateTemp = await h.modes.prepareTemp(c, absTmp, abs, options, h.mlst, () => c.uploadFrom(body(Readable.from([])), absTmp));
        await withFastPassive(h.fast, () => storePipelined(c, privateTemp ? 'APPE' : 'STOR', absTmp, source, moved, onProgress),
          () => (privateTemp ? c.appendFrom(body(source), absTmp) : c.uploadFrom(body(source), absTmp)));
      } finally {
        signal?.removeEventListener('abort', onAbort);
        c.trackProgress();
      }
    }, {
      signal,
      canRetry: () => untouched(source),
      beforeRetry: () => h.mustExist(parentOf(path), 'dir', `upload ${abs}`),
    });
    throwIfAborted(signal);
    checkSize(path, options.size, moved.bytes, 'moved');
    await options.beforeRename?.(tmp); // (no connection held: it may need one of the pool)
    let tries = 0;
    const replaceOneAtATime = async (c: Client): Promise<Entry> => {
      // what the server stored (a data connection closed early still ends in "226"): never renamed when
      // short, on a retry too (the temp gone: the rename below checks it already took effect)
      let stored: Entry | undefined;
      /** the temp is still there: nothing renamed yet, so the checks before the rename are due */
      let tempThere = tries === 0;
      if (options.size !== undefined) {
        stored = await statAbs(c, absTmp, tmp, h.mlst, { time: false });
        if (stored) { checkSize(path, options.size, stored.size, 'moved'); tempThere = true; }
        // not listed on a first try: asked with SIZE
        else if (tries === 0) await checkTempSizeBySize(c, absTmp, path, options.size);
        // not listed on a retry: renamed already, or a server that hides dot names from MLST: SIZE tells
        else if (await tempSizeIfShown(c, absTmp, path, options.size)) tempThere = true;
      }
      // the re-check before overwrite (recheck.ts), whenever the temp is still there (else it was renamed);
      // strict: a link or special file at the name is an error, never "gone"
      if (options.expect && tempThere) assertUnchanged('ftp', options.expect, await statAbs(c, abs, path, h.mlst, { strict: true }));
      // the plan saw no file here: one that appeared since is not replaced (a retry with the temp gone may find its own rename)
      if (options.newOnly && tempThere && await statAbs(c, abs, path, h.mlst, { strict: true, time: false })) throw new DestinationAppeared(path, 'on the server');
      // a retry after a dropped connection: the rename may have gone through already
      await h.modes.beforeRename(c, absTmp, abs, options, h.mlst);
      await renameAbs(c, absTmp, abs, h.mlst, tries++ > 0 ? moved.bytes : undefined);
      await verifyStoredName(c, abs, path, h.mlst, h.capabilities.caseInsensitive);
      const mfmt = options.mtime !== undefined && h.capabilities.setMtime && await setMtimeFtp(h, c, abs, options.mtime);
      const entry = await statAbs(c, abs, path, h.mlst);
      if (!entry) throw new SyncError('io', `Uploaded ${abs} but the server does not list it`, { path });
      checkSize(path, options.size, entry.size, 'after-rename');
      // MFMT took: an MLSD listing now shows exactly this (whole seconds); a LIST only its minute, in the
      // server's time zone: what stat read from the listing is what the next run compares (ftp-ops.ts statAbs)
      return mfmt && h.mlst ? { ...entry, mtime: Math.floor(options.mtime! / 1000) * 1000 } : entry;
    };
    if (!h.pipelining || !h.mlst) return await h.withClient(`replace ${abs}`, path, replaceOneAtATime);
    tries++; // (a retry goes the one-at-a-time way)
    try {
      return await replaceRiding(h, { tmp, absTmp, abs, path, options });
    } catch (e) {
      if (!(e instanceof RideLost)) throw e;
      // a stall or a dropped connection: the retry (and every later replace) goes one command at a
      // time; after the rename was sent it first checks whether the rename took effect (renameAbs
      // with the bytes sent), before it as a first try (renameSent false: nothing was renamed)
      if (!e.renameSent) tries = 0;
      if (h.pipelining) {
        h.pipelining = false;
        h.log.debug(`${h.display}: pipelined replace of ${abs} failed (${errorMessage(e.cause)}): commands one at a time from now on`);
      }
      return await h.withClient(`replace ${abs}`, path, replaceOneAtATime);
    }
  } catch (e) {
    source.destroy(); // (a local file's range is read by the upload itself, ftp-send.ts: this closes it)
    // a temp kept as the only copy of the new content (the old file removed) is named by its relative path
    if (e instanceof TempKeptError) throw new TempKeptError(path, tmp, { abs, absTmp }, e.detail ?? '');
    await removeQuietly(h, absTmp);
    throw e;
  }
}

/**
 * The replace step in two pipelined exchanges, each riding with the next command on a connection of
 * the pool (ftp-replace.ts): the checks, then (when they passed, the temp's modes set) the rename.
 * A connection lost with an exchange in flight: a RideLost (renameSent: whether it was the rename).
 */
async function replaceRiding(h: FtpWriteHost, a: { tmp: string; absTmp: string; abs: string; path: string; options: WriteOptions }): Promise<Entry> {
  const { options } = a;
  const withConnection: WithConnection = (fn) => h.withClient(`replace ${a.abs}`, a.path, fn);
  // every field written out: V8 (Node 20) adds each name `a` lacks to a `{ ...a, more }` copy through a
  // runtime call (~0.5 µs a name): this literal took ~11 µs per upload, the largest JS cost of a 10k
  // first upload over FTP (`{ ...entry, mtime }`, names the copy has already, stays fast)
  const o: PipelinedReplace = {
    tmp: a.tmp, absTmp: a.absTmp, abs: a.abs, path: a.path,
    size: options.size, caseInsensitive: h.capabilities.caseInsensitive, expect: options.expect, newOnly: options.newOnly,
    mtime: options.mtime !== undefined && h.capabilities.setMtime ? options.mtime : undefined,
    mfmtRefused: (e) => mfmtRefused(h, a.abs, e),
    setMtimeAfter: (c, abs) => setMtimeFtp(h, c, abs, options.mtime!),
  };
  // (promises in objects: withConnection hands the connection back before they settle)
  const checks = await withConnection(async (c) => ({ replies: rideChecks(c, o) }));
  const judged = checks.replies ? judgeChecks(o, await checks.replies.catch((e: unknown) => lost(e, false))) : undefined;
  // the temp not listed (a server that hides dot names from MLST): its size asked with SIZE, else not renamed
  if (judged?.sizeUnchecked) await withConnection((c) => checkTempSizeBySize(c, a.absTmp, a.path, options.size!));
  const mtimeSet = judged?.mtimeSet ?? false;
  const renamed = await withConnection(async (c) => {
    await h.modes.beforeRename(c, a.absTmp, a.abs, options, h.mlst);
    return { replies: rideRename(c, o) };
  });
  return await finishRename(o, renamed.replies, mtimeSet, withConnection);
}

/** the temp of a failed upload, removed on a best-effort basis */
async function removeQuietly(h: FtpWriteHost, abs: string): Promise<void> {
  try {
    await h.withClient(`remove ${abs}`, abs, async (c) => {
      try {
        await c.send(`DELE ${abs}`);
      } catch (e) {
        if (ftpCode(e) !== 550) throw e;
        // not there yet: a transfer cut right after STOR may still be creating it (its server
        // process has not seen the cut); look once more a moment later
        await sleep(300);
        if (await statAbs(c, abs, abs, h.mlst, { time: false })) await c.send(`DELE ${abs}`);
      }
    });
  } catch { /* already gone, or the server is unreachable: list() reports it as a stale temp */ }
}
