// Upload on save when the chosen target is a server group: the same saveFiles as a single target,
// once per member, in parallel, each through the member's own connection and last-sync state (a
// server change on one member is a conflict for that member only). One failing member does not
// stop the others; the result says "2/3 servers" with the failing one named.
import * as vscode from 'vscode';
import type { SaveOutcome } from '../../core/api.js';
import { errorMessage } from '../../core/errors.js';
import { groupSummary, type MemberOutcome } from '../../core/groups/index.js';
import type { FolderSession, Services } from '../folderSession.js';

export interface MemberSave {
  target: string;
  uploaded: string[];
  conflicts: Array<{ path: string; reason: string }>;
  failed: string[];
}

/** what a group save did, per member, and the one-line summary ("↑ index.html · 2/2 servers") */
export interface GroupSaveResult {
  members: MemberSave[];
  summary: string;
  ok: boolean;
}

export async function saveToGroup(
  session: FolderSession, members: readonly string[], paths: string[], merge: boolean, signal: AbortSignal,
): Promise<GroupSaveResult> {
  const saves = await Promise.all(members.map(async (target): Promise<MemberSave> => {
    const r: MemberSave = { target, uploaded: [], conflicts: [], failed: [] };
    try {
      const outcomes: Map<string, SaveOutcome> = await session.useMember(target, (live) => live.engine.saveFiles(paths, { signal, merge }));
      for (const [path, o] of outcomes) {
        if (o.status === 'uploaded' || o.status === 'merged') r.uploaded.push(path);
        else if (o.status === 'conflict') r.conflicts.push({ path, reason: o.action.reason });
        else if (o.status === 'error') r.failed.push(`${path}: ${o.message}`);
      }
    } catch (err) {
      r.failed.push(errorMessage(err));
    }
    return r;
  }));
  const outcomes: MemberOutcome[] = saves.map((m) => ({ target: m.target, ok: m.failed.length === 0, problem: m.failed[0] }));
  const name = (p: string) => p.slice(p.lastIndexOf('/') + 1);
  const uploaded = [...new Set(saves.flatMap((m) => m.uploaded))];
  const parts: string[] = [];
  if (uploaded.length === 1) parts.push(`↑ ${name(uploaded[0])}`);
  else if (uploaded.length > 1) parts.push(`↑ ${uploaded.length} files`);
  const conflicted = saves.filter((m) => m.conflicts.length);
  if (conflicted.length) parts.push(`conflict on ${conflicted.map((m) => m.target).join(', ')}`);
  parts.push(groupSummary(outcomes));
  return { members: saves, summary: parts.join(' · '), ok: outcomes.every((o) => o.ok) };
}

/** log, status bar and messages for a group save */
export function presentGroupSave(session: FolderSession, services: Services, group: string, r: GroupSaveResult): void {
  for (const m of r.members) {
    if (m.uploaded.length) session.log.info(`Uploaded on save to ${m.target}: ${m.uploaded.join(', ')}`);
    for (const c of m.conflicts) session.log.warn(`Not uploaded to ${m.target}, conflict: ${c.path}: ${c.reason}`);
    for (const f of m.failed) session.log.error(`Upload on save to ${m.target} failed: ${f}`);
  }
  const conflicts = r.members.some((m) => m.conflicts.length);
  services.activity.record(session.key, {
    label: `Upload on save (${group})`, text: r.summary, level: !r.ok ? 'error' : conflicts ? 'warning' : 'ok',
  });
  if (!r.ok || conflicts) {
    const lines = r.members.flatMap((m) => [
      ...m.conflicts.map((c) => `${m.target}: ${c.path} changed on the server since the last sync (not uploaded; select target "${m.target}" and sync to resolve)`),
      ...m.failed.map((f) => `${m.target}: ${f}`),
    ]);
    const show = !r.ok ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    void show(`Remote Sync: upload on save to "${group}": ${r.summary}. ${lines.join('; ')}`);
  }
}
