// REMOTE arguments: folder paths and sftp/ftp/ftps/file URLs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseRemoteArg, redactUrl } from '../../src/core/config/index.js';
import { remoteId } from '../../src/core/targets/index.js';
import { SyncError } from '../../src/core/errors.js';

const p = (arg: string, opts?: { ftpsImplicit?: boolean }) => parseRemoteArg(arg, '/cwd', opts);
function usage(arg: string): string {
  try {
    p(arg);
  } catch (e) {
    assert.ok(e instanceof SyncError);
    assert.equal(e.code, 'usage');
    return e.message;
  }
  assert.fail(`no error for ${arg}`);
}

test('folder paths: relative, absolute, ~, file://', () => {
  assert.deepEqual(p('site'), { protocol: 'local', path: '/cwd/site' });
  assert.deepEqual(p('./a/../b/'), { protocol: 'local', path: '/cwd/b' });
  assert.deepEqual(p('/srv/x'), { protocol: 'local', path: '/srv/x' });
  assert.deepEqual(p('~/x'), { protocol: 'local', path: join(homedir(), 'x') });
  assert.deepEqual(p('.'), { protocol: 'local', path: '/cwd' });
  assert.deepEqual(p('file:///srv/my%20dir'), { protocol: 'local', path: '/srv/my dir' });
  assert.deepEqual(p('file://localhost/srv'), { protocol: 'local', path: '/srv' });
  assert.deepEqual(p('weird:name'), { protocol: 'local', path: '/cwd/weird:name' });
});

test('sftp URLs', () => {
  assert.deepEqual(p('sftp://deploy@example.com/var/www/site'), { protocol: 'sftp', host: 'example.com', port: 22, portIsDefault: true, user: 'deploy', path: '/var/www/site' });
  assert.deepEqual(p('sftp://deploy@Example.COM:2222/var/www/site/'), { protocol: 'sftp', host: 'example.com', port: 2222, user: 'deploy', path: '/var/www/site' });
  assert.deepEqual(p('sftp://example.com/'), { protocol: 'sftp', host: 'example.com', port: 22, portIsDefault: true, path: '/' });
  assert.deepEqual(p('SFTP://h//a/./b'), { protocol: 'sftp', host: 'h', port: 22, portIsDefault: true, path: '/a/b' });
  assert.deepEqual(p('sftp://me:pw@h/x'), { protocol: 'sftp', host: 'h', port: 22, portIsDefault: true, user: 'me', password: 'pw', path: '/x' });
});

test('ftp and ftps URLs, passwords, default ports', () => {
  assert.deepEqual(p('ftp://joe:secret@ftp.example.com/htdocs'), { protocol: 'ftp', host: 'ftp.example.com', port: 21, user: 'joe', password: 'secret', path: '/htdocs' });
  assert.deepEqual(p('ftp://ftp.example.com:2121/'), { protocol: 'ftp', host: 'ftp.example.com', port: 2121, path: '/' });
  assert.deepEqual(p('ftps://joe@h/x'), { protocol: 'ftps', host: 'h', port: 21, user: 'joe', path: '/x' });
  assert.deepEqual(p('ftps://joe@h/x', { ftpsImplicit: true }), { protocol: 'ftps', host: 'h', port: 990, user: 'joe', path: '/x', ftpsImplicit: true });
  assert.equal(p('ftps://joe@h:2990/x', { ftpsImplicit: true }).port, 2990);
  assert.deepEqual(p('ftp://u:@h/x'), { protocol: 'ftp', host: 'h', port: 21, user: 'u', password: '', path: '/x' });
});

test('IPv6 hosts in brackets', () => {
  assert.deepEqual(p('sftp://me@[::1]:2222/home/me'), { protocol: 'sftp', host: '::1', port: 2222, user: 'me', path: '/home/me' });
  assert.deepEqual(p('ftp://[fe80::1%25eth0]/x').host, 'fe80::1%25eth0');
  assert.deepEqual(p('ftp://[2001:db8::7]/x'), { protocol: 'ftp', host: '2001:db8::7', port: 21, path: '/x' });
  assert.match(usage('sftp://[::1/x'), /unclosed "\["/);
  assert.match(usage('sftp://::1/x'), /IPv6 address without brackets: write sftp:\/\/\[::1\]\/path/);
  assert.match(usage('sftp://[::1]x/y'), /unexpected text "x" after the IPv6 address/);
  assert.match(usage('sftp://[zz]/y'), /bad IPv6 address/);
});

test('percent-decoding of user, password and path', () => {
  const s = p('ftp://me%40corp.com:p%40ss%3Aw%2Fd@h/my%20site/%C3%A9t%C3%A9');
  assert.equal(s.user, 'me@corp.com');
  assert.equal(s.password, 'p@ss:w/d');
  assert.equal(s.path, '/my site/été');
  // an unencoded "@" in the password still works: the host starts after the last "@"
  assert.equal(p('ftp://me:p@ss@h/x').password, 'p@ss');
  assert.match(usage('ftp://me:100%@h/x'), /bad percent-encoding in the password \(write a % as %25\)/);
  assert.match(usage('sftp://h/a%zz'), /bad percent-encoding in the path/);
});

test('clear errors for anything else', () => {
  assert.equal(usage('http://example.com/x'), '"http://example.com/x" uses an unsupported scheme "http://"; use sftp://, ftp://, ftps:// or a folder path');
  assert.match(usage('ssh://h/x'), /ssh:\/\/, which is not supported: write it as sftp:\/\/user@host\/path/);
  assert.match(usage('deploy@example.com:/var/www'), /looks like scp syntax: write it as sftp:\/\/deploy@example\.com\/var\/www/);
  assert.match(usage('deploy@example.com:www'), /sftp:\/\/deploy@example\.com\/www/);
  assert.match(usage('sftp:/h/x'), /write two slashes after the scheme/);
  assert.match(usage('sftp://h'), /needs the folder on the server after the host, e\.g\. sftp:\/\/user@example\.com\/var\/www\/site/);
  assert.match(usage('sftp:///x'), /has no host name/);
  assert.match(usage('sftp://@h/x'), /empty user name/);
  assert.match(usage('sftp://h:22x/x'), /bad port "22x" \(a whole number from 1 to 65535\)/);
  assert.match(usage('sftp://h:0/x'), /bad port "0"/);
  assert.match(usage('sftp://h:70000/x'), /bad port "70000"/);
  assert.match(usage('sftp://h/x?y'), /percent-encode them in names/);
  assert.match(usage('sftp://h_a b/x'), /bad host name/);
  assert.match(usage('file://server/share'), /only local folders work/);
  assert.match(usage(''), /REMOTE is empty/);
});

test('passwords never appear in messages', () => {
  const m = usage('ftp://me:topsecret@h:99999/x');
  assert.doesNotMatch(m, /topsecret/);
  assert.match(m, /ftp:\/\/me:\*\*\*@h:99999\/x/);
  assert.equal(redactUrl('ftp://me:pw@h/x'), 'ftp://me:***@h/x');
  assert.equal(redactUrl('ftp://me@h/x'), 'ftp://me@h/x');
  assert.equal(redactUrl('/plain/path'), '/plain/path');
});

test('the same server written two ways gives the same state id', () => {
  assert.equal(remoteId(p('sftp://u@H.example/x/')), remoteId(p('sftp://u@h.example:22/x')));
  assert.equal(remoteId(p('ftp://u:pw@h/x')), remoteId(p('ftp://u@h:21/x')));
});
