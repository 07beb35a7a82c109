// Issue 7 "the first hour in the editor" against the fake editor (extension-fake-vscode.ts) and a
// `local` target: the vscode-sftp import (offer, secrets to SecretStorage, a pasted sftp.json), a
// command without a config, conflicts one after the other with words above the diff ("2 of 2",
// "All conflicts resolved"), a planned download with Apply, an excluded file, a stale status bar.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fake from './extension-fake-vscode.js';
import { waitFor, put } from './extension-test-kit.js';
import { serveFakeVscode } from './fake-vscode-hook.js';

const { host, Uri } = fake;
serveFakeVscode();
const ext = require('../../src/extension/main.js') as typeof import('../../src/extension/main.js');

let tmp: string;
let ws: string;
let server: string;
let context: ReturnType<typeof fake.makeContext>;
const cmd = (id: string, ...args: unknown[]) => fake.commands.executeCommand(id, ...args);
const uriOf = (rel: string) => Uri.file(join(ws, rel));
const read = (file: string) => readFileSync(file, 'utf8');
function start(): void {
  for (const d of context?.subscriptions ?? []) d.dispose();
  host.reset();
  host.statusMessages = [];
  host.workspaceFolders = [{ uri: Uri.file(ws), name: 'ws', index: 0 }];
  context = fake.makeContext();
  ext.activate(context as never);
}
async function reloadConfig(): Promise<void> {
  const n = host.log.filter((l) => /Config (re)?loaded/.test(l)).length;
  host.watchers[0].change.fire(uriOf('.vscode/remote-sync.json'));
  await waitFor('config loaded', () => host.log.filter((l) => /Config (re)?loaded/.test(l)).length > n);
}

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'rs-first-'));
  ws = join(tmp, 'ws');
  server = join(tmp, 'server');
  mkdirSync(join(ws, '.vscode'), { recursive: true });
  mkdirSync(server);
});

