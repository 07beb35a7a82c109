// A server group chosen as the target in the editor (fake editor, two `local` targets): one save
// goes to both members, each with its own state; a server change on one member is a conflict for
// that member only; a failing member does not stop the other; the status bar says "N/M servers".
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import Module from 'node:module';
import { mkdtempSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fake from './extension-fake-vscode.js';

const { host, Uri } = fake;
const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
const originalLoad = loader._load;
loader._load = function (request: string, ...rest: unknown[]) {
  return request === 'vscode' ? fake : originalLoad.call(this, request, ...rest);
};
const ext = require('../../src/extension/main.js') as typeof import('../../src/extension/main.js');

const tmp = mkdtempSync(join(tmpdir(), 'rs-ext-group-'));
const ws = join(tmp, 'ws');
const web1 = join(tmp, 'web1');
const web2 = join(tmp, 'web2');
let context: ReturnType<typeof fake.makeContext> | undefined;

after(async () => {
  if (process.env.RS_SHOW_LOG) console.log(host.log.join('\n'));
  await ext.deactivate();
  for (const d of context?.subscriptions ?? []) d.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

async function waitFor(what: string, cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}\nstatus: ${host.status?.text}\nlog:\n${host.log.join('\n')}\nmessages: ${JSON.stringify(host.messages, null, 1)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
let tick = Date.now() / 1000 - 1000;
function put(file: string, text: string): void {
  writeFileSync(file, text);
  tick += 10;
  utimesSync(file, tick, tick);
}
const read = (file: string) => readFileSync(file, 'utf8');
const save = (rel: string) => host.save.fire({ uri: Uri.file(join(ws, rel)) });

test('a group target: one save reaches both members, conflicts and failures stay per member', async (t) => {
  mkdirSync(join(ws, '.vscode'), { recursive: true });
  mkdirSync(web1);
  mkdirSync(web2);
  writeFileSync(join(ws, '.vscode/remote-sync.json'), JSON.stringify({
    targets: {
      web1: { protocol: 'local', remotePath: web1 },
      web2: { protocol: 'local', remotePath: web2 },
      all: { group: ['web1', 'web2'] },
    },
    defaultTarget: 'all', uploadOnSave: true, ignore: ['.vscode/'],
  }, null, 2));
  host.reset();
  host.workspaceFolders = [{ uri: Uri.file(ws), name: 'ws', index: 0 }];
  context = fake.makeContext();
  ext.activate(context as never);

  await t.test('one save → both servers, 2/2 servers, each member saved', async () => {
    put(join(ws, 'index.html'), 'v1');
    save('index.html');
    await waitFor('both received', () => existsSync(join(web1, 'index.html')) && existsSync(join(web2, 'index.html')));
    assert.equal(read(join(web1, 'index.html')), 'v1');
    assert.equal(read(join(web2, 'index.html')), 'v1');
    await waitFor('status says 2/2 servers', () => /↑ index\.html · 2\/2 servers/.test(host.status.text));
  });

  await t.test('a server change on web2: a conflict for web2 only; web1 gets the save', async () => {
    put(join(web2, 'index.html'), 'v1 edited on web2');
    put(join(ws, 'index.html'), 'v2 local');
    save('index.html');
    await waitFor('web1 updated', () => read(join(web1, 'index.html')) === 'v2 local');
    await waitFor('a warning naming web2', () => host.messages.some((m) => /conflict on web2/.test(m.text) && /web2: index\.html changed on the server/.test(m.text)));
    assert.equal(read(join(web2, 'index.html')), 'v1 edited on web2', 'web2 not overwritten');
    assert.match(host.status.text, /conflict on web2 · 2\/2 servers/);
  });

  await t.test('web2 unreachable: web1 still receives; 1/2 servers naming web2', async () => {
    renameSync(web2, `${web2}-gone`);
    writeFileSync(web2, 'a file where the folder was: every write there fails');
    put(join(ws, 'about.html'), 'about');
    save('about.html');
    await waitFor('web1 received', () => existsSync(join(web1, 'about.html')));
    await waitFor('an error naming web2', () => host.messages.some((m) => m.type === 'error' && /1\/2 servers \(web2 failed: /.test(m.text)));
    assert.match(host.status.text, /1\/2 servers/);
    assert.equal(existsSync(join(`${web2}-gone`, 'about.html')), false);
  });
});

test('a command on a group target: Upload goes to each member; a failing member is named, the other is done', async () => {
  // web2 is still a file (the previous test): its run fails, web1's is done
  put(join(ws, 'contact.html'), 'contact');
  await fake.commands.executeCommand('remoteSync.upload');
  assert.equal(read(join(web1, 'contact.html')), 'contact');
  const m = host.messages.find((x) => x.type === 'error' && /Upload → all: 1\/2 servers \(web2 failed/.test(x.text));
  assert.ok(m, JSON.stringify(host.messages, null, 1));
  assert.match(m.text, /web1: /);
  // web2 back: the next Upload reaches both
  rmSync(web2);
  renameSync(`${web2}-gone`, web2);
  await fake.commands.executeCommand('remoteSync.upload');
  assert.equal(read(join(web2, 'contact.html')), 'contact');
  assert.equal(read(join(web2, 'about.html')), 'about');
  assert.ok(host.messages.some((x) => /Upload → all: 2\/2 servers/.test(x.text)), JSON.stringify(host.messages, null, 1));
  assert.match(host.status.text, /2\/2 servers/);
});
