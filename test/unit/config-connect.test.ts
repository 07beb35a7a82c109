// The connection settings of a target (sshConfig, jump, algorithms, agent names) and ignoreFiles:
// validation with errors that name the field, and the RemoteSpec they give.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { parseConfigText, specOf, targetSpec } from '../../src/core/config/index.js';
import { SyncError } from '../../src/core/errors.js';

const FILE = '/ws/.vscode/remote-sync.json';
const one = (target: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  parseConfigText(JSON.stringify({ targets: { production: target }, ...extra }), FILE);
const msg = (fn: () => unknown): string => {
  try { fn(); } catch (e) { assert.ok(e instanceof SyncError); return e.message; }
  return assert.fail('expected an error');
};
const URL = 'sftp://deploy@example.com/var/www';

test('sshConfig, jump, algorithms reach the spec', () => {
  const c = one({ url: URL, sshConfig: '~/.ssh/work_config', jump: 'me@bastion:2222,inner', algorithms: { serverHostKey: ['+ssh-rsa'], kex: ['curve25519-sha256'] } });
  const s = targetSpec(c);
  assert.equal(s.sshConfig, `${homedir()}/.ssh/work_config`);
  assert.equal(s.jump, 'me@bastion:2222,inner');
  assert.deepEqual(s.algorithms, { serverHostKey: ['+ssh-rsa'], kex: ['curve25519-sha256'] });
  assert.equal(targetSpec(one({ url: URL, sshConfig: 'ssh/config' })).sshConfig, '/ws/ssh/config', 'relative to the workspace');
  assert.equal(s.portIsDefault, true);
  assert.equal(targetSpec(one({ url: 'sftp://h:2222/x' })).portIsDefault, undefined);
});

test('agent: "pageant" and Windows pipes are names, not paths', () => {
  assert.equal(targetSpec(one({ url: URL, agent: 'pageant' })).agent, 'pageant');
  assert.equal(targetSpec(one({ url: URL, agent: '\\\\.\\pipe\\openssh-ssh-agent' })).agent, '\\\\.\\pipe\\openssh-ssh-agent');
  assert.equal(targetSpec(one({ url: URL, agent: 'agent.sock' })).agent, '/ws/agent.sock');
  assert.equal(specOf({ ...one({ url: URL }).targets.production, agent: false }, '/ws').agent, false);
});

test('bad values: errors name the field and the fix', () => {
  assert.match(msg(() => one({ url: URL, jump: 'a b' })), /targets\.production\.jump has a bad jump host "a b"/);
  assert.match(msg(() => one({ url: URL, algorithms: { kex: ['+a', 'b'] } })), /targets\.production\.algorithms\.kex mixes names with "\+"/);
  assert.match(msg(() => one({ url: URL, algorithms: { ciphers: ['x'] } })), /targets\.production\.algorithms\.ciphers is not a known setting \(did you mean "cipher"\?\)/);
  assert.match(msg(() => one({ url: URL, algorithms: { kex: [] } })), /algorithms\.kex must be a non-empty list/);
  assert.match(msg(() => one({ url: URL, algorithms: { hmac: ['hmac sha1'] } })), /algorithms\.hmac\[0\] must be an algorithm name/);
  assert.match(msg(() => one({ url: 'ftp://h/x', jump: 'b' })), /targets\.production\.jump is only for SFTP targets/);
  assert.match(msg(() => one({ url: URL, hop: 'b' })), /hop is not a known setting \(did you mean "jump"\?\)/);
  assert.match(msg(() => one({ url: URL, sshConfigPath: 'x' })), /did you mean "sshConfig"/);
});

test('ignoreFiles: a list of file names', () => {
  assert.deepEqual(one({ url: URL }, { ignoreFiles: ['.gitignore', '.syncignore'] }).ignoreFiles, ['.gitignore', '.syncignore']);
  assert.equal(one({ url: URL }).ignoreFiles, undefined);
  assert.match(msg(() => one({ url: URL }, { ignoreFiles: '.gitignore' })), /ignoreFiles must be a list of file names/);
  assert.match(msg(() => one({ url: URL }, { ignoreFiles: ['sub/.gitignore'] })), /ignoreFiles\[0\] must be a file name without a folder/);
  assert.match(msg(() => one({ url: URL }, { ignoreFile: '.gitignore' })), /did you mean "ignoreFiles"/);
});
