// The editor's wording for a case-clash conflict (names that differ only in case, going to a side
// that does not tell them apart): it names the other spelling and says that no side's version fixes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Action } from '../../src/core/types.js';
import { describeConflict } from '../../src/extension/planGroups.js';

test('describeConflict: a case clash names the other spelling and that Keep Local / Keep Remote change nothing', () => {
  const a: Action = {
    kind: 'conflict', conflict: 'case-clash', path: 'docs/notes.txt', type: 'file', bytes: 0,
    reason: 'differs only in case from docs/Notes.txt; the server does not tell them apart, so both cannot exist there — rename one',
    localClass: 'new', remoteClass: 'missing', local: { path: 'docs/notes.txt', type: 'file', size: 1, mtime: 1 },
  };
  const text = describeConflict(a);
  assert.match(text, /"notes\.txt" differs only in case from docs\/Notes\.txt/);
  assert.match(text, /Keep Local and Keep Remote change nothing here: rename one of them/);
  assert.doesNotMatch(text, /uploads it again/, 'not the modified-deleted wording');
});
