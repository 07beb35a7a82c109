// Which ssh-agent an SFTP login uses, per platform (src/core/targets/ssh/agent.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseAgent, WINDOWS_OPENSSH_AGENT_PIPE } from '../../src/core/targets/ssh/agent.js';

const exists = (...paths: string[]) => (p: string) => paths.includes(p);

test('Linux and macOS: SSH_AUTH_SOCK, a configured socket, none', () => {
  for (const platform of ['linux', 'darwin'] as const) {
    assert.deepEqual(chooseAgent(undefined, { platform, env: { SSH_AUTH_SOCK: '/tmp/a.sock' }, exists: exists('/tmp/a.sock') }),
      { agent: '/tmp/a.sock', source: 'SSH_AUTH_SOCK' });
    assert.deepEqual(chooseAgent(undefined, { platform, env: {}, exists: exists(WINDOWS_OPENSSH_AGENT_PIPE) }), {}, 'no Windows pipe elsewhere');
    assert.deepEqual(chooseAgent('/run/agent', { platform, env: { SSH_AUTH_SOCK: '/tmp/a.sock' }, exists: exists('/run/agent', '/tmp/a.sock') }),
      { agent: '/run/agent', source: '/run/agent' });
    assert.deepEqual(chooseAgent(false, { platform, env: { SSH_AUTH_SOCK: '/tmp/a.sock' }, exists: exists('/tmp/a.sock') }), {});
    assert.match(chooseAgent('pageant', { platform, env: {} }).warning ?? '', /only on Windows/);
    assert.equal(chooseAgent('pageant', { platform, env: {} }).agent, undefined);
  }
});

test('Windows: Pageant, the OpenSSH agent pipe by default, SSH_AUTH_SOCK first', () => {
  const platform = 'win32' as const;
  assert.deepEqual(chooseAgent('pageant', { platform, env: {} }), { agent: 'pageant', source: 'Pageant' });
  assert.deepEqual(chooseAgent('Pageant', { platform, env: {} }).agent, 'pageant');
  assert.deepEqual(chooseAgent(undefined, { platform, env: {}, exists: exists(WINDOWS_OPENSSH_AGENT_PIPE) }),
    { agent: '\\\\.\\pipe\\openssh-ssh-agent', source: 'the Windows OpenSSH agent' });
  assert.deepEqual(chooseAgent(undefined, { platform, env: {}, exists: exists() }), {}, 'agent service not running: no agent, no warning');
  assert.equal(chooseAgent(undefined, { platform, env: { SSH_AUTH_SOCK: '\\\\.\\pipe\\mine' }, exists: exists('\\\\.\\pipe\\mine', WINDOWS_OPENSSH_AGENT_PIPE) }).agent, '\\\\.\\pipe\\mine');
  assert.equal(chooseAgent(true as unknown as undefined, { platform, env: {}, exists: exists(WINDOWS_OPENSSH_AGENT_PIPE) }).agent, WINDOWS_OPENSSH_AGENT_PIPE);
});

test('a configured agent that cannot be reached is a warning, never silent', () => {
  const c = chooseAgent('/nope.sock', { platform: 'linux', env: {}, exists: exists() });
  assert.equal(c.agent, undefined);
  assert.match(c.warning ?? '', /\/nope\.sock.*cannot be reached/);
  const d = chooseAgent(undefined, { platform: 'linux', env: { SSH_AUTH_SOCK: '/gone' }, exists: exists() });
  assert.match(d.warning ?? '', /\/gone \(SSH_AUTH_SOCK\) cannot be reached/);
});
