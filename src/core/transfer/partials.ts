// The records of resumable partial transfers, in the state folder (`.remote-sync/partials/`, every
// file through safe-fs): one `<key>.json` per interrupted transfer of a big file — which file, which
// direction, the source's size and mtime when it started, where the partial is — and, for a
// download, the partial data itself (`<key>.part`). An upload's partial is a temp file on the server.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { ensureStateDir, checkStateDir, stateDirOf } from '../state/state-dir.js';
import { ensureOwnedDir, readOwnedFile, writeOwnedFileAtomic } from '../state/safe-fs.js';
import { TEMP_PREFIX, joinPath, normalizeRelPath, parentOf } from '../paths.js';

export type Direction = 'upload' | 'download';

export interface PartialRecord {
  v: 1;
  /** the remote it belongs to (a state folder may serve several) */
  remoteId: string;
  direction: Direction;
  path: string;
  /** the source as it was when the transfer started: a partial is only built on while it is unchanged */
  size: number;
  mtime: number;
  /** upload: the temp file on the server (relative path); download: the file name in the partials folder */
  partial: string;
  /** ms since the epoch: partials older than a week are removed */
  created: number;
}

/** "a/b.txt" as the engine writes it: no empty, "." or ".." segment, no leading or doubled "/" */
function isPlainRelPath(p: string): boolean {
  try { return p !== '' && normalizeRelPath(p) === p && !p.includes('\\'); } catch { return false; }
}

export const PARTIAL_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
const SUBDIR = 'partials';

export class PartialStore {
  readonly dir: string;

  constructor(readonly localRoot: string, readonly remoteId: string) {
    this.dir = join(stateDirOf(localRoot), SUBDIR);
  }

  key(direction: Direction, path: string): string {
    return createHash('sha256').update(`${this.remoteId}\0${direction}\0${path}`).digest('hex').slice(0, 16);
  }

  /** where a new partial of this transfer goes */
  partialName(direction: Direction, path: string): string {
    const k = this.key(direction, path);
    return direction === 'upload' ? joinPath(parentOf(path), `${TEMP_PREFIX}part-${k}`) : `${k}.part`;
  }

  /** absolute path of a download's partial data */
  localPartial(rec: PartialRecord): string {
    return join(this.dir, rec.partial);
  }

  get(direction: Direction, path: string): PartialRecord | undefined {
    if (!fs.existsSync(this.dir)) return undefined;
    return this.read(join(this.dir, `${this.key(direction, path)}.json`));
  }

  private read(file: string): PartialRecord | undefined {
    try {
      const buf = readOwnedFile(file);
      if (!buf) return undefined;
      const r = JSON.parse(buf.toString('utf8')) as PartialRecord;
      if (!(r && r.v === 1 && typeof r.path === 'string' && typeof r.partial === 'string' && (r.direction === 'upload' || r.direction === 'download'))) return undefined;
      // a record names files that are removed and written: only ever the ones this store would name itself
      // (a record planted in a cloned or shared state folder must not reach outside the partials folder or the root)
      if (!isPlainRelPath(r.path) || r.partial !== this.partialName(r.direction, r.path)) return undefined;
      return r;
    } catch {
      return undefined; // an unreadable record: the transfer starts over
    }
  }

  /** written before the first byte moves, so a transfer killed at any point leaves a record */
  put(rec: PartialRecord): void {
    ensureStateDir(this.localRoot);
    ensureOwnedDir(this.dir);
    writeOwnedFileAtomic(join(this.dir, `${this.key(rec.direction, rec.path)}.json`), JSON.stringify(rec));
  }

  /** forget the record (and a download's partial data) */
  drop(rec: PartialRecord): void {
    if (rec.direction === 'download') fs.rmSync(this.localPartial(rec), { force: true });
    fs.rmSync(join(this.dir, `${this.key(rec.direction, rec.path)}.json`), { force: true });
  }

  /** every record of this remote */
  all(): PartialRecord[] {
    if (!checkStateDir(this.localRoot) || !fs.existsSync(this.dir)) return [];
    const out: PartialRecord[] = [];
    for (const n of fs.readdirSync(this.dir)) {
      if (!n.endsWith('.json')) continue;
      const r = this.read(join(this.dir, n));
      if (r && r.remoteId === this.remoteId) out.push(r);
    }
    return out;
  }

  /** the partials folder goes when nothing is left in it */
  removeIfEmpty(): void {
    try { fs.rmdirSync(this.dir); } catch { /* not empty, or not there */ }
  }
}
