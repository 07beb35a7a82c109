// Removing a folder tree on an FTP server: its files in parallel, then its folders deepest first
// (each depth in parallel), then the folder itself. FtpTarget.removeDir delegates to this.
import { SyncError } from '../errors.js';
import { mapLimit } from '../pool.js';
import { listTree, type ListHost } from './ftp-list.js';
import { statAbs } from './ftp-ops.js';
import type { FtpOpsHost } from './ftp-partial.js';
import { ftpCode } from './ftp-util.js';

export async function removeDirFtp(h: FtpOpsHost & { stat(path: string): Promise<{ type: string } | undefined>; removeFile(path: string): Promise<void> },
  listHost: ListHost, path: string): Promise<void> {
  await h.ready();
  const st = await h.stat(path);
  if (!st) return;
  if (st.type !== 'dir') throw new SyncError('io', `Cannot remove folder ${h.abs(path)}: it is a file`, { path });
  const tree = await listTree(listHost, path, { raw: true });
  const files = [...tree.values()].filter((e) => e.type === 'file').map((e) => e.path);
  await mapLimit(files, h.capabilities.maxConcurrency, (p) => h.removeFile(p));
  // folders deepest first, each depth in parallel
  const byDepth = new Map<number, string[]>();
  for (const e of tree.values()) {
    if (e.type !== 'dir') continue;
    const depth = e.path.split('/').length;
    byDepth.set(depth, [...(byDepth.get(depth) ?? []), e.path]);
  }
  const levels = [...byDepth.keys()].sort((a, b) => b - a).map((d) => byDepth.get(d)!);
  for (const level of [...levels, [path]]) {
    await mapLimit(level, h.capabilities.maxConcurrency, (d) => {
      const abs = h.abs(d);
      return h.withClient(`remove folder ${abs}`, d, async (c) => {
        try {
          await c.send(`RMD ${abs}`);
        } catch (e) {
          if (ftpCode(e) === undefined || (await statAbs(c, abs, d, h.mlst)) !== undefined) throw e;
        }
      });
    });
  }
}
