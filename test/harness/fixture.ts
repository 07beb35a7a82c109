// pyftpsync's fixture table (seeds/pyftpsync-docs.txt): both trees synced at 12:00, then edits on each side.
//
//                        Local           Remote
// file1.txt               12:00           12:00        (unmodified)
// file2.txt               13:00           12:00
// file3.txt                 x             12:00
// file4.txt               12:00           13:00
// file5.txt               12:00             x
// file6.txt               13:00           13:00:05     CONFLICT!
// file7.txt               13:00:05        13:00        CONFLICT!
// file8.txt                 x             13:00        CONFLICT!
// file9.txt               13:00             x          CONFLICT!
// folder1/file1_1.txt     12.00           12:00        (unmodified)
// folder2/file2_1.txt     13.00           12:00
// folder3/file3_1.txt       x             12:00        (folder deleted)
// folder4/file4_1.txt       x             13:00        conflict (pyftpsync: undetected)
// folder5/file5_1.txt     12:00           13:00
// folder6/file6_1.txt     12:00             x          (folder deleted)
// folder7/file7_1.txt     13:00             x          conflict (pyftpsync: undetected)
// new_file1.txt           13:00             -
// new_file2.txt             -             13:00
// new_file3.txt           13:00           13:00        (same size)
// new_file4.txt           13:00           13:00        CONFLICT! (different size)
// new_file5.txt           13:00           13:00:05     CONFLICT!
// new_file6.txt           13:00:05        13:00        CONFLICT!

import { mkdirSync, writeFileSync, rmSync, utimesSync, readdirSync, statSync, readFileSync, chownSync, lstatSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const T12 = Date.UTC(2014, 0, 1, 12, 0, 0);
export const T13 = Date.UTC(2014, 0, 1, 13, 0, 0);
export const T1305 = Date.UTC(2014, 0, 1, 13, 0, 5);

export interface Owner { uid: number; gid: number }

export function writeFile(root: string, rel: string, content: string | Buffer, mtime: number, owner?: Owner): void {
  const abs = join(root, rel);
  mkdirs(root, dirname(rel), owner);
  writeFileSync(abs, content);
  utimesSync(abs, new Date(mtime), new Date(mtime));
  if (owner) chownSync(abs, owner.uid, owner.gid);
}

export function mkdirs(root: string, rel: string, owner?: Owner): void {
  mkdirSync(root, { recursive: true });
  if (!rel || rel === '.') return;
  let cur = root;
  for (const part of rel.split('/')) {
    cur = join(cur, part);
    try { mkdirSync(cur); if (owner) chownSync(cur, owner.uid, owner.gid); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; }
  }
}

export function remove(root: string, rel: string): void {
  rmSync(join(root, rel), { recursive: true, force: true });
}

const BASE_FILES = [
  'file1.txt', 'file2.txt', 'file3.txt', 'file4.txt', 'file5.txt', 'file6.txt', 'file7.txt', 'file8.txt', 'file9.txt',
  'folder1/file1_1.txt', 'folder2/file2_1.txt', 'folder3/file3_1.txt', 'folder4/file4_1.txt',
  'folder5/file5_1.txt', 'folder6/file6_1.txt', 'folder7/file7_1.txt',
];

/** Step 1: identical trees as of 12:00 (then the caller runs a first sync to record the state). */
export function createBase(local: string, remote: string, remoteOwner?: Owner): void {
  for (const f of BASE_FILES) {
    writeFile(local, f, `${f} 12:00\n`, T12);
    writeFile(remote, f, `${f} 12:00\n`, T12, remoteOwner);
  }
}

/** Step 2: the edits after the sync at 12:00. */
export function applyEdits(local: string, remote: string, o?: Owner): void {
  writeFile(local, 'file2.txt', 'file2.txt local 13:00\n', T13);
  remove(local, 'file3.txt');
  writeFile(remote, 'file4.txt', 'file4.txt remote 13:00\n', T13, o);
  remove(remote, 'file5.txt');
  writeFile(local, 'file6.txt', 'file6.txt local  13:00\n', T13);
  writeFile(remote, 'file6.txt', 'file6.txt remote 13:00:05\n', T1305, o);
  writeFile(local, 'file7.txt', 'file7.txt local 13:00:05\n', T1305);
  writeFile(remote, 'file7.txt', 'file7.txt remote 13:00\n', T13, o);
  remove(local, 'file8.txt');
  writeFile(remote, 'file8.txt', 'file8.txt remote 13:00\n', T13, o);
  writeFile(local, 'file9.txt', 'file9.txt local 13:00\n', T13);
  remove(remote, 'file9.txt');
  writeFile(local, 'folder2/file2_1.txt', 'folder2/file2_1.txt local 13:00\n', T13);
  remove(local, 'folder3');
  remove(local, 'folder4');
  writeFile(remote, 'folder4/file4_1.txt', 'folder4/file4_1.txt remote 13:00\n', T13, o);
  writeFile(remote, 'folder5/file5_1.txt', 'folder5/file5_1.txt remote 13:00\n', T13, o);
  remove(remote, 'folder6');
  writeFile(local, 'folder7/file7_1.txt', 'folder7/file7_1.txt local 13:00\n', T13);
  remove(remote, 'folder7');
  writeFile(local, 'new_file1.txt', 'new_file1.txt local 13:00\n', T13);
  writeFile(remote, 'new_file2.txt', 'new_file2.txt remote 13:00\n', T13, o);
  writeFile(local, 'new_file3.txt', 'new_file3.txt 13:00\n', T13);
  writeFile(remote, 'new_file3.txt', 'new_file3.txt 13:00\n', T13, o);
  writeFile(local, 'new_file4.txt', 'new_file4.txt local\n', T13);
  writeFile(remote, 'new_file4.txt', 'new_file4.txt remote, longer\n', T13, o);
  writeFile(local, 'new_file5.txt', 'new_file5.txt local  13:00:00\n', T13);
  writeFile(remote, 'new_file5.txt', 'new_file5.txt remote 13:00:05\n', T1305, o);
  writeFile(local, 'new_file6.txt', 'new_file6.txt local  13:00:05\n', T1305);
  writeFile(remote, 'new_file6.txt', 'new_file6.txt remote 13:00:00\n', T13, o);
}

export const EXPECTED_DEFAULT_SYNC = {
  upload: ['file2.txt', 'folder2/file2_1.txt', 'new_file1.txt'],
  download: ['file4.txt', 'folder5/file5_1.txt', 'new_file2.txt'],
  'delete-remote': ['file3.txt', 'folder3'],
  'delete-local': ['file5.txt', 'folder6'],
  conflict: ['file6.txt', 'file7.txt', 'file8.txt', 'file9.txt', 'folder4', 'folder7', 'new_file4.txt', 'new_file5.txt', 'new_file6.txt'],
  equal: ['file1.txt', 'folder1/file1_1.txt', 'new_file3.txt'],
};

/** A tree as {relpath: content | null (folder)}, ignoring the state dir and temp files. */
export function snapshot(root: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const p = rel ? `${rel}/${name}` : name;
      if (!rel && name === '.remote-sync') continue;
      const st = lstatSync(join(root, p));
      if (st.isDirectory()) { out[p] = null; walk(p); } else out[p] = readFileSync(join(root, p), 'utf8');
    }
  };
  walk('');
  return out;
}

export function mtimeOf(root: string, rel: string): number {
  return statSync(join(root, rel)).mtimeMs;
}
