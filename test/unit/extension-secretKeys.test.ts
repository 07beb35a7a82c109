// Issue 14 item 4: a password stored in SecretStorage belongs to the way the server was verified; a
// target whose FTPS verification differs (certificate checks off, another pinned fingerprint) does
// not get it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { passwordKey } from '../../src/extension/secretKeys.js';
import type { RemoteSpec } from '../../src/core/types.js';

const fp = (c: string) => `SHA256:${Array(32).fill(c + c).join(':')}`;

test('password keys differ per FTPS verification, not per folder', () => {
  const base: RemoteSpec = { protocol: 'ftps', host: 'h', user: 'me', path: '/a' };
  const verified = passwordKey(base);
  assert.equal(verified, 'remote-sync.password:ftps://me@h:21', 'verified by a certificate authority: the key is unchanged');
  assert.equal(passwordKey({ ...base, path: '/b' }), verified);
  const keys = [
    verified,
    passwordKey({ ...base, allowUnauthorizedTls: true }),
    passwordKey({ ...base, allowUnauthorizedTls: true, tlsFingerprint: fp('A') }),
    passwordKey({ ...base, allowUnauthorizedTls: true, tlsFingerprint: fp('B') }),
    passwordKey({ ...base, protocol: 'ftp' }),
  ];
  assert.equal(new Set(keys).size, keys.length, keys.join('\n'));
  assert.equal(passwordKey({ protocol: 'sftp', host: 'h', user: 'me', path: '/' }), 'remote-sync.password:sftp://me@h:22');
});
