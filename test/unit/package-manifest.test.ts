// package.json as the Marketplace, VS Code and npm read it (issue 7 items 2, 3, 4, 12, 16): every
// command a menu or the walkthrough names exists, the Sync commands are in the palette everywhere,
// activation stays light, the walkthrough's media ship, the package carries only what it needs and
// needs nothing installed, @types/vscode matches engines.vscode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { minimatch } from 'minimatch';

const repo = join(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
const c = pkg.contributes;
const ids = new Set<string>(c.commands.map((x: { command: string }) => x.command));

test('every command named by a menu or the walkthrough is contributed', () => {
  for (const [menu, items] of Object.entries(c.menus) as Array<[string, Array<{ command: string }>]>) {
    for (const m of items) assert.ok(ids.has(m.command), `${menu}: ${m.command}`);
  }
  for (const step of c.walkthroughs[0].steps) {
    for (const [, id] of step.description.matchAll(/\(command:([\w.]+)\)/g)) assert.ok(ids.has(id), `walkthrough ${step.id}: ${id}`);
  }
});

test('the Sync commands are in the palette in every workspace; activation is light', () => {
  const hidden = c.menus.commandPalette.filter((m: { when: string }) => /hasConfig/.test(m.when));
  assert.deepEqual(hidden, [], 'no command is hidden until a config exists');
  for (const id of ['remoteSync.upload', 'remoteSync.createConfig', 'remoteSync.importSftpConfig']) {
    assert.ok(!c.menus.commandPalette.some((m: { command: string; when: string }) => m.command === id && m.when === 'false'), id);
  }
  assert.deepEqual(pkg.activationEvents, ['workspaceContains:.vscode/remote-sync.json', 'workspaceContains:.vscode/sftp.json']);
  assert.deepEqual(pkg.extensionKind, ['workspace']);
  assert.ok(c.languages.some((l: { id: string; filenamePatterns: string[] }) => l.id === 'jsonc' && l.filenamePatterns.includes('**/.vscode/remote-sync.json')));
});

test('the diff title shows words: its commands have no icon; Preview and the writing sync have distinct icons', () => {
  const byId = new Map(c.commands.map((x: { command: string }) => [x.command, x]));
  for (const m of c.menus['editor/title']) assert.equal((byId.get(m.command) as { icon?: string }).icon, undefined, m.command);
  const icons = c.menus['view/title'].map((m: { command: string }) => (byId.get(m.command) as { icon: string }).icon);
  assert.equal(new Set(icons).size, icons.length, `distinct: ${icons}`);
  assert.match((byId.get('remoteSync.view.bidirectional') as { title: string }).title, /upload and download/);
});

test('package hygiene: files, no runtime dependencies, prepublish, @types/vscode pinned to the engine', () => {
  assert.equal(pkg.dependencies, undefined, 'the bundles need nothing installed');
  for (const lib of ['ssh2', 'basic-ftp', 'jsonc-parser', 'minimatch']) assert.ok(pkg.devDependencies[lib], lib);
  assert.match(pkg.scripts['vscode:prepublish'], /build\.mjs --production/);
  const engine = /^\^?(\d+)\.(\d+)/.exec(pkg.engines.vscode)!;
  assert.match(pkg.devDependencies['@types/vscode'], new RegExp(`^~${engine[1]}\\.${engine[2]}\\.`));
  const files: string[] = pkg.files;
  const shipped = (p: string) => files.some((f) => minimatch(p, f));
  for (const p of ['dist/extension.js', 'dist/cli.js', 'dist/cli-main.js', 'dist/ssh2.js', 'dist/remote-sync.schema.json', 'README.md', 'LICENSE', pkg.icon]) assert.ok(shipped(p), p);
  for (const p of ['src/extension/main.ts', 'test/unit/x.test.ts', 'bench/bench.ts']) assert.ok(!shipped(p), p);
  // the README's images and the walkthrough's pages ship, and exist
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
  assert.ok(images.length >= 5);
  for (const img of images) {
    assert.ok(!/^https?:/.test(img) && shipped(img) && existsSync(join(repo, img)), img);
  }
  for (const step of c.walkthroughs[0].steps) assert.ok(shipped(step.media.markdown) && existsSync(join(repo, step.media.markdown)), step.media.markdown);
  assert.equal(pkg.repository, undefined, 'no placeholder repository: the package script keeps README links relative');
  assert.match(pkg.scripts.package, /--no-rewrite-relative-links/);
});
