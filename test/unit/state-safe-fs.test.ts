// The state folder and its files never write through links (issue "Security", items 1 and 11):
// safe-fs.ts and the StateStore on top of it, with links, a FIFO, a hard link and a folder planted
// where the state goes. (Files owned by another user: test/integration/security/.)
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, symlinkSync, linkSync, statSync, lstatSync, chmodSync, existsSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { StateStore, stateFileFor } from '../../src/core/state.js';
import { ensureStateDir, STATE_GITIGNORE } from '../../src/core/state/state-dir.js';
import { createOwnedFile, openOwnedFile, readOwnedFile, writeOwnedFileAtomic } from '../../src/core/state/safe-fs.js';
import { SyncError } from '../../src/core/errors.js';
import type { PathState } from '../../src/core/types.js';

const posix = process.platform !== 'win32';
const base = mkdtempSync(join(tmpdir(), 'rs-safefs-'));
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
/** a fresh local root, and a victim file outside it (what a planted link points at) */
function setup() {
  const dir = join(base, String(n++));
  const root = join(dir, 'repo');
  mkdirSync(root, { recursive: true });
  const victim = join(dir, 'victim-file');
  writeFileSync(victim, 'export PS1=safe\n');
  const id = `sftp://u@h/${n}`;
  const store = () => new StateStore(stateFileFor(root, id), root, id);
  return { dir, root, victim, store, file: stateFileFor(root, id) };
}
const ps: PathState = { type: 'file', local: { size: 1, mtime: 1 }, remote: { size: 1, mtime: 1 } };
const refused = (re: RegExp) => (e: unknown) => {
  assert.ok(e instanceof SyncError, `not a SyncError: ${String(e)}`);
  assert.match(e.toString(), re);
  assert.match(e.toString(), /Remove it/);
  return true;
};
const tree = (d: string) => readdirSync(d, { recursive: true }).map(String).sort();

describe('state folder', { skip: !posix && 'POSIX links and modes' }, () => {
  test('created 0700 on the first write, with a .gitignore holding "*"', () => {
    const { root, store } = setup();
    const s = store();
    s.load();
    assert.equal(existsSync(join(root, '.remote-sync')), false, 'loading creates nothing');
    s.record('a', ps);
    const st = statSync(join(root, '.remote-sync'));
    assert.equal(st.mode & 0o777, 0o700);
    assert.equal(readFileSync(join(root, '.remote-sync/.gitignore'), 'utf8'), STATE_GITIGNORE);
    assert.match(STATE_GITIGNORE, /^\*$/m);
    s.compact();
    for (const f of readdirSync(join(root, '.remote-sync'))) {
      assert.equal(statSync(join(root, '.remote-sync', f)).mode & 0o077, 0, `${f} is readable by others`);
    }
  });

  test('git status does not show the state folder', { skip: !hasGit() && 'git is not installed' }, () => {
    const { root, store } = setup();
    execFileSync('git', ['init', '-q'], { cwd: root });
    writeFileSync(join(root, 'index.html'), 'x');
    const s = store();
    s.load(); s.record('index.html', ps); s.compact();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: root }).toString();
    assert.equal(status, '?? index.html\n');
  });

  test('an existing folder of ours (0.1.0 made it 0755) is narrowed to 0700; its content is kept', () => {
    const { root, store } = setup();
    mkdirSync(join(root, '.remote-sync'), { mode: 0o755 });
    chmodSync(join(root, '.remote-sync'), 0o755);
    const s = store();
    s.load(); s.record('a', ps); s.compact();
    assert.equal(statSync(join(root, '.remote-sync')).mode & 0o777, 0o700);
    const t = store(); t.load();
    assert.deepEqual(t.get('a'), ps);
  });

  test('a symlinked .remote-sync/ is refused on load: nothing read or written through it', () => {
    const { dir, root, store } = setup();
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    symlinkSync('../elsewhere', join(root, '.remote-sync'));
    const s = store();
    assert.throws(() => s.load(), refused(/\.remote-sync: it is a symbolic link/));
    assert.throws(() => s.record('a', ps), refused(/symbolic link/));
    assert.throws(() => s.compact(true), refused(/symbolic link/));
    assert.deepEqual(tree(elsewhere), []);
  });

  test('a file where the folder goes is refused', () => {
    const { root, store } = setup();
    writeFileSync(join(root, '.remote-sync'), 'x');
    assert.throws(() => store().load(), refused(/it is not a folder/));
  });
});

