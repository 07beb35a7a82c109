// The extension's user flows against a fake editor (extension-fake-vscode.ts) and a `local` target:
// activation, upload, upload on save, a save conflict offered and resolved in the diff, a
// bidirectional sync that opens the conflict, preview + apply, an invalid config, lazy engine load.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fake from './extension-fake-vscode.js';
import { waitFor } from './extension-test-kit.js';
import { serveFakeVscode } from './fake-vscode-hook.js';

const { host, Uri } = fake;
serveFakeVscode();
const ext = require('../../src/extension/main.js') as typeof import('../../src/extension/main.js');

let tmp: string;
let ws: string;
let server: string;
const config = (extra: object = {}) => JSON.stringify({
  targets: { mirror: { protocol: 'local', remotePath: server } },
  uploadOnSave: true, ignore: ['.vscode/'], ...extra,
}, null, 2);


/** write with a distinct mtime (the engine compares size and mtime with the last-sync state) */
let tick = Date.now() / 1000 - 1000;
function put(file: string, text: string): void {
  writeFileSync(file, text);
  tick += 10;
  utimesSync(file, tick, tick);
}
const read = (file: string) => readFileSync(file, 'utf8');
/** tell the extension the config file changed, and wait until it has reloaded it */
async function reloadConfig(): Promise<void> {
  const before = host.log.filter((l) => /Config reloaded/.test(l)).length;
  host.watchers[0].change.fire(uriOf('.vscode/remote-sync.json'));
  await waitFor('config reloaded', () => host.log.filter((l) => /Config reloaded/.test(l)).length > before);
}
const cmd = (id: string, ...args: unknown[]) => fake.commands.executeCommand(id, ...args);
const uriOf = (rel: string) => Uri.file(join(ws, rel));

let context: ReturnType<typeof fake.makeContext>;

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'rs-ext-'));
  ws = join(tmp, 'ws');
  server = join(tmp, 'server');
  mkdirSync(join(ws, '.vscode'), { recursive: true });
  mkdirSync(server);
  host.reset();
  host.workspaceFolders = [{ uri: Uri.file(ws), name: 'ws', index: 0 }];
});

