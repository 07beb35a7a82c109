// The `find` listing over SSH (core/targets/sftp-exec-list.ts), its pure parts: the command it runs,
// the parser of find's output (split anywhere by the channel; anything odd makes it unusable, never a
// shorter listing), and the names a filter lets a listing prune. The same listing as the SFTP walk on
// real trees: test/integration/sftp-exec-list.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FindParser, findCommand } from '../../../src/core/targets/sftp-exec-list.js';
import { Filter } from '../../../src/core/filter.js';
import type { ListOptions } from '../../../src/core/types.js';

const HEADER = 'rs-list-1\0';
const rec = (y: string, size: number | string, time: string, mode: string, path: string) => `${y} ${size} ${time} ${mode} ${path}\0`;
const TREE = [
  rec('d', 4096, '1700000000.5000000000', '755', 'a'),
  rec('f', 12, '1700000001.9990000000', '644', 'a/x.txt'),
  rec('f', 5368709120, '1700000002.0000000000', '600', 'a/big bin'),
  rec('d', 4096, '1700000003.0000000000', '700', 'skip'),
  rec('f', 1, '1700000004.0000000000', '644', 'skip/in.txt'),
  rec('d', 4096, '1700000005.0000000000', '755', 'skip/deeper'),
  rec('f', 1, '1700000006.0000000000', '644', 'skip/deeper/in.txt'),
  rec('d', 4096, '1700000007.0000000000', '755', '.rs-tmp-folder'),
  rec('f', 3, '1700000008.0000000000', '644', '.rs-tmp-folder/f'),
  rec('f', 3, '1700000009.0000000000', '644', 'a/.rs-tmp-0123456789ab'),
  rec('d', 4096, '1700000010.0000000000', '755', 'bad\\name'),
  rec('f', 3, '1700000011.0000000000', '644', 'bad\\name/f'),
  rec('d', 4096, '1700000012.0000000000', '755', '.remote-sync'),
  rec('f', 3, '1700000013.0000000000', '644', '.remote-sync/state'),
  rec('l', 7, '1700000014.0000000000', '777', 'broken link'),
  rec('p', 0, '1700000015.0000000000', '644', 'fifo'),
  rec('f', 2, '1700000016.0000000000', '4755', 'line\nbreak é 日本.txt'),
  rec('f', 0, '0.0000000000', '644', 'epoch'),
  'rs-end\0',
].join('');

const options = (): ListOptions => ({ include: (p) => p !== 'skip' });
function parse(chunks: Buffer[], opts = options()): FindParser {
  const p = new FindParser(opts);
  for (const c of chunks) if (!p.push(c)) break;
  return p;
}
const entries = (p: FindParser) => [...p.out.values()].map((e) => ({ ...e })).sort((a, b) => (a.path < b.path ? -1 : 1));

test('find output: files and folders as the SFTP walk lists them; temps, bad names, the state folder, links and pipes as it leaves them', () => {
  const p = parse([Buffer.from(HEADER + TREE)]);
  assert.equal(p.failed, undefined);
  assert.ok(p.end());
  assert.deepEqual(entries(p), [
    { path: 'a', type: 'dir', size: 0, mtime: 1700000000000, mode: 0o755 },
    { path: 'a/big bin', type: 'file', size: 5368709120, mtime: 1700000002000, mode: 0o600 },
    { path: 'a/x.txt', type: 'file', size: 12, mtime: 1700000001000, mode: 0o644 },
    { path: 'epoch', type: 'file', size: 0, mtime: 0, mode: 0o644 },
    { path: 'line\nbreak é 日本.txt', type: 'file', size: 2, mtime: 1700000016000, mode: 0o755 },
  ]);
  assert.deepEqual(p.stale.sort(), ['.rs-tmp-folder', 'a/.rs-tmp-0123456789ab']);
  assert.deepEqual(p.bad.map((b) => [b.path, b.name]), [['', 'bad\\name']]);
});

test('find output split anywhere (every split point, and byte by byte) gives the same listing', () => {
  const all = Buffer.from(HEADER + TREE);
  const whole = entries(parse([all]));
  for (let i = 1; i < all.length; i++) {
    const p = parse([all.subarray(0, i), all.subarray(i)]);
    assert.ok(p.end(), `split at ${i}: ${p.failed}`);
    assert.deepEqual(entries(p), whole, `split at ${i}`);
  }
  const bytes = parse([...all].map((b) => Buffer.from([b])));
  assert.ok(bytes.end());
  assert.deepEqual(entries(bytes), whole);
});

test('find output that cannot be trusted is refused, never read as a shorter listing', () => {
  const bad: [string, string][] = [
    ['no header', TREE],
    ['a banner before the header', `hello\n${HEADER}${TREE}`],
    ['no trailer (find stopped)', HEADER + TREE.replace('rs-end\0', '')],
    ['a cut record', HEADER + TREE.replace('rs-end\0', '') + 'f 12 170'],
    ['output after the trailer', `${HEADER}${TREE}${rec('f', 1, '1.0', '644', 'late')}`],
    ['a time before 1970', HEADER + rec('f', 1, '-1.5000000000', '644', 'old') + 'rs-end\0'],
    ['a time after 2106', HEADER + rec('f', 1, '4294967296.0000000000', '644', 'late') + 'rs-end\0'],
    ['a size past 2^53', HEADER + rec('f', '9007199254740993', '1.0', '644', 'huge') + 'rs-end\0'],
    ['a mode that is not octal', HEADER + rec('f', 1, '1.0', '648', 'm') + 'rs-end\0'],
    ['a size that is not a number', HEADER + rec('f', 'x', '1.0', '644', 'm') + 'rs-end\0'],
    ['no path', `${HEADER}f 1 1.0 644 \0rs-end\0`],
    ['too few fields', `${HEADER}f 1 1.0\0rs-end\0`],
    ['a two-letter type', `${HEADER}ff 1 1.0 644 x\0rs-end\0`],
    ['a name that is not UTF-8', Buffer.concat([Buffer.from(HEADER + 'f 1 1.0 644 a'), Buffer.from([0xff]), Buffer.from('\0rs-end\0')]).toString('latin1')],
  ];
  for (const [why, text] of bad) {
    const p = parse([Buffer.from(text, why === 'a name that is not UTF-8' ? 'latin1' : 'utf8')]);
    assert.ok(!p.end(), `${why}: taken as a whole listing`);
  }
  // U+FFFD in a name, even as valid UTF-8: refused (the SFTP walk decodes bad bytes to it: it cannot tell)
  assert.ok(!parse([Buffer.from(HEADER + rec('f', 1, '1.0', '644', 'x\ufffdy') + 'rs-end\0')]).end());
});

