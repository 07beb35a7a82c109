// A server without atomic rename-over (no posix-rename over SFTP, an FTP server that refuses RNTO onto
// an existing file) gets a replaced file removed first, then the temp renamed. When that rename fails
// after the removal, the temp holds the only copy of the new content: it is never deleted. The target
// throws TempKeptError naming it; the executor records it here (`.remote-sync/kept-temps/`, through
// safe-fs), the stale-temp clean-up leaves it alone, and the next run finishes the rename before it
// lists anything (so nothing is planned from the missing file).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import type { Entry, Logger, Target } from '../types.js';
import { SyncError, errorMessage } from '../errors.js';
import { ensureStateDir, checkStateDir, stateDirOf } from '../state/state-dir.js';
import { ensureOwnedDir, readOwnedFile, writeOwnedFileAtomic } from '../state/safe-fs.js';
import { baseName, isTempName, normalizeRelPath, parentOf } from '../paths.js';

/** a record names a file and its temp beside it, as the engine names them (a planted record reaches nothing else) */
function plainRecord(path: string, tmp: string): boolean {
  try {
    return path !== '' && normalizeRelPath(path) === path && normalizeRelPath(tmp) === tmp && parentOf(tmp) === parentOf(path) && isTempName(baseName(tmp));
  } catch {
    return false;
  }
}

/** The destination was removed and the temp could not be renamed onto it: the temp is kept (the only copy). */
export class TempKeptError extends SyncError {
  constructor(path: string, readonly tmp: string, shown: { abs: string; absTmp: string }, detail: string) {
    super('io', `Could not rename the new ${path} into place after the server's old copy was removed (the server cannot rename over a file); the new content is kept as ${shown.absTmp}`, {
      path, detail, hint: `Nothing is lost: the next run finishes the rename (or rename ${shown.absTmp} to ${shown.abs} on the server yourself)`,
    });
    this.name = 'TempKeptError';
  }
}

export interface KeptTemp {
  v: 1;
  remoteId: string;
  /** the file, and its kept temp on the server (relative paths) */
  path: string;
  tmp: string;
  /** the source that was uploaded (the local file then): the state is recorded when it is still that */
  size: number;
  mtime: number;
  created: number;
}

const SUBDIR = 'kept-temps';

export class KeptTemps {
  readonly dir: string;
  constructor(readonly localRoot: string, readonly remoteId: string) {
    this.dir = join(stateDirOf(localRoot), SUBDIR);
  }

  private file(path: string): string {
    return join(this.dir, `${createHash('sha256').update(`${this.remoteId}\0${path}`).digest('hex').slice(0, 16)}.json`);
  }

  put(path: string, tmp: string, source: Entry): void {
    ensureStateDir(this.localRoot);
    ensureOwnedDir(this.dir);
    const rec: KeptTemp = { v: 1, remoteId: this.remoteId, path, tmp, size: source.size, mtime: source.mtime, created: Date.now() };
    writeOwnedFileAtomic(this.file(path), JSON.stringify(rec));
  }

  drop(rec: KeptTemp): void {
    fs.rmSync(this.file(rec.path), { force: true });
    try { fs.rmdirSync(this.dir); } catch { /* not empty, or not there */ }
  }

  all(): KeptTemp[] {
    if (!checkStateDir(this.localRoot) || !fs.existsSync(this.dir)) return [];
    const out: KeptTemp[] = [];
    for (const n of fs.readdirSync(this.dir)) {
      if (!n.endsWith('.json')) continue;
      try {
        const r = JSON.parse(readOwnedFile(join(this.dir, n))?.toString('utf8') ?? 'null') as KeptTemp | null;
        if (r && r.v === 1 && r.remoteId === this.remoteId && typeof r.path === 'string' && typeof r.tmp === 'string' && plainRecord(r.path, r.tmp)) out.push(r);
      } catch { /* an unreadable record: its temp is reported as stale, never removed (see keptNames) */ }
    }
    return out;
  }
}

/**
 * Before a run lists anything: each kept temp is renamed onto its file when the file is still missing and
 * the temp is whole; the state then records the pair when the local file is still what was uploaded.
 * A file there again (someone put one) or a rename that fails again: the temp stays, with a warning.
 */
export async function finishKeptRenames(store: KeptTemps, ctx: {
  local: Target; remote: Target; log: Logger;
  record(path: string, local: Entry, remote: Entry): void;
}): Promise<void> {
  for (const rec of store.all()) {
    const keep = (why: string) => ctx.log.warn(`${rec.path}: the new version kept as ${rec.tmp} on the server was not renamed into place (${why}); it stays there`);
    try {
      const tmp = await ctx.remote.stat(rec.tmp);
      if (!tmp) { store.drop(rec); ctx.log.info(`${rec.path}: the kept temp ${rec.tmp} is gone from the server; nothing left to finish`); continue; }
      if (await ctx.remote.stat(rec.path, { strict: true })) { keep('a file of that name is on the server again'); continue; }
      if (tmp.type !== 'file' || tmp.size !== rec.size) { keep(`it holds ${tmp.size} bytes, not ${rec.size}`); continue; }
      // never over a file that appears there meanwhile (the server's removal of it would lose someone's file)
      await ctx.remote.rename(rec.tmp, rec.path, { newOnly: true });
      store.drop(rec);
      ctx.log.info(`${rec.path}: finished the rename of the kept temp ${rec.tmp} left by an earlier run`);
      const [local, remote] = await Promise.all([ctx.local.stat(rec.path), ctx.remote.stat(rec.path)]);
      if (local?.type === 'file' && local.size === rec.size && local.mtime === rec.mtime && remote) ctx.record(rec.path, local, remote);
    } catch (e) {
      keep(errorMessage(e));
    }
  }
}

/** the temps the stale-temp clean-up must never remove */
export function keptNames(store: KeptTemps): string[] {
  return store.all().map((r) => r.tmp);
}
