// Ignore files (".gitignore" in the root and subfolders) and pattern files (src/core/ignore/ignore-files.ts),
// with real files; and a session that uses them, between two local folders.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Filter } from '../../src/core/filter.js';
import { patternLines, readIgnoreFiles, readPatternFile, rebase } from '../../src/core/ignore/ignore-files.js';
import { SyncSession } from '../../src/core/session.js';
import { createTarget, remoteId } from '../../src/core/targets/index.js';
import { SyncError } from '../../src/core/errors.js';

const root = mkdtempSync(join(tmpdir(), 'rs-ignore-'));
after(() => rmSync(root, { recursive: true, force: true }));
const put = (base: string, rel: string, text = 'x') => { const p = join(base, rel); mkdirSync(dirname(p), { recursive: true }); writeFileSync(p, text); };

test('gitignore syntax: comments, blank lines, trailing spaces, escapes', () => {
  assert.deepEqual(patternLines('# c\n\n*.log  \n\\#hash\n!keep.log\r\nbuild/\n'), ['*.log', '\\#hash', '!keep.log', 'build/']);
});

test('a subfolder\'s patterns apply below it only', () => {
  assert.equal(rebase('*.log', ''), '*.log');
  assert.equal(rebase('*.log', 'app'), '/app/**/*.log');
  assert.equal(rebase('/dist', 'app'), '/app/dist');
  assert.equal(rebase('cache/', 'a/b'), '/a/b/**/cache/');
  assert.equal(rebase('docs/*.md', 'a'), '/a/docs/*.md');
  assert.equal(rebase('!keep.log', 'app'), '!/app/**/keep.log');
});

test('readIgnoreFiles: root and nested files, git semantics, excluded folders not walked', () => {
  const dir = join(root, 'tree');
  put(dir, '.gitignore', '*.log\n/build/\nnode_modules/\n');
  put(dir, 'app/.gitignore', 'secret.txt\n!important.log\n/local-only\n');
  put(dir, 'node_modules/pkg/.gitignore', 'SHOULD-NOT-BE-READ\n');
  put(dir, 'other/.gitignore', '# nothing but a comment\n');
  const patterns = readIgnoreFiles(dir, ['.gitignore']);
  assert.deepEqual(patterns, ['*.log', '/build/', 'node_modules/', '/app/**/secret.txt', '!/app/**/important.log', '/app/local-only']);
  const f = new Filter({ exclude: patterns });
  assert.ok(f.isExcluded('a.log', 'file'));
  assert.ok(f.isExcluded('app/x/debug.log', 'file'));
  assert.ok(!f.isExcluded('app/important.log', 'file'), 're-included below app/');
  assert.ok(f.isExcluded('important.log', 'file'), 'but not at the root');
  assert.ok(f.isExcluded('app/deep/secret.txt', 'file'));
  assert.ok(!f.isExcluded('secret.txt', 'file'), 'app/.gitignore does not apply at the root');
  assert.ok(f.isExcluded('app/local-only', 'file'));
  assert.ok(!f.isExcluded('app/sub/local-only', 'file'), 'anchored to app/');
  assert.ok(f.isExcluded('build', 'dir'));
  assert.ok(!f.isExcluded('app/build', 'dir'));
  assert.deepEqual(readIgnoreFiles(dir, []), []);
  assert.deepEqual(readIgnoreFiles(dir, ['.syncignore']), []);
});

test('readPatternFile: a missing file is an error naming it', () => {
  const f = join(root, 'patterns.txt');
  writeFileSync(f, '*.tmp\n# c\n');
  assert.deepEqual(readPatternFile(f, '--exclude-from'), ['*.tmp']);
  assert.throws(() => readPatternFile(join(root, 'nope.txt'), '--exclude-from'),
    (e: unknown) => e instanceof SyncError && e.message.includes('--exclude-from') && e.message.includes('nope.txt'));
});

test('a session with ignoreFiles leaves out what .gitignore files say, in every folder', async () => {
  const local = join(root, 's-local');
  const remote = join(root, 's-remote');
  mkdirSync(remote, { recursive: true });
  put(local, '.gitignore', '*.log\n');
  put(local, 'src/.gitignore', 'generated/\n');
  put(local, 'index.html');
  put(local, 'debug.log');
  put(local, 'src/app.js');
  put(local, 'src/generated/out.js');
  put(local, 'generated/kept.js');
  const spec = { protocol: 'local' as const, path: remote };
  const s = new SyncSession({
    local: createTarget({ protocol: 'local', path: local }), remote: createTarget(spec), localRoot: local, remoteId: remoteId(spec),
    filter: { ignoreFiles: ['.gitignore'] },
  });
  try {
    await s.run({ mode: 'upload' });
  } finally { await s.close(); }
  for (const p of ['index.html', 'src/app.js', 'generated/kept.js', '.gitignore', 'src/.gitignore']) assert.ok(existsSync(join(remote, p)), p);
  for (const p of ['debug.log', 'src/generated']) assert.ok(!existsSync(join(remote, p)), p);
});
