// Resolving an SFTP host through an OpenSSH client config (src/core/targets/ssh/config.ts), with real files.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SyncError } from '../../src/core/errors.js';
import { applySshConfig, expandTokens, lookupSshConfig } from '../../src/core/targets/ssh/config.js';
import type { RemoteSpec } from '../../src/core/types.js';
import { expandHops, parseJump } from '../../src/core/targets/ssh/jump.js';

const dir = mkdtempSync(join(tmpdir(), 'rs-sshcfg-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (text: string) => { const f = join(dir, `config${++n}`); writeFileSync(f, text); return f; };
const spec = (host: string, sshConfig: string, extra: Partial<RemoteSpec> = {}): RemoteSpec => ({
  protocol: 'sftp', host, port: 22, portIsDefault: true, path: '/srv', sshConfig, ...extra,
});

test('Host patterns: *, ?, ! and first match wins per option', () => {
  const f = file([
    'Host web? !web9',
    '  HostName %h.example.com',
    '  Port 2201',
    'Host web1',
    '  Port 9999',
    '  User deploy',
    'Host *',
    '  User nobody',
    '  Port 22',
    '  IdentityFile ~/.ssh/one',
    '  IdentityFile "~/.ssh/two keys"',
    '  IdentitiesOnly yes',
    '  UserKnownHostsFile ~/.ssh/kh_%h /etc/other',
    '  ProxyJump jump@bastion:2222',
    '',
  ].join('\n'));
  const c = lookupSshConfig(f, 'web1');
  assert.equal(c.hostName, '%h.example.com');
  assert.equal(c.port, 2201, 'the first Port that matches wins');
  assert.equal(c.user, 'deploy');
  assert.deepEqual(c.identityFiles, ['~/.ssh/one', '~/.ssh/two keys']);
  assert.equal(c.identitiesOnly, true);
  assert.equal(c.proxyJump, 'jump@bastion:2222');
  assert.equal(lookupSshConfig(f, 'web9').port, 22, '!web9 excludes it from the first block');
  assert.equal(lookupSshConfig(f, 'web10').port, 22, '? is one character');

  const s = applySshConfig(spec('web1', f));
  assert.equal(s.host, 'web1.example.com');
  assert.equal(s.port, 2201);
  assert.equal(s.user, 'deploy');
  assert.deepEqual(s.identities, [join(homedir(), '.ssh/one'), join(homedir(), '.ssh/two keys')]);
  assert.equal(s.identitiesOnly, true);
  assert.equal(s.knownHosts, join(homedir(), '.ssh/kh_web1.example.com'));
  assert.equal(s.jump, 'jump@bastion:2222');
});

test('explicit settings win over the file', () => {
  const f = file('Host a\n  HostName 10.0.0.1\n  Port 2200\n  User cfg\n  IdentityFile /k\n  UserKnownHostsFile /kh\n  ProxyJump b\n');
  const s = applySshConfig(spec('a', f, { port: 2222, portIsDefault: undefined, user: 'me', identity: '/mine', knownHosts: '/my_kh', jump: 'none' }));
  assert.deepEqual([s.host, s.port, s.user, s.identity, s.identities, s.knownHosts, s.jump], ['10.0.0.1', 2222, 'me', '/mine', undefined, '/my_kh', 'none']);
  // an explicit :22 is explicit too
  assert.equal(applySshConfig(spec('a', f, { portIsDefault: undefined })).port, 22);
  assert.equal(applySshConfig(spec('a', f)).port, 2200);
  // a host the file does not mention is left alone
  assert.deepEqual(applySshConfig(spec('zzz', f)), { ...spec('zzz', f) });
});

test('Include: globs, relative to ~/.ssh, in order; nested; Match exec is never run', () => {
  const inc = join(dir, 'inc.d');
  mkdirSync(inc);
  writeFileSync(join(inc, '10-a.conf'), 'Host x\n  User from-a\n');
  writeFileSync(join(inc, '20-b.conf'), 'Host x\n  User from-b\n  Port 2022\nInclude ' + join(dir, 'deeper') + '\n');
  writeFileSync(join(dir, 'deeper'), 'Host x\n  IdentityFile /deep\n');
  writeFileSync(join(inc, 'skip.txt'), 'Host x\n  User wrong\n');
  const marker = join(dir, 'ran');
  const f = file(`Match exec "touch ${marker}"\n  User exec\nInclude ${inc}/*.conf\nHost *\n  User last\n`);
  const c = lookupSshConfig(f, 'x');
  assert.equal(c.user, 'from-a');
  assert.equal(c.port, 2022);
  assert.deepEqual(c.identityFiles, ['/deep']);
  assert.equal(existsSync(marker), false, 'Match exec must not run commands');
});

test('a missing sshConfig is an error naming it; a missing default is fine', () => {
  assert.throws(() => applySshConfig(spec('a', join(dir, 'nope'))), (e: unknown) => e instanceof SyncError && e.code === 'config' && e.message.includes(join(dir, 'nope')));
  const oldHome = process.env.HOME;
  process.env.HOME = dir; // no .ssh/config here
  try {
    assert.equal(applySshConfig({ protocol: 'sftp', host: 'h', port: 22, path: '/' }).host, 'h');
  } finally { process.env.HOME = oldHome; }
});

test('IdentityAgent: none, a path, an environment variable; an explicit agent wins', () => {
  const f = file('Host none\n  IdentityAgent none\nHost path\n  IdentityAgent ~/agent.sock\nHost env\n  IdentityAgent $RS_TEST_AGENT\nHost default\n  IdentityAgent SSH_AUTH_SOCK\n');
  assert.equal(applySshConfig(spec('none', f)).agent, false);
  assert.equal(applySshConfig(spec('path', f)).agent, join(homedir(), 'agent.sock'));
  process.env.RS_TEST_AGENT = '/run/test-agent';
  try { assert.equal(applySshConfig(spec('env', f)).agent, '/run/test-agent'); } finally { delete process.env.RS_TEST_AGENT; }
  assert.equal(applySshConfig(spec('default', f)).agent, undefined);
  assert.equal(applySshConfig(spec('none', f, { agent: '/mine' })).agent, '/mine');
});

test('jump hosts: the first hop\'s own ProxyJump goes first; a loop is an error', () => {
  const f = file('Host inner\n  ProxyJump mid\nHost mid\n  ProxyJump outer\nHost loop1\n  ProxyJump loop2\nHost loop2\n  ProxyJump loop1\n');
  const target = spec('inner', f);
  assert.deepEqual(expandHops(parseJump('mid'), target).map((h) => h.text), ['outer', 'mid']);
  assert.deepEqual(expandHops(parseJump('other,mid'), target).map((h) => h.text), ['other', 'mid'], 'only the first hop is reached through its own');
  assert.throws(() => expandHops(parseJump('loop1'), target), /Too many jump hosts: .*loop2 → loop1/);
});

test('tokens in file names', () => {
  const t = { host: 'alias', hostName: 'real.example.com', port: 2200, user: 'deploy' };
  assert.equal(expandTokens('~/.ssh/%h_%p_%r_%n%%', t), `${homedir()}/.ssh/real.example.com_2200_deploy_alias%`);
  assert.equal(expandTokens('%d/x', t), `${homedir()}/x`);
});
