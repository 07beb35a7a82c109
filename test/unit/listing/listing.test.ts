// The compact listing (src/core/listing/listing.ts): what Target.list returns. It must answer as the
// Map<string, Entry> it replaces did (get, has, keys, values, iteration, size), keep a path's last
// add, count files, and hand out fresh Entry objects (a caller may change its copy).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Listing } from '../../../src/core/listing/listing.js';
import type { Entry } from '../../../src/core/types.js';

const F = (path: string, size: number, mtime: number, mode?: number): Entry => ({ path, type: 'file', size, mtime, ...(mode !== undefined ? { mode } : {}) });
const D = (path: string, mtime = 5, mode?: number): Entry => ({ path, type: 'dir', size: 0, mtime, ...(mode !== undefined ? { mode } : {}) });

describe('Listing', () => {
  test('answers like the Map of entries it replaces', () => {
    const entries = [D('a', 7, 0o755), F('a/b.txt', 12, 1_700_000_000_123, 0o644), F('c', 0, 3), D('e')];
    const map = new Map(entries.map((e) => [e.path, e]));
    const l = Listing.from(entries);
    assert.equal(l.size, map.size);
    assert.equal(l.fileCount, 2);
    for (const [p, e] of map) {
      assert.equal(l.has(p), true);
      assert.deepEqual(l.get(p), e);
    }
    assert.equal(l.has('nope'), false);
    assert.equal(l.get('nope'), undefined);
    assert.equal(l.slot('nope'), -1);
    assert.deepEqual([...l.keys()], [...map.keys()]);
    assert.deepEqual([...l.values()], [...map.values()]);
    assert.deepEqual([...l], [...map]);
    assert.deepEqual([...l.entries()], [...map.entries()]);
    const seen: string[] = [];
    l.forEach((e, p, m) => { assert.equal(e.path, p); assert.equal(m, l); seen.push(p); });
    assert.deepEqual(seen, [...map.keys()]);
    assert.deepEqual(Listing.from(map), l, 'from a map: the same listing');
    assert.equal(Listing.from(l), l, 'a listing is taken as it is');
  });

  test('numbers by slot; no mode stays absent; Entries are fresh copies', () => {
    const l = new Listing();
    l.add('x', 'file', 2 ** 40, 1_700_000_000_000);
    l.add('y', 'dir', 0, 9, 0o700);
    const i = l.slot('x');
    assert.equal(l.pathAt(i), 'x');
    assert.equal(l.typeAt(i), 'file');
    assert.equal(l.isDirAt(i), false);
    assert.equal(l.sizeAt(i), 2 ** 40);
    assert.equal(l.mtimeAt(i), 1_700_000_000_000);
    assert.equal('mode' in l.get('x')!, false);
    assert.equal(l.get('y')!.mode, 0o700);
    assert.equal(l.isDirAt(l.slot('y')), true);
    const e = l.get('x')!;
    e.size = 1;
    assert.equal(l.get('x')!.size, 2 ** 40, 'changing a copy changes nothing in the listing');
  });

  test('a repeated path keeps its last add; delete; file count follows; grows past its first capacity', () => {
    const l = new Listing();
    l.add('p', 'file', 1, 1);
    l.add('p', 'dir', 0, 2);
    assert.equal(l.size, 1);
    assert.equal(l.fileCount, 0);
    assert.deepEqual(l.get('p'), D('p', 2));
    l.add('p', 'file', 3, 4);
    assert.equal(l.fileCount, 1);
    assert.equal(l.delete('p'), true);
    assert.equal(l.delete('p'), false);
    assert.equal(l.size, 0);
    assert.equal(l.fileCount, 0);
    for (let n = 0; n < 5000; n++) l.add(`d/${n}`, 'file', n, n * 1000);
    assert.equal(l.size, 5000);
    assert.equal(l.fileCount, 5000);
    assert.deepEqual(l.get('d/4321'), F('d/4321', 4321, 4_321_000));
  });
});
