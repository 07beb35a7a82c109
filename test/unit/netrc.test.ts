// ~/.netrc parsing and lookup, and the password order: URL, REMOTE_SYNC_PASSWORD, netrc, prompt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parseNetrc, lookupNetrc, readNetrc, netrcPath } from '../../src/cli/netrc.js';
import { makeCredentials, fillUserFromNetrc, type CredentialContext } from '../../src/cli/credentials.js';
import type { RemoteSpec } from '../../src/core/types.js';

const SAMPLE = `# comment line
machine ftp.example.com login joe password s3cret
machine Example.ORG
  login anna
  password "with space"
  account acct
machine multi.example login a password pa
machine multi.example login b password pb

macdef init
cd /pub
bin

machine after.macro login m password pm
default login anonymous password guest@
`;

test('parseNetrc: entries, multi-line, quotes, comments, macdef, default', () => {
  const e = parseNetrc(SAMPLE);
  assert.deepEqual(e[0], { machine: 'ftp.example.com', login: 'joe', password: 's3cret' });
  assert.deepEqual(e[1], { machine: 'Example.ORG', login: 'anna', password: 'with space', account: 'acct' });
  assert.deepEqual(e.find((x) => x.machine === 'after.macro'), { machine: 'after.macro', login: 'm', password: 'pm' });
  assert.deepEqual(e.at(-1), { login: 'anonymous', password: 'guest@' });
  assert.ok(!e.some((x) => x.machine === 'init' || x.login === 'cd'));
  assert.deepEqual(parseNetrc('machine h login u password p#notacomment'), [{ machine: 'h', login: 'u', password: 'p#notacomment' }]);
  assert.deepEqual(parseNetrc('machine h login u password a\\ b'), [{ machine: 'h', login: 'u', password: 'a b' }]);
  assert.deepEqual(parseNetrc(''), []);
});

test('lookupNetrc: host (case-insensitive), login must match the user, then the default entry', () => {
  const e = parseNetrc(SAMPLE);
  assert.equal(lookupNetrc(e, 'FTP.example.com')?.password, 's3cret');
  assert.equal(lookupNetrc(e, 'example.org', 'anna')?.password, 'with space');
  assert.equal(lookupNetrc(e, 'multi.example')?.password, 'pa');
  assert.equal(lookupNetrc(e, 'multi.example', 'b')?.password, 'pb');
  assert.equal(lookupNetrc(e, 'multi.example', 'c'), undefined); // default's login is anonymous
  assert.equal(lookupNetrc(e, 'unknown.host')?.login, 'anonymous');
  assert.equal(lookupNetrc(parseNetrc('machine x login u password p'), 'y'), undefined);
});

test('NETRC names the file; else ~/.netrc', () => {
  assert.equal(netrcPath({ NETRC: '/etc/mynetrc', HOME: '/home/x' }), '/etc/mynetrc');
  assert.equal(netrcPath({ HOME: '/home/x' }), '/home/x/.netrc');
});

function ctx(env: NodeJS.ProcessEnv, interactive = false, input = new PassThrough()): CredentialContext & { warnings: string[] } {
  const warnings: string[] = [];
  const output = new PassThrough();
  return { env, interactive, io: { input, output }, warn: (m) => warnings.push(m), debug: () => {}, warnings };
}

test('password order: URL, REMOTE_SYNC_PASSWORD, netrc, prompt; user from netrc', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-netrc-'));
  try {
    const file = join(dir, 'netrc');
    writeFileSync(file, 'machine h login joe password fromnetrc\n');
    chmodSync(file, 0o600);
    const spec: RemoteSpec = { protocol: 'ftp', host: 'h', port: 21, path: '/' };
    assert.equal(readNetrc({ NETRC: file })?.tooOpen, false);

    const env = { NETRC: file };
    fillUserFromNetrc(spec, env);
    assert.equal(spec.user, 'joe');
    assert.equal(await makeCredentials(ctx(env)).password!({ ...spec, password: 'fromurl' }), 'fromurl');
    assert.equal(await makeCredentials(ctx({ ...env, REMOTE_SYNC_PASSWORD: 'fromenv' })).password!(spec), 'fromenv');
    assert.equal(await makeCredentials(ctx(env)).password!(spec), 'fromnetrc');
    assert.equal(await makeCredentials(ctx(env)).password!({ ...spec, user: 'other' }), undefined);
    assert.equal(await makeCredentials(ctx({ NETRC: join(dir, 'none') })).password!(spec), undefined);

    // a terminal: asked (the answer is typed, nothing echoed)
    const input = new PassThrough();
    const c = ctx({ NETRC: join(dir, 'none') }, true, input);
    const pending = makeCredentials(c).password!(spec);
    setImmediate(() => input.write('typed\n'));
    assert.equal(await pending, 'typed');

    chmodSync(file, 0o644);
    const open = ctx(env);
    await makeCredentials(open).password!(spec);
    assert.match(open.warnings[0], /can be read by other users: chmod 600/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('passphrases: REMOTE_SYNC_PASSPHRASE, else a prompt on a terminal, else none', async () => {
  assert.equal(await makeCredentials(ctx({ REMOTE_SYNC_PASSPHRASE: 'pp' })).passphrase!('/k'), 'pp');
  assert.equal(await makeCredentials(ctx({})).passphrase!('/k'), undefined);
});

test('unknown host keys: refused without a terminal; asked with one', async () => {
  const info = { host: 'h', port: 22, keyType: 'ssh-ed25519', fingerprint: 'SHA256:abc', knownHostsFile: '/kh' };
  assert.equal(await makeCredentials(ctx({})).confirmHostKey!(info), false);
  for (const [answer, expected] of [['y', true], ['YES', true], ['', false], ['n', false]] as const) {
    const input = new PassThrough();
    const c = ctx({}, true, input);
    const out: string[] = [];
    (c.io.output as PassThrough).on('data', (d: Buffer) => out.push(d.toString()));
    const pending = makeCredentials(c).confirmHostKey!(info);
    setImmediate(() => input.write(`${answer}\n`));
    assert.equal(await pending, expected);
    assert.match(out.join(''), /Trust this host\? \(fingerprint SHA256:abc\) \[y\/N\]/);
  }
});
