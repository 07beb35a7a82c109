// Safety checks that run before anything changes. Each throws SyncError('safety') naming what it
// saw and how to go on; `force` skips them.

import type { Plan } from './types.js';
import { SyncError } from './errors.js';

/** "50%" | "10" | 10 → the most deletions allowed on a side with `total` files */
export function maxDeleteLimit(maxDelete: number | string | undefined, total: number): number {
  const spec = maxDelete ?? '50%';
  if (typeof spec === 'number') {
    if (!Number.isFinite(spec) || spec < 0) throw new SyncError('usage', `--max-delete must be a count of 0 or more (got ${spec})`);
    return Math.floor(spec);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(spec);
  if (!m) throw new SyncError('usage', `--max-delete takes a count or a percentage like 50% (got "${spec}")`);
  const n = Number(m[1]);
  return m[2] ? Math.ceil((n / 100) * total) : Math.floor(n);
}

export function checkSafety(plan: Plan, opts: { maxDelete?: number | string; scoped: boolean }): void {
  const { counts } = plan;
  if (!opts.scoped && counts.hadState && counts.stateFiles > 0) {
    for (const [side, n, where] of [['local', counts.localFiles, plan.local], ['remote', counts.remoteFiles, plan.remote]] as const) {
      if (n === 0) {
        throw new SyncError('safety', `The ${side === 'local' ? 'local folder' : 'server folder'} ${where} lists no files, but ${counts.stateFiles} files were synced last time. Nothing was changed`, {
          hint: 'If it was really emptied on purpose, run again with --force',
        });
      }
    }
  }
  let local = 0;
  let remote = 0;
  for (const a of plan.actions) {
    if (a.kind === 'delete-local' || (a.replace && (a.kind === 'download' || a.kind === 'mkdir-local'))) local += a.fileCount ?? 1;
    if (a.kind === 'delete-remote' || (a.replace && (a.kind === 'upload' || a.kind === 'mkdir-remote'))) remote += a.fileCount ?? 1;
  }
  for (const [side, n, total] of [['local', local, counts.localFiles], ['remote', remote, counts.remoteFiles]] as const) {
    const limit = maxDeleteLimit(opts.maxDelete, total);
    if (n > limit) {
      throw new SyncError('safety', `The plan would delete ${n} of ${total} files ${side === 'local' ? 'locally' : 'on the server'}, more than the limit of ${limit}. Nothing was changed`, {
        hint: 'Check the plan with --dry-run; raise --max-delete or use --force if it is right',
      });
    }
  }
}
