// vscode-sftp's sftp.json → remote-sync.json: every mapped field, profiles, secrets kept out of the
// file, fields with no equivalent listed in the header, and clear errors for what cannot be converted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertSftpJson, looksLikeSftpJson } from '../../src/core/import/sftp-json.js';
import { parseConfigText } from '../../src/core/config/index.js';
import { SyncError } from '../../src/core/errors.js';

const FILE = '/ws/.vscode/remote-sync.json';
const convert = (o: unknown) => convertSftpJson(typeof o === 'string' ? o : JSON.stringify(o));

test('a single SFTP config: every field carries over and the result is a valid remote-sync.json', () => {
  const r = convert({
    name: 'My Server', host: 'example.com', protocol: 'sftp', port: 2222, username: 'deploy', remotePath: '/var/www/site',
    privateKeyPath: '~/.ssh/id_ed25519', agent: '$SSH_AUTH_SOCK', context: './public/', uploadOnSave: true,
    ignore: ['.vscode', '.git', 'node_modules'], syncOption: { delete: true }, concurrency: 8,
  });
  assert.deepEqual(r.config, {
    targets: { 'My Server': { protocol: 'sftp', host: 'example.com', port: 2222, user: 'deploy', remotePath: '/var/www/site', privateKey: '~/.ssh/id_ed25519', agent: true } },
    defaultTarget: 'My Server', localRoot: 'public', uploadOnSave: true, ignore: ['.vscode', '.git', 'node_modules'],
    deletePropagation: true, concurrency: 8,
  });
  assert.deepEqual(r.unsupported, []);
  const parsed = parseConfigText(r.text, FILE);
  assert.equal(parsed.localRoot, '/ws/public');
  assert.equal(parsed.targets['My Server'].port, 2222);
  assert.equal(parsed.deletePropagation, true);
  assert.match(r.text, /^\/\/ Remote Sync settings, imported from \.vscode\/sftp\.json/);
});

test('FTP: secure true / "control" / "implicit" / false, passive', () => {
  const t = (secure: unknown) => (convert({ host: 'h', protocol: 'ftp', remotePath: '/x', secure, passive: false }).config.targets as Record<string, Record<string, unknown>>).default;
  assert.equal(t(true).secure, 'explicit');
  assert.equal(t('control').secure, 'explicit');
  assert.equal(t('implicit').secure, 'implicit');
  assert.equal(t(false).secure, false);
  assert.equal(t(true).passive, false);
  assert.equal(parseConfigText(convert({ host: 'h', protocol: 'ftp', remotePath: '/x', secure: 'implicit' }).text, FILE).targets.default.port, 990);
});

test('profiles become targets, defaultProfile the defaultTarget; shared fields are repeated', () => {
  const r = convert({
    username: 'me', remotePath: '/srv', protocol: 'sftp', uploadOnSave: false,
    profiles: { dev: { host: 'dev.example.com' }, prod: { host: 'prod.example.com', remotePath: '/var/www', username: 'deploy' } },
    defaultProfile: 'prod',
  });
  assert.equal(r.config.defaultTarget, 'prod');
  assert.deepEqual(r.targets, ['prod', 'dev']);
  const t = r.config.targets as Record<string, Record<string, unknown>>;
  assert.deepEqual(t.dev, { protocol: 'sftp', host: 'dev.example.com', user: 'me', remotePath: '/srv' });
  assert.deepEqual(t.prod, { protocol: 'sftp', host: 'prod.example.com', user: 'deploy', remotePath: '/var/www' });
  const parsed = parseConfigText(r.text, FILE);
  assert.deepEqual(Object.keys(parsed.targets).sort(), ['dev', 'prod']);
});

test('passwords and passphrases are handed back, never written to the file', () => {
  const r = convert({
    host: 'h', username: 'u', remotePath: '/x', password: 'hunter2', passphrase: 'open sesame', privateKeyPath: '/k',
    profiles: { a: { password: 'pa' }, b: {} },
  });
  assert.doesNotMatch(r.text, /hunter2|open sesame|"pa"/);
  assert.deepEqual(r.secrets, [
    { target: 'a', kind: 'password', value: 'pa' }, { target: 'a', kind: 'passphrase', value: 'open sesame' },
    { target: 'b', kind: 'password', value: 'hunter2' }, { target: 'b', kind: 'passphrase', value: 'open sesame' },
  ]);
  assert.match(r.text, /holds a password for "a"/);
  parseConfigText(r.text, FILE); // no password field: accepted
});

