// ~/.netrc (or the file named by $NETRC): machine / login / password entries and a default entry.
// A netrc that group or others can read is refused, as BSD ftp does (issue "Security", item 9).

import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { SyncError } from '../core/errors.js';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface NetrcEntry {
  /** undefined for the "default" entry */
  machine?: string;
  login?: string;
  password?: string;
  account?: string;
}

/** Tokens: whitespace-separated, "double quoted" with backslash escapes, # comments to end of line. */
function tokenize(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') { i++; continue; }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    let tok = '';
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        tok += text[i++];
      }
      i++;
    } else {
      while (i < text.length && !/\s/.test(text[i])) {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        tok += text[i++];
      }
    }
    out.push(tok);
  }
  return out;
}

export function parseNetrc(text: string): NetrcEntry[] {
  // a macdef body runs until the next empty line: drop it before tokenizing
  const kept: string[] = [];
  let inMacro = false;
  for (const line of text.split(/\r?\n/)) {
    if (inMacro) {
      if (line.trim() === '') inMacro = false;
      continue;
    }
    const m = /(^|\s)macdef(\s|$)/.exec(line);
    if (m) {
      kept.push(line.slice(0, m.index));
      inMacro = true;
      continue;
    }
    kept.push(line);
  }
  const toks = tokenize(kept.join('\n'));
  const entries: NetrcEntry[] = [];
  let cur: NetrcEntry | undefined;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t === 'machine') {
      cur = { machine: toks[++i] };
      entries.push(cur);
    } else if (t === 'default') {
      cur = {};
      entries.push(cur);
    } else if (cur && (t === 'login' || t === 'password' || t === 'account')) {
      const v = toks[++i];
      if (v !== undefined) cur[t] = v;
    }
    // unknown tokens are skipped, as other netrc readers do
  }
  return entries;
}

/**
 * The entry for `host` (and `user`, when given: its login must match), else the default entry.
 * Host names compare case-insensitively.
 */
export function lookupNetrc(entries: NetrcEntry[], host: string, user?: string): NetrcEntry | undefined {
  const h = host.toLowerCase();
  const fits = (e: NetrcEntry) => user === undefined || e.login === undefined || e.login === user;
  return entries.find((e) => e.machine?.toLowerCase() === h && fits(e)) ??
    entries.find((e) => e.machine === undefined && fits(e));
}

export function netrcPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.NETRC || join(env.HOME || homedir(), '.netrc');
}

export interface NetrcFile {
  path: string;
  entries: NetrcEntry[];
}

/**
 * The netrc file's entries; undefined when there is no such file. A file that group or others can
 * read is refused with a SyncError (its passwords may already be known to them): chmod 600 it.
 */
export function readNetrc(env: NodeJS.ProcessEnv = process.env): NetrcFile | undefined {
  const path = netrcPath(env);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const mode = fstatSync(fd).mode;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new SyncError('config', `${path} can be read by other users (mode 0${(mode & 0o777).toString(8)}), so it is not used`, {
        path,
        hint: `Its passwords may already be known to them: change them if this was a shared machine, then chmod 600 ${path} (ftp refuses such a file too)`,
      });
    }
    return { path, entries: parseNetrc(readFileSync(fd, 'utf8')) };
  } finally {
    closeSync(fd);
  }
}
