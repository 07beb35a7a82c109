// `remote-sync sync --resolve merge` end to end (two local folders): the merged line in the human
// output, "merged" in --json, exit code 4 while conflicts are left, the config's conflictPolicy.
// Runs dist/cli.js when it exists (npm run build), else the source through tsx (as cli-local).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliProcess } from '../harness/cli.js';
import { putFile } from '../harness/files.js';

let root: string;
before(() => { root = mkdtempSync(join(tmpdir(), 'rs-cli-merge-')); });
after(() => { rmSync(root, { recursive: true, force: true }); });

const cli = (args: string[], cwd = root) => runCliProcess(args, { cwd });
const read = (dir: string, path: string) => readFileSync(join(dir, path), 'utf8');

const BASE = 'a\nb\nc\nd\ne\n';

test('--resolve merge: clean merges are done ("merged"), overlapping ones left (exit 4)', () => {
  const L = join(root, 'l1');
  const R = join(root, 'r1');
  for (const d of [L, R]) { putFile(d, 'clean.txt', BASE); putFile(d, 'clash.txt', BASE); }
  assert.equal(cli(['sync', L, R]).code, 0);
  putFile(L, 'clean.txt', BASE.replace('a', 'A'));
  putFile(R, 'clean.txt', BASE.replace('e', 'E'));
  putFile(L, 'clash.txt', BASE.replace('c', 'local'));
  putFile(R, 'clash.txt', BASE.replace('c', 'server'));

  const dry = cli(['sync', L, R, '--resolve', 'merge', '--dry-run']);
  assert.equal(dry.code, 4, dry.stderr);
  assert.match(dry.stdout + dry.stderr, /Dry run: would upload 0, download 0, merge 1, delete 0, 1 conflict skipped/);
  assert.match(dry.stdout + dry.stderr, /! conflict clash\.txt — modified on both sides since the last sync \(sizes differ\); not merged: overlapping changes in 1 place \[both-modified\]/);
  assert.equal(read(L, 'clean.txt'), BASE.replace('a', 'A'), 'a dry run writes nothing');

  const r = cli(['sync', L, R, '--resolve', 'merge', '--json']);
  assert.equal(r.code, 4, r.stderr);
  const rep = JSON.parse(r.stdout) as { actions: { path: string; kind: string; status: string }[]; conflicts: { path: string; reason: string }[]; stats: { merged: number }; exitCode: number; summary: string };
  assert.deepEqual(rep.actions.find((a) => a.path === 'clean.txt'), { ...rep.actions.find((a) => a.path === 'clean.txt'), kind: 'merged', status: 'done' });
  assert.equal(rep.stats.merged, 1);
  assert.deepEqual(rep.conflicts.map((c) => c.path), ['clash.txt']);
  assert.match(rep.conflicts[0].reason, /overlapping changes in 1 place/);
  assert.match(rep.summary, /^Uploaded 0, downloaded 0, merged 1, deleted 0, 1 conflict skipped, 0 errors/);
  assert.equal(rep.exitCode, 4);
  assert.equal(read(L, 'clean.txt'), 'A\nb\nc\nd\nE\n');
  assert.equal(read(R, 'clean.txt'), 'A\nb\nc\nd\nE\n');
  assert.equal(read(L, 'clash.txt'), BASE.replace('c', 'local'));
  assert.equal(read(R, 'clash.txt'), BASE.replace('c', 'server'));

  // human output: the merged line; then only the conflict is left
  putFile(L, 'clean.txt', 'A\nb\nc\nd\nE\nlocal tail\n');
  putFile(R, 'clean.txt', 'server head\nA\nb\nc\nd\nE\n');
  const h = cli(['sync', L, R, '--resolve', 'merge']);
  assert.equal(h.code, 4);
  assert.match(h.stdout + h.stderr, /⇅ merged\s+clean\.txt \(modified on both sides since the last sync \(sizes differ\); merge; conflict resolved: merge\)/);
  assert.match(h.stdout + h.stderr, /! conflict clash\.txt — .*; not merged: overlapping changes in 1 place/);
});

test('conflictPolicy "merge" in the config file', () => {
  const ws = join(root, 'ws');
  const R = join(root, 'r2');
  mkdirSync(join(ws, '.vscode'), { recursive: true });
  writeFileSync(join(ws, '.vscode/remote-sync.json'), JSON.stringify({
    targets: { mirror: { url: `file://${R}` } }, conflictPolicy: 'merge', mergeBase: { maxFileSize: '1kB' },
  }));
  putFile(ws, 'doc.txt', BASE);
  putFile(R, 'doc.txt', BASE);
  putFile(ws, 'big.txt', BASE + 'x'.repeat(2000) + '\n');
  putFile(R, 'big.txt', BASE + 'x'.repeat(2000) + '\n');
  assert.equal(cli(['run'], ws).code, 0);
  putFile(ws, 'doc.txt', BASE.replace('a', 'A'));
  putFile(R, 'doc.txt', BASE.replace('e', 'E'));
  putFile(ws, 'big.txt', 'A' + BASE.slice(1) + 'x'.repeat(2000) + '\n');
  putFile(R, 'big.txt', BASE.replace('e', 'E') + 'x'.repeat(2000) + '\n');
  const r = cli(['run'], ws);
  assert.equal(r.code, 4, r.stdout + r.stderr);
  assert.equal(read(R, 'doc.txt'), 'A\nb\nc\nd\nE\n');
  assert.match(r.stdout + r.stderr, /conflict big\.txt — .*not merged: over the merge size limit/);
});
