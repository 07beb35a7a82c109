// The CLI's code cache files (src/cli/code-cache/cache-file.ts): what is accepted, what is ignored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canChecksum, formatCache, parseCache, pruneCacheDir, readCacheFile, writeCacheFile } from '../../../src/cli/code-cache/cache-file.js';
import { onlyPrints } from '../../../src/cli/code-cache/policy.js';
import { skipOrFail } from '../../harness/env.js';

const uid = process.getuid!();
const data = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff));
const KEY = ['0.4.0', '/x/dist/cli-main.js', 721365, 123.5, 'v20.20.2', 'x64', '11.3'].join('\0');

function scratch(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'rs-code-cache-'));
  chmodSync(dir, 0o700);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('this Node can checksum the cache (zlib.crc32)', () => {
  assert.ok(canChecksum);
});

test('a cache file gives back its data under the same key only', () => {
  const file = formatCache(KEY, data);
  assert.deepEqual(parseCache(file, KEY), data);
  assert.equal(parseCache(file, KEY.replace('721365', '721366')), undefined, 'another bundle size');
  assert.equal(parseCache(file, KEY.replace('v20.20.2', 'v22.1.0')), undefined, 'another Node');
});

test('a damaged file is ignored: truncated, one byte changed, longer, garbage, empty', () => {
  const file = formatCache(KEY, data);
  assert.equal(parseCache(file.subarray(0, file.length - 1), KEY), undefined, 'truncated by one byte');
  assert.equal(parseCache(file.subarray(0, file.length >> 1), KEY), undefined, 'truncated to half');
  for (const at of [0, 20, file.length - data.length - 6, file.length - 100]) {
    const bad = Buffer.from(file);
    bad[at] ^= 0x10;
    assert.equal(parseCache(bad, KEY), undefined, `byte ${at} changed`);
  }
  assert.equal(parseCache(Buffer.concat([file, Buffer.from([0])]), KEY), undefined, 'a byte more');
  assert.equal(parseCache(Buffer.from('#!/bin/sh\nrm -rf /\n'), KEY), undefined, 'garbage');
  assert.equal(parseCache(Buffer.alloc(0), KEY), undefined, 'empty');
});

test('written atomically, 0600, and read back; no temp file is left', (t) => {
  const dir = scratch(t);
  const path = join(dir, 'cli-main-00000000.v8cache');
  writeCacheFile(path, KEY, data);
  assert.equal(readFileSync(path).length, formatCache(KEY, data).length);
  assert.deepEqual(readCacheFile(path, KEY, uid), data);
  assert.deepEqual(readdirSync(dir), ['cli-main-00000000.v8cache']);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  writeCacheFile(path, KEY, data.subarray(10)); // replaces
  assert.deepEqual(readCacheFile(path, KEY, uid), data.subarray(10));
});

test('a cache file that others can write, a link, or one owned by someone else is not read', (t) => {
  const dir = scratch(t);
  const path = join(dir, 'c.v8cache');
  writeCacheFile(path, KEY, data);
  chmodSync(path, 0o666);
  assert.equal(readCacheFile(path, KEY, uid), undefined, 'world-writable');
  chmodSync(path, 0o620);
  assert.equal(readCacheFile(path, KEY, uid), undefined, 'group-writable');
  chmodSync(path, 0o600);
  const link = join(dir, 'link.v8cache');
  symlinkSync(path, link);
  assert.equal(readCacheFile(link, KEY, uid), undefined, 'a symbolic link is not followed');
  assert.equal(readCacheFile(join(dir, 'missing.v8cache'), KEY, uid), undefined, 'missing');
  assert.deepEqual(readCacheFile(path, KEY, uid), data);
  if (uid !== 0) { t.diagnostic(skipOrFail('chown to another user needs root').skip); return; }
  chownSync(path, 1, 1);
  assert.equal(readCacheFile(path, KEY, uid), undefined, 'owned by uid 1');
});

test('pruning removes old caches and dead temp files, never the ones just written or other files', (t) => {
  const dir = scratch(t);
  const now = Date.now();
  const put = (name: string, ageMs: number) => {
    writeFileSync(join(dir, name), 'x');
    const when = new Date(now - ageMs);
    utimesSync(join(dir, name), when, when);
  };
  put('old-1.v8cache', 40 * 86_400_000);
  put('new-1.v8cache', 1 * 86_400_000);
  put('kept-1.v8cache', 90 * 86_400_000);
  put('cli-main-1.v8cache.123.tmp', 2 * 3_600_000);
  put('cli-main-1.v8cache.124.tmp', 60_000);
  put('notes.txt', 400 * 86_400_000);
  pruneCacheDir(dir, new Set(['kept-1.v8cache']), now);
  assert.deepEqual(readdirSync(dir).sort(), ['cli-main-1.v8cache.124.tmp', 'kept-1.v8cache', 'new-1.v8cache', 'notes.txt']);
});

test('a run that only prints help, the version or a completion script does not make the cache', () => {
  for (const args of [[], ['--version'], ['-V'], ['--help'], ['-h'], ['help'], ['help', 'sync'], ['sync', '--help'], ['completion', 'bash']]) {
    assert.equal(onlyPrints(args), true, args.join(' '));
  }
  for (const args of [['sync', 'a', 'b'], ['run'], ['upload', 'a', 'sftp://h/x', '-v'], ['bogus'], ['import-sftp-json']]) {
    assert.equal(onlyPrints(args), false, args.join(' '));
  }
});
