// Issue 14 item 4 through the remote-sync command: --insecure-tls asks for the certificate once on a
// terminal and records it in the user's known_certificates ($XDG_CONFIG_HOME/remote-sync/); a script
// without a terminal gets the fingerprint and --tls-fingerprint in the error; a changed certificate
// fails before the password is sent; a known_certificates a workspace brings is not read.
//   node --import tsx --test test/integration/security/cli-tls.test.ts
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sourceCliArgs as cliArgs } from '../../harness/cli.js';
import { selfSignedOrSkip, startFakeFtp } from '../../harness/fake-ftp.js';
import { pemFingerprint } from '../../harness/ftpd.js';
import { skipOrFail } from '../../harness/env.js';

const scratch = mkdtempSync(join(tmpdir(), 'rs-cli-tls-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** run a command asynchronously (the fake server lives in this process: a synchronous spawn would block it) */
function run(cmd: string, args: string[], cwd: string, input: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, REMOTE_SYNC_PASSWORD: 'secret-password', NETRC: '/nonexistent', XDG_CONFIG_HOME: join(scratch, 'config') } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code: code ?? -1, out }); });
    child.stdin.end(input);
  });
}

const cli = (args: string[], cwd: string) => run(process.execPath, [...cliArgs, ...args], cwd, '');

/** the CLI on a pseudo-terminal (util-linux `script`), answering `answer` to its prompts */
function cliOnTerminal(args: string[], cwd: string, answer: string) {
  const cmd = [process.execPath, ...cliArgs, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return run('script', ['-qec', cmd, '/dev/null'], cwd, answer);
}

test('remote-sync and an FTPS server whose certificate is not verified', { timeout: 120_000 }, async (t) => {
  const certs = selfSignedOrSkip(t, scratch, 'real-server', 'mitm');
  if (!certs) return;
  const [a, b] = certs;
  const fpA = pemFingerprint(a.certFile);
  const fpB = pemFingerprint(b.certFile);
  const server = await startFakeFtp({ tls: a });
  t.after(() => server.close());
  const local = join(scratch, 'site');
  mkdirSync(local);
  const remote = `ftps://me@127.0.0.1:${server.port}/`;
  const known = join(scratch, 'config', 'remote-sync', 'known_certificates');
  const passes = () => server.sessions.flat().filter((l) => l.startsWith('PASS ')).length;

  await t.test('no terminal, nothing known: exit 1 before the login, with the fingerprint and --tls-fingerprint', async () => {
    const r = await cli(['download', local, remote, '--insecure-tls'], scratch);
    assert.equal(r.code, 1, r.out);
    assert.ok(r.out.includes(fpA), r.out);
    assert.ok(r.out.includes(`--tls-fingerprint ${fpA}`), r.out);
    assert.equal(passes(), 0);
    assert.equal(existsSync(known), false);
  });

  await t.test('a known_certificates the workspace brings (a cloned repository\'s) is not read: nothing trusted, no PASS', async () => {
    const planted = join(local, '.remote-sync', 'known_certificates');
    mkdirSync(join(local, '.remote-sync'), { recursive: true, mode: 0o700 });
    writeFileSync(planted, `127.0.0.1:${server.port} ${fpA}\n`, { mode: 0o600 });
    const r = await cli(['download', local, remote, '--insecure-tls'], scratch);
    assert.equal(r.code, 1, r.out);
    assert.ok(r.out.includes(`--tls-fingerprint ${fpA}`), r.out);
    assert.equal(passes(), 0, 'the password was not sent');
    rmSync(planted);
  });

  await t.test('--tls-fingerprint: connects without a question; a bad value is a usage error', async () => {
    const r = await cli(['download', local, remote, '--tls-fingerprint', fpA.toLowerCase().replace('sha256:', 'SHA256:')], scratch);
    assert.equal(r.code, 0, r.out);
    assert.equal(passes(), 1);
    const bad = await cli(['download', local, remote, '--tls-fingerprint', 'SHA256:abc'], scratch);
    assert.equal(bad.code, 2, bad.out);
    assert.match(bad.out, /--tls-fingerprint must be a SHA-256 certificate fingerprint/);
    const notFtps = await cli(['download', local, 'ftp://me@127.0.0.1:1/', '--tls-fingerprint', fpA], scratch);
    assert.equal(notFtps.code, 2, notFtps.out);
    assert.match(notFtps.out, /--tls-fingerprint is for ftps:\/\//);
  });

  await t.test('on a terminal: the fingerprint is shown and, answered yes, recorded in the user\'s known_certificates', async (tt) => {
    const r = await cliOnTerminal(['download', local, remote, '--insecure-tls'], scratch, 'y\n');
    if (/script: .*(not found|failed)/.test(r.out)) { tt.skip(skipOrFail(`no pseudo-terminal: ${r.out}`).skip); return; }
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /not verified \(--insecure-tls\) and not known yet/);
    assert.ok(r.out.includes(`SHA-256 fingerprint ${fpA}`), r.out);
    assert.equal(readFileSync(known, 'utf8'), `127.0.0.1:${server.port} ${fpA}\n`);
  });

  await t.test('the recorded certificate: no question on the next run; a changed one fails before PASS', async () => {
    const again = await cli(['download', local, remote, '--insecure-tls'], scratch);
    assert.equal(again.code, 0, again.out);
    server.setTls(b);
    const before = passes();
    const r = await cli(['download', local, remote, '--insecure-tls'], scratch);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /TLS certificate of 127\.0\.0\.1:\d+ has CHANGED/);
    assert.ok(r.out.includes(fpB), r.out);
    assert.equal(passes(), before, 'the password was not sent to the other certificate');
    assert.equal(readFileSync(known, 'utf8'), `127.0.0.1:${server.port} ${fpA}\n`);
  });
});
