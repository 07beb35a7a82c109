// SSH algorithm lists and their errors, keyboard-interactive prompt classes, jump host syntax.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_HOST_KEY_ALGOS, FAST_CIPHERS, noMatchingAlgorithmError, recordOffer, sshAlgorithms } from '../../src/core/targets/ssh/algorithms.js';
import { isPasswordPrompt } from '../../src/core/targets/ssh/login.js';
import { parseJump } from '../../src/core/targets/ssh/jump-spec.js';
import { SyncError } from '../../src/core/errors.js';

test('defaults: no ssh-rsa (SHA-1) host-key signatures; known key types first; fast ciphers first', () => {
  const a = sshAlgorithms(undefined);
  assert.ok(!(a.serverHostKey as string[]).includes('ssh-rsa'));
  assert.deepEqual(a.serverHostKey, DEFAULT_HOST_KEY_ALGOS);
  assert.deepEqual((sshAlgorithms(undefined, ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']).serverHostKey as string[]).slice(0, 3),
    ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-ed25519'], 'ssh-rsa stays out even when known_hosts has an RSA key');
  assert.deepEqual(a.cipher, { remove: FAST_CIPHERS, prepend: FAST_CIPHERS });
  assert.equal(a.kex, undefined);
});

test('the setting: a list as given, or changes of the defaults', () => {
  assert.deepEqual(sshAlgorithms({ serverHostKey: ['+ssh-rsa'] }).serverHostKey, [...DEFAULT_HOST_KEY_ALGOS, 'ssh-rsa']);
  assert.deepEqual(sshAlgorithms({ serverHostKey: ['^ssh-rsa', '-ssh-ed25519'] }).serverHostKey, ['ssh-rsa', ...DEFAULT_HOST_KEY_ALGOS.filter((x) => x !== 'ssh-ed25519')]);
  assert.deepEqual(sshAlgorithms({ serverHostKey: ['ssh-rsa'] }).serverHostKey, ['ssh-rsa']);
  assert.deepEqual(sshAlgorithms({ kex: ['+diffie-hellman-group1-sha1'] }).kex, { append: ['diffie-hellman-group1-sha1'] });
  assert.deepEqual(sshAlgorithms({ kex: ['curve25519-sha256'] }).kex, ['curve25519-sha256']);
  assert.deepEqual(sshAlgorithms({ cipher: ['aes256-ctr'] }).cipher, ['aes256-ctr']);
  assert.deepEqual(sshAlgorithms({ cipher: ['+aes128-cbc', '-aes128-ctr'] }).cipher,
    { remove: [...FAST_CIPHERS, 'aes128-ctr'], prepend: ['aes128-gcm@openssh.com'], append: ['aes128-cbc'] });
  assert.deepEqual(sshAlgorithms({ hmac: ['-hmac-sha1'] }).hmac, { remove: ['hmac-sha1'] });
});

test('"no matching algorithm" names the setting and what the server offers', () => {
  const offered = {};
  recordOffer('Handshake: (remote) Host key format: ssh-rsa', offered);
  recordOffer('Handshake: (remote) KEX method: diffie-hellman-group1-sha1,diffie-hellman-group14-sha1', offered);
  const e = noMatchingAlgorithmError(new Error('Handshake failed: no matching host key format'), 'old:22', offered)!;
  assert.ok(e instanceof SyncError);
  assert.equal(e.message, 'No host key algorithm in common with old:22');
  assert.match(e.detail ?? '', /offers: ssh-rsa/);
  assert.match(e.hint ?? '', /"algorithms": \{ "serverHostKey": \["\+ssh-rsa"\] \}/);
  const k = noMatchingAlgorithmError(new Error('Handshake failed: no matching key exchange algorithm'), 'old:22', offered)!;
  assert.match(k.hint ?? '', /"kex": \["\+diffie-hellman-group1-sha1"\]/);
  assert.match(noMatchingAlgorithmError(new Error('Handshake failed: no matching C->S cipher'), 'h:22', {})!.hint ?? '', /"cipher": \["\+NAME"\]/);
  assert.match(noMatchingAlgorithmError(new Error('Handshake failed: no matching S->C MAC'), 'h:22', {})!.hint ?? '', /"hmac"/);
  assert.equal(noMatchingAlgorithmError(new Error('ECONNRESET'), 'h:22', {}), undefined);
});

test('which keyboard-interactive prompts the stored password may answer', () => {
  for (const p of ['Password: ', "user@host's password: ", 'Password for deploy@example.com: ', 'Passwort: ', 'Mot de passe : ']) assert.ok(isPasswordPrompt(p), p);
  for (const p of ['Verification code: ', 'One-time password (OATH) for `me\': ', 'OTP: ', 'Passcode or option (1-3): ', 'Token: ', 'YubiKey for `me\': ', 'Enter PIN: ']) {
    assert.ok(!isPasswordPrompt(p), p);
  }
});

test('jump host syntax', () => {
  assert.deepEqual(parseJump('deploy@bastion:2222'), [{ user: 'deploy', host: 'bastion', port: 2222, text: 'deploy@bastion:2222' }]);
  assert.deepEqual(parseJump('a, b@c'), [{ user: undefined, host: 'a', port: undefined, text: 'a' }, { user: 'b', host: 'c', port: undefined, text: 'b@c' }]);
  assert.deepEqual(parseJump('ssh://me@[::1]:22'), [{ user: 'me', host: '::1', port: 22, text: 'ssh://me@[::1]:22' }]);
  assert.deepEqual(parseJump('none'), []);
  assert.deepEqual(parseJump(''), []);
  for (const bad of ['a b', 'h:0', 'h:99999', '@h', 'h:x']) assert.throws(() => parseJump(bad), /Bad jump host/, bad);
});
