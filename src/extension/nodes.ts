// Nodes of the "Remote Sync" tree (vscode-free), also what its context commands receive.
import type { Action } from '../core/types.js';
import type { PlanGroup } from './planGroups.js';

export type Node =
  | { kind: 'folder'; folder: string }
  | { kind: 'group'; folder: string; group: PlanGroup }
  | { kind: 'entry'; folder: string; action: Action };

export function isNode(x: unknown): x is Node {
  if (typeof x !== 'object' || x === null) return false;
  const k = (x as { kind?: unknown }).kind;
  return (k === 'folder' || k === 'group' || k === 'entry') && typeof (x as { folder?: unknown }).folder === 'string';
}

/** a context command's arguments: (clicked node, selected nodes) → the nodes to act on */
export function nodesOf(arg: unknown, selected: unknown): Node[] {
  if (Array.isArray(selected) && selected.length && selected.every(isNode)) return selected as Node[];
  return isNode(arg) ? [arg] : [];
}

/** the actions the nodes stand for, per folder, each action once */
export function actionsOf(nodes: Node[], pending: (folder: string) => Action[]): Map<string, Action[]> {
  const out = new Map<string, Set<Action>>();
  for (const n of nodes) {
    const set = out.get(n.folder) ?? new Set<Action>();
    out.set(n.folder, set);
    const list = n.kind === 'entry' ? [n.action] : n.kind === 'group' ? n.group.actions : pending(n.folder);
    for (const a of list) set.add(a);
  }
  return new Map([...out].map(([k, v]) => [k, [...v]]));
}
