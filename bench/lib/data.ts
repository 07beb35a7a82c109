// The benchmark's input: a tree of small files (random sizes, random content, fixed seed) and one
// big file. Deterministic for a given seed; reused between runs when already generated.
import { createCipheriv, createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { rng as prng } from '../../test/harness/rng.js';

export interface DataSpec {
  seed: number;
  files: number;
  folders: number;
  minSize: number;
  maxSize: number;
  /** 0: no big file (a tree-only set, e.g. the 100k tree) */
  bigBytes: number;
}

export interface DataSet {
  dir: string;
  /** folder holding the small-file tree (and nothing else) */
  tree: string;
  /** folder holding only the big file */
  bigDir: string;
  bigFile: string;
  treeBytes: number;
  spec: DataSpec;
}

/** AES-256-CTR keystream from the seed (content: random-looking, incompressible, reproducible) */
function keystream(seed: number, label: string) {
  const key = createHash('sha256').update(`remote-sync-bench:${seed}:${label}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return (n: number): Buffer => cipher.update(Buffer.alloc(n));
}

// a fixed mtime for every generated file (2024-01-02T03:04:05Z), so reruns see identical input
export const FIXED_MTIME = new Date('2024-01-02T03:04:05Z');

/** file number `f` of a tree of `spec`: its folder (made by the caller when `first`) and path, named as every generated tree names them */
export function treeFile(tree: string, spec: DataSpec, f: number, ext: string): { folder: string; path: string; first: boolean } {
  const perFolder = Math.ceil(spec.files / spec.folders);
  const folder = join(tree, `d${String(Math.floor(f / perFolder)).padStart(spec.folders > 999 ? 4 : 3, '0')}`);
  return { folder, path: join(folder, `f${String(f).padStart(spec.files > 99_999 ? 6 : 5, '0')}.${ext}`), first: f % perFolder === 0 };
}

export function ensureData(dir: string, spec: DataSpec, log: (s: string) => void): DataSet {
  const marker = join(dir, 'complete.json');
  const tree = join(dir, 'tree');
  const bigDir = join(dir, 'big');
  const bigFile = join(bigDir, 'big.bin');
  const want = JSON.stringify(spec);
  if (existsSync(marker)) {
    const m = JSON.parse(readFileSync(marker, 'utf8')) as { spec: DataSpec; treeBytes: number };
    if (JSON.stringify(m.spec) === want) {
      // remote-sync keeps its state in <tree>/.remote-sync: start every bench run without it
      rmSync(join(tree, '.remote-sync'), { recursive: true, force: true });
      rmSync(join(bigDir, '.remote-sync'), { recursive: true, force: true });
      log(`reusing generated data in ${dir}`);
      return { dir, tree, bigDir, bigFile, treeBytes: m.treeBytes, spec };
    }
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(tree, { recursive: true });
  mkdirSync(bigDir, { recursive: true });
  const t0 = Date.now();
  const rnd = prng(spec.seed);
  const bytes = keystream(spec.seed, 'tree');
  let treeBytes = 0;
  for (let f = 0; f < spec.files; f++) {
    const { folder, path: p, first } = treeFile(tree, spec, f, 'bin');
    if (first) mkdirSync(folder, { recursive: true });
    const size = spec.minSize + Math.floor(rnd() * (spec.maxSize - spec.minSize + 1));
    writeFileSync(p, bytes(size));
    utimesSync(p, FIXED_MTIME, FIXED_MTIME);
    treeBytes += size;
  }
  log(`generated ${spec.files} files (${(treeBytes / 1e6).toFixed(1)} MB) in ${spec.folders} folders (${Date.now() - t0} ms)`);
  if (spec.bigBytes > 0) writeBig(bigFile, spec, log);
  writeFileSync(marker, JSON.stringify({ spec, treeBytes }));
  return { dir, tree, bigDir, bigFile, treeBytes, spec };
}

function writeBig(bigFile: string, spec: DataSpec, log: (s: string) => void): void {
  const t1 = Date.now();
  const big = keystream(spec.seed, 'big');
  const fd = openSync(bigFile, 'w');
  try {
    const chunk = 8 * 1024 * 1024;
    for (let done = 0; done < spec.bigBytes; done += chunk) writeSync(fd, big(Math.min(chunk, spec.bigBytes - done)));
  } finally {
    closeSync(fd);
  }
  utimesSync(bigFile, FIXED_MTIME, FIXED_MTIME);
  log(`generated the ${(spec.bigBytes / 1024 / 1024).toFixed(0)} MiB file (${Date.now() - t1} ms)`);
}
