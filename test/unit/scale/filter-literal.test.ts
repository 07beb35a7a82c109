// Patterns without wildcards are matched without minimatch (src/core/filter.ts, literalTest): every
// listed entry is checked against every rule, so this is on the path of a 100,000-file run. The
// answers must be minimatch's, for plain names at any depth and anchored paths.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Minimatch } from 'minimatch';
import { Filter } from '../../../src/core/filter.js';

const PATTERNS = ['.git', 'node_modules', 'a.b', 'x-y', '/build', 'docs/out', '/docs/out', 'é', '.DS_Store', 'cache/', '/a/b/'];
const PATHS = ['.git', 'a/.git', 'a/.gitx', 'a/x.git', '.git/config', 'node_modules', 'src/node_modules', 'src/node_modules/x',
  'a.b', 'aXb', 'q/a.b', 'x-y', 'build', 'src/build', 'build/x', 'docs/out', 'src/docs/out', 'docs/outx', 'é', 'd/é',
  'e', '.DS_Store', 'm/.DS_Store', 'cache', 'p/cache', 'a/b', 'a/b/c', 'x/a/b'];

/** the rule as minimatch alone reads it (the compile() of filter.ts without the literal shortcut) */
function reference(pattern: string, path: string, type: 'file' | 'dir'): boolean {
  let p = pattern;
  let dirOnly = false;
  if (p.endsWith('/')) { dirOnly = true; p = p.replace(/\/+$/, ''); }
  if (dirOnly && type !== 'dir') return false;
  const anchored = p.includes('/');
  p = p.replace(/^\/+/, '');
  if (!anchored) p = `**/${p}`;
  return new Minimatch(p, { dot: true, nocomment: true, nonegate: true }).match(path);
}

describe('filter: literal patterns', () => {
  test('the same answers as minimatch, for files and folders', () => {
    let excluded = 0;
    for (const pattern of PATTERNS) {
      const f = new Filter({ exclude: [pattern] });
      for (const path of PATHS) {
        for (const type of ['file', 'dir'] as const) {
          const builtin = new Filter().isExcluded(path, type);
          const want = builtin || reference(pattern, path, type);
          assert.equal(f.isExcluded(path, type), want, `${pattern} vs ${path} (${type})`);
          if (want) excluded++;
        }
      }
    }
    assert.ok(excluded > 30, 'the cases exclude something');
  });

  test('negation and match patterns with literals keep their meaning', () => {
    const f = new Filter({ exclude: ['docs', '!docs'] });
    assert.equal(f.isExcluded('docs', 'dir'), false);
    const m = new Filter({ match: ['index.html'] });
    assert.equal(m.isExcluded('index.html', 'file'), false);
    assert.equal(m.isExcluded('a/index.html', 'file'), false);
    assert.equal(m.isExcluded('a/index.htm', 'file'), true);
    assert.match(new Filter({ exclude: ['secret.txt'] }).explain('a/secret.txt', 'file') ?? '', /excluded by "secret.txt"/);
  });
});
