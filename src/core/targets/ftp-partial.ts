// The FTP target's resumable uploads (core/transfer/resume.ts): STOR/APPE into a kept temp file and
// the final rename, and setting a file's modification time with MFMT. FtpTarget delegates to these.
import type { Client } from 'basic-ftp';
import { Readable } from 'node:stream';
import type { Entry, Logger, TargetCapabilities } from '../types.js';
import { SyncError, throwIfAborted } from '../errors.js';
import { checkSize, countChunks } from '../transfer/verify.js';
import { untouched } from '../transfer/fd-pump.js';
import type { FtpModes } from './ftp-modes.js';
import { renameAbs, statAbs } from './ftp-ops.js';
import { TempKeptError } from '../transfer/kept-temps.js';
import { formatMlsxTime, ftpCode, holdIfEmpty } from './ftp-util.js';
import { storePipelined, withFastPassive, type FastPassiveSwitch } from './ftp-fast.js';

/** what these steps need of the target */
export interface FtpOpsHost {
  readonly display: string;
  readonly log: Logger;
  readonly capabilities: TargetCapabilities;
  readonly modes: FtpModes;
  /** the server has MLST */
  readonly mlst: boolean;
  /** a relative spec.path is resolved against the login folder, known once connected */
  ready(): Promise<void>;
  /** relative path → absolute server path (after ready()) */
  abs(rel: string): string;
  /** EPSV pipelined with the transfer command (ftp-fast.ts); absent: basic-ftp's way */
  readonly fast?: FastPassiveSwitch;
  /** run `fn` on a borrowed connection, with reconnect + retry (FtpTarget.withClient) */
  withClient<T>(what: string, path: string, fn: (c: Client) => Promise<T>, opts?: { signal?: AbortSignal; canRetry?: () => boolean }): Promise<T>;
}

/**
 * A resumable upload (core/transfer/resume.ts): STOR `source` into the temp file `tmp`, or APPE
 * it when continuing from `offset`. Unlike write(), the temp file is kept when this fails.
 */
export async function writePartialFtp(h: FtpOpsHost, tmp: string, source: Readable, offset: number, options: { signal?: AbortSignal; onProgress?: (bytes: number) => void } = {}): Promise<number> {
  await h.ready();
  const { signal, onProgress } = options;
  const absTmp = h.abs(tmp);
  const moved = { bytes: 0 };
  await h.withClient(`${offset > 0 ? 'append to' : 'upload'} ${absTmp}`, tmp, async (c) => {
    const onAbort = () => c.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    c.trackProgress((info) => onProgress?.(info.bytes));
    try {
      moved.bytes = 0;
      if (offset === 0) {
        // a new partial: created empty and made private (0600) before any of its content goes in
        await c.uploadFrom(Readable.from(holdIfEmpty(Readable.from([]))), absTmp);
        await h.modes.privatePartial(c, absTmp);
      }
      // EPSV pipelined with APPE where the target can (ftp-fast.ts; a local file's range is read into reused buffers)
      await withFastPassive(h.fast ?? { on: false }, () => storePipelined(c, 'APPE', absTmp, source, moved, onProgress),
        () => c.appendFrom(Readable.from(countChunks(source, moved), { objectMode: false }), absTmp));
    } finally {
      signal?.removeEventListener('abort', onAbort);
      c.trackProgress();
    }
  }, { signal, canRetry: () => untouched(source) }).catch((e: unknown) => {
    source.destroy(); // (a local file's range is read by the upload itself, ftp-send.ts: this closes it)
    throw e;
  });
  throwIfAborted(signal);
  return moved.bytes;
}

/** A resumable upload's last step: check the temp file's size, rename it over `path`, set the mtime. */
export async function commitPartialFtp(h: FtpOpsHost, tmp: string, path: string, options: { mtime?: number; size: number; mode?: number; beforeRename?: (tmp: string) => Promise<void> }): Promise<Entry> {
  await h.ready();
  await options.beforeRename?.(tmp);
  const absTmp = h.abs(tmp);
  const abs = h.abs(path);
  let tries = 0;
  return h.withClient(`replace ${abs}`, path, async (c) => {
    if (tries === 0) {
      const stored = await statAbs(c, absTmp, tmp, h.mlst, { time: false });
      checkSize(path, options.size, stored?.size ?? 0, 'moved');
      // the mode the file ends with, as write() gives it (the replaced file's, looked up by MLST)
      await h.modes.beforePartialRename(c, absTmp, abs, { mode: options.mode }, h.mlst);
    }
    try {
      await renameAbs(c, absTmp, abs, h.mlst, tries++ > 0 ? options.size : undefined);
    } catch (e) {
      if (e instanceof TempKeptError) throw new TempKeptError(path, tmp, { abs, absTmp }, e.detail ?? '');
      throw e;
    }
    const mfmt = options.mtime !== undefined && h.capabilities.setMtime && await setMtimeFtp(h, c, abs, options.mtime);
    const entry = await statAbs(c, abs, path, h.mlst);
    if (!entry) throw new SyncError('io', `Uploaded ${abs} but the server does not list it`, { path });
    checkSize(path, options.size, entry.size, 'after-rename');
    // MFMT took: an MLSD listing now shows exactly this (whole seconds); a LIST only its minute, in the
    // server's time zone: what stat read from the listing is what the next run compares (ftp-ops.ts statAbs)
    return mfmt && h.mlst ? { ...entry, mtime: Math.floor(options.mtime! / 1000) * 1000 } : entry;
  });
}

/** MFMT; true when the server took it */
export async function setMtimeFtp(h: Pick<FtpOpsHost, 'display' | 'log' | 'capabilities'>, c: Client, abs: string, mtime: number): Promise<boolean> {
  try {
    await c.send(`MFMT ${formatMlsxTime(mtime)} ${abs}`);
    return true;
  } catch (e) {
    if (ftpCode(e) === undefined) throw e;
    mfmtRefused(h, abs, e);
    return false;
  }
}

export function mfmtRefused(h: Pick<FtpOpsHost, 'display' | 'log' | 'capabilities'>, abs: string, e: unknown): void {
  const code = ftpCode(e)!;
  if (code >= 500 && code <= 504) h.capabilities.setMtime = false;
  h.log.warn(`${h.display}: could not set the modification time of ${abs}: ${(e as Error).message.trim()}`);
}
