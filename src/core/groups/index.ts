// Server groups: a target that names others, `"all": { "group": ["web1", "web2"] }`. A run, a save
// or a command on a group goes to each member with the member's own state and conflicts.
// Pure: parsing/validation of the config's group entries and the per-member summary text.

import type { Node } from 'jsonc-parser';
import type { JsonFields } from '../config/json-fields.js';
import { fieldName, shown } from '../config/json-fields.js';
import { didYouMean } from '../config/suggest.js';

/** A config entry under "targets" is a group when it is an object with a "group" key. */
export function isGroupNode(node: Node): boolean {
  return node.type === 'object' && (node.children ?? []).some((p) => p.children?.[0]?.value === 'group');
}

/** `"all": { "group": ["web1", "web2"] }` → ["web1", "web2"]; a group has no other fields. */
export function parseGroup(j: JsonFields, name: string, node: Node): string[] {
  const base = fieldName('targets', name);
  for (const p of node.children ?? []) {
    const key = String(p.children?.[0]?.value);
    if (key !== 'group') {
      throw j.error(p.children?.[0], fieldName(base, key),
        'is not allowed in a group: a group only names its members ("group": [...]); put connection settings in each member target');
    }
  }
  const groupProp = (node.children ?? []).find((p) => p.children?.[0]?.value === 'group');
  const value = groupProp?.children?.[1];
  const field = fieldName(base, 'group');
  if (!value || value.type !== 'array') {
    throw j.error(value ?? node, field, `must be a list of target names, e.g. ["web1", "web2"] (got ${shown(value)})`);
  }
  const members: string[] = [];
  for (const [i, item] of (value.children ?? []).entries()) {
    if (item.type !== 'string' || String(item.value).trim() === '') {
      throw j.error(item, `${field}[${i}]`, `must be the name of a target (got ${shown(item)})`);
    }
    const m = String(item.value);
    if (members.includes(m)) throw j.error(item, `${field}[${i}]`, `names "${m}" twice: list each member once`);
    if (m === name) throw j.error(item, `${field}[${i}]`, `names the group itself: a group lists other targets`);
    members.push(m);
  }
  if (members.length === 0) throw j.error(value, field, 'is empty: name at least one target, e.g. ["web1", "web2"]');
  return members;
}

/**
 * Members must be targets (not groups: no nesting, hence no cycles). `nodes` gives each group's
 * "group" array node, for the error position.
 */
export function checkGroupMembers(j: JsonFields, groups: Record<string, string[]>, targets: readonly string[], nodes: Record<string, Node>): void {
  for (const [name, members] of Object.entries(groups)) {
    const field = fieldName(fieldName('targets', name), 'group');
    members.forEach((m, i) => {
      const at = nodes[name]?.children?.[i] ?? nodes[name];
      if (Object.prototype.hasOwnProperty.call(groups, m)) {
        throw j.error(at, `${field}[${i}]`, `names the group "${m}": groups cannot contain groups; list its targets instead (${groups[m].join(', ')})`);
      }
      if (!targets.includes(m)) {
        throw j.error(at, `${field}[${i}]`, `names no target: "${m}" is not in targets${didYouMean(m, targets)}`, `Targets: ${targets.join(', ')}`);
      }
    });
  }
}

/** The members of a group, or undefined when `name` is not a group. */
export function groupMembers(config: { groups?: Record<string, string[]> }, name: string | undefined): string[] | undefined {
  if (name === undefined || !config.groups || !Object.prototype.hasOwnProperty.call(config.groups, name)) return undefined;
  return [...config.groups[name]];
}

export interface MemberOutcome {
  target: string;
  ok: boolean;
  /** why it failed (one line), when !ok */
  problem?: string;
}

/** "3/3 servers" or "2/3 servers (web2 failed: Connection refused)". */
export function groupSummary(outcomes: readonly MemberOutcome[]): string {
  const done = outcomes.filter((o) => o.ok).length;
  const failed = outcomes.filter((o) => !o.ok);
  const head = `${done}/${outcomes.length} servers`;
  if (!failed.length) return head;
  return `${head} (${failed.map((o) => `${o.target} failed${o.problem ? `: ${o.problem}` : ''}`).join('; ')})`;
}

/**
 * The exit code of a group run is the worst of the members': usage (2) > error (1) > cancelled or
 * stopped by a safety check (3) > time up (5) > conflicts left (4) > done (0).
 */
const SEVERITY = [0, 4, 5, 3, 1, 2];
export function worstExitCode(codes: readonly number[]): number {
  let worst = 0;
  for (const c of codes) {
    const rank = SEVERITY.indexOf(c);
    if (rank === -1) return c; // unknown codes are never hidden
    if (rank > SEVERITY.indexOf(worst)) worst = c;
  }
  return worst;
}
