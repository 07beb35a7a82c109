// The remote-sync command and names it cannot sync: every entry left out because of its name is in
// the human output (even without -v), in --json "errors", and makes the exit code 1 — unless a filter
// excludes it. Runs dist/cli.js when built, else the source through tsx (as cli-local.test.ts).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliProcess } from '../harness/cli.js';

const root = mkdtempSync(join(tmpdir(), 'rs-cli-names-'));
after(() => rmSync(root, { recursive: true, force: true }));

const cli = (args: string[]) => runCliProcess(args, { cwd: root });

test('a local back\\slash.txt: reported in the human output and in --json errors, exit 1; excluded by a filter: exit 0', () => {
  const a = join(root, 'a');
  const b = join(root, 'b');
  mkdirSync(a);
  mkdirSync(b);
  writeFileSync(join(a, 'back\\slash.txt'), 'x');
  writeFileSync(join(a, 'ok.txt'), 'ok');

  const human = cli(['upload', a, b]);
  assert.equal(human.code, 1, human.stderr);
  assert.match(human.stderr, /✗ not synced back\\slash\.txt \(local\): .*Rename it, or exclude it/);
  assert.match(human.stderr + human.stdout, /1 error/);
  assert.deepEqual(readdirSync(b).filter((n) => n !== '.remote-sync'), ['ok.txt']);

  const json = cli(['upload', a, b, '--json']);
  assert.equal(json.code, 1);
  const report = JSON.parse(json.stdout) as { errors: { path: string; message: string }[] };
  assert.deepEqual(report.errors.map((e) => e.path), ['back\\slash.txt']);

  const dry = cli(['upload', a, b, '--dry-run']);
  assert.equal(dry.code, 1, 'a dry run reports it too');
  assert.match(dry.stderr, /not synced back\\slash\.txt/);

  const excluded = cli(['upload', a, b, '--exclude', '*slash*']);
  assert.equal(excluded.code, 0, excluded.stderr);
  assert.doesNotMatch(excluded.stderr, /not synced/);
});
