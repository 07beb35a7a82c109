// The extension and names it cannot sync (against the fake editor and a `local` target): an entry
// left out because of its name is in the log and in the result message, never silently skipped.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fake from './extension-fake-vscode.js';
import { waitFor as waitUntil } from './extension-test-kit.js';
import { serveFakeVscode } from './fake-vscode-hook.js';
const waitFor = (what: string, cond: () => boolean, ms = 10_000) => waitUntil(what, cond, ms);

const { host, Uri } = fake;
serveFakeVscode();
const ext = require('../../src/extension/main.js') as typeof import('../../src/extension/main.js');

const tmp = mkdtempSync(join(tmpdir(), 'rs-ext-names-'));
let context: ReturnType<typeof fake.makeContext> | undefined;
after(async () => {
  await ext.deactivate();
  for (const d of context?.subscriptions ?? []) d.dispose();
  rmSync(tmp, { recursive: true, force: true });
});


test('Sync: Upload with a local back\\slash.txt: the error message and the log name it; the other files go', async () => {
  const ws = join(tmp, 'ws');
  const server = join(tmp, 'server');
  mkdirSync(join(ws, '.vscode'), { recursive: true });
  mkdirSync(server);
  writeFileSync(join(ws, 'ok.txt'), 'ok');
  writeFileSync(join(ws, 'back\\slash.txt'), 'b');
  writeFileSync(join(ws, '.vscode/remote-sync.json'), JSON.stringify({ targets: { mirror: { protocol: 'local', remotePath: server } }, ignore: ['.vscode/'] }));
  host.reset();
  host.workspaceFolders = [{ uri: Uri.file(ws), name: 'ws', index: 0 }];
  context = fake.makeContext();
  ext.activate(context as never);

  await fake.commands.executeCommand('remoteSync.upload');
  await waitFor('an error message', () => host.messages.some((m) => m.type === 'error'));
  const error = host.messages.find((m) => m.type === 'error')!;
  assert.match(error.text, /back\\slash\.txt: .*not a plain file name/);
  assert.ok(host.log.some((l) => /back\\slash\.txt/.test(l) && /not synced|not a plain file name/.test(l)), host.log.join('\n'));
  assert.ok(existsSync(join(server, 'ok.txt')));
  assert.ok(!existsSync(join(server, 'back\\slash.txt')));
});
