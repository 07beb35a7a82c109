// The remote-sync command end to end, against two local folders: the process, its output, its exit codes.
// Runs dist/cli.js (npm run build) when it exists, else the source through tsx; REMOTE_SYNC_CLI=src
// forces the source, REMOTE_SYNC_CLI=/path/cli.js runs that bundle (test/harness/cli.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { runCliProcess, useBundle } from '../harness/cli.js';
import { putFile } from '../harness/files.js';

let root: string;
before(() => { root = mkdtempSync(join(tmpdir(), 'rs-cli-')); });
after(() => { rmSync(root, { recursive: true, force: true }); });

const cli = (args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}) =>
  runCliProcess(args, { ...opts, cwd: opts.cwd ?? root });

/** path → content of every file, the state folder left out */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (n === '.remote-sync') continue;
      if (statSync(p).isDirectory()) { out[relative(dir, p) + '/'] = ''; walk(p); } else out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}
/** everything, the state files included, with mtimes: to prove that nothing changed */
function snapshot(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) { out.push(`${relative(dir, p)}/`); walk(p); } else out.push(`${relative(dir, p)} ${st.size} ${st.mtimeMs} ${readFileSync(p, 'utf8')}`);
    }
  };
  walk(dir);
  return out.join('\n');
}

function pair(name: string): { a: string; b: string } {
  const a = join(root, name, 'local');
  const b = join(root, name, 'remote');
  mkdirSync(a, { recursive: true });
  return { a, b };
}

test(`upload into a new folder, then nothing to do (${useBundle ? 'bundle' : 'source via tsx'})`, () => {
  const { a, b } = pair('upload');
  putFile(a, 'index.html', 'home');
  putFile(a, 'css/site.css', 'body{}');
  putFile(a, 'img/deep/x.bin', 'x'.repeat(5000));
  const r = cli(['upload', a, b]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^↑ upload {2}index\.html \(.+\)$/m);
  assert.match(r.stdout, /^↑ upload {2}img\/deep\/x\.bin/m);
  assert.match(r.stdout, /^Uploaded 3, downloaded 0, deleted 0, 0 conflicts skipped, 0 errors in \d+\.\d s\n$/m);
  assert.deepEqual(tree(b), tree(a));
  const again = cli(['upload', a, b]);
  assert.equal(again.code, 0);
  // (the engine's inSync count includes folders: 3 files + 3 folders here)
  assert.match(again.stdout, /^Nothing to do: \d+ files in sync \(\d+\.\d s\)\n$/);
});

test('download, with and without --delete', () => {
  const { a, b } = pair('download');
  mkdirSync(b, { recursive: true });
  putFile(b, 'a.txt', 'A');
  putFile(b, 'sub/b.txt', 'B');
  assert.equal(cli(['download', a, b]).code, 0);
  assert.deepEqual(tree(a), tree(b));
  putFile(b, 'a.txt', 'A2');
  rmSync(join(b, 'sub/b.txt'));
  putFile(a, 'local-only.txt', 'L');
  const r = cli(['download', a, b, '--max-delete', '100%']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^↓ download a\.txt/m);
  assert.equal(readFileSync(join(a, 'a.txt'), 'utf8'), 'A2');
  assert.ok(existsSync(join(a, 'sub/b.txt')), 'deleted without --delete');
  assert.ok(existsSync(join(a, 'local-only.txt')));
  const d = cli(['download', a, b, '--delete', '--max-delete', '100%']);
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stdout, /^✗ delete local /m);
  assert.ok(!existsSync(join(a, 'sub/b.txt')));
  assert.ok(!existsSync(join(a, 'local-only.txt')));
});

test('sync both ways; a conflict exits 4; --resolve local settles it', () => {
  const { a, b } = pair('sync');
  mkdirSync(b, { recursive: true });
  putFile(a, 'both.txt', 'same');
  putFile(a, 'l.txt', 'l1');
  putFile(b, 'r.txt', 'r1');
  const first = cli(['sync', a, b]);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(tree(a), tree(b));
  putFile(a, 'l.txt', 'l2-local');
  putFile(b, 'r.txt', 'r2-remote');
  putFile(a, 'both.txt', 'local version');
  putFile(b, 'both.txt', 'remote version!');
  const r = cli(['sync', a, b]);
  assert.equal(r.code, 4, r.stdout + r.stderr);
  assert.match(r.stdout, /^↑ upload {2}l\.txt/m);
  assert.match(r.stdout, /^↓ download r\.txt/m);
  assert.match(r.stdout, /^! conflict both\.txt — .+\[both-modified\]$/m);
  assert.match(r.stdout, /^Uploaded 1, downloaded 1, deleted 0, 1 conflict skipped, 0 errors in /m);
  const resolved = cli(['sync', a, b, '--resolve', 'local']);
  assert.equal(resolved.code, 0, resolved.stdout + resolved.stderr);
  assert.equal(readFileSync(join(b, 'both.txt'), 'utf8'), 'local version');
  assert.deepEqual(tree(a), tree(b));
  assert.match(cli(['sync', a, b]).stdout, /^Nothing to do: 3 files in sync/);
});