after(async () => {
  await ext.deactivate();
  for (const d of context?.subscriptions ?? []) d.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

test('no config at all: a Sync command offers Create Config instead of doing nothing', async () => {
  start();
  await cmd('remoteSync.upload');
  const m = host.messages.find((x) => /no workspace folder has a \.vscode\/remote-sync\.json yet/.test(x.text));
  assert.ok(m, JSON.stringify(host.messages));
  assert.deepEqual(m.items, ['Create Config']);
});

test('only .vscode/sftp.json: one quiet offer; the import writes remote-sync.json, the password goes to SecretStorage', async () => {
  writeFileSync(join(ws, '.vscode/sftp.json'), JSON.stringify({
    name: 'mirror', protocol: 'sftp', host: 'example.com', username: 'me', password: 'pw-1', remotePath: '/srv/site',
    uploadOnSave: true, watcher: { files: '**/*' },
  }));
  host.reset();
  host.answer = (m) => (/vscode-sftp settings/.test(m.text) && !m.modal ? 'Import vscode-sftp settings' : m.modal ? 'Store in Secret Storage' : undefined);
  host.workspaceFolders = [{ uri: Uri.file(ws), name: 'ws', index: 0 }];
  context = fake.makeContext();
  ext.activate(context as never);
  await waitFor('remote-sync.json written', () => existsSync(join(ws, '.vscode/remote-sync.json')));
  await waitFor('secret stored', () => context.secretValues.size === 1);
  const text = read(join(ws, '.vscode/remote-sync.json'));
  assert.doesNotMatch(text, /pw-1/);
  assert.match(text, /- watcher: no file watcher/);
  assert.deepEqual([...context.secretValues.entries()], [['remote-sync.password:sftp://me@example.com:22', 'pw-1']]);
  const offer = host.messages.find((m) => /has vscode-sftp settings/.test(m.text));
  assert.deepEqual(offer?.items, ['Import vscode-sftp settings', 'Not Now']);
  const secretQuestion = host.messages.find((m) => m.modal);
  assert.match(secretQuestion!.text, /hold a password for "mirror"/);
  await waitFor('the import is announced', () => host.messages.some((m) => /imported \.vscode\/sftp\.json into \.vscode\/remote-sync\.json/.test(m.text)));
  rmSync(join(ws, '.vscode/remote-sync.json'));
});

test('"Not Now" is remembered: no second offer in that workspace', async () => {
  host.reset();
  host.answer = (m) => (/vscode-sftp settings/.test(m.text) ? 'Not Now' : undefined);
  host.workspaceFolders = [{ uri: Uri.file(ws), name: 'ws', index: 0 }];
  context = fake.makeContext();
  ext.activate(context as never);
  await waitFor('offer', () => host.messages.some((m) => /vscode-sftp settings/.test(m.text)));
  await new Promise((r) => setTimeout(r, 20));
  host.messages = [];
  for (const d of context.subscriptions) d.dispose();
  const state = context.workspaceState;
  host.reset();
  host.workspaceFolders = [{ uri: Uri.file(ws), name: 'ws', index: 0 }];
  context = { ...fake.makeContext(), workspaceState: state };
  ext.activate(context as never);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(host.messages.filter((m) => /vscode-sftp settings/.test(m.text)).length, 0, JSON.stringify(host.messages));
  rmSync(join(ws, '.vscode/sftp.json'));
});

test('sftp.json content pasted into remote-sync.json: said so, and converted in place', async () => {
  writeFileSync(join(ws, '.vscode/remote-sync.json'), JSON.stringify({ host: 'h.example', username: 'u', remotePath: '/x', protocol: 'ftp' }));
  host.reset();
  host.answer = (m) => (/holds vscode-sftp settings/.test(m.text) ? 'Import vscode-sftp settings' : undefined);
  host.workspaceFolders = [{ uri: Uri.file(ws), name: 'ws', index: 0 }];
  context = fake.makeContext();
  ext.activate(context as never);
  await waitFor('converted', () => /"targets"/.test(read(join(ws, '.vscode/remote-sync.json'))));
  const m = host.messages.find((x) => /holds vscode-sftp settings/.test(x.text));
  assert.ok(m && !/is not a known setting/.test(m.text));
  assert.equal(JSON.parse(read(join(ws, '.vscode/remote-sync.json')).replace(/^\/\/.*$/gm, '')).targets.default.host, 'h.example');
});

test('conflicts one after the other: words above the diff, "2 of 2", then "All conflicts resolved"; status bar stays true', async () => {
  writeFileSync(join(ws, '.vscode/remote-sync.json'), JSON.stringify({
    targets: { mirror: { protocol: 'local', remotePath: server }, other: { protocol: 'local', remotePath: join(tmp, 'other') } },
    defaultTarget: 'mirror', ignore: ['.vscode/', '*.log'],
  }));
  mkdirSync(join(tmp, 'other'));
  start();
  for (const n of ['a', 'b', 'c']) put(join(ws, `${n}.txt`), `${n} first`);
  await cmd('remoteSync.upload');
  put(join(ws, 'a.txt'), 'a local');
  put(join(server, 'a.txt'), 'a server!');
  put(join(ws, 'b.txt'), 'b local');
  put(join(server, 'b.txt'), 'b server!');
  await cmd('remoteSync.bidirectional');
  await waitFor('the first conflict opens', () => host.diffs.length === 1);
  assert.match(host.status.text, /2 conflicts/);
  const first = host.diffs[0].title.split(' ')[0];
  const lenses = host.codeLens.provideCodeLenses({ uri: host.diffs[0].right });
  assert.deepEqual(lenses.map((l: { command: { title: string } }) => l.command.title).slice(1), ['Keep Local', 'Keep Remote', 'Skip']);
  assert.match(lenses[0].command.title, /^Conflict 1 of 2 — modified on both sides/);
  assert.equal(host.context.get('remoteSync.remoteDiffKind'), 'conflict');
  // Skip from the words above the diff: the next conflict opens, with its place
  await cmd(lenses[3].command.command, ...lenses[3].command.arguments);
  assert.equal(host.diffs.length, 2, 'the next conflict opened');
  assert.notEqual(host.diffs[1].title.split(' ')[0], first);
  assert.match(host.diffs[0].title, /^[ab]\.txt \(remote ↔ local\) · 1 of 2$/);
  assert.match(host.diffs[1].title, /^[ab]\.txt \(remote ↔ local\) · 2 of 2$/, 'its place in the title');
  assert.match(host.status.text, /· 1 conflict$/, 'the status bar counts what is left, not the run\'s 2');
  const second = host.codeLens.provideCodeLenses({ uri: host.diffs[1].right });
  assert.match(second[0].command.title, /^Conflict 2 of 2/);
  await cmd('remoteSync.keepLocal');
  assert.ok(host.messages.some((m) => m.text === 'Remote Sync: All conflicts resolved.'), JSON.stringify(host.messages.map((m) => m.text)));
  assert.doesNotMatch(host.status.text, /conflict/);
  // the status bar click opens the next conflict while some are pending, else the log
  assert.equal(host.status.command, 'remoteSync.statusClick');
});

test('a planned download opens with Apply / Skip; Apply downloads it and the preview header stays true', async () => {
  put(join(server, 'c.txt'), 'c from the server');
  await cmd('remoteSync.preview');
  const downloads = () => host.tree.getChildren().find((g: { group: { label: string } }) => g.group.label === 'Downloads');
  assert.deepEqual(host.tree.getChildren().map((g: { group: { label: string } }) => g.group.label), ['Downloads', 'Conflicts'], 'the conflict skipped before is still one');
  const [entry] = host.tree.getChildren(downloads());
  const item = host.tree.getTreeItem(entry);
  assert.equal(item.description, 'will replace your copy');
  assert.match(item.tooltip, /Why: modified on the server/);
  await cmd('remoteSync.openEntry', entry);
  assert.equal(host.context.get('remoteSync.remoteDiffKind'), 'planned');
  const lenses = host.codeLens.provideCodeLenses({ uri: host.diffs[host.diffs.length - 1].right });
  assert.deepEqual(lenses.map((l: { command: { title: string } }) => l.command.title).slice(1), ['Apply', 'Skip']);
  assert.match(lenses[0].command.title, /^Planned download/);
  put(join(server, 'b.txt'), 'b again on the server');
  await cmd('remoteSync.preview');
  assert.match(host.tree.getChildren(host.tree.getChildren().find((g: { group: { label: string } }) => g.group.label === 'Conflicts'))[0].action.path, /^[ab]\.txt$/);
  await cmd('remoteSync.openEntry', host.tree.getChildren(downloads()).find((n: { action: { path: string } }) => n.action.path === 'c.txt'));
  await cmd('remoteSync.apply', host.diffs[host.diffs.length - 1].right);
  assert.equal(read(join(ws, 'c.txt')), 'c from the server');
  assert.deepEqual(host.tree.getChildren(downloads()).map((n: { action: { path: string } }) => n.action.path), ['b.txt'], 'c.txt applied, b.txt still planned');
  assert.match(host.treeView.message, /^Preview: 1 entry applied; the rest has not changed yet/);
});

test('Upload to Remote on an excluded file says it is excluded, and by which pattern', async () => {
  put(join(ws, 'debug.log'), 'log');
  host.messages = [];
  await cmd('remoteSync.explorer.upload', uriOf('debug.log'));
  assert.ok(host.messages.some((m) => /debug\.log is excluded by "\*\.log" in "ignore"/.test(m.text)), JSON.stringify(host.messages));
  assert.ok(!host.messages.some((m) => /in sync/.test(m.text)));
  assert.equal(existsSync(join(server, 'debug.log')), false);
});

test('Select Target: the previous target\'s last result is not shown for the new one', async () => {
  await cmd('remoteSync.upload');
  assert.match(host.status.text, /mirror · /);
  host.quickPick = (items) => items.find((i) => i.label === 'other');
  await cmd('remoteSync.selectTarget');
  await reloadConfig().catch(() => undefined);
  await waitFor('other target shown', () => /other$/.test(host.status.text));
  host.quickPick = (items) => items[0];
});
