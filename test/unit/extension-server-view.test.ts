// The server view (issue 8 items 1-2) against the fake editor and a `local` target: a folder listed
// with each entry's status, the same status as decorations on both the local and the server URIs,
// a server-only file opened (downloaded, then opened), a download holding back a local change,
// Delete on Server confirmed twice when the server copy changed, Copy Path.
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

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'rs-server-view-'));
  ws = join(tmp, 'ws');
  server = join(tmp, 'server');
  mkdirSync(join(ws, '.vscode'), { recursive: true });
  mkdirSync(server);
  writeFileSync(join(ws, '.vscode', 'remote-sync.json'), JSON.stringify({
    targets: { web: { protocol: 'local', remotePath: server } }, ignore: ['.vscode/', '*.log'], downloadOnOpen: true,
  }));
  host.reset();
  host.workspaceFolders = [{ uri: Uri.file(ws), name: 'ws', index: 0 }];
});

after(async () => {
  await ext.deactivate();
  for (const d of context?.subscriptions ?? []) d.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

type N = { path: string; type: string; item?: { status: string } };
async function children(of?: N): Promise<N[]> {
  return host.views.get('remoteSync.server').getChildren(of) as Promise<N[]>;
}
const badge = (uri: unknown): string | undefined => host.decorations.provideFileDecoration(uri)?.badge;

test('server view: statuses, decorations, open a server-only file, download, delete on server, copy path', async () => {
  put(join(ws, 'index.html'), 'one');
  put(join(ws, 'keep.txt'), 'keep');
  put(join(ws, 'css/site.css'), 'body{}');
  context = fake.makeContext();
  ext.activate(context as never);
  await cmd('remoteSync.bidirectional');
  assert.equal(readFileSync(join(server, 'css/site.css'), 'utf8'), 'body{}');

  // changes after the sync: on the server, here, and a file only on the server
  put(join(server, 'index.html'), 'changed on the server');
  put(join(ws, 'keep.txt'), 'changed here');
  put(join(server, 'docs/only-server.md'), '# from the server');
  put(join(server, 'trace.log'), 'x');

  const root = await children();
  assert.deepEqual(root.map((n) => [n.path, n.type, n.item?.status]), [
    ['css', 'dir', 'in-sync'], ['docs', 'dir', 'server-only'],
    ['index.html', 'file', 'server-changed'], ['keep.txt', 'file', 'local-changed'], ['trace.log', 'file', 'excluded'],
  ]);
  const tree = host.views.get('remoteSync.server');
  const item = tree.getTreeItem(root.find((n) => n.path === 'index.html'));
  assert.equal(item.label, 'index.html');
  assert.match(item.tooltip.value, /changed on the server since the last sync/);
  assert.equal(item.command.command, 'remoteSync.server.open');
  // decorations: the same letters on the local file (Explorer) and on the server entry; a folder rolls up
  const session = { remoteUri: (p: string) => Uri.from({ scheme: 'remote-sync', path: '/' + p, query: new URLSearchParams({ folder: Uri.file(ws).toString(), target: 'web' }).toString() }) };
  assert.equal(badge(Uri.file(join(ws, 'index.html'))), 'S');
  assert.equal(badge(session.remoteUri('index.html')), 'S');
  assert.equal(badge(Uri.file(join(ws, 'keep.txt'))), 'M');
  assert.equal(badge(Uri.file(join(ws, 'css/site.css'))), undefined, 'in sync: no badge');
  assert.equal(badge(session.remoteUri('docs')), 'R');

  // a local edit after the listing: the decoration follows the file event, checked against the state
  put(join(ws, 'css/site.css'), 'body{color:red}');
  host.watchers[host.watchers.length - 1].change.fire(Uri.file(join(ws, 'css/site.css')));
  const css = await children(root[0]);
  assert.deepEqual(css.map((n) => [n.path, n.item?.status]), [['css/site.css', 'local-changed']]);
  assert.equal(badge(Uri.file(join(ws, 'css'))), 'M', 'the folder rolls up its child');

  // Open on a server-only file: downloaded into the workspace, then opened (the local copy)
  const docs = await children(root[1]);
  host.opened = [];
  await cmd('remoteSync.server.open', docs[0]);
  assert.ok(existsSync(join(ws, 'docs/only-server.md')), host.log.join('\n') + JSON.stringify(host.messages));
  assert.equal(readFileSync(join(ws, 'docs/only-server.md'), 'utf8'), '# from the server');
  assert.deepEqual(host.opened.map((u) => u.fsPath), [join(ws, 'docs/only-server.md')]);
  // Open on a file on both sides: the server's copy, read-only
  host.opened = [];
  await cmd('remoteSync.server.open', root.find((n) => n.path === 'index.html'));
  assert.equal(host.opened[0].scheme, 'remote-sync');

  // Download of a folder with a local change: the server's change comes down, the local change is held back and offered
  host.messages = [];
  const [index, keep] = [root.find((n) => n.path === 'index.html')!, root.find((n) => n.path === 'keep.txt')!];
  await cmd('remoteSync.server.download', index);
  assert.equal(readFileSync(join(ws, 'index.html'), 'utf8'), 'changed on the server');
  await cmd('remoteSync.server.download', keep);
  await waitFor('the held-back offer', () => host.messages.some((m) => /keep\.txt" changed locally since the last sync, so the server's copy was not downloaded over it/.test(m.text)));
  assert.equal(readFileSync(join(ws, 'keep.txt'), 'utf8'), 'changed here', 'never overwritten');

  // Delete on Server: confirmed; refused when the server's copy changed, until confirmed again
  put(join(server, 'index.html'), 'changed again on the server');
  const asked: string[] = [];
  host.answer = (m) => { asked.push(m.text); return m.items.includes('Delete on Server') ? 'Delete on Server' : undefined; };
  await cmd('remoteSync.server.delete', index);
  assert.ok(existsSync(join(server, 'index.html')), 'not deleted without the second confirmation');
  assert.match(asked[0], /Delete "index\.html" on the server "web"\?/);
  assert.match(asked[1], /"index\.html" changed on the server "web" since the last sync \(index\.html\)\. Delete it anyway\?/);
  // confirmed, but the server's copy changes again before the delete: asked once more, naming it
  asked.length = 0;
  let changedAgain = false;
  host.answer = (m) => {
    asked.push(m.text);
    if (m.items.includes('Delete on Server')) return 'Delete on Server';
    if (!changedAgain) { changedAgain = true; put(join(server, 'index.html'), 'changed a third time on the server!'); }
    return m.items.includes('Delete Anyway') ? 'Delete Anyway' : undefined;
  };
  await cmd('remoteSync.server.delete', index);
  assert.match(asked[2], /"index\.html" changed again on the server "web" since you confirmed \(index\.html\)\. Delete it anyway\?/);
  assert.equal(asked.length, 3);
  assert.ok(!existsSync(join(server, 'index.html')));
  assert.ok(existsSync(join(ws, 'index.html')), 'the local copy stays');
  host.answer = () => undefined;

  await cmd('remoteSync.server.copyPath', css[0]);
  assert.equal(fake.env.clipboard.text, `${server}/css/site.css`);
});

test('download on open: a server change over an unchanged local copy is downloaded; a change on both sides is offered', async () => {
  put(join(ws, 'page.html'), 'v1');
  await cmd('remoteSync.bidirectional');
  assert.equal(readFileSync(join(server, 'page.html'), 'utf8'), 'v1');
  put(join(server, 'page.html'), 'v2 from the server');
  host.openDoc.fire({ uri: Uri.file(join(ws, 'page.html')), isDirty: false, version: 1 });
  // (until that open's check is over: an open of the file while it runs is not checked again)
  await waitFor('page.html downloaded on open', () => host.log.some((l) => /^info Download on open page\.html: .*downloaded 1,/.test(l)));
  assert.equal(readFileSync(join(ws, 'page.html'), 'utf8'), 'v2 from the server');
  assert.ok(host.log.some((l) => /Download on open: page\.html: download \(server checked in \d+ ms\)/.test(l)));
  // both sides changed: offered, nothing overwritten
  put(join(server, 'page.html'), 'v3 from the server');
  put(join(ws, 'page.html'), 'v3 here');
  host.messages = [];
  host.openDoc.fire({ uri: Uri.file(join(ws, 'page.html')), isDirty: false, version: 1 });
  await waitFor('the conflict offered', () => host.messages.some((m) => /"page\.html" changed on the server and here since the last sync; nothing was overwritten/.test(m.text)));
  assert.equal(readFileSync(join(ws, 'page.html'), 'utf8'), 'v3 here');
  assert.equal(readFileSync(join(server, 'page.html'), 'utf8'), 'v3 from the server');
});

test('Check Server for Changes: ⇣N in the status bar, letters on the files, the open editor\'s file announced', async () => {
  put(join(server, 'news.txt'), 'new on the server');
  (fake.window as { activeTextEditor: unknown }).activeTextEditor = { document: { uri: Uri.file(join(ws, 'page.html')), isDirty: false } };
  host.messages = [];
  await cmd('remoteSync.checkServer');
  const item = host.statusItems.get('remoteSync.serverChanges');
  // news.txt (only on the server) and page.html (changed on both sides by the last test)
  assert.equal(item.text, '⇣2', host.log.join('\n'));
  assert.ok(item.visible);
  assert.match(item.tooltip, /2 changes on "web", 1 conflict/);
  assert.match(host.log.join('\n'), /Server check: 2 changes on "web" \(\d+ files listed in \d+ ms\)/);
  assert.equal(badge(Uri.file(join(ws, 'page.html'))), '!');
  await waitFor('the open file announced', () => host.messages.some((m) => /page\.html changed on the server and here since the last sync — Compare/.test(m.text)));
  assert.ok(!existsSync(join(ws, 'news.txt')), '"downloadServerChanges" is off: only shown');
  // the same version is announced once
  host.messages = [];
  await cmd('remoteSync.checkServer');
  assert.ok(!host.messages.some((m) => /page\.html changed/.test(m.text)));
  // a download of news.txt takes it off the count
  await cmd('remoteSync.download');
  await waitFor('⇣1', () => item.text === '⇣1');
  (fake.window as { activeTextEditor: unknown }).activeTextEditor = undefined;
});
