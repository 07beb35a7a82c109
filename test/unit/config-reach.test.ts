// Issue 14 item 6: a config that reaches outside its workspace (localRoot outside it; knownHosts,
// privateKey or agent inside it). The pure check, the extension's ask-once gate (fake editor), and the
// CLI's warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { configReach } from '../../src/core/config/reach.js';
import { parseConfigText } from '../../src/core/config/index.js';
import { parseArgs } from '../../src/cli/args.js';
import { buildSetup } from '../../src/cli/specs.js';
import type { RemoteSpec } from '../../src/core/types.js';
import * as fake from './extension-fake-vscode.js';
import { serveFakeVscode } from './fake-vscode-hook.js';

serveFakeVscode();
const gate = require('../../src/extension/reachGate.js') as typeof import('../../src/extension/reachGate.js');

const root = mkdtempSync(join(tmpdir(), 'rs-reach-'));
test.after(() => rmSync(root, { recursive: true, force: true }));
const ws = join(root, 'ws');
mkdirSync(join(ws, '.vscode'), { recursive: true });
mkdirSync(join(root, 'other'));
const sftp = (extra: Partial<RemoteSpec> = {}): RemoteSpec => ({ protocol: 'sftp', host: 'h', path: '/srv', ...extra });

test('configReach: localRoot outside the workspace; SSH trust material inside it', () => {
  assert.deepEqual(configReach(ws, ws, sftp()), []);
  assert.deepEqual(configReach(ws, join(ws, 'public'), sftp({ knownHosts: join(homedir(), '.ssh/known_hosts') })), []);
  const f = configReach(ws, join(root, 'other'), sftp({ knownHosts: join(ws, 'kh'), identity: join(ws, 'keys/id'), agent: join(ws, 'agent.sock') }));
  assert.deepEqual(f.map((x) => x.setting), ['localRoot', 'knownHosts', 'privateKey', 'agent']);
  assert.match(f[0].message, /"localRoot" is outside the workspace folder/);
  assert.match(f[1].message, /"knownHosts" points into the workspace .* trusted without asking/);
  assert.deepEqual(configReach(ws, homedir(), sftp()).map((x) => x.setting), ['localRoot'], '"~"');
  // a link inside the workspace that leads out is outside
  symlinkSync(join(root, 'other'), join(ws, 'linked'));
  assert.deepEqual(configReach(ws, join(ws, 'linked'), sftp()).map((x) => x.setting), ['localRoot']);
  assert.deepEqual(configReach(ws, join(ws, 'not-yet', 'deeper'), sftp()), [], 'a folder still to be created');
});

function memento(): import('vscode').Memento {
  const m = new Map<string, unknown>();
  return { get: (k: string) => m.get(k), update: async (k: string, v: unknown) => { m.set(k, v); }, keys: () => [...m.keys()] } as unknown as import('vscode').Memento;
}

test('extension: asked once per workspace and remembered; a refusal stops the connection and is asked again', async () => {
  const file = join(ws, '.vscode/remote-sync.json');
  const text = JSON.stringify({ localRoot: '../other', targets: { s: { url: 'sftp://me@h/srv', knownHosts: 'kh' } } });
  writeFileSync(file, text);
  const config = parseConfigText(text, file);
  const spec = sftp({ knownHosts: join(ws, 'kh') });
  const m = memento();
  fake.host.reset();
  fake.host.allowReach = false; // (the question itself is under test)
  fake.host.answer = () => undefined; // dismissed
  await assert.rejects(gate.confirmConfigReach(config, spec, 'ws', m, 'k'), /reaches outside the workspace \(localRoot, knownHosts\) and was not allowed/);
  assert.equal(fake.host.messages.length, 1);
  assert.equal(fake.host.messages[0].modal, true);
  assert.match(fake.host.messages[0].text, /reaches outside this workspace/);
  fake.host.answer = (msg) => msg.items[0];
  await gate.confirmConfigReach(config, spec, 'ws', m, 'k');
  assert.equal(fake.host.messages.length, 2, 'asked again after the refusal');
  await gate.confirmConfigReach(config, spec, 'ws', m, 'k');
  assert.equal(fake.host.messages.length, 2, 'remembered');
  // another finding (a key inside the workspace too): asked again
  await gate.confirmConfigReach(config, { ...spec, identity: join(ws, 'id') }, 'ws', m, 'k');
  assert.equal(fake.host.messages.length, 3);
  // nothing unusual: never asked
  await gate.confirmConfigReach({ ...config, localRoot: ws }, sftp(), 'ws', memento(), 'k');
  assert.equal(fake.host.messages.length, 3);
});

