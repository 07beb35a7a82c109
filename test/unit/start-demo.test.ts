// `npm start` (scripts/start/): its command line, and the demo workspace it creates — the template's
// config is checked by the real config loader, and the "sftp-demo" target comes and goes without
// touching the user's comments and edits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'jsonc-parser';
import { isLoopback, parseStartArgs, StartUsageError } from '../../scripts/start/args.js';
import { addSftpTarget, demoPaths, ensureDemo, removeSftpTarget, SFTP_TARGET } from '../../scripts/start/demo.js';
import { loadConfig, targetSpec } from '../../src/core/config/index.js';

const usage = (argv: string[]) => assert.throws(() => parseStartArgs(argv), StartUsageError);

test('start args: defaults, flags, --port/--host in both spellings', () => {
  assert.deepEqual(parseStartArgs([]), { cli: false, reset: false, sftp: false, codeServer: false, port: 8080, host: '127.0.0.1', help: false });
  const a = parseStartArgs(['--reset', '--sftp', '--code-server', '--port', '9000', '--host=0.0.0.0']);
  assert.equal(a.reset && a.sftp && a.codeServer, true);
  assert.equal(a.port, 9000);
  assert.equal(a.host, '0.0.0.0');
  assert.equal(parseStartArgs(['--port=8081']).port, 8081);
  assert.equal(parseStartArgs(['--host', '[::1]']).host, '::1');
  assert.equal(parseStartArgs(['--cli']).cli, true);
  assert.equal(parseStartArgs(['-h']).help, true);
});

test('start args: mistakes are usage errors that say what to do', () => {
  usage(['--port']);
  usage(['--port', '0']);
  usage(['--port', '80x']);
  usage(['--port', '70000']);
  usage(['--host', '']);
  usage(['--cli', '--sftp']);
  assert.throws(() => parseStartArgs(['--prot', '1']), /unknown option --prot \(did you mean --port\?\)/);
  assert.throws(() => parseStartArgs(['--port', '--cli']), /--port needs a value, e\.g\. --port 8081/);
});

test('start args: auth is off only on loopback addresses', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) assert.equal(isLoopback(h), true, h);
  for (const h of ['0.0.0.0', '::', '192.168.1.2', 'example.com']) assert.equal(isLoopback(h), false, h);
});

test('demo workspace: the site, the server folder, a valid config whose default target is that folder', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'rs-start-demo-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const p = demoPaths(join(root, 'demo'));
  assert.equal(ensureDemo(p), true, 'a new demo needs its first sync');
  for (const f of ['index.html', 'about.html', 'css/style.css', 'js/main.js', 'README.md']) assert.ok(existsSync(join(p.site, f)), f);
  assert.ok(existsSync(p.server));

  const config = loadConfig(p.config);
  assert.equal(config.defaultTarget, 'demo-server');
  assert.equal(config.uploadOnSave, true);
  assert.deepEqual(targetSpec(config), { protocol: 'local', path: p.server });

  const ws = JSON.parse(readFileSync(p.workspaceFile, 'utf8')) as { folders: Array<{ path: string; name: string }> };
  assert.deepEqual(ws.folders.map((f) => f.name), ['site', 'server']);
  assert.deepEqual(ws.folders.map((f) => join(p.root, f.path)), [p.site, p.server]);

  // a second start keeps the user's edits; a deleted server folder is recreated and its old state dropped
  writeFileSync(join(p.site, 'index.html'), 'edited\n');
  writeFileSync(join(p.site, '.remote-sync'), 'stale state');
  assert.equal(ensureDemo(p), false);
  assert.equal(readFileSync(join(p.site, 'index.html'), 'utf8'), 'edited\n');
  rmSync(p.server, { recursive: true });
  assert.equal(ensureDemo(p), true);
  assert.ok(existsSync(p.server) && !existsSync(join(p.site, '.remote-sync')));
  // --reset: the template again
  assert.equal(ensureDemo(p, { reset: true }), true);
  assert.match(readFileSync(join(p.site, 'index.html'), 'utf8'), /Hello from the Remote Sync demo/);
});

test('demo workspace: the sftp-demo target is added and removed, comments and edits stay', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'rs-start-sftp-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const p = demoPaths(join(root, 'demo'));
  ensureDemo(p);
  const original = readFileSync(p.config, 'utf8');
  assert.equal(removeSftpTarget(p), false, 'nothing to remove');

  const sftp = { path: '/home/rstest/rs-demo-1', url: 'sftp://rstest@127.0.0.1:2222/home/rstest/rs-demo-1', privateKey: '/tmp/k', knownHosts: '/tmp/kh' };
  addSftpTarget(p, sftp);
  const config = loadConfig(p.config);
  assert.deepEqual(targetSpec(config, SFTP_TARGET), {
    protocol: 'sftp', host: '127.0.0.1', port: 2222, user: 'rstest', path: '/home/rstest/rs-demo-1', identity: '/tmp/k', knownHosts: '/tmp/kh',
  });
  assert.equal(config.defaultTarget, 'demo-server', 'the default stays the local folder');
  assert.match(readFileSync(p.config, 'utf8'), /\/\/ a save uploads the file/, 'comments kept');
  const ws = JSON.parse(readFileSync(p.workspaceFile, 'utf8')) as { folders: Array<{ path: string; name: string }> };
  assert.deepEqual(ws.folders.at(-1), { path: sftp.path, name: 'sftp server' });

  // the user made it the default: removing the target falls back to the local folder
  writeFileSync(p.config, readFileSync(p.config, 'utf8').replace('"defaultTarget": "demo-server"', '"defaultTarget": "sftp-demo"'));
  assert.equal(removeSftpTarget(p), true);
  const after = loadConfig(p.config);
  assert.deepEqual(Object.keys(after.targets), ['demo-server']);
  assert.equal(after.defaultTarget, 'demo-server');
  assert.deepEqual(parse(readFileSync(p.config, 'utf8')), parse(original));
  assert.equal((JSON.parse(readFileSync(p.workspaceFile, 'utf8')) as { folders: unknown[] }).folders.length, 2);
});
