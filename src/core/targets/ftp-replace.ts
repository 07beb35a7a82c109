// The replace step of an FTP upload with pipelined commands (ftp-pipeline.ts), on servers with MLST
// that passed the pipelining probe. Same checks as the one-command-at-a-time path in ftp.ts, in two
// exchanges instead of five:
//   1. MLST temp (what the server stored: never renamed when short) + MFMT temp (the mtime is set on
//      the temp, so a refused rename never touches the file it would replace) + MLST name when the
//      file to be replaced must still be what the caller saw (the re-check before overwrite);
//   2. RNFR temp + RNTO name + MLST name (the size after the rename, and the stored-name check).
// Each rides with the next command written on its connection (ftp-context.ts ride(): another file's
// upload, one socket write and server wake-up less per exchange), the connection back in the pool
// meanwhile; the rename is sent only after the replies of 1 passed (judgeChecks()).
// Only a first try pipelines: a retry after a dropped connection goes the one-at-a-time way, which
// first checks whether the rename already took effect (renameAbs with retriedSize).
import { FTPError, type Client, type FTPResponse } from 'basic-ftp';
import type { Entry } from '../types.js';
import { SyncError } from '../errors.js';
import { checkSize } from '../transfer/verify.js';
import { assertUnchanged } from '../transfer/recheck.js';
import { rideAlong, type Reply } from './ftp-pipeline.js';
import { checkStoredNameInReply, entryFromMlst, plainEntryFromMlst, renameAfterRefusedRnto } from './ftp-ops.js';
import { formatMlsxTime, parseMlstReply } from './ftp-util.js';
import { DestinationAppeared } from '../transfer/dest-check.js';

export interface PipelinedReplace {
  tmp: string;
  absTmp: string;
  abs: string;
  path: string;
  size?: number;
  /** set the mtime (MFMT) to this */
  mtime?: number;
  caseInsensitive?: boolean;
  /** the file the caller saw at `abs`: listed with the first exchange, nothing renamed when it changed (recheck.ts) */
  expect?: Entry;
  /** the plan saw no file at `abs`: MLST it in the first exchange; one there now is not replaced */
  newOnly?: boolean;
  /** MFMT was refused with this reply (the target turns MFMT off for 500–504 and warns) */
  mfmtRefused: (e: FTPError) => void;
  /** MFMT on the final name, one command (when the server did not keep the temp's mtime through the rename) */
  setMtimeAfter: (c: Client, abs: string) => Promise<boolean>;
}

const code550 = (r: Reply): boolean => r instanceof FTPError && r.code === 550;

/**
 * The entry a positive reply to `MLST abs` names. A positive reply without the facts line is not an
 * MLST reply (replies out of step with their commands, or a broken server): an error, never "nothing
 * there" — only a refusal (550) says the name is free, else a changed file would pass the re-check.
 */
function mlstEntry(reply: FTPResponse, abs: string, path: string, strict = false): Entry | undefined {
  if (!parseMlstReply(reply.message)) {
    throw new SyncError('io', `Unexpected reply to MLST ${abs}: ${reply.message.split('\n')[0]}`, { path, hint: 'Run the sync again' });
  }
  return strict ? plainEntryFromMlst(reply.message, abs, path) : entryFromMlst(reply.message, path);
}

/** a connection of the pool for a step after the hand-back (a rename the server refused, an mtime to set again) */
export type WithConnection = <T>(fn: (c: Client) => Promise<T>) => Promise<T>;

/**
 * Exchange 1, riding with the next command on `c` (the caller hands `c` back): the temp's size, its
 * mtime, what is at the final name. Undefined when there is nothing to ask. judgeChecks() reads the replies.
 */
export function rideChecks(c: Client, o: PipelinedReplace): Promise<Reply[]> | undefined {
  const first: string[] = [];
  if (o.size !== undefined) first.push(`MLST ${o.absTmp}`);
  if (o.mtime !== undefined) first.push(`MFMT ${formatMlsxTime(o.mtime)} ${o.absTmp}`);
  if (o.expect || o.newOnly) first.push(`MLST ${o.abs}`);
  if (!first.length) return undefined;
  const replies = rideAlong(c, first);
  replies.catch(() => undefined); // (awaited by the caller)
  return replies;
}

