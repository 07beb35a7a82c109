// The code cache loader (src/cli/code-cache/loader.ts) on small CommonJS bundles written here: the
// module semantics a bundle sees are Node's, the cache is written after the run only when it was
// missing or rejected, and a damaged or foreign cache is replaced, never trusted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';
import { spawnSync } from 'node:child_process';
import { cacheFileName, createLoader, pathHash } from '../../../src/cli/code-cache/loader.js';
import { formatCache } from '../../../src/cli/code-cache/cache-file.js';

const uid = process.getuid!();
const repo = join(__dirname, '../../..');

interface Fixture { dist: string; cache: string; main: string; sibling: string }

function fixture(t: { after: (fn: () => void) => void }, tag: string): Fixture {
  const root = mkdtempSync(join(tmpdir(), 'rs-loader-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dist = join(root, 'dist');
  const cache = join(root, 'cache');
  mkdirSync(dist);
  mkdirSync(cache, { mode: 0o700 });
  const main = join(dist, 'main.js');
  const sibling = join(dist, 'extra.js');
  // what a bundle relies on: require of builtins and of the sibling, module/exports, the file's names
  writeFileSync(main, `"use strict";
const path = require("node:path");
exports.tag = ${JSON.stringify(tag)};
exports.names = { file: __filename, dir: __dirname, sameExports: module.exports === exports && this === exports };
exports.joined = path.join("a", "b");
exports.extra = () => require("./extra.js");
exports.work = (n) => { let s = 0; for (let i = 0; i < n; i++) s += i % 7; return s; };
`);
  writeFileSync(sibling, `module.exports = { loadedBy: typeof require, fromMain: require("./main.js").tag };\n`);
  return { dist, cache, main, sibling };
}

type Exports = { tag: string; names: { file: string; dir: string; sameExports: boolean }; joined: string; extra: () => { loadedBy: string; fromMain: string }; work: (n: number) => number };
const loaderFor = (f: Fixture, cacheDir: string | null = f.cache) => createLoader({ cacheDir: cacheDir ?? undefined, uid, version: '9.9.9', siblings: ['extra.js'] });

/** a run in a fresh process (load-child.ts): V8 keeps compiled code for the life of a process */
function child(f: Fixture, cacheDir: string | null = f.cache): { status: Record<string, string>; written: string[]; work: number; tag: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'load-child.ts'), f.main, cacheDir ?? '-'], { cwd: repo, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('a bundle runs as a CommonJS module: require, exports, module, __filename, __dirname; the sibling through the loader', (t) => {
  const f = fixture(t, 'one');
  const l = loaderFor(f);
  const m = l.load(f.main) as Exports;
  assert.equal(m.tag, 'one');
  assert.deepEqual(m.names, { file: f.main, dir: f.dist, sameExports: true });
  assert.equal(m.joined, join('a', 'b'));
  assert.equal(m.work(10), 24);
  assert.deepEqual(m.extra(), { loadedBy: 'function', fromMain: 'one' }, 'the sibling sees the main bundle (a cycle: its exports)');
  assert.equal(m.extra(), m.extra(), 'loaded once');
  assert.equal(l.load(f.main), m, 'loaded once');
  assert.deepEqual([...l.status], [[f.main, 'missing'], [f.sibling, 'missing']]);
});

test('the caches are written after the run only, then used as they are', (t) => {
  const f = fixture(t, 'two');
  const inProcess = loaderFor(f);
  (inProcess.load(f.main) as Exports).work(1000);
  assert.deepEqual(readdirSync(f.cache), [], 'nothing written during the run');
  const first = child(f);
  assert.deepEqual(first.status, { [f.main]: 'missing', [f.sibling]: 'missing' });
  const files = [join(f.cache, cacheFileName(f.main)), join(f.cache, cacheFileName(f.sibling))];
  assert.deepEqual(first.written, files);
  for (const p of files) assert.equal(statSync(p).mode & 0o777, 0o600);
  const before = files.map((p) => statSync(p));
  const second = child(f);
  assert.deepEqual(second.status, { [f.main]: 'used', [f.sibling]: 'used' });
  assert.deepEqual(second.written, [], 'a used cache is not rewritten');
  assert.deepEqual(files.map((p) => statSync(p).mtimeMs), before.map((s) => s.mtimeMs));
  assert.equal(second.work, first.work);
});

test('a truncated or corrupted cache is ignored and replaced', (t) => {
  const f = fixture(t, 'three');
  const path = join(f.cache, cacheFileName(f.main));
  child(f);
  const good = readFileSync(path);
  for (const damage of ['truncate', 'flip', 'garbage'] as const) {
    if (damage === 'truncate') truncateSync(path, good.length >> 1);
    else if (damage === 'flip') { const b = Buffer.from(good); b[b.length - 40] ^= 0xff; writeFileSync(path, b, { mode: 0o600 }); }
    else writeFileSync(path, 'garbage'.repeat(999), { mode: 0o600 });
    const again = child(f);
    assert.equal(again.status[f.main], 'missing', damage);
    assert.deepEqual(again.written, [path], damage);
    assert.equal(child(f).status[f.main], 'used', `${damage}: replaced by a good one`);
  }
});

test('a cache V8 rejects (made from other code) is replaced after the run', (t) => {
  const f = fixture(t, 'four');
  const path = join(f.cache, cacheFileName(f.main));
  child(f);
  // the header's key is right, the data is V8's for another script
  const header = readFileSync(path);
  const keyLength = header.readUInt32LE(8);
  const key = header.toString('utf8', 12, 12 + keyLength);
  writeFileSync(path, formatCache(key, new vm.Script('1 + 1').createCachedData()), { mode: 0o600 });
  const again = child(f);
  assert.equal(again.status[f.main], 'rejected');
  assert.deepEqual(again.written, [path]);
  assert.equal(child(f).status[f.main], 'used');
});

test('a changed bundle does not use the old cache, even with the same size and mtime (as npm installs files)', (t) => {
  const f = fixture(t, 'five');
  const npmTime = new Date('1985-10-26T08:15:00Z');
  utimesSync(f.main, npmTime, npmTime);
  child(f);
  assert.equal(child(f).status[f.main], 'used');
  writeFileSync(f.main, readFileSync(f.main, 'utf8').replace('"five"', '"fiv6"'));
  utimesSync(f.main, npmTime, npmTime);
  const again = child(f);
  assert.equal(again.status[f.main], 'missing', 'not given to V8, whose own check is the length only');
  assert.equal(again.tag, 'fiv6', 'the new code runs');
});

test('without a cache folder: runs the same, writes nothing', (t) => {
  const f = fixture(t, 'six');
  const r = child(f, null);
  assert.deepEqual(r.status, { [f.main]: 'none', [f.sibling]: 'none' });
  assert.deepEqual(r.written, []);
  assert.deepEqual(readdirSync(f.cache), []);
  assert.equal((loaderFor(f, null).load(f.main) as Exports).tag, 'six');
});

test('a cache that cannot be written: the run goes on, save() writes nothing, throws nothing, leaves no temp file', (t) => {
  const f = fixture(t, 'seven');
  mkdirSync(join(f.cache, cacheFileName(f.main))); // a folder where the file would go: the rename fails (even for root)
  const l = loaderFor(f);
  assert.equal((l.load(f.main) as Exports).tag, 'seven');
  assert.deepEqual(l.save(), []);
  assert.deepEqual(readdirSync(f.cache), [cacheFileName(f.main)]);
});

test('errors of the bundle itself come through as Node would throw them', (t) => {
  const f = fixture(t, 'eight');
  writeFileSync(f.main, 'exports.x = 1;\nthrow new RangeError("boom at load");\n');
  assert.throws(() => loaderFor(f).load(f.main), (e: Error) => e instanceof RangeError && e.message === 'boom at load' && e.stack!.includes(f.main));
  writeFileSync(f.main, 'exports.x = ;\n');
  assert.throws(() => loaderFor(f).load(f.main), SyntaxError);
});

test('one cache file per bundle path', () => {
  assert.equal(pathHash('/usr/lib/node_modules/remote-sync/dist/cli-main.js'), pathHash('/usr/lib/node_modules/remote-sync/dist/cli-main.js'));
  assert.notEqual(cacheFileName('/a/dist/cli-main.js'), cacheFileName('/b/dist/cli-main.js'));
  assert.match(cacheFileName('/a/dist/cli-main.js'), /^cli-main-[0-9a-f]{8}\.v8cache$/);
});
