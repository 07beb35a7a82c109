// The local walk (src/core/listing/local-walk.ts) stats a big tree's files off the main thread
// (listing/stat-worker.ts). Whatever thread stats them, the walk must report exactly the same:
// entries (size, mtime, mode, type through links), temp files, bad names, unreadable entries
// (link loops), excluded entries left out and never stat'ed.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { walkLocal, type LocalWalk } from '../../../src/core/listing/local-walk.js';
import { statPaths, FIELDS, FILE, DIR, GONE } from '../../../src/core/listing/stat-worker.js';
import { StatWorker } from '../../../src/core/listing/stat-worker.js';

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'rs-walk-'));
  const w = (rel: string, body: string, t: number, mode = 0o644) => {
    const p = join(root, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, body);
    chmodSync(p, mode);
    utimesSync(p, t, t + 0.5);
  };
  for (let d = 0; d < 6; d++) for (let f = 0; f < 40; f++) w(`d${d}/f${f}.txt`, 'x'.repeat(d * 40 + f), 1_700_000_000 + f, f % 3 ? 0o644 : 0o755);
  w('top.txt', 'top', 1_700_000_123);
  w('skip/me.txt', 'no', 1_700_000_000);
  w('d0/skip.log', 'no', 1_700_000_000);
  w('.rs-tmp-0123456789ab', 'temp', 1_700_000_000);
  w('d1/.rs-tmp-aaaaaaaaaaaa', 'temp', 1_700_000_000);
  w('.remote-sync/state.json', '{}', 1_700_000_000);
  w('back\\slash.txt', 'bad', 1_700_000_000);
  symlinkSync('top.txt', join(root, 'link-to-file'));
  symlinkSync('d2', join(root, 'link-to-dir'));
  symlinkSync('..', join(root, 'd3', 'loop-up'));
  symlinkSync('self', join(root, 'self'));
  symlinkSync('missing', join(root, 'broken'));
  execFileSync('mkfifo', [join(root, 'd4', 'pipe')]);
  return root;
}

function norm(r: LocalWalk) {
  return {
    entries: [...r.out.values()].sort((a, b) => (a.path < b.path ? -1 : 1)),
    stale: [...r.stale].sort(),
    bad: [...r.bad].sort((a, b) => (a.name < b.name ? -1 : 1)),
    unreadable: [...r.unreadable].sort((a, b) => (a.path < b.path ? -1 : 1)),
  };
}

describe('local walk: files stat\'ed off the main thread', () => {
  test('the same listing, temps, bad names and unreadable entries as stat\'ing on this thread', async () => {
    const root = tree();
    try {
      const seen: Record<string, string[]> = { here: [], worker: [] };
      const opts = (who: string) => ({
        include: (p: string, t: string) => { seen[who].push(`${t}:${p}`); return p !== 'skip' && !p.endsWith('.log'); },
      });
      const here = await walkLocal(root, opts('here'), Infinity);
      const off = await walkLocal(root, opts('worker'), 0);
      assert.deepEqual(norm(off), norm(here));
      assert.deepEqual([...seen.worker].sort(), [...seen.here].sort(), 'include asked about the same paths, as the same types');
      const n = norm(here);
      assert.equal(n.entries.filter((e) => e.type === 'file').length, 6 * 40 + 1 + 1 + 40, 'the files, the linked file, the files through the linked folder');
      assert.deepEqual(n.entries.find((e) => e.path === 'd1/f7.txt'), { path: 'd1/f7.txt', type: 'file', size: 47, mtime: 1_700_000_007_500, mode: 0o644 });
      assert.deepEqual(n.entries.find((e) => e.path === 'link-to-file'), { ...n.entries.find((e) => e.path === 'top.txt'), path: 'link-to-file' });
      assert.equal(n.entries.some((e) => e.path.startsWith('skip') || e.path.endsWith('.log') || e.path === 'd4/pipe' || e.path === 'broken'), false);
      assert.deepEqual(n.stale, ['.rs-tmp-0123456789ab', 'd1/.rs-tmp-aaaaaaaaaaaa']);
      assert.deepEqual(n.bad.map((b) => b.name), ['back\\slash.txt']);
      assert.deepEqual(n.unreadable.map((u) => u.path), ['d3/loop-up', 'self']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('a batch: numbers per name, a vanished name, the worker answers as this thread does', async () => {
    const root = tree();
    try {
      const names = ['top.txt', 'gone.txt', 'd0', 'link-to-file'].map((n) => join(root, n));
      const here = statPaths(names);
      assert.equal(here.nums[0], FILE);
      assert.equal(here.nums[1], 3);
      assert.equal(here.nums[FIELDS], GONE);
      assert.equal(here.nums[2 * FIELDS], DIR);
      assert.equal(here.nums[3 * FIELDS], FILE);
      const w = new StatWorker();
      try {
        const off = await w.stat(names);
        assert.deepEqual([...off.nums], [...here.nums]);
        assert.deepEqual(off.errors, here.errors);
      } finally {
        w.close();
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
