// The compact listing (src/core/listing/listing.ts): what Target.list returns. It must answer as the
// Map<string, Entry> it replaces did (get, has, keys, values, iteration, size), keep a path's last
// add, count files, and hand out fresh Entry objects (a caller may change its copy); through the
// state's path index, the same answers, and none wrong once that index changes under it.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Listing } from '../../../src/core/listing/listing.js';
import { StateTable } from '../../../src/core/state/table.js';
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

describe('Listing through the state\'s path index', () => {
  const table = () => {
    const t = new StateTable();
    for (const p of ['a', 'a/b.txt', 'c']) t.setRaw(p, p === 'a', 1, 2, 1, 2);
    return t;
  };
  const indexOf = (t: StateTable) => {
    let generation = 0;
    return { index: { lookup: (p: string) => t.lookup(p), keyAt: (s: number) => t.keyAt(s), get generation() { return generation; } }, bump: () => { generation++; } };
  };

  test('keeps the state\'s strings, finds known and new paths, pairs by slot', () => {
    const t = table();
    const { index } = indexOf(t);
    const l = new Listing(index);
    const fresh = ['a', 'b.txt'].join('/'); // an equal string, not the state's
    l.add(fresh, 'file', 5, 6);
    l.add('new.txt', 'file', 7, 8);
    l.add('a', 'dir', 0, 1);
    assert.equal(l.size, 3);
    assert.equal(l.fileCount, 2);
    assert.deepEqual(l.get('a/b.txt'), F('a/b.txt', 5, 6));
    assert.deepEqual(l.get('new.txt'), F('new.txt', 7, 8));
    assert.equal(l.has('c'), false, 'in the state, not listed');
    assert.equal(l.sharesIndex(index), true);
    const s = t.lookup('a/b.txt');
    assert.equal(l.sharedSlotAt(l.slot('a/b.txt')), s);
    assert.equal(l.slotOfShared(s, index), l.slot('a/b.txt'));
    assert.equal(l.sharedSlotAt(l.slot('new.txt')), -1);
    assert.deepEqual([...l.keys()], ['a/b.txt', 'new.txt', 'a']);
    l.add('a/b.txt', 'file', 9, 9);
    assert.equal(l.size, 3, 'added again: the same slot');
    assert.deepEqual(l.get('a/b.txt'), F('a/b.txt', 9, 9));
    assert.equal(l.delete('a/b.txt'), true);
    assert.equal(l.has('a/b.txt'), false);
    assert.equal(l.fileCount, 1);
  });

  test('a path listed before the state had a record of it is still found by slot', () => {
    const t = table();
    const { index } = indexOf(t);
    const l = new Listing(index);
    l.add('late.txt', 'file', 1, 1);
    t.setRaw('late.txt', false, 1, 1, 1, 1);
    assert.equal(l.has('late.txt'), true);
    assert.equal(l.slotOfShared(t.lookup('late.txt'), index), l.slot('late.txt'));
    l.add('late.txt', 'file', 2, 2);
    assert.equal(l.size, 1);
    assert.equal(l.get('late.txt')!.size, 2);
  });

  test('the index changing under it (a record removed, a reload): the listing indexes its paths itself', () => {
    const t = table();
    const { index, bump } = indexOf(t);
    const l = new Listing(index);
    l.add('a/b.txt', 'file', 5, 6);
    l.add('c', 'file', 1, 2);
    t.delete('a/b.txt');
    t.setRaw('other', false, 0, 0, 0, 0); // may take the freed slot
    bump();
    assert.equal(l.sharesIndex(index), false);
    assert.deepEqual(l.get('a/b.txt'), F('a/b.txt', 5, 6));
    assert.equal(l.has('other'), false);
    assert.deepEqual([...l.keys()].sort(), ['a/b.txt', 'c']);
    l.add('other', 'file', 3, 3);
    assert.equal(l.size, 3);
  });
});