test('fields with no equivalent are listed in a comment at the top, with what to do instead', () => {
  const r = convert({
    host: 'h', remotePath: '/x', watcher: { files: '**/*' }, remoteTimeOffsetInHours: 2, downloadOnOpen: true,
    syncOption: { skipCreate: true, delete: false }, somethingNew: 1, profiles: { p: { useTempFile: true } },
  });
  const keys = r.unsupported.map((u) => u.split(':')[0]);
  assert.deepEqual(keys.sort(), ['profiles.p.useTempFile', 'remoteTimeOffsetInHours', 'somethingNew', 'syncOption.skipCreate', 'watcher'].sort());
  const header = r.text.slice(0, r.text.indexOf('{'));
  assert.match(header, /Not carried over/);
  assert.match(header, /- watcher: no file watcher carried over: add a "watch" setting/);
  assert.equal(r.config.downloadOnOpen, true, 'downloadOnOpen carries over');
  assert.match(header, /- remoteTimeOffsetInHours: not needed/);
  assert.equal(r.config.deletePropagation, false);
  parseConfigText(r.text, FILE);
});

test('jump hosts, ssh config, algorithms, permissions and the ignore file carry over', () => {
  const r = convert({
    host: 'h', remotePath: '/x', hop: [{ host: 'bastion', username: 'me', port: 2222 }, { host: 'inner' }], sshConfigPath: '~/.ssh/work',
    algorithms: { serverHostKey: ['ssh-rsa'], cipher: ['aes128-ctr'] }, interactiveAuth: true, filePerm: 644, dirPerm: '0755', ignoreFile: '.gitignore',
  });
  assert.deepEqual(r.unsupported, []);
  const t = r.config.targets as Record<string, Record<string, unknown>>;
  assert.equal(t.default.jump, 'me@bastion:2222,inner');
  assert.equal(t.default.sshConfig, '~/.ssh/work');
  assert.deepEqual(t.default.algorithms, { serverHostKey: ['ssh-rsa'], cipher: ['aes128-ctr'] });
  assert.deepEqual(t.default.permissions, { file: '644', dir: '755' });
  assert.deepEqual(r.config.ignoreFiles, ['.gitignore']);
  const parsed = parseConfigText(r.text, FILE);
  assert.equal(parsed.targets.default.jump, 'me@bastion:2222,inner');
  assert.deepEqual(parsed.ignoreFiles, ['.gitignore']);
  assert.throws(() => convert({ host: 'h', remotePath: '/x', filePerm: 'rw-r--r--' }), /filePerm must be a mode/);
});

test('downloadOnOpen carries over', () => {
  const r = convert({ host: 'h', remotePath: '/x', downloadOnOpen: true });
  assert.equal(r.config.downloadOnOpen, true);
  assert.deepEqual(r.unsupported, []);
  assert.equal(parseConfigText(r.text, FILE).downloadOnOpen, true);
});

test('an array of configs: the first one is imported, the others are named as not carried over', () => {
  const r = convert([{ host: 'a', remotePath: '/a', context: 'web' }, { host: 'b', remotePath: '/b', context: 'api' }]);
  assert.equal(r.config.localRoot, 'web');
  assert.equal(r.unsupported.length, 1);
  assert.match(r.unsupported[0], /context "api"/);
});

test('comments and trailing commas in sftp.json are fine; a relative remotePath gets its leading slash', () => {
  const r = convert('// mine\n{ "host": "h", /* x */ "remotePath": "site", }');
  assert.equal((r.config.targets as Record<string, Record<string, unknown>>).default.remotePath, '/site');
});

test('what cannot be converted is a config error naming the file and the field', () => {
  const err = (o: unknown) => {
    try { convert(o); } catch (e) { assert.ok(e instanceof SyncError); assert.equal(e.code, 'config'); return e.message; }
    assert.fail('no error');
  };
  assert.match(err({ remotePath: '/x' }), /sftp\.json: host is missing/);
  assert.match(err({ host: 'h', port: 'abc' }), /port must be a whole number/);
  assert.match(err({ host: 'h', protocol: 'webdav' }), /protocol must be "sftp" or "ftp"/);
  assert.match(err('{ "host": '), /sftp\.json: line 1, column \d+/);
  assert.match(err('[]'), /holds no configuration/);
  assert.match(err({ profiles: { p: { remotePath: '/x' } } }), /profiles\.p: host is missing/);
});

test('looksLikeSftpJson: vscode-sftp fields yes, a remote-sync config no', () => {
  assert.equal(looksLikeSftpJson({ host: 'h', username: 'u', remotePath: '/x', protocol: 'sftp' }), true);
  assert.equal(looksLikeSftpJson({ name: 'x', host: 'h', protocol: 'ftp' }), true);
  assert.equal(looksLikeSftpJson([{ host: 'h', remotePath: '/x' }]), true);
  assert.equal(looksLikeSftpJson({ targets: {}, host: 'h', username: 'u' }), false);
  assert.equal(looksLikeSftpJson({ uploadOnSave: true }), false);
  assert.equal(looksLikeSftpJson('x'), false);
});