test('the root as the SFTP server lists it must agree with find: names, types, sizes and times', () => {
  const p = parse([Buffer.from(HEADER + TREE)]);
  const root = [
    { name: 'a', type: 'dir' as const, size: 4096, mtime: 1700000000 },
    { name: 'skip', type: 'dir' as const, size: 4096, mtime: 1700000003 },
    { name: '.rs-tmp-folder', type: 'dir' as const, size: 4096, mtime: 1700000007 },
    { name: 'bad\\name', type: 'dir' as const, size: 4096, mtime: 1700000010 },
    { name: '.remote-sync', type: 'dir' as const, size: 4096, mtime: 1700000012 },
    { name: 'broken link', type: 'link' as const, size: 7, mtime: 1700000014 },
    { name: 'fifo', type: undefined, size: 0, mtime: 1700000015 },
    { name: 'line\nbreak é 日本.txt', type: 'file' as const, size: 2, mtime: 1700000016 },
    { name: 'epoch', type: 'file' as const, size: 0, mtime: 0 },
  ];
  assert.equal(p.rootDiffers(root), undefined);
  assert.match(p.rootDiffers(root.slice(1)) ?? '', /1 more entries/);
  assert.match(p.rootDiffers([...root, { name: 'other', type: 'file', size: 1, mtime: 1 }]) ?? '', /"other" is missing/);
  assert.match(p.rootDiffers(root.map((e) => (e.name === 'epoch' ? { ...e, size: 1 } : e))) ?? '', /"epoch" has another size or time/);
  assert.match(p.rootDiffers(root.map((e) => (e.name === 'epoch' ? { ...e, mtime: 1 } : e))) ?? '', /"epoch" has another size or time/);
  assert.match(p.rootDiffers(root.map((e) => (e.name === 'a' ? { ...e, type: 'file' as const } : e))) ?? '', /"a" is of another type/);
});

test('the find command: roots it cannot quote alike in every shell are refused; pruned names printed, their content not read', () => {
  for (const root of ['/', 'relative', "/it's", '/back\\slash', '/bang!', '/line\nbreak', '/tab\there', '/del\u007f']) {
    assert.equal(findCommand(root, []), undefined, JSON.stringify(root));
  }
  const cmd = findCommand('/srv/my site (é) $HOME `id` ;', [
    { name: 'node_modules', dirOnly: false }, { name: '.git', dirOnly: true }, { name: "it's", dirOnly: false }, { name: 'a*b', dirOnly: false }, { name: 'x/y', dirOnly: false },
  ])!;
  assert.ok(cmd.startsWith("printf 'rs-list-1\\0' && env LC_ALL=C find -L '/srv/my site (é) $HOME `id` ;' -mindepth 1 "), cmd);
  assert.ok(cmd.includes("\\( -name 'node_modules' -o \\( -name '.git' -type d \\) \\) -printf '%y %s %T@ %m %P\\0' -prune -o -printf '%y %s %T@ %m %P\\0'"), cmd);
  assert.ok(!cmd.includes("it's") && !cmd.includes('a*b') && !cmd.includes('x/y'), cmd);
  assert.ok(cmd.endsWith("&& printf 'rs-end\\0'"), cmd);
});

test('pruneNames: only plain names every rule leaves excluded; the built-ins alone on a one-way run\'s destination', () => {
  const builtin = ['.git', '.hg', '.svn', '.DS_Store', '.remote-sync'];
  const names = (f: Filter, b?: boolean) => f.pruneNames(b).map((p) => `${p.name}${p.dirOnly ? '/' : ''}`);
  assert.deepEqual(names(new Filter()), ['.git/', '.hg/', '.svn/', '.DS_Store', '.remote-sync']);
  const f = new Filter({ exclude: ['node_modules', 'vendor/', '/build', 'docs/tmp', '*.log', '**/cache', 'a?c', ' spaced '] });
  assert.deepEqual(names(f).filter((n) => !builtin.includes(n.replace(/\/$/, ''))), ['node_modules', 'vendor/', 'spaced']);
  assert.deepEqual(names(f, true).length, builtin.length);
  // a re-include could admit one of them below: only the built-ins (which nothing re-includes)
  assert.deepEqual(names(new Filter({ exclude: ['node_modules', '!node_modules/keep'] })).length, builtin.length);
  // every pruned name is excluded wherever it is, as the kind of entry it is pruned for
  for (const p of f.pruneNames()) {
    for (const path of [p.name, `x/${p.name}`, `x/y/${p.name}`]) {
      assert.ok(f.isExcluded(path, 'dir'), `${path} (folder)`);
      if (!p.dirOnly) assert.ok(f.isExcluded(path, 'file'), `${path} (file)`);
    }
  }
});
