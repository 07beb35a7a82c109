// The project config file: parsing, validation messages (field, fix, line:column), defaults, target forms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir, homedir } from 'node:os';
import { join } from 'node:path';
import {
  parseConfigText, loadConfig, findConfigFile, targetSpec, CONFIG_RELATIVE_PATH, STARTER_CONFIG, ConfigError,
} from '../../src/core/config/index.js';
import { SyncError } from '../../src/core/errors.js';
import { remoteId } from '../../src/core/targets/index.js';

const FILE = '/ws/.vscode/remote-sync.json';
const parse = (text: string) => parseConfigText(text, FILE);
const cfg = (o: unknown) => parse(JSON.stringify(o));
const one = (target: Record<string, unknown>, extra: Record<string, unknown> = {}) => cfg({ targets: { production: target }, ...extra });

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SyncError, `not a SyncError: ${String(e)}`);
    assert.equal(e.code, 'config');
    assert.ok(e instanceof ConfigError);
    return e;
  }
  assert.fail('no error thrown');
}
const msg = (fn: () => unknown) => errorOf(fn).message;

test('minimal file: defaults', () => {
  const c = one({ url: 'sftp://deploy@example.com/var/www/site' });
  assert.equal(c.file, FILE);
  assert.equal(c.workspaceRoot, '/ws');
  assert.equal(c.localRoot, '/ws');
  assert.equal(c.defaultTarget, 'production');
  assert.equal(c.uploadOnSave, false);
  assert.equal(c.downloadOnOpen, false);
  assert.equal(c.watchServer, undefined);
  assert.equal(c.watch, undefined);
  assert.equal(c.downloadServerChanges, 'off');
  assert.deepEqual(c.ignore, []);
  assert.equal(c.match, undefined);
  assert.equal(c.conflictPolicy, 'ask');
  assert.equal(c.concurrency, undefined, 'no default: each protocol uses its own');
  assert.equal(c.deletePropagation, false);
  assert.equal(c.maxDelete, undefined);
  assert.equal(c.idleTimeoutSeconds, 300);
  assert.equal(c.timeoutSeconds, 30);
  assert.deepEqual(targetSpec(c), { protocol: 'sftp', host: 'example.com', port: 22, portIsDefault: true, user: 'deploy', path: '/var/www/site' });
});

test('every top-level setting is read', () => {
  const c = cfg({
    $schema: './x.json', localRoot: 'public', uploadOnSave: true, ignore: ['*.log', 'tmp/'], match: ['*.php'],
    conflictPolicy: 'new', concurrency: 8, deletePropagation: true, maxDelete: '25%', idleTimeoutSeconds: 60, timeoutSeconds: 7, downloadOnOpen: true, watchServer: { intervalSeconds: 30 }, downloadServerChanges: 'auto', watch: { files: ['dist/**'], delete: true },
    targets: { a: { url: 'ftp://u@h/p' }, b: { url: 'sftp://h/q' } }, defaultTarget: 'b',
  });
  assert.equal(c.localRoot, '/ws/public');
  assert.equal(c.uploadOnSave, true);
  assert.equal(c.downloadOnOpen, true);
  assert.deepEqual(c.watchServer, { intervalSeconds: 30 });
  assert.equal(c.downloadServerChanges, 'auto');
  assert.deepEqual(c.watch, { files: ['dist/**'], upload: true, delete: true });
  assert.deepEqual(c.ignore, ['*.log', 'tmp/']);
  assert.deepEqual(c.match, ['*.php']);
  assert.equal(c.conflictPolicy, 'new');
  assert.equal(c.concurrency, 8);
  assert.equal(c.deletePropagation, true);
  assert.equal(c.maxDelete, '25%');
  assert.equal(c.timeoutSeconds, 7);
  assert.equal(targetSpec(c).timeoutSeconds, 7);
  assert.equal(c.idleTimeoutSeconds, 60);
  assert.equal(c.defaultTarget, 'b');
  assert.equal(targetSpec(c).protocol, 'sftp');
  assert.equal(targetSpec(c, 'a').protocol, 'ftp');
  assert.equal(cfg({ targets: { a: { url: 'ftp://h/p' } }, maxDelete: 10 }).maxDelete, 10);
});

test('JSONC: comments and trailing commas', () => {
  const c = parse(`// header
  {
    /* block */ "targets": { "p": { "url": "sftp://h/x", }, }, // trailing
    "ignore": ["a", "b",],
  }`);
  assert.deepEqual(c.ignore, ['a', 'b']);
  assert.ok(parse('\n' + STARTER_CONFIG));
});

