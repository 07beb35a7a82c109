// Runs a CommonJS bundle the way Node's own loader does — the same wrapper, `exports`, `require`,
// `module`, `__filename`, `__dirname` — but compiled through vm.Script with V8's code cache, so a run
// does not parse and compile again what the last one did.
//
// The cache is read before compiling; when it was missing or V8 rejected it (another Node, other V8
// flags), or the bundle changed (the key has its CRC-32), a new one is written after the run
// (`save()`, at process exit): made then, it holds every function the run compiled, not just the top
// level. Nothing here may fail a run: a cache that cannot be read, checked or written is not used.

import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import vm from 'node:vm';
import { CACHE_SUFFIX, canChecksum, checksum, pruneCacheDir, readCacheFile, writeCacheFile } from './cache-file.js';

export interface LoaderOptions {
  /** a trusted folder (cache-dir.ts); undefined: compile without a cache */
  cacheDir?: string;
  /** the owner every cache file must have */
  uid?: number;
  /** the bundles' version, part of the cache key */
  version: string;
  /** files next to a loaded bundle that its `require('./name')` loads the same way (e.g. 'ssh2.js') */
  siblings?: string[];
}

export interface CodeCacheLoader {
  /** run a bundle (once: later calls return its exports) and return its `module.exports` */
  load(file: string): unknown;
  /** write the caches that were missing or rejected; returns the files written. Never throws. */
  save(): string[];
  /** per loaded file: 'none' (no cache folder), 'missing', 'rejected' or 'used' */
  readonly status: Map<string, 'none' | 'missing' | 'rejected' | 'used'>;
}

/** 32-bit FNV-1a of a string, as 8 hex digits: one cache file per bundle path */
export function pathHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** the cache file of a bundle: its name and a hash of its full path (two installs, two files) */
export function cacheFileName(file: string): string {
  return `${basename(file, '.js')}-${pathHash(file)}${CACHE_SUFFIX}`;
}

const WRAP_HEAD = '(function (exports, require, module, __filename, __dirname) { ';
const WRAP_TAIL = '\n});';

export function createLoader(opts: LoaderOptions): CodeCacheLoader {
  const cacheDir = opts.uid !== undefined && canChecksum ? opts.cacheDir : undefined;
  const loaded = new Map<string, Module>();
  const status = new Map<string, 'none' | 'missing' | 'rejected' | 'used'>();
  const pending: Array<{ script: vm.Script; path: string; key: string }> = [];

  function compile(file: string): vm.Script {
    const bytes = readFileSync(file);
    const source = bytes.toString('utf8');
    const wrapped = WRAP_HEAD + (source.startsWith('#!') ? `//${source.slice(2)}` : source) + WRAP_TAIL;
    if (!cacheDir) {
      status.set(file, 'none');
      return new vm.Script(wrapped, { filename: file });
    }
    // exactly the bytes compiled (a hash of 0.4–0.7 MB: well under a millisecond)
    const key = [opts.version, file, bytes.length, checksum(bytes), process.version, process.arch, process.versions.v8].join('\0');
    const path = join(cacheDir, cacheFileName(file));
    const cachedData = readCacheFile(path, key, opts.uid!);
    let script: vm.Script;
    try {
      script = new vm.Script(wrapped, { filename: file, cachedData });
    } catch (e) {
      if (!cachedData) throw e; // the bundle's own syntax error: as Node would report it
      script = new vm.Script(wrapped, { filename: file });
    }
    const state = !cachedData ? 'missing' : script.cachedDataRejected ? 'rejected' : 'used';
    status.set(file, state);
    if (state !== 'used') pending.push({ script, path, key });
    return script;
  }

  function load(file: string): unknown {
    const done = loaded.get(file);
    if (done) return done.exports; // (while it runs: its exports so far, as Node does in a cycle)
    const script = compile(file);
    const mod = new Module(file);
    mod.filename = file;
    loaded.set(file, mod);
    const fn = script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: Module, f: string, d: string) => void;
    fn.call(mod.exports, mod.exports, bundleRequire(file), mod, file, dirname(file));
    mod.loaded = true;
    return mod.exports;
  }

  /** Node's require for `file`, except that the siblings named in the options come through load() */
  function bundleRequire(file: string): NodeJS.Require {
    const base = createRequire(file);
    const siblings = new Map((opts.siblings ?? []).map((n) => [`./${n}`, join(dirname(file), n)]));
    if (!siblings.size) return base;
    const req = ((id: string) => {
      const sibling = siblings.get(id);
      return sibling ? load(sibling) : base(id);
    }) as NodeJS.Require;
    req.resolve = base.resolve;
    req.cache = base.cache;
    req.main = base.main;
    req.extensions = base.extensions;
    return req;
  }

  function save(): string[] {
    const written: string[] = [];
    for (const p of pending.splice(0)) {
      try {
        writeCacheFile(p.path, p.key, p.script.createCachedData());
        written.push(p.path);
      } catch { /* a full disk or a read-only home: next run compiles again */ }
    }
    if (written.length && cacheDir) pruneCacheDir(cacheDir, new Set(written.map((p) => basename(p))));
    return written;
  }

  return { load, save, status };
}
