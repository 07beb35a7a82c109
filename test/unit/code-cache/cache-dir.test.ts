// Where the CLI's code cache may live (src/cli/code-cache/cache-dir.ts): only in a folder of the
// user's own that nobody else can write, never when turned off. Real folders; chown needs root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeCacheDir } from '../../../src/cli/code-cache/cache-dir.js';
import { skipOrFail } from '../../harness/env.js';

const uid = process.getuid!();

function scratch(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'rs-cache-dir-'));
  chmodSync(dir, 0o700);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('$XDG_CACHE_HOME/remote-sync, created 0700', (t) => {
  const xdg = join(scratch(t), 'xdg');
  const r = codeCacheDir({ XDG_CACHE_HOME: xdg });
  assert.deepEqual(r, { dir: join(xdg, 'remote-sync') });
  assert.equal(statSync(join(xdg, 'remote-sync')).mode & 0o777, 0o700);
  assert.equal(statSync(xdg).mode & 0o777, 0o700, 'a missing parent is created private too');
});

test('without XDG_CACHE_HOME (or with a relative one): ~/.cache/remote-sync', (t) => {
  const home = scratch(t);
  const saved = process.env.HOME;
  process.env.HOME = home; // os.homedir() reads it
  t.after(() => { process.env.HOME = saved; });
  assert.deepEqual(codeCacheDir({}), { dir: join(home, '.cache', 'remote-sync') });
  assert.deepEqual(codeCacheDir({ XDG_CACHE_HOME: 'relative/cache' }), { dir: join(home, '.cache', 'remote-sync') });
});

test('REMOTE_SYNC_NO_CODE_CACHE turns it off ("" and "0" do not); nothing is created', (t) => {
  const xdg = join(scratch(t), 'xdg');
  for (const v of ['1', 'yes', 'true']) {
    const r = codeCacheDir({ XDG_CACHE_HOME: xdg, REMOTE_SYNC_NO_CODE_CACHE: v });
    assert.ok('skip' in r && /REMOTE_SYNC_NO_CODE_CACHE/.test(r.skip), v);
  }
  assert.equal(existsSync(xdg), false);
  assert.ok('dir' in codeCacheDir({ XDG_CACHE_HOME: xdg, REMOTE_SYNC_NO_CODE_CACHE: '0' }));
  assert.ok('dir' in codeCacheDir({ XDG_CACHE_HOME: xdg, REMOTE_SYNC_NO_CODE_CACHE: '' }));
});

test('a cache folder others can write is not used', (t) => {
  const xdg = join(scratch(t), 'xdg');
  mkdirSync(join(xdg, 'remote-sync'), { recursive: true, mode: 0o700 });
  for (const mode of [0o777, 0o770, 0o702]) {
    chmodSync(join(xdg, 'remote-sync'), mode);
    const r = codeCacheDir({ XDG_CACHE_HOME: xdg });
    assert.ok('skip' in r && /can be written by others/.test(r.skip), `${mode.toString(8)}: ${JSON.stringify(r)}`);
  }
});

test('a link in place of the cache folder is not used', (t) => {
  const base = scratch(t);
  mkdirSync(join(base, 'elsewhere'), { mode: 0o700 });
  mkdirSync(join(base, 'xdg'), { mode: 0o700 });
  symlinkSync(join(base, 'elsewhere'), join(base, 'xdg', 'remote-sync'));
  const r = codeCacheDir({ XDG_CACHE_HOME: join(base, 'xdg') });
  assert.ok('skip' in r && /not a folder/.test(r.skip), JSON.stringify(r));
});

test('a parent folder others can write (not sticky) is not used; a sticky one (as /tmp) is', (t) => {
  const xdg = join(scratch(t), 'shared');
  mkdirSync(xdg, { mode: 0o700 });
  chmodSync(xdg, 0o777);
  const r = codeCacheDir({ XDG_CACHE_HOME: xdg });
  assert.ok('skip' in r && /can be written by others/.test(r.skip), JSON.stringify(r));
  assert.equal(existsSync(join(xdg, 'remote-sync')), false, 'nothing is created there');
  chmodSync(xdg, 0o1777);
  assert.deepEqual(codeCacheDir({ XDG_CACHE_HOME: xdg }), { dir: join(xdg, 'remote-sync') });
});

test('a cache folder owned by someone else is not used; nothing is created in another user\'s folder', (t) => {
  if (uid !== 0) { t.skip(skipOrFail('chown to another user needs root').skip); return; }
  const base = scratch(t);
  const xdg = join(base, 'xdg');
  mkdirSync(join(xdg, 'remote-sync'), { recursive: true, mode: 0o700 });
  chownSync(join(xdg, 'remote-sync'), 1, 1);
  let r = codeCacheDir({ XDG_CACHE_HOME: xdg });
  assert.ok('skip' in r && /owned by uid 1/.test(r.skip), JSON.stringify(r));
  // root with another user's HOME (sudo without -H): their ~/.cache is not root's to write in
  const theirs = join(base, 'theirs');
  mkdirSync(theirs, { mode: 0o700 });
  chownSync(theirs, 1, 1);
  r = codeCacheDir({ XDG_CACHE_HOME: theirs });
  assert.ok('skip' in r && /owned by uid 1/.test(r.skip), JSON.stringify(r));
  assert.equal(existsSync(join(theirs, 'remote-sync')), false);
  // and under a missing ~/.cache of theirs
  r = codeCacheDir({ XDG_CACHE_HOME: join(theirs, '.cache') });
  assert.ok('skip' in r, JSON.stringify(r));
  assert.equal(existsSync(join(theirs, '.cache')), false);
});

test('a platform without file owners (Windows) runs without a cache', () => {
  const r = codeCacheDir({ XDG_CACHE_HOME: '/nonexistent' }, {});
  assert.ok('skip' in r && /owners/.test(r.skip));
});
