// What the user has not seen is never overwritten from the editor: a Keep Local decided on a diff whose
// server side went stale, and downloads (explorer, Sync: Download, server watch) over a file with
// unsaved changes in an editor. The fake editor (extension-fake-vscode.ts) and a `local` target.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
const read = (file: string) => readFileSync(file, 'utf8');
const uriOf = (rel: string) => Uri.file(join(ws, rel));
/** a document open in an editor with unsaved changes */
const dirtyDoc = (rel: string) => ({ uri: uriOf(rel), isDirty: true, version: 5, isUntitled: false, save: async () => true });
/** the config reaches outside the workspace (a local target): allowed, as the user would */
const allowReach = (m: fake.Shown) => (/reaches outside this workspace/.test(m.text) ? 'Allow for This Workspace' : undefined);

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'rs-editor-safety-'));
  ws = join(tmp, 'ws');
  server = join(tmp, 'server');
  mkdirSync(join(ws, '.vscode'), { recursive: true });
  mkdirSync(server);
  writeFileSync(join(ws, '.vscode', 'remote-sync.json'), JSON.stringify({
    targets: { web: { protocol: 'local', remotePath: server } }, ignore: ['.vscode/'], uploadOnSave: true,
  }));
  host.reset();
  host.answer = allowReach;
  host.workspaceFolders = [{ uri: Uri.file(ws), name: 'ws', index: 0 }];
});