/**
 * The checks of exchange 1 (throws when the temp is short or the final name is not what it must be).
 * `mtimeSet`: MFMT took; `sizeUnchecked`: the server did not list the temp (550), its size is to be
 * asked another way before the rename (ftp-ops.ts checkTempSizeBySize).
 */
export function judgeChecks(o: PipelinedReplace, replies: Reply[]): { mtimeSet: boolean; sizeUnchecked: boolean } {
  let mtimeSet = false;
  let sizeUnchecked = false;
  let i = 0;
  if (o.size !== undefined) {
    const stored = replies[i++];
    if (stored instanceof FTPError) {
      if (!code550(stored)) throw stored;
      sizeUnchecked = true;
    } else {
      const e = mlstEntry(stored, o.absTmp, o.tmp);
      if (e) checkSize(o.path, o.size, e.size, 'moved');
    }
  }
  if (o.mtime !== undefined) {
    const mfmt = replies[i++];
    if (mfmt instanceof FTPError) o.mfmtRefused(mfmt);
    else mtimeSet = true;
  }
  if (o.expect || o.newOnly) {
    // what is at the final name now: the re-check before overwrite (recheck.ts), or nothing when the plan saw nothing (dest-check.ts)
    const there = replies[i++];
    if (there instanceof FTPError && !code550(there)) throw there;
    // (a link or special file there is an error, never "gone": it is not replaced)
    const now = there instanceof FTPError ? undefined : mlstEntry(there, o.abs, o.path, true);
    if (o.newOnly && !(there instanceof FTPError)) throw new DestinationAppeared(o.path, 'on the server');
    if (o.expect) assertUnchanged('ftp', o.expect, now);
  }
  return { mtimeSet, sizeUnchecked };
}

/** Exchange 2, riding with the next command on `c` (after judgeChecks() passed and the temp's modes are set): the rename and the listing after it */
export function rideRename(c: Client, o: PipelinedReplace): Promise<Reply[]> {
  const renamed = rideAlong(c, [`RNFR ${o.absTmp}`, `RNTO ${o.abs}`, `MLST ${o.abs}`]);
  renamed.catch(() => undefined); // (awaited by finishRename())
  return renamed;
}

/** the connection was lost (or stalled) with an exchange in flight (the rename: whether it took effect is not known) */
export class RideLost extends Error {
  constructor(override readonly cause: Error, readonly renameSent: boolean) {
    super(cause.message);
    this.name = 'RideLost';
  }
}

/** a rejected ride: a RideLost */
export function lost(e: unknown, renameSent: boolean): never {
  throw new RideLost(e instanceof Error ? e : new Error(String(e)), renameSent);
}

/** the rename's replies: the stored name and size checked; what the server lists (mtime set again where the rename lost it) */
export async function finishRename(o: PipelinedReplace, renamed: Promise<Reply[]>, mtimeSet: boolean, withConnection: WithConnection): Promise<Entry> {
  const [rnfr, rnto, after] = await renamed.catch((e: unknown) => lost(e, true));
  if (rnfr instanceof FTPError) throw rnfr;
  let listed: Reply = after;
  if (rnto instanceof FTPError) {
    // (the MLST then described the file that was to be replaced: asked again below)
    // a retry (dropped connection) first looks at what the try before it did: DELE and RNTO are not repeatable
    let tries = 0;
    listed = await withConnection(async (c) => {
      await renameAfterRefusedRnto(c, o.absTmp, o.abs, true, rnto, tries++ > 0 ? o.size ?? -1 : undefined);
      return await c.send(`MLST ${o.abs}`).catch((e: unknown) => { if (e instanceof FTPError) return e; throw e; });
    });
  }
  if (listed instanceof FTPError && !code550(listed)) throw listed;
  const message = listed instanceof FTPError ? undefined : listed.message;
  checkStoredNameInReply(o.abs, o.path, message, o.caseInsensitive);
  const entry = message === undefined ? undefined : entryFromMlst(message, o.path);
  if (!entry) throw new SyncError('io', `Uploaded ${o.abs} but the server does not list it`, { path: o.path });
  checkSize(o.path, o.size, entry.size, 'after-rename');
  if (!mtimeSet || o.mtime === undefined) return entry;
  const whole = Math.floor(o.mtime / 1000) * 1000;
  if (entry.mtime === whole) return entry;
  // the server did not keep the temp's time through the rename: set it on the name
  return (await withConnection((c) => o.setMtimeAfter(c, o.abs))) ? { ...entry, mtime: whole } : entry;
}
