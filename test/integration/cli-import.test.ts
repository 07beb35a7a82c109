// `remote-sync import-sftp-json [FILE] [--force]` end to end: the process, the file it writes, its
// refusal to overwrite, its exit codes. Runs dist/cli.js when built, else the source through tsx.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliProcess } from '../harness/cli.js';
import { parseConfigText } from '../../src/core/config/index.js';

let root: string;
before(() => { root = mkdtempSync(join(tmpdir(), 'rs-import-')); });
after(() => { rmSync(root, { recursive: true, force: true }); });

const cli = (args: string[], cwd: string) => runCliProcess(args, { cwd });

const SFTP_JSON = `// my vscode-sftp settings
{
  "name": "prod",
  "host": "example.com",
  "protocol": "sftp",
  "username": "deploy",
  "password": "s3cret",
  "remotePath": "/var/www/site",
  "uploadOnSave": true,
  "watcher": { "files": "**/*" },
  "ignore": [".vscode", "node_modules"],
}`;

function workspace(name: string): string {
  const ws = join(root, name);
  mkdirSync(join(ws, '.vscode'), { recursive: true });
  writeFileSync(join(ws, '.vscode/sftp.json'), SFTP_JSON);
  return ws;
}

test('finds .vscode/sftp.json from a subfolder, writes remote-sync.json beside it without the password', () => {
  const ws = workspace('found');
  mkdirSync(join(ws, 'src/deep'), { recursive: true });
  const r = cli(['import-sftp-json'], join(ws, 'src/deep'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Wrote .*\.vscode\/remote-sync\.json: target "prod"/);
  assert.match(r.stderr, /holds a password for "prod": not copied/);
  assert.match(r.stderr, /- watcher: no file watcher/);
  const text = readFileSync(join(ws, '.vscode/remote-sync.json'), 'utf8');
  assert.doesNotMatch(text, /s3cret/);
  assert.match(text.split('{')[0], /Not carried over[\s\S]*watcher/);
  const cfg = parseConfigText(text, join(ws, '.vscode/remote-sync.json'));
  assert.equal(cfg.targets.prod.host, 'example.com');
  assert.equal(cfg.targets.prod.user, 'deploy');
  assert.equal(cfg.uploadOnSave, true);
  assert.deepEqual(readdirSync(join(ws, '.vscode')).sort(), ['remote-sync.json', 'sftp.json'], 'no temp file left');
});

test('refuses to overwrite an existing remote-sync.json without --force; --force replaces it', () => {
  const ws = workspace('exists');
  writeFileSync(join(ws, '.vscode/remote-sync.json'), '{ "mine": true }');
  const r = cli(['import-sftp-json', '.vscode/sftp.json'], ws);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /remote-sync\.json already exists; nothing was written\. Add --force/);
  assert.equal(readFileSync(join(ws, '.vscode/remote-sync.json'), 'utf8'), '{ "mine": true }');
  const forced = cli(['import-sftp-json', '--force'], ws);
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(readFileSync(join(ws, '.vscode/remote-sync.json'), 'utf8'), /imported from/);
});

test('errors: no sftp.json, a broken one, an unknown option', () => {
  const empty = join(root, 'empty');
  mkdirSync(empty);
  const none = cli(['import-sftp-json'], empty);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no \.vscode\/sftp\.json in this folder or above it/);
  const ws = workspace('broken');
  writeFileSync(join(ws, '.vscode/sftp.json'), '{ "remotePath": "/x" }');
  const bad = cli(['import-sftp-json'], ws);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /sftp\.json: host is missing/);
  assert.ok(!existsSync(join(ws, '.vscode/remote-sync.json')), 'nothing written');
  const usage = cli(['import-sftp-json', '--dry-run'], ws);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /not used by 'import-sftp-json'/);
  const help = cli(['import-sftp-json', '--help'], ws);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /remote-sync import-sftp-json \[FILE\] \[--force\]/);
});
