// One code cache file: a header naming exactly what the cache was made from, then V8's data.
//
//   "RSCODE1\n" | key length (u32 LE) | key (UTF-8) | CRC-32 of the data (u32 LE) | data length (u32 LE) | data
//
// The key holds the bundle's path, size, CRC-32 and version, Node's version and the architecture: a
// file made for anything else is ignored (and replaced after the run). (V8's own check of the source
// is its length only: a same-length change of the bundle, as a rebuild of the same version installed
// with npm's fixed mtimes can be, must not reach V8 with the old code.) The CRC catches a damaged file
// before V8 sees it (V8 checks its own header and length, not its data). Files are written to a temp
// name and renamed into place, so a reader sees the old file or the new one, never half of one.

import { closeSync, constants, fstatSync, openSync, readSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as zlib from 'node:zlib';

const MAGIC = Buffer.from('RSCODE1\n', 'latin1');
/** a cache bigger than this is not ours (the CLI's is ~0.5–2 MB) */
const MAX_BYTES = 64 * 1024 * 1024;
export const CACHE_SUFFIX = '.v8cache';
const TEMP_SUFFIX = '.tmp';

/** zlib.crc32 (Node ≥ 20.15); without it there is no cache */
const crc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
export const canChecksum = typeof crc32 === 'function';

/** CRC-32 of the bytes, as 8 hex digits (canChecksum must be true) */
export const checksum = (data: Uint8Array): string => (crc32!(data) >>> 0).toString(16).padStart(8, '0');

/** The file's bytes for `data` made under `key`. */
export function formatCache(key: string, data: Uint8Array): Buffer {
  const k = Buffer.from(key, 'utf8');
  const head = Buffer.alloc(MAGIC.length + 4 + k.length + 8);
  MAGIC.copy(head, 0);
  head.writeUInt32LE(k.length, MAGIC.length);
  k.copy(head, MAGIC.length + 4);
  head.writeUInt32LE(crc32!(data) >>> 0, MAGIC.length + 4 + k.length);
  head.writeUInt32LE(data.length, MAGIC.length + 8 + k.length);
  return Buffer.concat([head, data]);
}

/** V8's data in `file` when it was made under exactly `key` and is whole; else undefined. */
export function parseCache(file: Buffer, key: string): Buffer | undefined {
  if (!canChecksum || file.length < MAGIC.length + 12 || !file.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const keyLength = file.readUInt32LE(MAGIC.length);
  const at = MAGIC.length + 4 + keyLength;
  if (at + 8 > file.length || file.toString('utf8', MAGIC.length + 4, at) !== key) return undefined;
  const crc = file.readUInt32LE(at);
  const length = file.readUInt32LE(at + 4);
  if (at + 8 + length !== file.length) return undefined;
  const data = file.subarray(at + 8);
  return (crc32!(data) >>> 0) === crc ? data : undefined;
}

/**
 * Read a cache file: only a plain file (a link is not followed) owned by `uid` that nobody else can
 * write. undefined when it is missing, not acceptable or not made under `key`.
 */
export function readCacheFile(path: string, key: string, uid: number): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.uid !== uid || st.mode & 0o022 || st.size > MAX_BYTES) return undefined;
    const buf = Buffer.allocUnsafe(st.size);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) return undefined;
      got += n;
    }
    return parseCache(buf, key);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Write atomically (a new temp file of our own, 0600, then rename over `path`). Throws on failure. */
export function writeCacheFile(path: string, key: string, data: Uint8Array): void {
  const temp = `${path}.${process.pid}${TEMP_SUFFIX}`;
  try {
    // 'wx': a fresh file, never through something already at that name
    writeFileSync(temp, formatCache(key, data), { mode: 0o600, flag: 'wx' });
    renameSync(temp, path);
  } catch (e) {
    try { unlinkSync(temp); } catch { /* not there */ }
    throw e;
  }
}

/**
 * Remove what is left over in the cache folder: caches not rewritten for `maxAgeMs` (of bundles that
 * are gone, or just old: a cache still in use is made again by its next run) and temp files of
 * writers that died. `keep`: file names never removed. Best effort.
 */
export function pruneCacheDir(dir: string, keep: Set<string>, now = Date.now(), maxAgeMs = 30 * 86_400_000): void {
  let names: string[];
  try { names = readdirSync(dir); } catch { return; }
  for (const name of names) {
    if (keep.has(name)) continue;
    const limit = name.endsWith(CACHE_SUFFIX) ? maxAgeMs : name.endsWith(TEMP_SUFFIX) ? 3_600_000 : undefined;
    if (limit === undefined) continue;
    try {
      if (now - statSync(join(dir, name)).mtimeMs > limit) unlinkSync(join(dir, name));
    } catch { /* gone already */ }
  }
}
