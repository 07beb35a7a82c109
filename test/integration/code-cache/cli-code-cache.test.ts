// The installed `remote-sync` (the entry dist/cli.js with its V8 code cache, src/cli/code-cache/),
// built here by scripts/build.mjs --cli-only into a temp folder and run as a process: its output and
// exit code are the same with and without the cache, the cache is written once after a real command
// and then used as it is, a damaged one is replaced, an unsafe folder is never used, and
// REMOTE_SYNC_NO_CODE_CACHE=1 turns it off. The SSH bundle (dist/ssh2.js) is loaded and cached the
// same way on an SFTP run against a real sshd.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { putFile } from '../../harness/files.js';
import { startSshd } from '../../harness/sshd.js';
import { skipOrFail } from '../../harness/env.js';

const repo = join(__dirname, '../../..');
let root: string;
let cliJs: string;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'rs-code-cache-cli-'));
  const dist = join(root, 'dist');
  const b = spawnSync(process.execPath, ['scripts/build.mjs', '--cli-only', '--outdir', dist], { cwd: repo, encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
  cliJs = join(dist, 'cli.js');
});
after(() => { rmSync(root, { recursive: true, force: true }); });

interface Run { code: number; stdout: string; stderr: string }

/** one run; `cache`: the XDG_CACHE_HOME to use, or 'off' for REMOTE_SYNC_NO_CODE_CACHE=1 */
function cli(args: string[], cache: string | 'off', cwd = root): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, REMOTE_SYNC_PASSWORD: '', NETRC: '/nonexistent', REMOTE_SYNC_NO_CODE_CACHE: '' };
  if (cache === 'off') env.REMOTE_SYNC_NO_CODE_CACHE = '1';
  else env.XDG_CACHE_HOME = cache;
  const r = spawnSync(process.execPath, [cliJs, ...args], { cwd, env, input: '', encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** the run's output without its timings */
const normal = (r: Run): Run => {
  const strip = (s: string) => s.replace(/\d+(\.\d+)? s\b/g, 'N s').replace(/"elapsedMs": \d+/g, '"elapsedMs": N');
  return { code: r.code, stdout: strip(r.stdout), stderr: strip(r.stderr) };
};

/** the same, its lines sorted: transfers finish in any order */
const unordered = (r: Run): Run => {
  const n = normal(r);
  return { ...n, stdout: n.stdout.split('\n').sort().join('\n') };
};

/** a fresh XDG_CACHE_HOME; its remote-sync folder is where the cache files go */
function cacheHome(name: string): { home: string; dir: string } {
  const home = join(root, 'xdg', name);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  return { home, dir: join(home, 'remote-sync') };
}

const files = (dir: string) => { try { return readdirSync(dir).sort(); } catch { return []; } };
const stamp = (path: string) => { const s = statSync(path); return `${s.ino} ${s.mtimeMs} ${s.size}`; };

function pair(name: string): { a: string; b: string } {
  const a = join(root, 'pairs', name, 'local');
  putFile(a, 'index.html', '<h1>x</h1>');
  putFile(a, 'css/site.css', 'body{}');
  const b = join(root, 'pairs', name, 'remote');
  mkdirSync(b);
  return { a, b };
}

test('output and exit code are the same without the cache, when it is made, and when it is used', () => {
  const { home, dir } = cacheHome('same');
  const { a, b } = pair('same');
  const commands: Array<{ args: string[]; code: number }> = [
    { args: ['upload', a, b, '--dry-run'], code: 0 },
    { args: ['sync', a, b, '--dry-run', '--json'], code: 0 },
    { args: ['upload', join(root, 'missing'), b], code: 1 },
    { args: ['upload', a], code: 2 },
    { args: ['--version'], code: 0 },
    { args: ['upload', '--help'], code: 0 },
  ];
  for (const { args, code } of commands) {
    const off = normal(cli(args, 'off'));
    const made = normal(cli(args, home));
    const used = normal(cli(args, home));
    assert.equal(off.code, code, `${args.join(' ')}: ${off.stderr}`);
    assert.deepEqual(made, off, `${args.join(' ')}: with the cache being made`);
    assert.deepEqual(used, off, `${args.join(' ')}: with the cache used`);
  }
  assert.equal(files(dir).length, 1, `one cache for the CLI bundle: ${files(dir)}`);
  assert.match(files(dir)[0], /^cli-main-[0-9a-f]{8}\.v8cache$/);

  // a real upload, three times into fresh pairs: the same lines, the same files on the other side
  const results = (['off', home, home] as const).map((cache, i) => {
    const p = pair(`upload-${i}`);
    const r = unordered(cli(['upload', p.a, p.b], cache));
    return { r: { ...r, stdout: r.stdout.replaceAll(p.a, 'A').replaceAll(p.b, 'B') }, copied: readFileSync(join(p.b, 'css/site.css'), 'utf8') };
  });
  assert.equal(results[0].r.code, 0, results[0].r.stderr);
  assert.deepEqual(results[1], results[0]);
  assert.deepEqual(results[2], results[0]);
});

test('made once after a real command (not after --version or --help), then used and left as it is', () => {
  const { home, dir } = cacheHome('once');
  const { a, b } = pair('once');
  cli(['--version'], home);
  cli(['sync', '--help'], home);
  assert.deepEqual(files(dir), [], 'help and version do not make it');
  assert.equal(cli(['upload', a, b], home).code, 0);
  const [name] = files(dir);
  assert.ok(name, 'made after the upload');
  const file = join(dir, name);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(readFileSync(file).subarray(0, 8).toString('latin1'), 'RSCODE1\n');
  const made = stamp(file);
  for (const args of [['sync', a, b], ['--version'], ['upload', a, b, '--dry-run']]) {
    assert.equal(cli(args, home).code, 0, args.join(' '));
    assert.equal(stamp(file), made, `${args.join(' ')}: used, not rewritten (V8 accepted it)`);
  }
  assert.deepEqual(files(dir), [name], 'no temp file left');
});

test('a truncated or corrupted cache is ignored and replaced; the run is the same', () => {
  const { home, dir } = cacheHome('damaged');
  const { a, b } = pair('damaged');
  const off = normal(cli(['sync', a, b, '--dry-run'], 'off'));
  assert.equal(off.code, 0, off.stderr);
  cli(['sync', a, b, '--dry-run'], home);
  const [name] = files(dir);
  const file = join(dir, name);
  const good = readFileSync(file);
  const damages: Record<string, () => void> = {
    truncated: () => truncateSync(file, good.length >> 1),
    'one byte changed': () => { const x = Buffer.from(good); x[x.length - 1000] ^= 0x5a; writeFileSync(file, x); },
    garbage: () => writeFileSync(file, Buffer.alloc(good.length, 0xab)),
    empty: () => writeFileSync(file, ''),
  };
  for (const [what, damage] of Object.entries(damages)) {
    damage();
    const before = stamp(file);
    assert.deepEqual(normal(cli(['sync', a, b, '--dry-run'], home)), off, what);
    assert.notEqual(stamp(file), before, `${what}: replaced`);
    const replaced = stamp(file);
    assert.deepEqual(normal(cli(['sync', a, b, '--dry-run'], home)), off, `${what}: the next run`);
    assert.equal(stamp(file), replaced, `${what}: the new one is used`);
  }
});

test('a cache folder others can write, or owned by someone else, is not used; REMOTE_SYNC_NO_CODE_CACHE=1 neither reads nor writes', () => {
  const { a, b } = pair('unsafe');
  const off = normal(cli(['sync', a, b, '--dry-run'], 'off'));
  // a planted file in each refused folder: were the folder used, the bad file would be replaced
  const planted = (dir: string) => {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    cli(['sync', a, b, '--dry-run'], join(dir, '..'));
    const [name] = files(dir);
    writeFileSync(join(dir, name), 'planted');
    return join(dir, name);
  };

  const open = cacheHome('world-writable');
  const openFile = planted(open.dir);
  chmodSync(open.dir, 0o777);
  assert.deepEqual(normal(cli(['sync', a, b, '--dry-run'], open.home)), off);
  assert.equal(readFileSync(openFile, 'utf8'), 'planted', 'a world-writable folder is not used');
  assert.equal(files(open.dir).length, 1);

  const group = cacheHome('group-writable');
  const groupFile = planted(group.dir);
  chmodSync(group.dir, 0o770);
  assert.deepEqual(normal(cli(['sync', a, b, '--dry-run'], group.home)), off);
  assert.equal(readFileSync(groupFile, 'utf8'), 'planted', 'a group-writable folder is not used');

  const offHome = cacheHome('turned-off');
  const offFile = planted(offHome.dir);
  const r = spawnSync(process.execPath, [cliJs, 'sync', a, b, '--dry-run'], {
    cwd: root, encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: offHome.home, REMOTE_SYNC_NO_CODE_CACHE: '1' },
  });
  assert.deepEqual(normal({ code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }), off);
  assert.equal(readFileSync(offFile, 'utf8'), 'planted', 'REMOTE_SYNC_NO_CODE_CACHE=1: not read, not replaced');
  assert.equal(files(offHome.dir).length, 1);

  if (process.getuid!() !== 0) { skipOrFail('chown to another user needs root'); return; }
  const theirs = cacheHome('someone-else');
  const theirFile = planted(theirs.dir);
  chownSync(theirs.dir, 1, 1);
  assert.deepEqual(normal(cli(['sync', a, b, '--dry-run'], theirs.home)), off);
  assert.equal(readFileSync(theirFile, 'utf8'), 'planted', 'a folder owned by someone else is not used');
});

test('SFTP: the SSH bundle is loaded and cached the same way; the same output with and without', { timeout: 120_000 }, async (t) => {
  const sshd = await startSshd();
  if ('skip' in sshd) { t.skip(skipOrFail(sshd.skip).skip); return; }
  try {
    const { home, dir } = cacheHome('sftp');
    const { a } = pair('sftp');
    const ssh = ['--identity', sshd.keyFile, '--known-hosts', sshd.knownHostsFile];
    const run = (cache: string, remote: string) => {
      const r = unordered(cli(['upload', a, `sftp://${sshd.user}@127.0.0.1:${sshd.port}${remote}`, ...ssh], cache));
      return { ...r, stdout: r.stdout.replaceAll(remote, 'REMOTE') };
    };
    const off = run('off', sshd.makeRemoteDir('cc-off'));
    assert.equal(off.code, 0, off.stderr);
    assert.deepEqual(run(home, sshd.makeRemoteDir('cc-made')), off);
    const names = files(dir);
    assert.equal(names.length, 2, `${names}`);
    assert.match(names.join(' '), /^cli-main-[0-9a-f]{8}\.v8cache ssh2-[0-9a-f]{8}\.v8cache$/);
    const stamps = names.map((n) => stamp(join(dir, n)));
    const used = sshd.makeRemoteDir('cc-used');
    assert.deepEqual(run(home, used), off);
    assert.deepEqual(names.map((n) => stamp(join(dir, n))), stamps, 'both used as they are');
    assert.equal(readFileSync(join(used, 'css/site.css'), 'utf8'), 'body{}');
  } finally {
    await sshd.stop();
  }
});
