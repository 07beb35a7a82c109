// `remote-sync run GROUP`: a server group of two targets, each run in parallel with its own state;
// one failing member does not stop the other; per-member lines, summary, --json and exit code.
// Two local-folder targets (the member logic does not depend on the protocol; see sftp/ftp suites).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const repo = join(__dirname, '../..');
const choice = process.env.REMOTE_SYNC_CLI;
const bundle = choice && choice !== 'src' ? choice : join(repo, 'dist/cli.js');
const useBundle = choice !== 'src' && existsSync(bundle);
const tsx = pathToFileURL(join(repo, 'node_modules/tsx/dist/loader.mjs')).href;
const cliArgs = useBundle ? [bundle] : ['--import', tsx, join(repo, 'src/cli/main.ts')];

let root: string;
before(() => { root = mkdtempSync(join(tmpdir(), 'rs-group-')); });
after(() => { rmSync(root, { recursive: true, force: true }); });

function cli(args: string[], cwd: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...cliArgs, ...args], {
    cwd, env: { ...process.env, REMOTE_SYNC_PASSWORD: '', NETRC: '/nonexistent' }, input: '', encoding: 'utf8', timeout: 60_000,
  });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function project(name: string, web2: string): { ws: string; web1: string; web2: string } {
  const ws = join(root, name, 'ws');
  const web1 = join(root, name, 'web1');
  mkdirSync(join(ws, '.vscode'), { recursive: true });
  mkdirSync(web1, { recursive: true });
  writeFileSync(join(ws, '.vscode/remote-sync.json'), JSON.stringify({
    targets: { web1: { url: `file://${web1}` }, web2: { url: `file://${web2}` }, all: { group: ['web1', 'web2'] } },
    defaultTarget: 'web1',
  }));
  writeFileSync(join(ws, 'index.html'), 'v1');
  mkdirSync(join(ws, 'css'));
  writeFileSync(join(ws, 'css/site.css'), 'body{}');
  return { ws, web1, web2 };
}

test('run all: both members receive, each with its own state; lines prefixed; 2/2 servers', () => {
  const web2 = join(root, 'both', 'web2');
  mkdirSync(web2, { recursive: true });
  const p = project('both', web2);
  const r = cli(['run', 'all'], p.ws);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  for (const dir of [p.web1, p.web2]) {
    assert.equal(readFileSync(join(dir, 'index.html'), 'utf8'), 'v1');
    assert.equal(readFileSync(join(dir, 'css/site.css'), 'utf8'), 'body{}');
  }
  assert.match(r.stdout, /^web1 \| .*index\.html/m);
  assert.match(r.stdout, /^web2 \| .*index\.html/m);
  assert.match(r.stdout, /^all: 2\/2 servers$/m);
  // two state files: one per member
  const states = readdirSync(join(p.ws, '.remote-sync')).filter((f) => /^[0-9a-f]+\.json$/.test(f));
  assert.ok(states.length >= 2, `one state per member: ${states.join(', ')}`);

  // a server change on web2 only: a conflict for web2, web1 is untouched and done
  writeFileSync(join(p.ws, 'index.html'), 'v2-local');
  writeFileSync(join(p.web2, 'index.html'), 'v2-server');
  const again = cli(['run', 'all'], p.ws);
  assert.equal(again.code, 4, again.stderr + again.stdout); // conflicts left on one member
  assert.equal(readFileSync(join(p.web1, 'index.html'), 'utf8'), 'v2-local');
  assert.equal(readFileSync(join(p.web2, 'index.html'), 'utf8'), 'v2-server');
  assert.equal(readFileSync(join(p.ws, 'index.html'), 'utf8'), 'v2-local');
  assert.match(again.stdout, /^web2 \| ! conflict index\.html/m);
  assert.doesNotMatch(again.stdout, /^web1 \| ! conflict/m);
  assert.match(again.stdout, /^web1 \| ↑ upload  index\.html/m);
});

test('one member failing: the other is still done; exit code non-zero; per-member report in --json', () => {
  const p = project('fail', join(root, 'fail', 'missing-web2'));
  const r = cli(['run', 'all', '--json'], p.ws);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(readFileSync(join(p.web1, 'index.html'), 'utf8'), 'v1');
  const report = JSON.parse(r.stdout);
  assert.equal(report.group, 'all');
  assert.equal(report.exitCode, 1);
  assert.deepEqual(report.members.map((m: { target: string }) => m.target), ['web1', 'web2']);
  const [m1, m2] = report.members;
  assert.equal(m1.exitCode, 0);
  assert.equal(m1.report.exitCode, 0);
  assert.equal(m2.exitCode, 1);
  assert.match(m2.report.errors[0].message, /missing-web2/);
  assert.match(report.summary, /^all: 1\/2 servers \(web2 failed: .+\)$/);
  assert.match(r.stderr, /^web2 \| remote-sync: .*missing-web2/m);

  // text mode: the summary names the failing member
  const t = cli(['run', 'all'], p.ws);
  assert.equal(t.code, 1);
  assert.match(t.stdout, /^all: 1\/2 servers \(web2 failed: .*missing-web2.*\)$/m);
});

test('a single target run is unchanged (no group report)', () => {
  const web2 = join(root, 'single', 'web2');
  mkdirSync(web2, { recursive: true });
  const p = project('single', web2);
  const r = cli(['run', 'web1', '--json'], p.ws);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.members, undefined);
  assert.equal(report.exitCode, 0);
  assert.equal(existsSync(join(web2, 'index.html')), false);
});
