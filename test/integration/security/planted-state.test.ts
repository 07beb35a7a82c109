// Attack (issue "Security", item 1): a cloned repository (or a shared folder) holds a planted state
// folder — `.remote-sync/<id>.journal -> ../../victim-file` (the id is predictable from the URL), a
// symlinked `.remote-sync/`, or state owned by another user — and a file named `$(cd;id>pwned)`.
// A `remote-sync` run must not write through any of it: it stops with a message naming the path,
// before anything is transferred.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliProcess, useBundle } from '../../harness/cli.js';
import { ensureAttacker, type Attacker } from '../../harness/attacker.js';
import { stateFileFor } from '../../../src/core/state.js';
import { remoteId } from '../../../src/core/targets/index.js';

const VICTIM = 'export PS1="$ "\n';
let root: string;
before(() => { root = mkdtempSync(join(tmpdir(), 'rs-planted-state-')); });
after(() => { rmSync(root, { recursive: true, force: true }); });

let n = 0;
/** a "cloned repository" with a file named like a command, a server folder, and a victim file beside it (what ../../victim-file from .remote-sync/ reaches) */
function clone() {
  const dir = join(root, String(n++));
  const repo = join(dir, 'repo');
  const server = join(dir, 'server');
  mkdirSync(repo, { recursive: true });
  mkdirSync(server);
  writeFileSync(join(repo, '$(cd;id>pwned)'), 'x');
  writeFileSync(join(repo, 'index.html'), 'home');
  const victim = join(dir, 'victim-file');
  writeFileSync(victim, VICTIM);
  const journal = stateFileFor(repo, remoteId({ protocol: 'local', path: server })).replace(/\.json$/, '.journal');
  return { dir, repo, server, victim, journal };
}

function refusedRun(c: ReturnType<typeof clone>, re: RegExp) {
  for (const args of [['sync', c.repo, c.server], ['upload', c.repo, c.server]]) {
    const r = runCliProcess(args, { cwd: c.dir });
    assert.equal(r.code, 1, `${args[0]}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, re);
    assert.match(r.stderr, /Remove it/);
    assert.deepEqual(readdirSync(c.server), [], 'nothing transferred');
  }
  assert.equal(readFileSync(c.victim, 'utf8'), VICTIM, 'the victim file is untouched');
  assert.equal(existsSync(join(c.dir, 'pwned')), false);
}

test(`a planted journal link to a file outside the repository is refused (${useBundle ? 'bundle' : 'source'})`, () => {
  const c = clone();
  mkdirSync(join(c.repo, '.remote-sync'));
  symlinkSync('../../victim-file', c.journal);
  assert.equal(readFileSync(c.journal, 'utf8'), VICTIM, 'the planted link resolves to the victim');
  refusedRun(c, /Refusing to use .*\.journal: it is a symbolic link/);
  assert.ok(lstatSync(c.journal).isSymbolicLink(), 'left in place for the user to inspect');
});

test('a symlinked .remote-sync/ is refused; nothing is written where it points', () => {
  const c = clone();
  const elsewhere = join(c.dir, 'elsewhere');
  mkdirSync(elsewhere);
  symlinkSync('../elsewhere', join(c.repo, '.remote-sync'));
  refusedRun(c, /Refusing to use .*\/\.remote-sync: it is a symbolic link/);
  assert.deepEqual(readdirSync(elsewhere), []);
});

test('without planted links the same repository syncs, and its state folder is 0700 with a .gitignore', () => {
  const c = clone();
  const r = runCliProcess(['upload', c.repo, c.server], { cwd: c.dir });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(c.server).sort(), ['$(cd;id>pwned)', 'index.html']);
  assert.equal(lstatSync(join(c.repo, '.remote-sync')).mode & 0o777, 0o700);
  assert.equal(readFileSync(join(c.repo, '.remote-sync/.gitignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).join(), '*');
  assert.equal(readFileSync(c.victim, 'utf8'), VICTIM);
});

test('a state folder or journal owned by another user (a shared folder) is refused', (t) => {
  const who = ensureAttacker();
  if ('skip' in who) { t.skip(who.skip); return; }
  const attacker: Attacker = who;
  // the folder
  const a = clone();
  mkdirSync(join(a.repo, '.remote-sync'), { mode: 0o777 });
  chownSync(join(a.repo, '.remote-sync'), attacker.uid, attacker.gid);
  refusedRun(a, new RegExp(`Refusing to use .*/\\.remote-sync: it is owned by ${attacker.name} \\(uid ${attacker.uid}\\), not by you`));
  // a journal in our folder
  const b = clone();
  mkdirSync(join(b.repo, '.remote-sync'), { mode: 0o700 });
  writeFileSync(b.journal, '{"p":"index.html","s":null}\n');
  chownSync(b.journal, attacker.uid, attacker.gid);
  refusedRun(b, new RegExp(`Refusing to use .*\\.journal: it is owned by ${attacker.name} \\(uid ${attacker.uid}\\), not by you`));
  assert.equal(readFileSync(b.journal, 'utf8'), '{"p":"index.html","s":null}\n', 'their file is left as it was');
});