test('extension: a config listed in the user\'s own settings (remoteSync.trustedConfigs) is not asked about; a workspace\'s value is not read', async () => {
  const file = join(ws, '.vscode/remote-sync.json');
  const text = JSON.stringify({ localRoot: '../other', targets: { s: { url: 'sftp://me@h/srv' } } });
  writeFileSync(file, text);
  const config = parseConfigText(text, file);
  fake.host.reset();
  fake.host.allowReach = false;
  fake.host.answer = () => undefined;
  fake.host.workspaceSettings.set('remoteSync.trustedConfigs', [file]); // a cloned repository's .vscode/settings.json
  await assert.rejects(gate.confirmConfigReach(config, sftp(), 'ws', memento(), 'k'), /was not allowed/);
  assert.equal(fake.host.messages.length, 1, 'asked: the workspace cannot trust its own config');
  fake.host.settings.set('remoteSync.trustedConfigs', ['relative/path.json', join(ws, '.vscode', '..', '.vscode', 'remote-sync.json')]);
  await gate.confirmConfigReach(config, sftp(), 'ws', memento(), 'k');
  assert.equal(fake.host.messages.length, 1, 'not asked: the user listed it');
  fake.host.reset();
});

test('CLI: `run` warns about the same cases', () => {
  const cwd = join(root, 'cli');
  mkdirSync(join(cwd, '.vscode'), { recursive: true });
  writeFileSync(join(cwd, '.vscode/remote-sync.json'), JSON.stringify({
    localRoot: '~', targets: { s: { url: 'sftp://me@h/srv', knownHosts: './known_hosts', privateKey: '.ssh/id' } },
  }));
  const setup = buildSetup(parseArgs(['run', '--dry-run']), { cwd, env: {}, interactive: false });
  assert.equal(setup.warnings?.length, 3, JSON.stringify(setup.warnings));
  assert.match(setup.warnings![0], /"localRoot" is outside the workspace folder/);
  assert.match(setup.warnings![1], /"knownHosts" points into the workspace/);
  assert.match(setup.warnings![2], /"privateKey" points into the workspace/);
  writeFileSync(join(cwd, '.vscode/remote-sync.json'), JSON.stringify({ targets: { s: { url: 'sftp://me@h/srv' } } }));
  assert.equal(buildSetup(parseArgs(['run']), { cwd, env: {}, interactive: false }).warnings, undefined);
});

test('configReach: a "local" target folder outside the workspace, an SSH config inside it', () => {
  // "remotePath": "~" in a cloned repository's config synced the home folder without a word
  const local = (path: string): RemoteSpec => ({ protocol: 'local', path });
  assert.deepEqual(configReach(ws, ws, local(homedir())).map((x) => x.setting), ['remotePath']);
  assert.match(configReach(ws, ws, local(join(root, 'other')))[0].message, /"remotePath" is outside the workspace folder/);
  assert.deepEqual(configReach(ws, join(ws, 'site'), local(join(ws, 'mirror'))), [], 'a mirror inside the workspace');
  // its UserKnownHostsFile was trusted without the "knownHosts" finding
  const f = configReach(ws, ws, sftp({ sshConfig: join(ws, '.vscode/ssh_config') }));
  assert.deepEqual(f.map((x) => x.setting), ['sshConfig']);
  assert.match(f[0].message, /"sshConfig" points into the workspace/);
  assert.deepEqual(configReach(ws, ws, sftp({ sshConfig: join(homedir(), '.ssh/config') })), []);
});

test('CLI: `run` warns about a local target outside the workspace and an SSH config inside it', () => {
  const cwd = join(root, 'cli2');
  mkdirSync(join(cwd, '.vscode'), { recursive: true });
  mkdirSync(join(root, 'elsewhere'));
  writeFileSync(join(cwd, '.vscode/remote-sync.json'), JSON.stringify({ targets: { m: { protocol: 'local', remotePath: '../elsewhere' } } }));
  const setup = buildSetup(parseArgs(['run', '--dry-run']), { cwd, env: {}, interactive: false });
  assert.equal(setup.warnings?.length, 1, JSON.stringify(setup.warnings));
  assert.match(setup.warnings![0], /"remotePath" is outside the workspace folder/);
  writeFileSync(join(cwd, '.vscode/ssh_config'), 'Host *\n  UserKnownHostsFile .vscode/kh\n');
  writeFileSync(join(cwd, '.vscode/remote-sync.json'), JSON.stringify({ targets: { s: { url: 'sftp://me@h/srv', sshConfig: '.vscode/ssh_config' } } }));
  const s2 = buildSetup(parseArgs(['run', '--dry-run']), { cwd, env: {}, interactive: false });
  assert.equal(s2.warnings?.length, 1, JSON.stringify(s2.warnings));
  assert.match(s2.warnings![0], /"sshConfig" points into the workspace/);
});
