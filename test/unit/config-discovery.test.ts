// Where `remote-sync run` looks for its config and which file it accepts (issue "Security", item 2):
// the upward search stops at $HOME and after a repository root; a file others can change is refused.
// (Folders and files of another user: test/integration/security/planted-config.test.ts.)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { searchConfigFile, findConfigFile, loadOwnConfig, CONFIG_RELATIVE_PATH } from '../../src/core/config/index.js';
import { loadProjectConfig } from '../../src/cli/specs.js';
import { SyncError } from '../../src/core/errors.js';

const posix = process.platform !== 'win32';
const root = mkdtempSync(join(tmpdir(), 'rs-discovery-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
function place(dir: string, localRoot = '.'): string {
  mkdirSync(join(dir, '.vscode'), { recursive: true });
  const file = join(dir, CONFIG_RELATIVE_PATH);
  writeFileSync(file, JSON.stringify({ localRoot, targets: { t: { protocol: 'local', remotePath: '/tmp/x' } } }));
  chmodSync(file, 0o644);
  return file;
}
const fresh = () => { const d = join(root, String(n++)); mkdirSync(d, { recursive: true }); return d; };

test('found in the current folder or above it, up to a repository root', () => {
  const d = fresh();
  const file = place(join(d, 'ws'));
  mkdirSync(join(d, 'ws/a/b'), { recursive: true });
  assert.equal(findConfigFile(join(d, 'ws/a/b'), { home: '/nonexistent' }), file);
  // a repository below the config: its root ends the search
  mkdirSync(join(d, 'ws/repo/.git'), { recursive: true });
  mkdirSync(join(d, 'ws/repo/src'), { recursive: true });
  const s = searchConfigFile(join(d, 'ws/repo/src'), { home: '/nonexistent' });
  assert.equal(s.file, undefined);
  assert.deepEqual(s.stoppedAt, { dir: join(d, 'ws/repo'), reason: 'it is the root of a repository (.git)' });
  // ... whose own config is found (a worktree's .git is a file: same rule)
  const inRepo = place(join(d, 'ws/repo'));
  assert.equal(findConfigFile(join(d, 'ws/repo/src'), { home: '/nonexistent' }), inRepo);
  mkdirSync(join(d, 'ws/wt/x'), { recursive: true });
  writeFileSync(join(d, 'ws/wt/.git'), 'gitdir: ../repo/.git/worktrees/wt\n');
  assert.equal(searchConfigFile(join(d, 'ws/wt/x'), { home: '/nonexistent' }).stoppedAt?.dir, join(d, 'ws/wt'));
});

test('never above the home folder, nor in it unless the search starts there', () => {
  const d = fresh();
  const home = join(d, 'home/me');
  place(d, '~');                // above home
  place(home, '~');              // home itself
  mkdirSync(join(home, 'project/sub'), { recursive: true });
  const s = searchConfigFile(join(home, 'project/sub'), { home });
  assert.equal(s.file, undefined);
  assert.deepEqual(s.stoppedAt, { dir: home, reason: 'it is your home folder' });
  assert.equal(findConfigFile(home, { home }), join(home, CONFIG_RELATIVE_PATH), 'run from $HOME itself');
  // the CLI's message says where and why the search stopped
  assert.throws(() => loadProjectConfig(join(home, 'project/sub'), { HOME: home }), (e: unknown) => {
    assert.ok(e instanceof SyncError);
    assert.equal(e.code, 'config');
    assert.equal(e.message, `No ${CONFIG_RELATIVE_PATH} in ${join(home, 'project/sub')} or a folder above it (the search stopped at ${home}: it is your home folder)`);
    return true;
  });
});

test('a config file group or others can change is refused, naming the file and the fix; 0644 and 0600 are fine', { skip: !posix && 'POSIX modes' }, () => {
  const d = fresh();
  const file = place(d);
  for (const mode of [0o664, 0o646, 0o666]) {
    chmodSync(file, mode);
    assert.throws(() => loadOwnConfig(file), (e: unknown) => {
      assert.ok(e instanceof SyncError);
      assert.equal(e.code, 'config');
      assert.equal(e.message, `Refusing the config file ${file}: other users can change it (mode 0${mode.toString(8)})`);
      assert.match(e.toString(), new RegExp(`safe\\.directory.*chmod go-w ${file}`));
      return true;
    });
  }
  for (const mode of [0o644, 0o600, 0o400]) {
    chmodSync(file, mode);
    assert.equal(loadOwnConfig(file).defaultTarget, 't');
  }
  // a link to a file others can change: the file is what counts
  const shared = join(d, 'shared.json');
  writeFileSync(shared, '{ "targets": { "t": { "protocol": "local", "remotePath": "/x" } } }');
  chmodSync(shared, 0o666);
  const linked = place(join(d, 'linked'));
  rmSync(linked);
  symlinkSync(shared, linked);
  assert.throws(() => loadOwnConfig(linked), /other users can change it \(mode 0666\)/);
});
