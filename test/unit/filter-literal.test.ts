// Filter: a pattern that is a plain name (".git", "node_modules", "a b.txt") is matched by comparing
// the last path segment instead of running minimatch per path. It must decide exactly as minimatch
// does for every path; this compares the two on names that differ by case, a prefix, a suffix, a dot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Minimatch } from 'minimatch';
import { Filter } from '../../src/core/filter.js';

const patterns = ['.git', 'node_modules', '.DS_Store', 'a b.txt', 'x.y', 'ü-file', 'name~'];
const paths = [
  '.git', 'x/.git', 'x/y/.git', '.gitignore', 'x/.git2', 'x/a.git', 'x.git', '.GIT', 'a/.git/b',
  'node_modules', 'src/node_modules', 'src/node_modules/pkg', 'node_modules2', 'my_node_modules', 'Node_Modules',
  '.DS_Store', 'photos/.DS_Store', 'photos/x.DS_Store', 'a b.txt', 'dir/a b.txt', 'dir/xa b.txt', 'x.y', 'x/x.y',
  'xy', 'x/xxy', 'ü-file', 'd/ü-file', 'name~', 'd/name~', 'd/name', '',
];

test('a plain-name pattern decides as minimatch "**/name" does, for files and folders', () => {
  const builtin = new Filter(); // .git/, .DS_Store… are excluded whatever the pattern
  for (const pat of patterns) {
    const mm = new Minimatch(`**/${pat}`, { dot: true, nocomment: true, nonegate: true });
    const f = new Filter({ exclude: [pat] });
    for (const p of paths) {
      if (!p) continue;
      for (const type of ['file', 'dir'] as const) {
        assert.equal(f.isExcluded(p, type), mm.match(p) || builtin.isExcluded(p, type), `pattern ${JSON.stringify(pat)}, ${type} ${JSON.stringify(p)}`);
      }
    }
  }
});

test('folder-only names, negations and the built-ins keep their meaning', () => {
  const f = new Filter({ exclude: ['cache/', 'logs', '!keep'] });
  assert.equal(f.isExcluded('a/cache', 'dir'), true);
  assert.equal(f.isExcluded('a/cache', 'file'), false, 'a trailing slash: folders only');
  assert.equal(f.isExcluded('logs', 'file'), true);
  assert.equal(f.isExcluded('deep/er/logs', 'dir'), true);
  assert.equal(f.isExcluded('keep', 'file'), false);
  assert.equal(f.isBuiltinExcluded('sub/.git', 'dir'), true);
  assert.equal(f.isBuiltinExcluded('sub/.git', 'file'), false, '".git/" is a folder pattern');
  assert.equal(f.isBuiltinExcluded('sub/.remote-sync', 'dir'), true);
  assert.equal(f.isBuiltinExcluded('sub/.DS_Store', 'file'), true);
  assert.equal(f.isBuiltinExcluded('sub/x.DS_Store', 'file'), false);
  // glob patterns still go through minimatch
  const g = new Filter({ exclude: ['*.log', 'build/*.tmp', 'a?c'] });
  assert.equal(g.isExcluded('x/y.log', 'file'), true);
  assert.equal(g.isExcluded('build/q.tmp', 'file'), true);
  assert.equal(g.isExcluded('z/abc', 'file'), true);
  assert.equal(g.isExcluded('z/abbc', 'file'), false);
});
