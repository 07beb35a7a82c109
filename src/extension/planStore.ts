// The pending entries of the "Remote Sync" view, per workspace folder (vscode-free): the last preview,
// or the conflicts a sync or a save left. Entries leave when they are applied, resolved or skipped.

import type { Action, Plan } from '../core/types.js';
import { groupActions, groupOf, selectActions, type PlanGroup } from './planGroups.js';

interface FolderPlan {
  /** the plan the entries came from (execution needs its mode and roots) */
  base: Plan;
  pending: Action[];
  origin: 'preview' | 'result';
  /** entries of this plan applied since it was made (the view's header must stay true) */
  applied: number;
}

export class PlanStore {
  private folders = new Map<string, FolderPlan>();
  private listeners = new Set<() => void>();

  onChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** replace a folder's entries with a plan's (a preview, or a result's leftover conflicts) */
  set(folder: string, plan: Plan, origin: FolderPlan['origin']): void {
    const pending = plan.actions.filter((a) => groupOf(a.kind) !== undefined);
    if (pending.length) this.folders.set(folder, { base: plan, pending, origin, applied: 0 });
    else this.folders.delete(folder);
    this.emit();
  }

  /** add or replace entries by path (conflicts from a save or a partial run) */
  merge(folder: string, plan: Plan, actions: Action[]): void {
    const cur = this.folders.get(folder);
    const add = actions.filter((a) => groupOf(a.kind) !== undefined);
    if (!add.length) return;
    const paths = new Set(add.map((a) => a.path));
    const kept = cur ? cur.pending.filter((a) => !paths.has(a.path)) : [];
    this.folders.set(folder, { base: cur?.base ?? plan, pending: [...kept, ...add], origin: cur?.origin ?? 'result', applied: cur?.applied ?? 0 });
    this.emit();
  }

  /** drop entries by path (applied, resolved, skipped, or found in sync) */
  remove(folder: string, paths: Iterable<string>, why?: 'applied'): void {
    const cur = this.folders.get(folder);
    if (!cur) return;
    const drop = new Set(paths);
    const pending = cur.pending.filter((a) => !drop.has(a.path));
    if (pending.length === cur.pending.length) return;
    if (why === 'applied') cur.applied += cur.pending.length - pending.length;
    if (pending.length) cur.pending = pending;
    else this.folders.delete(folder);
    this.emit();
  }

  clear(folder?: string): void {
    if (folder === undefined) this.folders.clear();
    else this.folders.delete(folder);
    this.emit();
  }

  folderKeys(): string[] {
    return [...this.folders.keys()];
  }

  pending(folder: string): Action[] {
    return this.folders.get(folder)?.pending ?? [];
  }

  origin(folder: string): FolderPlan['origin'] | undefined {
    return this.folders.get(folder)?.origin;
  }

  /** how many entries of the folder's plan were applied since it was made */
  applied(folder: string): number {
    return this.folders.get(folder)?.applied ?? 0;
  }

  groups(folder: string): PlanGroup[] {
    return groupActions(this.pending(folder));
  }

  find(folder: string, path: string): Action | undefined {
    return this.pending(folder).find((a) => a.path === path);
  }

  conflicts(folder?: string): Array<{ folder: string; action: Action }> {
    const out: Array<{ folder: string; action: Action }> = [];
    for (const [key, fp] of this.folders) {
      if (folder !== undefined && key !== folder) continue;
      for (const a of fp.pending) if (a.kind === 'conflict') out.push({ folder: key, action: a });
    }
    return out;
  }

  /** a plan holding exactly the chosen (non-conflict) entries and the folder creations they need */
  planFor(folder: string, chosen: Action[]): Plan | undefined {
    const fp = this.folders.get(folder);
    if (!fp) return undefined;
    const actions = selectActions(fp.pending, chosen.filter((a) => a.kind !== 'conflict'));
    return { ...fp.base, actions, stateOnly: [], inSync: 0, badNames: [] };
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}
