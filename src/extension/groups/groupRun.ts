// A command (Upload, Download, Bidirectional, on the folder or on paths) when the chosen target is
// a server group: the engine's run once per member, in parallel, each through the member's own
// connection and last-sync state. One failing member does not stop the others; the message and
// the status bar say "2/3 servers" with the failing one named.
import * as vscode from 'vscode';
import type { RunOptions } from '../../core/api.js';
import type { SyncResult } from '../../core/types.js';
import { errorMessage } from '../../core/errors.js';
import { groupSummary } from '../../core/groups/index.js';
import type { FolderSession, Services } from '../folderSession.js';
import { summarize } from '../statusText.js';

export interface MemberRun { target: string; result?: SyncResult; error?: string }

export async function runOnGroup(session: FolderSession, members: readonly string[], options: RunOptions): Promise<MemberRun[]> {
  return Promise.all(members.map(async (target): Promise<MemberRun> => {
    try {
      return { target, result: await session.useMember(target, (live) => live.engine.run(options)) };
    } catch (err) {
      return { target, error: errorMessage(err) };
    }
  }));
}

export function presentGroupRun(session: FolderSession, services: Services, what: string, group: string, runs: MemberRun[]): string {
  const lines: string[] = [];
  let conflicts = 0;
  for (const r of runs) {
    if (r.result) {
      const sum = summarize(r.result);
      conflicts += r.result.conflicts.length;
      session.log.info(`${what} → ${r.target}: ${sum.line}`);
      for (const e of r.result.errors) session.log.error(`${what} → ${r.target}: ${e.kind} ${e.path}: ${e.message}`);
      for (const c of r.result.conflicts) session.log.warn(`Conflict on ${r.target}: ${c.path} (select target "${r.target}" to resolve it)`);
      lines.push(`${r.target}: ${sum.line}`);
    } else {
      session.log.error(`${what} → ${r.target} failed: ${r.error}`);
      lines.push(`${r.target}: ${r.error}`);
    }
  }
  const ok = runs.map((r) => ({ target: r.target, ok: !!r.result && r.result.errors.length === 0, problem: r.error ?? r.result?.errors[0]?.message }));
  const summary = groupSummary(ok);
  const failed = ok.some((o) => !o.ok);
  services.activity.record(session.key, {
    label: `${what} (${group})`, text: summary, detail: lines.join('\n'), level: failed ? 'error' : conflicts ? 'warning' : 'ok',
  });
  const text = `Remote Sync: ${what} → ${group}: ${summary}. ${lines.join('; ')}`;
  if (failed) void vscode.window.showErrorMessage(text);
  else if (conflicts) void vscode.window.showWarningMessage(`${text} (select a member as target to resolve its conflicts)`);
  else void vscode.window.showInformationMessage(text);
  return summary;
}