after(async () => {
  (fake.workspace as { textDocuments: unknown[] }).textDocuments = [];
  await ext.deactivate();
  for (const d of context?.subscriptions ?? []) d.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

test('editor safety', async (t) => {
  put(join(ws, 'a.txt'), 'a1');
  put(join(ws, 'b.txt'), 'b1');
  put(join(ws, 'c.txt'), 'c1');
  context = fake.makeContext();
  ext.activate(context as never);
  await cmd('remoteSync.bidirectional');
  assert.equal(read(join(server, 'a.txt')), 'a1');

  await t.test('Keep Local on a diff whose server side changed again since it was shown: the unseen version is not overwritten', async () => {
    put(join(server, 'a.txt'), 'server v1');
    put(join(ws, 'a.txt'), 'local edit');
    host.answer = (m) => allowReach(m) ?? (/changed on the server/.test(m.text) ? 'Compare' : undefined);
    host.save.fire({ uri: uriOf('a.txt') });
    await waitFor('diff opened', () => host.diffs.length === 1);
    const fs = host.providers.get('remote-sync');
    assert.equal(Buffer.from(await fs.readFile(host.diffs[0].left)).toString(), 'server v1', 'what the diff shows');
    // a colleague uploads again while the diff is open; nothing tells the diff
    put(join(server, 'a.txt'), 'server v2, never shown');
    host.answer = allowReach;
    await cmd('remoteSync.keepLocal').catch(() => undefined);
    assert.equal(read(join(server, 'a.txt')), 'server v2, never shown', 'Keep Local overwrote a server version the user never saw');
    assert.ok(host.messages.some((m) => m.type === 'error' && /changed on the server since it was compared/i.test(m.text) && m.items.includes('Show Log')),
      JSON.stringify(host.messages));
    // the diff now shows the server's copy as it is; deciding again on it goes through
    assert.equal(Buffer.from(await fs.readFile(host.diffs[0].left)).toString(), 'server v2, never shown');
    await cmd('remoteSync.keepLocal');
    assert.equal(read(join(server, 'a.txt')), 'local edit');
  });

  await t.test('explorer Download of a file with unsaved changes: the file under the buffer is not replaced', async () => {
    (fake.workspace as { textDocuments: unknown[] }).textDocuments = [dirtyDoc('b.txt')];
    put(join(server, 'b.txt'), 'b from the server');
    host.messages = [];
    await cmd('remoteSync.explorer.download', uriOf('b.txt'));
    assert.equal(read(join(ws, 'b.txt')), 'b1', 'downloaded over a file open with unsaved changes');
    assert.ok(host.messages.some((m) => /unsaved changes/.test(m.text)), JSON.stringify(host.messages));
    (fake.workspace as { textDocuments: unknown[] }).textDocuments = [];
  });

  await t.test('Sync: Bidirectional with a file open with unsaved changes: the file under the buffer is not replaced', async () => {
    (fake.workspace as { textDocuments: unknown[] }).textDocuments = [dirtyDoc('c.txt')];
    put(join(server, 'c.txt'), 'c from the server');
    host.messages = [];
    await cmd('remoteSync.bidirectional');
    assert.equal(read(join(ws, 'c.txt')), 'c1', 'downloaded over a file open with unsaved changes');
    (fake.workspace as { textDocuments: unknown[] }).textDocuments = [];
  });

  await t.test('Save and Continue: the buffer is saved, then it is a local change, which the sync does not download over', async () => {
    const doc = { ...dirtyDoc('c.txt'), save: async () => { put(join(ws, 'c.txt'), 'c typed, unsaved'); doc.isDirty = false; return true; } };
    (fake.workspace as { textDocuments: unknown[] }).textDocuments = [doc];
    host.answer = (m) => allowReach(m) ?? (/unsaved changes/.test(m.text) ? 'Save and Continue' : undefined);
    await cmd('remoteSync.bidirectional');
    assert.equal(read(join(ws, 'c.txt')), 'c typed, unsaved');
    assert.equal(read(join(server, 'c.txt')), 'c from the server');
    assert.ok(host.tree.getChildren().some((n: { group: { id: string } }) => n.group.id === 'conflicts'));
    (fake.workspace as { textDocuments: unknown[] }).textDocuments = [];
    host.answer = allowReach;
  });

  await t.test('server changes downloaded automatically: a file with unsaved changes is left for the user', async () => {
    writeFileSync(join(ws, '.vscode', 'remote-sync.json'), JSON.stringify({
      targets: { web: { protocol: 'local', remotePath: server } }, ignore: ['.vscode/'], uploadOnSave: true,
      watchServer: { intervalSeconds: 3600 }, downloadServerChanges: 'auto',
    }));
    host.watchers[0].change.fire(uriOf('.vscode/remote-sync.json'));
    await waitFor('config reloaded', () => host.log.some((l) => /Config reloaded/.test(l)));
    put(join(ws, 'd.txt'), 'd1');
    put(join(ws, 'e.txt'), 'e1');
    await cmd('remoteSync.upload');
    put(join(server, 'd.txt'), 'd from the server');
    put(join(server, 'e.txt'), 'e from the server');
    (fake.workspace as { textDocuments: unknown[] }).textDocuments = [dirtyDoc('d.txt')];
    await cmd('remoteSync.checkServer');
    await waitFor('e.txt downloaded', () => read(join(ws, 'e.txt')) === 'e from the server');
    assert.equal(read(join(ws, 'd.txt')), 'd1', 'downloaded under an editor with unsaved changes');
    (fake.workspace as { textDocuments: unknown[] }).textDocuments = [];
  });

  await t.test('server changes downloaded after "Download" in the notification: a failure is shown with Show Log, never only logged', async () => {
    writeFileSync(join(ws, '.vscode', 'remote-sync.json'), JSON.stringify({
      targets: { web: { protocol: 'local', remotePath: server } }, ignore: ['.vscode/'], uploadOnSave: true,
      watchServer: { intervalSeconds: 3600 }, downloadServerChanges: 'ask',
    }));
    host.log.length = 0;
    host.watchers[0].change.fire(uriOf('.vscode/remote-sync.json'));
    await waitFor('config reloaded', () => host.log.some((l) => /Config reloaded/.test(l)));
    put(join(server, 'f.txt'), 'f from the server');
    host.messages.length = 0;
    host.answer = (m) => {
      if (!/changed on .* since the last sync/.test(m.text)) return allowReach(m);
      rmSync(server, { recursive: true, force: true }); // the server folder goes away before the download
      return 'Download';
    };
    await cmd('remoteSync.checkServer');
    await waitFor('the failed download shown', () => host.messages.some((m) => m.type === 'error' && /Download server changes/.test(m.text)));
    const shown = host.messages.find((m) => m.type === 'error' && /Download server changes/.test(m.text))!;
    assert.ok(shown.items.includes('Show Log'), JSON.stringify(shown));
    host.answer = allowReach;
    mkdirSync(server, { recursive: true });
  });
});
