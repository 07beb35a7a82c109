// `--resolve ask` on a terminal: one question per conflict, with both sides shown;
// L/R/S answers the same for all remaining conflicts.

import type { Action, Answer, Entry } from '../core/types.js';
import { ask, type PromptIo } from './prompt.js';
import { formatBytes } from './output.js';
import { visible } from './visible.js';

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** "2024-05-01 12:00:03" in local time */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

function describeSide(e: Entry | undefined): string {
  if (!e) return 'deleted (or never there)';
  if (e.type === 'dir') return 'a folder';
  return `${formatBytes(e.size)}, modified ${formatTime(e.mtime)}`;
}

export function describeConflict(c: Action): string {
  const path = c.type === 'dir' ? `${c.path}/` : c.path;
  return [
    `! conflict ${path} — ${c.reason}${c.conflict ? ` [${c.conflict}]` : ''}`,
    `    local:  ${describeSide(c.local)}`,
    `    remote: ${describeSide(c.remote)}`,
  ].join('\n') + '\n';
}

const ANSWERS: Record<string, Answer> = { l: 'local', r: 'remote', s: 'skip', m: 'merge' };

export function makeConflictAsker(io: PromptIo): (c: Action) => Promise<Answer> {
  let sticky: Answer | undefined;
  return async (c) => {
    if (sticky) return sticky;
    io.around?.before();
    io.output.write(visible(describeConflict(c)));
    io.around?.after();
    for (;;) {
      const a = (await ask(io, '  Keep [l]ocal, [r]emote, [m]erge or [s]kip? (L/R/M/S: the same for all remaining) [s] ')).trim();
      if (a === '') return 'skip';
      const r = ANSWERS[a.toLowerCase()];
      if (!r || a.length !== 1) continue;
      if (a !== a.toLowerCase()) sticky = r;
      return r;
    }
  };
}