after(async () => {
  if (process.env.RS_SHOW_LOG) console.log(host.log.join('\n'));
  await ext.deactivate();
  for (const d of context?.subscriptions ?? []) d.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

test('no config: activation registers the commands, shows nothing, loads no engine', () => {
  context = fake.makeContext();
  ext.activate(context as never);
  assert.equal(host.context.get('remoteSync.hasConfig'), false);
  assert.equal(host.status.visible, false);
  assert.ok(host.commands.has('remoteSync.bidirectional'));
  assert.ok(!Object.keys(require.cache).some((k) => k.includes('/ssh2/') || k.includes('core/session')), 'engine not loaded');
  for (const d of context.subscriptions) d.dispose();
});

test('the user flows', async (t) => {
  for (const [name, text] of [['a.txt', 'a1'], ['b.txt', 'b1'], ['c.txt', 'c1']]) put(join(ws, name), text);
  writeFileSync(join(ws, '.vscode/remote-sync.json'), config());
  host.reset();
  host.workspaceFolders = [{ uri: Uri.file(ws), name: 'ws', index: 0 }];
  context = fake.makeContext();
  ext.activate(context as never);

  await t.test('activation with a config: status bar shows the target', () => {
    assert.equal(host.context.get('remoteSync.hasConfig'), true);
    assert.equal(host.status.visible, true);
    assert.match(host.status.text, /mirror/);
  });

  await t.test('Sync: Upload copies the folder, minus ignored files', async () => {
    await cmd('remoteSync.upload');
    assert.equal(read(join(server, 'a.txt')), 'a1');
    assert.equal(read(join(server, 'c.txt')), 'c1');
    assert.equal(existsSync(join(server, '.vscode')), false);
    assert.ok(host.messages.some((m) => m.type === 'info' && /Uploaded 3/.test(m.text)), JSON.stringify(host.messages));
  });

  await t.test('save → uploaded, status bar shows it', async () => {
    put(join(ws, 'a.txt'), 'a2 saved');
    host.save.fire({ uri: uriOf('a.txt') });
    await waitFor('a.txt uploaded', () => read(join(server, 'a.txt')) === 'a2 saved');
    await waitFor('status shows the upload', () => /↑ a\.txt/.test(host.status.text));
  });

  await t.test('save of a file changed on the server: no overwrite, conflict offered, Compare, Keep Local', async () => {
    put(join(server, 'b.txt'), 'b server edit');
    put(join(ws, 'b.txt'), 'b local edit!');
    host.answer = (m) => (/changed on the server/.test(m.text) ? 'Compare' : undefined);
    host.save.fire({ uri: uriOf('b.txt') });
    await waitFor('diff opened', () => host.diffs.length === 1);
    assert.equal(read(join(server, 'b.txt')), 'b server edit', 'not overwritten');
    const diff = host.diffs[0];
    assert.equal(diff.title, 'b.txt (remote ↔ local)');
    assert.equal(diff.left.scheme, 'remote-sync');
    assert.equal(diff.right.fsPath, join(ws, 'b.txt'));
    const fs = host.providers.get('remote-sync');
    assert.equal(Buffer.from(await fs.readFile(diff.left)).toString(), 'b server edit');
    assert.equal((await fs.stat(diff.left)).size, 'b server edit'.length);
    assert.equal(host.context.get('remoteSync.remoteDiffActive'), true);
    assert.equal(host.tree.getChildren().map((n: { group: { id: string } }) => n.group.id).join(), 'conflicts');
    await cmd('remoteSync.keepLocal');
    assert.equal(read(join(server, 'b.txt')), 'b local edit!');
    assert.equal(host.context.get('remoteSync.remoteDiffActive'), false, 'diff closed');
    assert.equal(host.tree.getChildren().length, 0, 'conflict gone from the view');
  });

  await t.test('Bidirectional: both transfers, the conflict opens; Keep Local; then nothing to do', async () => {
    host.answer = () => undefined;
    host.diffs = [];
    put(join(ws, 'c.txt'), 'c2 local');
    put(join(server, 'a.txt'), 'a3 from server');
    put(join(ws, 'b.txt'), 'b both local');
    put(join(server, 'b.txt'), 'b both server!');
    await cmd('remoteSync.bidirectional');
    assert.equal(read(join(server, 'c.txt')), 'c2 local');
    assert.equal(read(join(ws, 'a.txt')), 'a3 from server');
    assert.equal(host.diffs.length, 1);
    assert.equal(host.diffs[0].title, 'b.txt (remote ↔ local)');
    assert.ok(host.messages.some((m) => m.type === 'warning' && /1 conflict left/.test(m.text)));
    await cmd('remoteSync.keepLocal');
    assert.equal(read(join(server, 'b.txt')), 'b both local');
    host.messages = [];
    await cmd('remoteSync.bidirectional');
    assert.ok(host.messages.some((m) => m.type === 'info' && /Nothing to do/.test(m.text)), JSON.stringify(host.messages));
  });

  await t.test('Preview lists the plan and changes nothing; applying a group runs it', async () => {
    put(join(ws, 'd.txt'), 'd1');
    mkdirSync(join(ws, 'new'));
    put(join(ws, 'new/e.txt'), 'e1');
    await cmd('remoteSync.preview');
    assert.equal(existsSync(join(server, 'd.txt')), false);
    const groups = host.tree.getChildren();
    assert.deepEqual(groups.map((g: { group: { id: string } }) => g.group.id), ['uploads']);
    const entries = host.tree.getChildren(groups[0]).map((n: { action: { path: string } }) => n.action.path).sort();
    assert.deepEqual(entries, ['d.txt', 'new/e.txt']);
    assert.equal(host.tree.getTreeItem(groups[0]).contextValue, 'group:uploads');
    await cmd('remoteSync.apply', groups[0]);
    assert.equal(read(join(server, 'new/e.txt')), 'e1');
    assert.equal(read(join(server, 'd.txt')), 'd1');
    assert.equal(host.tree.getChildren().length, 0);
  });

  await t.test('explorer: compare a file that is not on the server says so; upload a folder', async () => {
    mkdirSync(join(ws, 'sub'));
    put(join(ws, 'sub/f.txt'), 'f1');
    host.messages = [];
    await cmd('remoteSync.compareWithRemote', uriOf('sub/f.txt'));
    assert.ok(host.messages.some((m) => /does not exist on "mirror"/.test(m.text)));
    await cmd('remoteSync.explorer.upload', uriOf('sub'));
    assert.equal(read(join(server, 'sub/f.txt')), 'f1');
  });

  await t.test('an invalid config names the field; the extension stays up and recovers', async () => {
    host.messages = [];
    writeFileSync(join(ws, '.vscode/remote-sync.json'), config({ concurrency: 'many' }));
    host.watchers[0].change.fire(uriOf('.vscode/remote-sync.json'));
    await waitFor('warning', () => host.messages.some((m) => /invalid/.test(m.text)));
    assert.match(host.messages[0].text, /concurrency/);
    assert.match(host.status.text, /config/);
    await cmd('remoteSync.upload');
    assert.ok(host.messages.some((m) => m.type === 'error' && /invalid/.test(m.text)));
    writeFileSync(join(ws, '.vscode/remote-sync.json'), config({ uploadOnSave: false }));
    host.watchers[0].change.fire(uriOf('.vscode/remote-sync.json'));
    await waitFor('recovered', () => /mirror/.test(host.status.text));
    put(join(ws, 'a.txt'), 'a4 not uploaded');
    host.save.fire({ uri: uriOf('a.txt') });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(read(join(server, 'a.txt')), 'a3 from server', 'uploadOnSave false: a save does not upload');
  });

  await t.test('Toggle Upload on Save turns it on without touching the file', async () => {
    await cmd('remoteSync.toggleUploadOnSave');
    host.save.fire({ uri: uriOf('a.txt') });
    await waitFor('uploaded', () => read(join(server, 'a.txt')) === 'a4 not uploaded');
    assert.doesNotMatch(read(join(ws, '.vscode/remote-sync.json')), /"uploadOnSave": true/);
  });

  await t.test('save conflict → Download takes the server copy; Overwrite keeps yours', async () => {
    put(join(server, 'c.txt'), 'c server newer');
    put(join(ws, 'c.txt'), 'c mine');
    host.answer = (m) => (/changed on the server/.test(m.text) ? 'Download' : undefined);
    host.save.fire({ uri: uriOf('c.txt') });
    await waitFor('downloaded and recorded', () => read(join(ws, 'c.txt')) === 'c server newer' && host.log.some((l) => /Keep Remote c\.txt/.test(l)));
    put(join(server, 'c.txt'), 'c server again');
    put(join(ws, 'c.txt'), 'c mine again!!');
    host.answer = (m) => (/changed on the server/.test(m.text) ? 'Overwrite' : undefined);
    host.save.fire({ uri: uriOf('c.txt') });
    await waitFor('overwritten', () => read(join(server, 'c.txt')) === 'c mine again!!');
  });

  await t.test('deletePropagation: a delete in the workspace deletes the unchanged server copy', async () => {
    writeFileSync(join(ws, '.vscode/remote-sync.json'), config({ deletePropagation: true }));
    await reloadConfig();
    rmSync(join(ws, 'd.txt'));
    host.deleteFiles.fire({ files: [uriOf('d.txt')] });
    await waitFor('deleted on the server', () => !existsSync(join(server, 'd.txt')));
  });

  await t.test('the warm connection closes when idle and reopens on the next save', async () => {
    writeFileSync(join(ws, '.vscode/remote-sync.json'), config({ idleTimeoutSeconds: 1 }));
    await reloadConfig();
    put(join(ws, 'a.txt'), 'a5 warm');
    host.save.fire({ uri: uriOf('a.txt') });
    await waitFor('uploaded', () => read(join(server, 'a.txt')) === 'a5 warm');
    await waitFor('idle close', () => host.log.some((l) => /Disconnected .*idle for 1 s/.test(l)));
    put(join(ws, 'a.txt'), 'a6 reopened');
    host.save.fire({ uri: uriOf('a.txt') });
    await waitFor('uploaded after reopen', () => read(join(server, 'a.txt')) === 'a6 reopened');
  });
});