test('--dry-run prints the plan and changes nothing', () => {
  const { a, b } = pair('dry');
  mkdirSync(b, { recursive: true });
  putFile(a, 'x.txt', 'x');
  assert.equal(cli(['sync', a, b]).code, 0);
  putFile(a, 'x.txt', 'x2');
  putFile(a, 'new/y.txt', 'y');
  putFile(b, 'z.txt', 'z');
  const before = [snapshot(a), snapshot(b)];
  const r = cli(['sync', a, b, '-n']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^↑ upload {2}x\.txt \(.+\)$/m);
  assert.match(r.stdout, /^↑ upload {2}new\/y\.txt/m);
  assert.match(r.stdout, /^↓ download z\.txt/m);
  assert.match(r.stdout, /^Dry run: would upload 2, download 1, delete 0, 0 conflicts skipped, 0 errors in /m);
  assert.deepEqual([snapshot(a), snapshot(b)], before);
  const j = JSON.parse(cli(['upload', a, b, '--dry-run', '--json']).stdout);
  assert.equal(j.dryRun, true);
  assert.ok(j.actions.every((x: { status: string }) => x.status === 'planned'));
  assert.deepEqual([snapshot(a), snapshot(b)], before);
});

test('--json: exactly one JSON document on stdout, human text on stderr', () => {
  const { a, b } = pair('json');
  putFile(a, 'f.txt', 'f');
  const r = cli(['upload', a, b, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(doc), ['mode', 'local', 'remote', 'dryRun', 'actions', 'conflicts', 'errors', 'stats', 'summary', 'exitCode']);
  assert.equal(doc.mode, 'upload');
  assert.equal(doc.local, a);
  assert.equal(doc.remote, b);
  assert.deepEqual(doc.actions.map((x: { path: string; kind: string; status: string }) => [x.path, x.kind, x.status]), [['f.txt', 'upload', 'done']]);
  assert.equal(doc.stats.uploaded, 1);
  assert.equal(doc.exitCode, 0);
  assert.match(r.stderr, /^↑ upload {2}f\.txt/m);
  assert.match(r.stderr, /Uploaded 1, /);
  // a usage error is a JSON document too
  const bad = cli(['upload', a, b, '--json', '--dleete']);
  assert.equal(bad.code, 2);
  assert.equal(JSON.parse(bad.stdout).exitCode, 2);
});

test('usage errors exit 2 with the message and the usage line; help and version exit 0', () => {
  const r = cli(['sync', 'a', 'b', '--dleete']);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, "remote-sync: unknown option --dleete (did you mean --delete?)\nUsage: remote-sync sync LOCAL REMOTE [options]\nTry 'remote-sync sync --help' for more.\n");
  assert.equal(cli([]).code, 2);
  assert.equal(cli(['upload', 'a', 'http://x/y']).code, 2);
  const h = cli(['upload', '--help']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /^Usage: remote-sync upload LOCAL REMOTE \[options\]/);
  const v = cli(['-V']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^remote-sync \d+\.\d+\.\d+\n$/);
});

test('-q prints only the summary; errors exit 1', () => {
  const { a, b } = pair('quiet');
  putFile(a, 'q.txt', 'q');
  const r = cli(['upload', a, b, '-q']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Uploaded 1, downloaded 0, deleted 0, 0 conflicts skipped, 0 errors in \d+\.\d s\n$/);
  const missing = cli(['upload', join(root, 'nope'), b]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^remote-sync: Folder not found: .*nope/m);
});

test('a safety check stops the run with exit 3 and changes nothing', () => {
  const { a, b } = pair('safety');
  mkdirSync(b, { recursive: true });
  for (let i = 0; i < 4; i++) putFile(a, `f${i}.txt`, String(i));
  assert.equal(cli(['sync', a, b]).code, 0);
  for (let i = 0; i < 3; i++) rmSync(join(a, `f${i}.txt`));
  const before = snapshot(b);
  const r = cli(['sync', a, b]);
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(r.stderr, /would delete 3 of 4 files on the server/);
  assert.match(r.stdout, /^Stopped by a safety check, nothing changed/m);
  assert.equal(snapshot(b), before);
  assert.equal(cli(['sync', a, b, '--max-delete', '3']).code, 0);
});

test('run: the config file from the cwd upward, a named target, --mode', () => {
  const ws = join(root, 'ws');
  const mirror = join(root, 'ws-mirror');
  mkdirSync(join(ws, '.vscode'), { recursive: true });
  mkdirSync(mirror);
  writeFileSync(join(ws, '.vscode/remote-sync.json'), `// test config
  {
    "localRoot": "site",
    "targets": {
      "mirror": { "protocol": "local", "remotePath": "../ws-mirror" },
      "prod": { "url": "sftp://deploy@example.invalid/var/www" },
    },
    "defaultTarget": "prod",
    "ignore": ["*.log"],
  }`);
  putFile(join(ws, 'site'), 'page.html', 'p');
  putFile(join(ws, 'site'), 'debug.log', 'noise');
  putFile(join(ws, 'site'), 'deep/er/x.txt', 'x');
  const r = cli(['run', 'mirror', '--mode', 'upload'], { cwd: join(ws, 'site/deep') });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(tree(mirror), { 'deep/': '', 'deep/er/': '', 'deep/er/x.txt': 'x', 'page.html': 'p' });
  putFile(mirror, 'from-mirror.txt', 'm');
  const s = cli(['run', 'mirror'], { cwd: ws });
  assert.equal(s.code, 0, s.stdout + s.stderr);
  assert.match(s.stdout, /^↓ download from-mirror\.txt/m);
  const bad = cli(['run', 'mirorr'], { cwd: ws });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /no target named 'mirorr'.*did you mean 'mirror'/);
  const none = cli(['run'], { cwd: root });
  assert.equal(none.code, 1);
  assert.match(none.stderr, /No \.vscode\/remote-sync\.json in /);
});
