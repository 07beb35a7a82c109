// A tree of text files for the reference row "first upload of text files" (scenarios-text.ts): the
// same file count, folders and sizes as the main tree (data.ts: the same seeded sizes), but code-like
// text instead of random bytes. remote-sync keeps every text file it moves as the common version for
// merges (core/merge/bases.ts); random bytes are not text, so the main rows never pay for that.
// Deterministic for a seed; generated once into <data-dir>/text-tree and reused.
import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXED_MTIME, treeFile, type DataSpec } from './data.js';
import { rng as prng } from '../../test/harness/rng.js';

export interface TextTree { tree: string; files: number; treeBytes: number }

const WORDS = ('const let function return import export from default class extends this new if else for of while '
  + 'async await try catch throw value data item list index count name path file folder server client user page '
  + 'render update state props event handler request response error result options config true false null').split(' ');
const PUNCT = ['(', ')', '{', '}', ';', ',', '.', ' = ', ' => ', ' + '];

/** `size` bytes of code-like text (ASCII), drawn from `rnd` */
function codeText(size: number, rnd: () => number): Buffer {
  let s = '';
  let line = '';
  while (s.length < size) {
    line += WORDS[Math.floor(rnd() * WORDS.length)];
    line += rnd() < 0.3 ? PUNCT[Math.floor(rnd() * PUNCT.length)] : ' ';
    if (line.length > 40 + rnd() * 60) { s += '  '.repeat(Math.floor(rnd() * 4)) + line.trimEnd() + '\n'; line = ''; }
  }
  return Buffer.from(s.slice(0, size - 1) + '\n');
}

export function ensureTextTree(dir: string, spec: DataSpec, log: (s: string) => void): TextTree {
  const tree = join(dir, 'text-tree');
  const marker = join(dir, 'text-complete.json');
  const want = JSON.stringify(spec);
  if (existsSync(marker)) {
    const m = JSON.parse(readFileSync(marker, 'utf8')) as { spec: DataSpec; treeBytes: number };
    if (JSON.stringify(m.spec) === want) {
      rmSync(join(tree, '.remote-sync'), { recursive: true, force: true });
      return { tree, files: spec.files, treeBytes: m.treeBytes };
    }
  }
  rmSync(tree, { recursive: true, force: true });
  const t0 = Date.now();
  const sizes = prng(spec.seed);
  const words = prng(spec.seed ^ 0x7e57);
  let treeBytes = 0;
  for (let f = 0; f < spec.files; f++) {
    const { folder, path: p, first } = treeFile(tree, spec, f, 'js');
    if (first) mkdirSync(folder, { recursive: true });
    const size = spec.minSize + Math.floor(sizes() * (spec.maxSize - spec.minSize + 1));
    writeFileSync(p, codeText(size, words));
    utimesSync(p, FIXED_MTIME, FIXED_MTIME);
    treeBytes += size;
  }
  writeFileSync(marker, JSON.stringify({ spec, treeBytes }));
  log(`generated ${spec.files} text files (${(treeBytes / 1e6).toFixed(1)} MB) in ${spec.folders} folders (${Date.now() - t0} ms)`);
  return { tree, files: spec.files, treeBytes };
}
