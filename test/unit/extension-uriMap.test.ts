import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { SyncError } from '../../src/core/errors.js';
import { describeError } from '../../src/extension/errorText.js';
import { loginId, loginLabel, passphraseKey, passwordKey } from '../../src/extension/secretKeys.js';
import { displayName, localPathOf, parentDir, parseRemoteUri, relPathOf, remoteUriParts } from '../../src/extension/uriMap.js';

test('local paths map to engine paths below the local root only', () => {
  assert.equal(relPathOf('/w/site', '/w/site/a/b.txt', path.posix), 'a/b.txt');
  assert.equal(relPathOf('/w/site', '/w/site', path.posix), '');
  assert.equal(relPathOf('/w/site', '/w/site/', path.posix), '');
  assert.equal(relPathOf('/w/site', '/w/other/a.txt', path.posix), undefined);
  assert.equal(relPathOf('/w/site', '/w/site-2/a.txt', path.posix), undefined);
  assert.equal(relPathOf('/w/site', '/w/site/..x/a', path.posix), '..x/a');
  assert.equal(relPathOf('C:\\w\\site', 'C:\\w\\site\\a\\b.txt', path.win32), 'a/b.txt');
  assert.equal(relPathOf('C:\\w\\site', 'D:\\a.txt', path.win32), undefined);
  assert.equal(localPathOf('/w/site', 'a/b.txt', path.posix), '/w/site/a/b.txt');
  assert.equal(localPathOf('/w/site', '', path.posix), '/w/site');
  assert.equal(localPathOf('C:\\w', 'a/b', path.win32), 'C:\\w\\a\\b');
});

test('remote URIs round-trip, with odd names and folder URIs', () => {
  const ref = { folder: 'file:///w/my%20site?x=1', target: 'prod & test', path: 'dir/ä b#1?.txt' };
  const parts = remoteUriParts(ref);
  assert.equal(parts.scheme, 'remote-sync');
  assert.equal(parts.path, '/dir/ä b#1?.txt');
  assert.deepEqual(parseRemoteUri(parts), ref);
  assert.deepEqual(parseRemoteUri(remoteUriParts({ ...ref, path: '' })), { ...ref, path: '' });
  assert.equal(parseRemoteUri({ ...parts, scheme: 'file' }), undefined);
  assert.equal(parseRemoteUri({ ...parts, query: '' }), undefined);
  assert.equal(parseRemoteUri({ ...parts, path: '/a/../../etc' }), undefined);
  assert.equal(displayName('a/b/c.txt'), 'c.txt');
  assert.equal(displayName(''), '/');
  assert.equal(parentDir('a/b/c.txt'), 'a/b');
  assert.equal(parentDir('c.txt'), '');
});

test('secret keys: one password per login, one passphrase per key file', () => {
  const a = passwordKey({ protocol: 'sftp', host: 'h', user: 'me', path: '/a' });
  const b = passwordKey({ protocol: 'sftp', host: 'h', user: 'me', port: 22, path: '/b' });
  assert.equal(a, b);
  assert.equal(a, 'remote-sync.password:sftp://me@h:22');
  assert.notEqual(a, passwordKey({ protocol: 'ftp', host: 'h', user: 'me', path: '/a' }));
  assert.equal(loginId({ protocol: 'ftps', host: 'h', ftpsImplicit: true, path: '/' }), 'ftps://h:990');
  assert.equal(loginLabel({ protocol: 'sftp', host: 'h', user: 'me', port: 2222, path: '/' }), 'me@h:2222');
  assert.equal(passphraseKey('/k/id'), 'remote-sync.passphrase:/k/id');
});

test('errors name the file and the cause', () => {
  const e = new SyncError('io', 'Upload failed', { path: 'a/b.txt', detail: 'Permission denied', hint: 'Check the folder rights' });
  const r = describeError('Upload on save', e, ['a/b.txt']);
  assert.equal(r.message, 'Upload on save failed: Upload failed (a/b.txt): Permission denied. Check the folder rights');
  assert.equal(r.cancelled, false);
  const plain = describeError('Upload on save', new Error('socket hang up'), ['x.txt', 'y.txt']);
  assert.equal(plain.message, 'Upload on save failed: x.txt, y.txt: socket hang up');
  const many = describeError('Upload', new Error('boom'), ['1', '2', '3', '4', '5']);
  assert.match(many.message, /1, 2, 3 and 2 more: boom/);
  assert.equal(describeError('Upload', new SyncError('aborted', 'Cancelled')).cancelled, true);
  assert.equal(describeError('Upload', new SyncError('config', 'bad field "targets.x.port"')).config, true);
  assert.equal(describeError('Upload', new SyncError('auth', 'Login refused')).auth, true);
});
