// Ignore files (".gitignore" and the like, the "ignoreFiles" setting) and pattern files
// (--exclude-from / --include-from): read with gitignore syntax, and the patterns of a file in a
// subfolder rewritten to apply below that folder only, so that the one Filter of a session can
// use them (root and subfolders, as git does).

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SyncError } from '../errors.js';
import { Filter } from '../filter.js';

/** The patterns of a gitignore-syntax text: no blank lines or comments; "\#" and "\!" stay literal. */
export function patternLines(text: string): string[] {
  return text.split(/\r?\n/)
    .map((l) => l.replace(/(?<!\\)\s+$/, ''))
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));
}

/** A pattern file given on the command line; a clear error when it cannot be read. */
export function readPatternFile(file: string, option: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SyncError('usage', `Cannot read the pattern file of ${option}: ${file}`, {
      path: file, detail: (e as Error).message, hint: 'Give a file with one gitignore-style pattern per line',
    });
  }
  return patternLines(text);
}

/**
 * A pattern from the ignore file in folder `dir` ("" = the root), rewritten for the root:
 * "*.log" → "/dir/**\/*.log", "/build" or "a/b" → "/dir/build", "/dir/a/b"; "!" and a trailing "/" kept.
 */
export function rebase(pattern: string, dir: string): string {
  if (!dir) return pattern;
  let p = pattern;
  let neg = '';
  if (p.startsWith('!')) { neg = '!'; p = p.slice(1); }
  const trailing = p.endsWith('/') ? '/' : '';
  const body = p.replace(/\/+$/, '');
  const anchored = body.includes('/');
  const rest = body.replace(/^\/+/, '');
  return `${neg}/${dir}/${anchored ? '' : '**/'}${rest}${trailing}`;
}

/**
 * Every pattern of the ignore files named `names` in `root` and its subfolders, rewritten for the
 * root. Folders that are excluded already (by `exclude`, the built-ins, or an ignore file above) are
 * not walked, like git. Symbolic links are not followed.
 */
export function readIgnoreFiles(root: string, names: readonly string[], exclude: readonly string[] = []): string[] {
  if (!names.length) return [];
  const found: string[] = [];
  let filter = new Filter({ exclude: [...exclude] });
  const walk = (dir: string) => {
    const abs = dir ? join(root, ...dir.split('/')) : root;
    let entries;
    try { entries = readdirSync(abs, { withFileTypes: true }); } catch { return; }
    let grew = false;
    for (const name of names) {
      if (!entries.some((e) => e.name === name && e.isFile())) continue;
      try {
        found.push(...patternLines(readFileSync(join(abs, name), 'utf8')).map((p) => rebase(p, dir)));
        grew = true;
      } catch { /* unreadable: as if absent */ }
    }
    if (grew) filter = new Filter({ exclude: [...exclude, ...found] });
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (!filter.isExcluded(rel, 'dir')) walk(rel);
    }
  };
  walk('');
  return found;
}