test('syntax errors give line:column', () => {
  assert.equal(msg(() => parse('{\n  "targets": {\n    "p": { "url": "sftp://h/x" "x": 1 }\n  }\n}')),
    'remote-sync.json:3:32: not valid JSON: a "," is expected here');
  assert.match(msg(() => parse('{ "targets": ')), /^remote-sync\.json:1:\d+: not valid JSON: a value is expected here$/);
  assert.match(msg(() => parse('')), /remote-sync\.json:1:1: is empty/);
  const e = errorOf(() => parse('{\n\n  "concurrency": 0, "targets": {"p": {"url": "sftp://h/x"}}}'));
  assert.equal(e.line, 3);
  assert.equal(e.column, 18);
  assert.equal(e.field, 'concurrency');
});

test('bad port: the exact message names the field and the fix', () => {
  const text = '{\n  "targets": {\n    "production": { "host": "example.com", "port": "22x", "remotePath": "/x" }\n  }\n}';
  assert.equal(msg(() => parse(text)),
    'remote-sync.json:3:52: targets.production.port must be a whole number from 1 to 65535 (got "22x")');
  assert.match(msg(() => one({ host: 'h', port: 0, remotePath: '/x' })), /targets\.production\.port must be a whole number from 1 to 65535 \(got 0\)$/);
  assert.match(msg(() => one({ host: 'h', port: 22.5, remotePath: '/x' })), /\(got 22\.5\)$/);
});

