// Files changed outside the editor (issue 8 item 5) against the fake editor and a `local` target:
// a burst of watcher events goes as one batch through the save path (never over a server change),
// deletions only within maxDelete, and "Sync: Upload Changed Files" uploads what changed locally.
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
const read = (f: string) => readFileSync(f, 'utf8');

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'rs-file-watch-'));
  ws = join(tmp, 'ws');
  server = join(tmp, 'server');
  mkdirSync(join(ws, '.vscode'), { recursive: true });
  mkdirSync(server);
  writeFileSync(join(ws, '.vscode', 'remote-sync.json'), JSON.stringify({
    targets: { web: { protocol: 'local', remotePath: server } }, ignore: ['.vscode/'], maxDelete: 2,
    watch: { files: ['dist/**'], delete: true },
  }));
  host.reset();
  host.workspaceFolders = [{ uri: Uri.file(ws), name: 'ws', index: 0 }];
});

after(async () => {
  await ext.deactivate();
  for (const d of context?.subscriptions ?? []) d.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

test('watch: a build\'s burst of changes is one batch, never over a server change; deletions within maxDelete only', async () => {
  for (const n of ['a', 'b', 'c', 'd']) put(join(ws, `dist/${n}.js`), `${n}1`);
  put(join(ws, 'index.html'), 'home');
  context = fake.makeContext();
  ext.activate(context as never);
  await cmd('remoteSync.bidirectional');
  assert.equal(read(join(server, 'dist/a.js')), 'a1');
  const w = host.watchers.find((x) => (x.pattern as { pattern?: string } | undefined)?.pattern === 'dist/**');
  assert.ok(w, 'a watcher on dist/**');
  assert.match(host.log.join('\n'), /Watching dist\/\*\* for changes made outside the editor \(upload on, delete on\)/);

  // a build rewrites two files and adds one: one batch
  put(join(ws, 'dist/a.js'), 'a2');
  put(join(ws, 'dist/b.js'), 'b2');
  put(join(ws, 'dist/new.js'), 'new');
  w.change.fire(Uri.file(join(ws, 'dist/a.js')));
  w.change.fire(Uri.file(join(ws, 'dist/b.js')));
  w.create.fire(Uri.file(join(ws, 'dist/new.js')));
  w.change.fire(Uri.file(join(ws, 'dist/a.js')));
  await waitFor('the batch uploaded', () => existsSync(join(server, 'dist/new.js')) && read(join(server, 'dist/a.js')) === 'a2'
    && host.log.some((l) => /Watch: uploaded/.test(l)));
  assert.equal(read(join(server, 'dist/b.js')), 'b2');
  assert.equal(host.log.filter((l) => /Watch: uploaded 3 of 3 changed files/.test(l)).length, 1, 'one batch of three');

  // a file changed on the server since the last sync is not overwritten: a conflict is offered
  put(join(server, 'dist/c.js'), 'c changed on the server');
  put(join(ws, 'dist/c.js'), 'c2 from the build');
  host.messages = [];
  w.change.fire(Uri.file(join(ws, 'dist/c.js')));
  await waitFor('the conflict offered', () => host.messages.some((m) => /"c\.js" changed on the server since the last sync, so it was not uploaded/.test(m.text)));
  assert.equal(read(join(server, 'dist/c.js')), 'c changed on the server');

  // three deletions with maxDelete 2: stopped with the sync's safety message, nothing deleted
  host.messages = [];
  for (const n of ['a', 'b', 'new']) { rmSync(join(ws, `dist/${n}.js`)); w.delete.fire(Uri.file(join(ws, `dist/${n}.js`))); }
  await waitFor('the safety stop', () => host.messages.some((m) => /The plan would delete 3 of \d+ files on the server web, more than the limit of 2\. Nothing was changed/.test(m.text)));
  assert.ok(existsSync(join(server, 'dist/a.js')) && existsSync(join(server, 'dist/new.js')));
  // one deletion: done
  rmSync(join(ws, 'dist/d.js'));
  w.delete.fire(Uri.file(join(ws, 'dist/d.js')));
  await waitFor('d.js deleted on the server', () => !existsSync(join(server, 'dist/d.js')));
});

test('Upload Changed Files: what the state says changed locally goes up; a server change is left alone', async () => {
  put(join(ws, 'index.html'), 'home, edited by another tool');
  put(join(ws, 'extra/new.txt'), 'new since the last sync');
  put(join(server, 'dist/c.js'), 'c changed on the server again');
  host.messages = [];
  await cmd('remoteSync.uploadChanged');
  assert.equal(read(join(server, 'index.html')), 'home, edited by another tool');
  assert.equal(read(join(server, 'extra/new.txt')), 'new since the last sync');
  assert.equal(read(join(server, 'dist/c.js')), 'c changed on the server again', 'never over a server change');
  assert.ok(existsSync(join(server, 'dist/a.js')), 'deletions only with deletePropagation');
  assert.match(host.log.join('\n'), /Conflict on dist\/c\.js/);
});
