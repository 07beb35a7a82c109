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
import { SyncError } from '../../src/core/errors.js';

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
    assert.equal(readNetrc({ NETRC: file })?.entries.length, 1);

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

    // a netrc group or others can read is refused (as BSD ftp does): an error naming the file and the fix
    for (const mode of [0o644, 0o640, 0o604]) {
      chmodSync(file, mode);
      const refused = (e: unknown) => {
        assert.ok(e instanceof SyncError, String(e));
        assert.equal(e.path, file);
        assert.match(e.toString(), new RegExp(`can be read by other users \\(mode 0${mode.toString(8)}\\), so it is not used.*chmod 600 ${file}`));
        return true;
      };
      assert.throws(() => readNetrc(env), refused);
      await assert.rejects(makeCredentials(ctx(env)).password!(spec), refused);
      assert.throws(() => fillUserFromNetrc({ ...spec, user: undefined }, env), refused);
    }
    // ... but neither the URL's password nor REMOTE_SYNC_PASSWORD needs it
    assert.equal(await makeCredentials(ctx(env)).password!({ ...spec, password: 'fromurl' }), 'fromurl');
    assert.equal(await makeCredentials(ctx({ ...env, REMOTE_SYNC_PASSWORD: 'fromenv' })).password!(spec), 'fromenv');
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

test('REMOTE_SYNC_PASSWORD and ~/.netrc only for a host the user named (storedSecrets): else URL or prompt', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-netrc-'));
  try {
    const file = join(dir, 'netrc');
    writeFileSync(file, 'machine h login joe password fromnetrc\ndefault login anon password fromdefault\n');
    chmodSync(file, 0o600);
    const env = { NETRC: file, REMOTE_SYNC_PASSWORD: 'fromenv' };
    const spec: RemoteSpec = { protocol: 'ftp', host: 'h', port: 21, path: '/' };
    assert.equal(await makeCredentials(ctx(env)).password!(spec), 'fromenv', 'named: offered');
    assert.equal(await makeCredentials({ ...ctx(env), storedSecrets: false }).password!(spec), undefined, 'not named: no env password');
    assert.equal(await makeCredentials({ ...ctx({ NETRC: file }), storedSecrets: false }).password!({ ...spec, host: 'other' }), undefined, 'not named: no netrc default entry');
    const noUser: RemoteSpec = { ...spec };
    fillUserFromNetrc(noUser, env, false);
    assert.equal(noUser.user, undefined, 'not named: the netrc login is not used either');
    // the prompt still works: the person sees the host it asks for
    const input = new PassThrough();
    const pending = makeCredentials({ ...ctx(env, true, input), storedSecrets: false }).password!(spec);
    setImmediate(() => input.write('typed\n'));
    assert.equal(await pending, 'typed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