test('each kind of bad field', () => {
  const cases: [unknown, RegExp][] = [
    [{ targets: { p: { url: 'sftp://h/x' } }, concurrency: 33 }, /: concurrency must be a whole number from 1 to 32 \(got 33\)$/],
    [{ targets: { p: { url: 'sftp://h/x' } }, uploadOnSave: 'yes' }, /: uploadOnSave must be true or false \(got "yes"\)$/],
    [{ targets: { p: { url: 'sftp://h/x' } }, downloadOnOpen: 'on' }, /: downloadOnOpen must be true or false \(got "on"\)$/],
    [{ targets: { p: { url: 'sftp://h/x' } }, watchServer: { intervalSeconds: 1 } }, /: watchServer\.intervalSeconds must be a whole number from 10 to 86400 \(got 1\)$/],
    [{ targets: { p: { url: 'sftp://h/x' } }, watchServer: 60 }, /: watchServer must be an object/],
    [{ targets: { p: { url: 'sftp://h/x' } }, watchServer: {} }, /: watchServer needs "intervalSeconds"/],
    [{ targets: { p: { url: 'sftp://h/x' } }, watch: { upload: true } }, /: watch needs "files"/],
    [{ targets: { p: { url: 'sftp://h/x' } }, watch: { files: [] } }, /: watch\.files must name at least one pattern/],
    [{ targets: { p: { url: 'sftp://h/x' } }, watch: { files: ['dist/**'], delete: 'yes' } }, /: watch\.delete must be true or false/],
    [{ targets: { p: { url: 'sftp://h/x' } }, deletePropagation: 1 }, /: deletePropagation must be true or false \(got 1\)$/],
    [{ targets: { p: { url: 'sftp://h/x' } }, ignore: '*.log' }, /: ignore must be a list of glob patterns, e\.g\. \["node_modules\/", "\*\.log"\] \(got "\*\.log"\)$/],
    [{ targets: { p: { url: 'sftp://h/x' } }, ignore: ['ok', 3] }, /: ignore\[1\] must be a non-empty glob pattern string \(got 3\)$/],
    [{ targets: { p: { url: 'sftp://h/x' } }, match: [''] }, /: match\[0\] must be a non-empty glob pattern string/],
    [{ targets: { p: { url: 'sftp://h/x' } }, conflictPolicy: 'newer' }, /: conflictPolicy must be one of "ask", "skip", "local", "remote", "new", "old", "merge" \(got "newer"; did you mean "new"\?\)$/],
    [{ targets: { p: { url: 'sftp://h/x' } }, mergeBase: true }, /: mergeBase must be false \(keep no common versions\) or an object like \{ "maxFileSize": "1MB" \} \(got true\)$/],
    [{ targets: { p: { url: 'sftp://h/x' } }, mergeBase: { maxFileSize: '1 XB' } }, /: mergeBase\.maxFileSize must be a size: a number of bytes or a string like "1MB" or "512kB" \(got "1 XB"\)$/],
    [{ targets: { p: { url: 'sftp://h/x' } }, mergeBase: { maxSize: 1 } }, /: mergeBase\.maxSize is not a known setting/],
    [{ targets: { p: { url: 'sftp://h/x' } }, maxDelete: '150%' }, /: maxDelete must be a number of files \(e\.g\. 100\) or a percentage of a side's files \(e\.g\. "50%"\) \(got "150%"\)$/],
    [{ targets: { p: { url: 'sftp://h/x' } }, maxDelete: -1 }, /: maxDelete must be a number of files/],
    [{ targets: { p: { url: 'sftp://h/x' } }, idleTimeoutSeconds: 0 }, /: idleTimeoutSeconds must be a whole number from 1 to 86400 \(got 0\)$/],
    [{ targets: { p: { url: 'sftp://h/x' } }, localRoot: 5 }, /: localRoot must be a string in double quotes \(got 5\)$/],
    [{ targets: { p: { url: 'sftp://h/x' } }, localRoot: ' ' }, /: localRoot must not be empty$/],
    [{}, /: targets is missing: add at least one target/],
    [{ targets: {} }, /: targets is empty: add at least one target/],
    [{ targets: [] }, /: targets must be an object of named targets \(got a list\)$/],
    [{ targets: { p: 'sftp://h/x' } }, /: targets\.p must be an object \{ … \} \(got "sftp:\/\/h\/x"\)$/],
    [{ targets: { p: { url: 'sftp://h/x' }, q: { url: 'ftp://h/x' } } }, /: defaultTarget is required when there is more than one target: add "defaultTarget": "p" \(one of "p", "q"\)$/],
    [{ targets: { p: { url: 'sftp://h/x' } }, defaultTarget: 'prod' }, /: defaultTarget names no target: "prod" is not in targets$/],
    [{ targets: { production: { url: 'sftp://h/x' } }, defaultTarget: 'prodution' }, /: defaultTarget names no target: "prodution" is not in targets \(did you mean "production"\?\)$/],
    [{ targets: { p: { url: 42 } } }, /: targets\.p\.url must be a string in double quotes \(got 42\)$/],
    [{ targets: { p: { url: 'http://h/x' } } }, /: targets\.p\.url uses an unsupported scheme "http:\/\/"; use sftp:\/\/, ftp:\/\/, ftps:\/\/ or a folder path$/],
    [{ targets: { p: { url: 'sftp://h' } } }, /: targets\.p\.url needs the folder on the server after the host/],
    [{ targets: { p: { url: 'sftp://h/x', host: 'h' } } }, /: targets\.p\.host cannot be used together with "url": give either "url" or protocol\/host\/port\/user\/remotePath$/],
    [{ targets: { p: { protocol: 'sftp', remotePath: '/x' } } }, /: targets\.p needs either "url" or "host"/],
    [{ targets: { p: { host: 'h' } } }, /: targets\.p\.remotePath is required: the folder on the server, e\.g\. "\/var\/www\/site"$/],
    [{ targets: { p: { host: 'h', remotePath: 'www' } } }, /: targets\.p\.remotePath must be an absolute folder on the server, starting with "\/" \(got "www"\)$/],
    [{ targets: { p: { host: 'user@h', remotePath: '/x' } } }, /: targets\.p\.host must be a host name or address only/],
    [{ targets: { p: { host: 'h', remotePath: '/x', protocol: 'scp' } } }, /: targets\.p\.protocol must be one of "sftp", "ftp", "ftps", "local" \(got "scp"\)$/],
    [{ targets: { p: { host: 'h', remotePath: '/x', user: '' } } }, /: targets\.p\.user must not be empty$/],
    [{ targets: { p: { url: 'ftp://h/x', privateKey: '~/.ssh/id' } } }, /: targets\.p\.privateKey is only for SFTP targets \(this target uses ftp\): remove it$/],
    [{ targets: { p: { url: 'sftp://h/x', passive: false } } }, /: targets\.p\.passive is only for FTP\/FTPS targets \(this target uses sftp\): remove it$/],
    [{ targets: { p: { url: 'ftp://h/x', secure: true } } }, /: targets\.p\.secure must be false \(plain FTP\), "explicit" .* \(got true\)$/],
    [{ targets: { p: { url: 'ftps://h/x', secure: false } } }, /: targets\.p\.secure is false but the protocol is ftps/],
    [{ targets: { p: { url: 'sftp://h/x', agent: 1 } } }, /: targets\.p\.agent must be true \(use SSH_AUTH_SOCK\), false \(no agent\) or the path of an agent socket \(got 1\)$/],
    [{ targets: { p: { protocol: 'local', host: 'h', remotePath: '/x' } } }, /: targets\.p\.host is not used by a "local" target/],
    [{ targets: { 'my site': { url: 'sftp://h/x', port: 1 } } }, /: targets\["my site"\]\.port cannot be used together with "url"/],
  ];
  for (const [doc, re] of cases) assert.match(msg(() => cfg(doc)), re, JSON.stringify(doc));
});

test('mergeBase: sizes with units, false, and the default', () => {
  assert.equal(cfg({ targets: { p: { url: 'sftp://h/x' } } }).mergeBase, undefined);
  assert.equal(cfg({ targets: { p: { url: 'sftp://h/x' } }, mergeBase: false }).mergeBase, false);
  assert.deepEqual(cfg({ targets: { p: { url: 'sftp://h/x' } }, mergeBase: { maxFileSize: '1MB' } }).mergeBase, { maxFileSize: 1048576 });
  assert.deepEqual(cfg({ targets: { p: { url: 'sftp://h/x' } }, mergeBase: { maxFileSize: '1.5 kB' } }).mergeBase, { maxFileSize: 1536 });
  assert.deepEqual(cfg({ targets: { p: { url: 'sftp://h/x' } }, mergeBase: { maxFileSize: 100 } }).mergeBase, { maxFileSize: 100 });
  assert.deepEqual(cfg({ targets: { p: { url: 'sftp://h/x' } }, mergeBase: {} }).mergeBase, { maxFileSize: 1048576 });
  assert.equal(cfg({ targets: { p: { url: 'sftp://h/x' } }, conflictPolicy: 'merge' }).conflictPolicy, 'merge');
});

test('unknown fields are errors with a suggestion', () => {
  assert.match(msg(() => one({ url: 'sftp://h/x', hots: 'h' })), /: targets\.production\.hots is not a known setting \(did you mean "host"\?\)$/);
  assert.match(msg(() => cfg({ targets: { p: { url: 'sftp://h/x' } }, uploadOnSav: true })), /: uploadOnSav is not a known setting \(did you mean "uploadOnSave"\?\)$/);
  assert.match(msg(() => cfg({ targets: { p: { url: 'sftp://h/x' } }, zzz: 1 })), /: zzz is not a known setting$/);
  assert.match(errorOf(() => cfg({ targets: { p: { url: 'sftp://h/x' } }, zzz: 1 })).toString(), /Known here: targets, defaultTarget, localRoot/);
  // names from vscode-sftp's sftp.json, and settings at the wrong level
  assert.match(msg(() => one({ host: 'h', remotePath: '/x', username: 'me' })), /username is not a known setting \(did you mean "user"\?\)$/);
  assert.match(msg(() => cfg({ targets: { p: { url: 'sftp://h/x' } }, host: 'h' })), /: host is a target setting: put it inside a target/);
  assert.match(msg(() => one({ url: 'sftp://h/x', ignore: [] })), /: targets\.production\.ignore is a top-level setting: move it out of the target/);
  assert.match(msg(() => parse('{"targets": {"p": {"url": "sftp://h/x"}}, "concurrency": 2, "concurrency": 3}')), /: concurrency is given twice: keep one$/);
});

test('a password anywhere is refused, and the message says where secrets go', () => {
  for (const doc of [
    { targets: { p: { url: 'sftp://h/x', password: 'x' } } },
    { password: 'x', targets: { p: { url: 'sftp://h/x' } } },
    { targets: { p: { url: 'sftp://h/x', nested: { Password: 'x' } } } },
  ]) {
    const e = errorOf(() => cfg(doc));
    assert.match(e.message, /password is not allowed: a password must not be stored in the config file$/i);
    assert.match(e.toString(), /REMOTE_SYNC_PASSWORD/);
    assert.match(e.toString(), /~\/\.netrc/);
    assert.match(e.toString(), /Sync: Set Password/);
  }
  assert.match(msg(() => one({ url: 'sftp://h/x', passphrase: 'x' })), /targets\.production\.passphrase is not allowed: a key passphrase must not be stored/);
  assert.match(msg(() => one({ url: 'ftp://me:secret@h/x' })), /targets\.production\.url must not contain a password/);
});

test('url form and host form give the same spec (and the same state id)', () => {
  const a = targetSpec(one({ url: 'sftp://deploy@Example.com/var/www/site/' }));
  const b = targetSpec(one({ protocol: 'sftp', host: 'example.com', user: 'deploy', remotePath: '/var/www/site' }));
  const c = targetSpec(one({ host: 'example.com', user: 'deploy', remotePath: '/var/www//site' })); // protocol defaults to sftp
  assert.deepEqual(a, b);
  // an explicit port 22 is the same server and state, but wins over an ssh config's Port
  const d = targetSpec(one({ protocol: 'sftp', host: 'example.com', port: 22, user: 'deploy', remotePath: '/var/www/site' }));
  assert.equal(remoteId(d), remoteId(a));
  assert.equal(d.portIsDefault, undefined);
  assert.deepEqual(c, b);
});

test('FTP targets: TLS modes, ports, passive, self-signed', () => {
  assert.deepEqual(targetSpec(one({ url: 'ftp://u@h/p' })), { protocol: 'ftp', host: 'h', port: 21, user: 'u', path: '/p' });
  assert.deepEqual(targetSpec(one({ url: 'ftps://u@h/p' })), { protocol: 'ftps', host: 'h', port: 21, user: 'u', path: '/p' });
  assert.deepEqual(targetSpec(one({ url: 'ftp://u@h/p', secure: 'explicit' })), { protocol: 'ftps', host: 'h', port: 21, user: 'u', path: '/p' });
  assert.deepEqual(targetSpec(one({ protocol: 'ftp', host: 'h', remotePath: '/p', secure: 'implicit', passive: false, allowSelfSignedCertificate: true })),
    { protocol: 'ftps', host: 'h', port: 990, path: '/p', ftpsImplicit: true, ftpActive: true, allowUnauthorizedTls: true });
  assert.equal(targetSpec(one({ protocol: 'ftps', host: 'h', port: 2121, remotePath: '/p', secure: 'implicit' })).port, 2121);
  const t = one({ protocol: 'ftp', host: 'h', remotePath: '/p', secure: false }).targets.production;
  assert.equal(t.protocol, 'ftp');
  assert.equal(t.secure, false);
  assert.equal(t.passive, true);
});

test('SFTP targets: key paths resolved (~ and relative to the workspace), agent', () => {
  const s = targetSpec(one({ url: 'sftp://h/x', privateKey: '~/.ssh/id_ed25519', knownHosts: 'keys/known_hosts', agent: false }));
  assert.equal(s.identity, join(homedir(), '.ssh/id_ed25519'));
  assert.equal(s.knownHosts, '/ws/keys/known_hosts');
  assert.equal(s.agent, false);
  assert.equal(targetSpec(one({ url: 'sftp://h/x', agent: '/run/agent.sock' })).agent, '/run/agent.sock');
  assert.equal(targetSpec(one({ url: 'sftp://h/x', agent: true })).agent, undefined);
  assert.deepEqual(targetSpec(one({ host: '[::1]', port: 2222, remotePath: '/x' })), { protocol: 'sftp', host: '::1', port: 2222, path: '/x' });
});

test('local targets (a folder on this machine)', () => {
  assert.deepEqual(targetSpec(one({ protocol: 'local', remotePath: '../mirror' })), { protocol: 'local', path: '/mirror' });
  assert.deepEqual(targetSpec(one({ url: 'file:///srv/mirror' })), { protocol: 'local', path: '/srv/mirror' });
});

test('targetSpec: unknown name suggests the closest', () => {
  const c = cfg({ targets: { production: { url: 'sftp://h/x' }, staging: { url: 'sftp://h/y' } }, defaultTarget: 'staging' });
  assert.equal(targetSpec(c).path, '/y');
  assert.throws(() => targetSpec(c, 'prodution'), (e: SyncError) => e.code === 'config' && /No target named "prodution".*did you mean "production"/.test(e.message));
});

test('the starter file is valid and documents the FTP form', () => {
  const c = parse(STARTER_CONFIG);
  assert.equal(c.defaultTarget, 'production');
  assert.equal(targetSpec(c).protocol, 'sftp');
  assert.match(STARTER_CONFIG, /\/\/ +"secure": "explicit"/);
  assert.doesNotMatch(STARTER_CONFIG, /"password"/);
});

test('findConfigFile searches upward; loadConfig reads it (BOM too)', () => {
  const root = mkdtempSync(join(tmpdir(), 'rs-cfg-'));
  try {
    mkdirSync(join(root, '.vscode'));
    mkdirSync(join(root, 'a/b/c'), { recursive: true });
    const file = join(root, CONFIG_RELATIVE_PATH);
    writeFileSync(file, '\ufeff{ "targets": { "p": { "url": "sftp://h/x" } }, "localRoot": "a" }');
    assert.equal(findConfigFile(join(root, 'a/b/c')), file);
    assert.equal(findConfigFile(root), file);
    const c = loadConfig(file);
    assert.equal(c.workspaceRoot, root);
    assert.equal(c.localRoot, join(root, 'a'));
    assert.throws(() => loadConfig(join(root, 'nope.json')), (e: SyncError) => e.code === 'config' && /not found/.test(e.message));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  assert.equal(findConfigFile('/proc/self'), undefined);
});
