// Review of the find parser (core/targets/sftp-exec-list.ts): links to folders (marked "L" by the
// command) that the listing holds are checked for a loop as the SFTP walk checks them (find does not
// meet a loop whose way back down passes a pruned folder).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FindParser, findCommand } from '../../../src/core/targets/sftp-exec-list.js';
import type { PruneName } from '../../../src/core/types.js';

const HEADER = 'rs-list-1\0';
const rec = (y: string, path: string) => `${y} 4096 1700000000.0 755 ${path}\0`;
const prune: PruneName[] = [{ name: 'build', dirOnly: true }, { name: '.remote-sync', dirOnly: false }];

function parse(text: string, include: (p: string) => boolean = () => true): FindParser {
  const p = new FindParser({ include });
  assert.ok(p.push(Buffer.from(HEADER + text + 'rs-end\0')), p.failed);
  assert.ok(p.end(), p.failed);
  return p;
}

test('the command marks links to folders', () => {
  assert.ok(findCommand('/srv/x', prune)!.includes("\\( -type d -xtype l -printf 'L' -o -true \\) , "));
});

test('every listed link to a folder is checked, with the links above it; excluded ones not', () => {
  const p = parse([
    rec('d', 'plain'), rec('d', 'plain/build'), // no link above: find would see a loop below (none here)
    rec('Ld', 'y'), rec('d', 'y/excl'), rec('d', 'y/excl/build'), // pruned below an excluded folder below the link
    rec('Ld', 'a'), rec('Ld', 'a/b'), rec('d', 'a/b/c'), rec('d', 'a/b/c/.remote-sync'),
    rec('Ld', 'nothing-pruned'), rec('d', 'nothing-pruned/sub'),
    rec('Ld', 'excluded-link'), rec('d', 'excluded-link/build'),
    rec('Ld', 'build'), // a pruned link (excluded): not followed by either
  ].join(''), (q) => q !== 'y/excl' && q !== 'excluded-link' && q !== 'build' && !q.endsWith('/build'));
  assert.deepEqual(p.linkChains().map((c) => c.join('>')).sort(), ['a', 'a>a/b', 'nothing-pruned', 'y']);
  // the marker is not part of the entry
  assert.deepEqual(p.out.get('a/b'), { path: 'a/b', type: 'dir', size: 0, mtime: 1700000000000, mode: 0o755 });
});

test('pruneNames (hypotheses ruled out): ignore-file patterns, rebased, re-included, escaped trailing space, other case', async () => {
  const { Filter } = await import('../../../src/core/filter.js');
  const { patternLines, rebase } = await import('../../../src/core/ignore/ignore-files.js');
  const user = (exclude: string[]) => new Filter({ exclude }).pruneNames().map((p) => p.name).filter((n) => !['.git', '.hg', '.svn', '.DS_Store', '.remote-sync'].includes(n));
  // a subfolder's ignore file: anchored below it, never a name pruned everywhere
  assert.deepEqual(user(['build', 'node_modules/'].map((p) => rebase(p, 'sub'))), []);
  // a re-include from a subfolder's file still turns pruning of the user's names off
  assert.deepEqual(user(['build', rebase('!build', 'sub')]), []);
  // "name\ " (an escaped trailing space) is not the plain name "name"
  assert.deepEqual(user(patternLines('cache\\ \nlogs   \n')), ['logs']);
  // names are pruned as written (find -name and the filter both tell case apart)
  const f = new Filter({ exclude: ['Build'] });
  assert.deepEqual(user(['Build']), ['Build']);
  assert.equal(f.isExcluded('x/build', 'dir'), false);
});