describe('state files', { skip: !posix && 'POSIX links' }, () => {
  test('a journal planted as a link to a file outside (the cloned-repo attack) is refused; the target is untouched', () => {
    const { root, victim, store, file } = setup();
    mkdirSync(join(root, '.remote-sync'), { mode: 0o700 });
    const journal = file.replace(/\.json$/, '.journal');
    symlinkSync('../../victim-file', journal);
    assert.equal(readFileSync(journal, 'utf8'), 'export PS1=safe\n', 'the link works');
    const s = store();
    assert.throws(() => s.load(), refused(new RegExp(`${basename(journal)}: it is a symbolic link`)));
    assert.throws(() => s.record('$(cd;id>pwned)', ps), refused(/symbolic link/));
    assert.equal(readFileSync(victim, 'utf8'), 'export PS1=safe\n');
    assert.ok(lstatSync(journal).isSymbolicLink(), 'left for the user to see');
  });

  test('a dangling journal link (to a file that does not exist yet) creates nothing at its target', () => {
    const { dir, root, store, file } = setup();
    mkdirSync(join(root, '.remote-sync'), { mode: 0o700 });
    symlinkSync(join(dir, 'new-target'), file.replace(/\.json$/, '.journal'));
    const s = store();
    assert.throws(() => s.load(), refused(/symbolic link/));
    assert.throws(() => s.record('a', ps), refused(/symbolic link/));
    assert.equal(existsSync(join(dir, 'new-target')), false);
  });

  test('a snapshot planted as a link is refused on load', () => {
    const { root, victim, store, file } = setup();
    mkdirSync(join(root, '.remote-sync'), { mode: 0o700 });
    symlinkSync(victim, file);
    assert.throws(() => store().load(), refused(/\.json: it is a symbolic link/));
    assert.equal(readFileSync(victim, 'utf8'), 'export PS1=safe\n');
  });

  test('a hard link, a FIFO or a folder at a state file name is refused (no hang on the FIFO)', { skip: !hasMkfifo() && 'mkfifo missing' }, () => {
    for (const kind of ['hardlink', 'fifo', 'dir'] as const) {
      const { root, victim, store, file } = setup();
      mkdirSync(join(root, '.remote-sync'), { mode: 0o700 });
      const journal = file.replace(/\.json$/, '.journal');
      if (kind === 'hardlink') linkSync(victim, journal);
      else if (kind === 'fifo') execFileSync('mkfifo', [journal]);
      else mkdirSync(journal);
      const re = kind === 'hardlink' ? /has 2 hard links/ : /is not a regular file/;
      assert.throws(() => store().load(), refused(re), kind);
      assert.throws(() => store().record('a', ps), refused(re), kind);
      assert.equal(readFileSync(victim, 'utf8'), 'export PS1=safe\n');
    }
  });

  test('safe-fs: new files are O_EXCL and 0600; a link at the name is never written through', () => {
    const { dir, root, victim } = setup();
    const d = ensureStateDir(root);
    const lock = join(d, 'x.lock');
    createOwnedFile(lock, 'pid 1');
    assert.equal(statSync(lock).mode & 0o777, 0o600);
    assert.throws(() => createOwnedFile(lock, 'pid 2'), /EEXIST/);
    assert.equal(readFileSync(lock, 'utf8'), 'pid 1');
    symlinkSync(victim, join(d, 'planted'));
    assert.throws(() => createOwnedFile(join(d, 'planted'), 'x'), /EEXIST/);
    assert.throws(() => openOwnedFile(join(d, 'planted'), 'append'), refused(/symbolic link/));
    assert.throws(() => readOwnedFile(join(d, 'planted')), refused(/symbolic link/));
    assert.equal(readOwnedFile(join(d, 'missing')), undefined);
    // atomic replace: a link at the name is replaced by a file, its target untouched
    writeOwnedFileAtomic(join(d, 'planted'), 'new');
    assert.equal(readFileSync(victim, 'utf8'), 'export PS1=safe\n');
    assert.ok(lstatSync(join(d, 'planted')).isFile());
    assert.equal(statSync(join(d, 'planted')).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(d).filter((f) => f.endsWith('.tmp')), []);
    assert.ok(existsSync(dir));
  });
});

function hasGit(): boolean {
  try { execFileSync('git', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; }
}
function hasMkfifo(): boolean {
  try { execFileSync('mkfifo', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; }
}

test('a missing local root is created on the first write (as before), the state folder in it 0700', { skip: !posix && 'POSIX modes' }, () => {
  const root = join(base, 'later/root');
  const s = new StateStore(stateFileFor(root, 'x'), root, 'x');
  s.load();
  s.record('a', ps);
  s.closeJournal();
  assert.equal(statSync(join(root, '.remote-sync')).mode & 0o777, 0o700);
});
