// Filter.explain: which pattern leaves a path out (for "Upload to Remote" on an excluded file and
// for upload on save), including a folder above it, the built-ins and "match".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Filter } from '../../src/core/filter.js';

test('names the pattern, the folder it matched, the built-ins, and match patterns', () => {
  const f = new Filter({ exclude: ['*.log', 'build/', '!keep.log'] });
  assert.equal(f.explain('debug.log', 'file'), 'excluded by "*.log" in "ignore"');
  assert.equal(f.explain('keep.log', 'file'), undefined, 'a later negation re-includes');
  assert.equal(f.explain('build/out/app.js', 'file'), 'excluded by "build/" in "ignore" (the folder build/)');
  assert.equal(f.explain('.git/HEAD', 'file'), 'always left out (".git/") (the folder .git/)');
  assert.equal(f.explain('src/app.js', 'file'), undefined);
  const m = new Filter({ match: ['*.php'] });
  assert.equal(m.explain('style.css', 'file'), 'not matched by the "match" patterns ("*.php")');
  assert.equal(m.explain('lib', 'dir'), undefined, 'match applies to files only');
  // explain agrees with isExcluded
  for (const p of ['debug.log', 'keep.log', 'src/app.js']) assert.equal(f.explain(p, 'file') !== undefined, f.isExcluded(p, 'file'));
});
