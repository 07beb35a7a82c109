// Match / exclude rules with gitignore-like semantics, through minimatch:
// - a pattern without a slash matches a name at any depth ("*.log", "node_modules")
// - a pattern with a slash is anchored at the root ("/build", "docs/*.md")
// - a trailing slash matches folders only ("cache/")
// - "**" spans folders; "!pattern" re-includes what an earlier pattern excluded (last match wins)
// - an excluded folder excludes everything below it
// Match patterns (if any) apply to files only: folders are always walked, files must match one.

import { Minimatch } from 'minimatch';
import type { EntryType, PruneName } from './types.js';
import type { FilterOptions } from './api.js';
import { STATE_DIR } from './paths.js';

/** Always excluded, whatever the options: version-control folders, macOS litter, our own state. */
export const DEFAULT_EXCLUDES = ['.git/', '.hg/', '.svn/', '.DS_Store', STATE_DIR]; // the state folder's name at any depth

interface Rule {
  source: string;
  negated: boolean;
  dirOnly: boolean;
  mm: Minimatch;
  /** the same answer as mm.match for a pattern without wildcards (".git", "build/out"), without
   *  splitting the path: every listed entry is checked against every rule */
  literal?: (path: string) => boolean;
  /** the pattern is this plain name, at any depth (no slash, no wildcard) */
  plainName?: string;
}

/** characters minimatch gives a meaning to; a pattern without them is a plain name or path */
const GLOB_CHARS = /[*?[\]{}()!+@\\]/;
const WIN32 = process.platform === 'win32';

function literalTest(p: string, anchored: boolean): ((path: string) => boolean) | undefined {
  if (GLOB_CHARS.test(p) || p.split('/').some((s) => !s || s === '.' || s === '..')) return undefined;
  if (anchored) return (path) => path === p;
  const tail = `/${p}`; // "**/name": the name at any depth
  return (path) => path === p || path.endsWith(tail);
}

function ruleMatches(r: Rule, path: string): boolean {
  // (minimatch reads a backslash as a separator on Windows, and coalesces repeated slashes)
  return r.literal && !(WIN32 && path.includes('\\')) && !path.includes('//') ? r.literal(path) : r.mm.match(path);
}

function compile(pattern: string): Rule | undefined {
  let p = pattern.trim();
  if (!p || p.startsWith('#')) return undefined;
  let negated = false;
  if (p.startsWith('!')) { negated = true; p = p.slice(1); }
  let dirOnly = false;
  if (p.endsWith('/')) { dirOnly = true; p = p.replace(/\/+$/, ''); }
  if (!p) return undefined;
  const anchored = p.includes('/');
  p = p.replace(/^\/+/, '');
  const literal = literalTest(p, anchored);
  const plainName = literal && !anchored ? p : undefined;
  if (!anchored && !p.startsWith('**/')) p = `**/${p}`;
  return { source: pattern, negated, dirOnly, mm: new Minimatch(p, { dot: true, nocomment: true, nonegate: true }), literal, plainName };
}

/** Split "a,b" and ["a,b", "c"] into single patterns. */
export function splitPatterns(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap(splitOutsideBraces).map((s) => s.trim()).filter(Boolean);
}

/** "a,*.{log,tmp}" → ["a", "*.{log,tmp}"] */
function splitOutsideBraces(v: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of v) {
    if (ch === '{') depth++;
    else if (ch === '}' && depth > 0) depth--;
    if (ch === ',' && depth === 0) { out.push(cur); cur = ''; } else cur += ch;
  }
  out.push(cur);
  return out;
}

export class Filter {
  private readonly builtin: Rule[];
  private readonly excludes: Rule[];
  private readonly matches: Rule[];

  constructor(options: FilterOptions = {}) {
    this.builtin = DEFAULT_EXCLUDES.map(compile).filter((r): r is Rule => !!r);
    this.excludes = splitPatterns(options.exclude).map(compile).filter((r): r is Rule => !!r);
    this.matches = splitPatterns(options.match).map(compile).filter((r): r is Rule => !!r);
  }

  /** Built-in excludes (VCS folders, state dir): never synced, never deleted, whatever the flags. */
  isBuiltinExcluded(path: string, type: EntryType): boolean {
    return lastMatch(this.builtin, path, type) === true;
  }

  /** Excluded by the user's patterns (or the built-ins). Checks this path only, not its parents. */
  isExcluded(path: string, type: EntryType): boolean {
    if (this.isBuiltinExcluded(path, type)) return true;
    if (lastMatch(this.excludes, path, type) === true) return true;
    if (type === 'file' && this.matches.length) return lastMatch(this.matches, path, type) !== true;
    return false;
  }

  /**
   * Why `path` (or a folder above it) is left out of every sync, naming the pattern — for messages
   * such as "index.log is excluded by "*.log" in "ignore"". Undefined when it takes part.
   */
  explain(path: string, type: EntryType): string | undefined {
    const parts = path.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      const t: EntryType = i < parts.length ? 'dir' : type;
      const below = i < parts.length ? ` (the folder ${p}/)` : '';
      const builtin = lastRule(this.builtin, p, t);
      if (builtin && !builtin.negated) return `always left out ("${builtin.source}")${below}`;
      const rule = lastRule(this.excludes, p, t);
      if (rule && !rule.negated) return `excluded by "${rule.source}" in "ignore"${below}`;
    }
    if (type === 'file' && this.matches.length && lastMatch(this.matches, path, type) !== true) {
      return `not matched by the "match" patterns (${this.matches.map((r) => `"${r.source}"`).join(', ')})`;
    }
    return undefined;
  }

  /**
   * Names excluded wherever they are, whatever else is set (a listing may leave their content unread,
   * ListOptions.prune): plain names without a slash or a wildcard, the built-ins always, the user's
   * excludes unless `builtinOnly` or some pattern re-includes ("!…"), which could admit one of them.
   */
  pruneNames(builtinOnly = false): PruneName[] {
    const plain = (rules: Rule[]) => rules.filter((r) => !r.negated && r.plainName !== undefined).map((r) => ({ name: r.plainName!, dirOnly: r.dirOnly }));
    const user = builtinOnly || this.excludes.some((r) => r.negated) ? [] : plain(this.excludes);
    return [...plain(this.builtin), ...user];
  }

  /** Does the entry take part in the sync? (listing callback: parents were already checked) */
  includes(path: string, type: EntryType): boolean {
    return !this.isExcluded(path, type);
  }
}

/** true = excluded/matched by the last rule that matches, false = re-included by a negation, undefined = no rule matched */
function lastMatch(rules: Rule[], path: string, type: EntryType): boolean | undefined {
  let result: boolean | undefined;
  for (const r of rules) {
    if (r.dirOnly && type !== 'dir') continue;
    if (ruleMatches(r, path)) result = !r.negated;
  }
  return result;
}

/** the last rule that matches (its `negated` says whether it re-includes) */
function lastRule(rules: Rule[], path: string, type: EntryType): Rule | undefined {
  let found: Rule | undefined;
  for (const r of rules) {
    if (r.dirOnly && type !== 'dir') continue;
    if (ruleMatches(r, path)) found = r;
  }
  return found;
}

