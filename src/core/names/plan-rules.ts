// The planner's name rules (pure): run over the classified rows before the folder rules.
// - entries a side could not read (a permission-denied folder, a path over PATH_MAX, a link loop) are
//   left alone on both sides: nothing below them is treated as deleted;
// - a copy to a side that cannot store the name as written is an error for that entry, nothing written;
// - on a case-insensitive side, a case-only rename is carried out as a rename (never "write the new
//   name, then delete the old one": the same file), and two names that differ only in case and
//   cannot both exist there are a conflict with the reason.

import type { Entry, NotSynced, Side } from '../types.js';
import type { Decision } from '../classify.js';
import { copyKind, deleteKind, otherSide } from '../classify.js';
import { isWithin } from '../paths.js';
import { foldCase } from './case.js';
import { pathNameProblem, type NameRule } from './rules.js';


export interface NameRow {
  path: string;
  local?: Entry;
  remote?: Entry;
  d?: Decision;
  consumed?: boolean;
  /** a case-only rename to carry out on the destination before the copy: the old spelling there */
  caseRename?: Entry;
  /** a name rule stopped this row (and everything below it): no forced resolution may write it */
  blocked?: boolean;
}

export interface NameRulesInput {
  /** each side's listing */
  local?: ReadonlyMap<string, Entry>;
  remote?: ReadonlyMap<string, Entry>;
  /** paths (with their subtrees) a side could not read */
  unreadable?: { local: string[]; remote: string[] };
  /** names each side cannot store as written */
  nameRule?: { local?: NameRule; remote?: NameRule };
  caseInsensitive?: { local: boolean; remote: boolean };
}

const where = (s: Side) => (s === 'local' ? 'locally' : 'on the server');
const isCopyTo = (d: Decision | undefined, dst: Side) => !!d && (['file', 'dir'] as const).some((t) => d.kind === copyKind(otherSide(dst), t));

/** rows: sorted in tree order (a folder's descendants right after it). Mutates them; returns what is not synced. */
export function applyNameRules(rows: NameRow[], input: NameRulesInput): NotSynced[] {
  const out: NotSynced[] = [];
  const consumeBelow = (i: number) => {
    const prefix = rows[i].path + '/';
    for (let j = i + 1; j < rows.length && rows[j].path.startsWith(prefix); j++) rows[j].consumed = true;
  };

  // 1. unreadable subtrees: the row itself is kept as it is (skip if it would change), below it nothing
  const unreadable = new Map<string, Side>();
  for (const side of ['local', 'remote'] as const) for (const u of input.unreadable?.[side] ?? []) unreadable.set(u, side);
  if (unreadable.size) {
    for (const r of rows) {
      if (r.consumed) continue;
      const side = unreadable.get(r.path);
      if (side) {
        r.blocked = true;
        if (r.d) r.d = { kind: 'skip', reason: `could not be read ${where(side)}; left alone` };
        continue;
      }
      for (let i = r.path.lastIndexOf('/'); i > 0; i = r.path.lastIndexOf('/', i - 1)) {
        if (unreadable.has(r.path.slice(0, i))) { r.consumed = true; r.blocked = true; break; }
      }
    }
  }

  // 2. names a destination cannot store
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r.consumed || !r.d) continue;
    for (const dst of ['local', 'remote'] as const) {
      if (!isCopyTo(r.d, dst) && !(r.d.kind === 'conflict' && !r[dst])) continue;
      const problem = pathNameProblem(r.path, input.nameRule?.[dst]);
      if (!problem) continue;
      out.push({ path: r.path, side: dst, message: `cannot be stored ${where(dst)} under this name: ${problem}. Nothing was written; rename it` });
      r.d = { kind: 'skip', reason: `name cannot be stored ${where(dst)}` };
      r.blocked = true;
      consumeBelow(i);
      break;
    }
  }

  // 3. case-insensitive destinations: what is there already comes from the listing (it may hold
  //    spellings outside a scoped run), what would be written from the rows
  for (const dst of ['local', 'remote'] as const) {
    if (!input.caseInsensitive?.[dst]) continue;
    const there = new Map<string, string[]>();
    for (const p of input[dst]?.keys() ?? []) {
      const k = foldCase(p);
      const l = there.get(k);
      if (l) l.push(p); else there.set(k, [p]);
    }
    const groups = new Map<string, NameRow[]>();
    for (const r of rows) {
      if (r.consumed) continue;
      const k = foldCase(r.path);
      const g = groups.get(k);
      if (g) g.push(r); else groups.set(k, [r]);
    }
    const renamedAway: string[] = [];
    for (const [key, all] of groups) {
      const known = there.get(key);
      if (all.length === 1 && (!known || (known.length === 1 && known[0] === all[0].path))) continue; // the usual case: one spelling
      const g = all.filter((r) => !r.consumed); // an earlier (parent) group may have taken some
      const written = g.filter((r) => !r[dst] && isCopyTo(r.d, dst));
      if (!written.length) continue;
      const existing = (known ?? []).filter((p) => !renamedAway.some((old) => isWithin(p, old)));
      const deleted = g.filter((r) => r[dst] && r.d?.kind === deleteKind(dst));
      if (written.length === 1 && existing.length === 1 && deleted.length === 1 && deleted[0].path === existing[0] &&
        deleted[0][dst]!.type === written[0][otherSide(dst)]!.type) {
        // a case-only rename on the other side: rename it here, then copy the content over it
        const [w] = written;
        const old = deleted[0];
        w.caseRename = old[dst];
        renamedAway.push(old.path);
        old.d = undefined;
        old.consumed = true;
        consumeBelow(rows.indexOf(old));
        continue;
      }
      if (written.length + existing.length < 2) continue;
      for (const w of written) {
        w.blocked = true;
        const others = [...new Set([...written.map((r) => r.path), ...existing])].filter((p) => p !== w.path);
        w.d = {
          kind: 'conflict', conflict: 'case-clash', subtree: true,
          reason: `differs only in case from ${others.join(', ')}; ${dst === 'local' ? 'this local disk' : 'the server'} does not tell them apart, so both cannot exist there — rename one`,
        };
        consumeBelow(rows.indexOf(w));
      }
    }
  }
  return out;
}
