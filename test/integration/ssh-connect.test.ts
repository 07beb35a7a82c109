// Connecting the way OpenSSH users do, against real sshd servers on loopback (test/harness/sshd.ts):
// ~/.ssh/config resolution, jump hosts (a second sshd), old-server algorithms, ssh-rsa off by default,
// an unreachable agent. Keyboard-interactive prompts against a crafted ssh2 server.
//   node --import tsx --test test/integration/ssh-connect.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Server, utils } from 'ssh2';
import { SyncError } from '../../src/core/errors.js';
import { SftpTarget } from '../../src/core/targets/sftp.js';
import type { Credentials, Logger, PromptRequest, RemoteSpec } from '../../src/core/types.js';
import { runCli } from '../../src/cli/run.js';
import { startSshd, type SshdServer } from '../harness/sshd.js';
import { skipOrFail } from '../harness/env.js';

const T = { timeout: 60_000 };

async function rejectsWith(p: Promise<unknown>, code: string, ...texts: (string | RegExp)[]): Promise<SyncError> {
  try { await p; } catch (e) {
    assert.ok(e instanceof SyncError, `expected a SyncError, got ${String(e)}`);
    assert.equal(e.code, code, String(e));
    for (const t of texts) assert.ok(typeof t === 'string' ? String(e).includes(t) : t.test(String(e)), `"${String(e)}" should mention ${String(t)}`);
    return e;
  }
  assert.fail(`expected a rejection with code ${code}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
}

async function start(t: { skip(m: string): void }, opts: Parameters<typeof startSshd>[0] = {}): Promise<SshdServer | undefined> {
  const s = await startSshd(opts);
  if ('skip' in s) { t.skip(skipOrFail(s.skip).skip); return undefined; }
  return s;
}

test('ssh config, jump hosts, algorithms against OpenSSH sshd', async (t) => {
  const target = await start(t);
  if (!target) return;
  const jumpHost = await start(t, { extraConfig: ['AllowTcpForwarding yes'] });
  if (!jumpHost) { await target.stop(); return; }
  const noForward = await start(t, { extraConfig: ['AllowTcpForwarding no'] });
  if (!noForward) { await target.stop(); await jumpHost.stop(); return; }
  const scratch = mkdtempSync(join(tmpdir(), 'rs-sshconn-'));
  const logs: string[] = [];
  const log: Logger = { error: (m) => logs.push(m), warn: (m) => logs.push(m), info: (m) => logs.push(m), debug: (m) => logs.push(m) };
  // one known_hosts for all three servers
  const knownHosts = join(scratch, 'known_hosts');
  writeFileSync(knownHosts, [target, jumpHost, noForward].map((s) => readFileSync(s.knownHostsFile, 'utf8')).join(''), { mode: 0o600 });
  const open: SftpTarget[] = [];
  const connect = async (spec: RemoteSpec, credentials: Credentials = {}) => {
    const tg = new SftpTarget(spec, { credentials, log });
    open.push(tg);
    await tg.open();
    return tg;
  };
  const base = (path: string, extra: Partial<RemoteSpec> = {}): RemoteSpec => ({
    protocol: 'sftp', host: target.host, port: target.port, user: target.user, path,
    identity: target.keyFile, knownHosts, agent: false, sshConfig: join(scratch, 'empty_config'), ...extra,
  });
  writeFileSync(join(scratch, 'empty_config'), '');
  const password: Credentials = { password: async () => target.password };

  try {
    await t.test('an alias alone: HostName, Port, User, IdentityFile (~ expanded), UserKnownHostsFile; first match wins', T, async () => {
      const d = target.makeRemoteDir('alias');
      const home = join(scratch, 'home');
      mkdirSync(join(home, '.ssh', 'conf.d'), { recursive: true });
      writeFileSync(join(home, '.ssh', 'site_key'), readFileSync(target.keyFile), { mode: 0o600 });
      const cfg = join(scratch, 'config');
      writeFileSync(cfg, [
        '# comments and Include, as OpenSSH reads them',
        `Include ${join(home, '.ssh', 'conf.d', '*.conf')}`,
        'Host myalias other',
        '  HostName 127.0.0.1',
        `  Port ${target.port}`,
        '  IdentityFile ~/.ssh/missing_key',
        '  IdentityFile ~/.ssh/site_key',
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${knownHosts}`,
        'Host *',
        '  User nobody-by-wildcard',
        '  Port 1',
        '',
      ].join('\n'));
      // the included file comes first, so its User wins over "Host *"
      writeFileSync(join(home, '.ssh', 'conf.d', 'users.conf'), `Host my?lias !other\n  User ${target.user}\n`);
      const oldHome = process.env.HOME;
      process.env.HOME = home;
      try {
        const tg = await connect({ protocol: 'sftp', host: 'myalias', port: 22, portIsDefault: true, path: d, sshConfig: cfg, agent: false });
        assert.equal((await tg.list()).size, 0);
        assert.equal(tg.display, `sftp://${target.user}@myalias:${target.port}${d}`, 'shown with the user and port of the ssh config');
        // "other" is not matched by "!other": the wildcard's User applies, and the login is refused for it
        await rejectsWith(connect({ protocol: 'sftp', host: 'other', port: 22, portIsDefault: true, path: d, sshConfig: cfg, agent: false }), 'auth', 'nobody-by-wildcard');
        // explicit settings win: a port given in the URL is not replaced
        await rejectsWith(connect({ protocol: 'sftp', host: 'myalias', port: await freePort(), path: d, sshConfig: cfg, agent: false }), 'connect', 'Could not connect');
      } finally { process.env.HOME = oldHome; }
      await rejectsWith(connect(base(d, { sshConfig: join(scratch, 'nope') })), 'config', 'SSH config file not found', join(scratch, 'nope'));
    });

    await t.test('the CLI: sftp://alias/path with --ssh-config', T, async () => {
      const d = target.makeRemoteDir('cli');
      const local = join(scratch, 'cli-local');
      mkdirSync(local);
      writeFileSync(join(local, 'index.html'), 'hi');
      const cfg = join(scratch, 'cli_config');
      writeFileSync(cfg, `Host deploy-box\n  HostName 127.0.0.1\n  Port ${target.port}\n  User ${target.user}\n  IdentityFile ${target.keyFile}\n  UserKnownHostsFile ${knownHosts}\n`);
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      let out = '';
      stdout.on('data', (c) => { out += String(c); });
      stderr.on('data', (c) => { out += String(c); });
      const code = await runCli({
        argv: ['upload', local, `sftp://deploy-box${d}`, '--ssh-config', cfg],
        env: { HOME: scratch, PATH: process.env.PATH }, cwd: scratch, stdin: new PassThrough() as never, stdout, stderr, version: 'test',
      });
      assert.equal(code, 0, out);
      assert.equal(readFileSync(join(d, 'index.html'), 'utf8'), 'hi');
    });

    await t.test('jump host: forwardOut through a second sshd; ProxyJump from the ssh config; a chain of two', T, async () => {
      const d = target.makeRemoteDir('jump');
      const hop = `${jumpHost.user}@127.0.0.1:${jumpHost.port}`;
      const asked: string[] = [];
      const creds: Credentials = { password: async (s) => { asked.push(`${s.host}:${s.port}`); return jumpHost.password; } };
      const tg = await connect(base(d, { jump: hop }), creds);
      assert.equal((await tg.list()).size, 0);
      assert.deepEqual(asked, [`127.0.0.1:${jumpHost.port}`], 'the hop logs in with its own credentials; the target with its key');
      // ProxyJump from the ssh config, the hop itself an alias
      const cfg = join(scratch, 'jump_config');
      writeFileSync(cfg, `Host bastion\n  HostName 127.0.0.1\n  Port ${jumpHost.port}\n  User ${jumpHost.user}\nHost inner\n  HostName 127.0.0.1\n  Port ${target.port}\n  ProxyJump bastion\n`);
      const logins = () => (jumpHost.log().match(/Accepted password for/g) ?? []).length;
      const before = logins();
      await connect(base(d, { host: 'inner', portIsDefault: true, port: 22, sshConfig: cfg }), creds);
      assert.equal(logins(), before + 1, 'the ProxyJump host was logged in to');
      // the hop's own ProxyJump is followed too (ssh does): inner2 → b2 → b1, both the jump host
      writeFileSync(cfg, `Host b1 b2\n  HostName 127.0.0.1\n  Port ${jumpHost.port}\n  User ${jumpHost.user}\nHost b2\n  ProxyJump b1\nHost inner2\n  HostName 127.0.0.1\n  Port ${target.port}\n  ProxyJump b2\n`);
      const mid = logins();
      await connect(base(d, { host: 'inner2', portIsDefault: true, port: 22, sshConfig: cfg }), creds);
      assert.equal(logins(), mid + 2, 'b1, then b2 through it');
      // two hops: the jump host, then through it the jump host again
      await connect(base(d, { jump: `${hop},${hop}` }), creds);
      assert.equal(logins(), before + 5, 'both hops logged in');
    });

    await t.test('jump host errors name the hop: refused, unknown host key, forwarding not allowed', T, async () => {
      const d = target.makeRemoteDir('jumperr');
      const creds: Credentials = { password: async () => jumpHost.password };
      const closed = await freePort();
      await rejectsWith(connect(base(d, { jump: `${jumpHost.user}@127.0.0.1:${closed}` }), creds), 'connect', `Jump host ${jumpHost.user}@127.0.0.1:${closed}`, 'Could not connect');
      const onlyTarget = join(scratch, 'only_target');
      writeFileSync(onlyTarget, readFileSync(target.knownHostsFile));
      await rejectsWith(connect(base(d, { jump: `127.0.0.1:${jumpHost.port}`, knownHosts: onlyTarget, user: target.user }), creds), 'hostkey', `Jump host 127.0.0.1:${jumpHost.port}`, jumpHost.hostKeyFingerprint);
      const e = await rejectsWith(connect(base(d, { jump: `${noForward.user}@127.0.0.1:${noForward.port}` }), { password: async () => noForward.password }), 'connect',
        `Jump host ${noForward.user}@127.0.0.1:${noForward.port} could not open a connection to 127.0.0.1:${target.port}`);
      assert.match(e.hint ?? '', /AllowTcpForwarding/);
      await rejectsWith(connect(base(d, { jump: 'a b' })), 'usage', 'Bad jump host');
    });

    await t.test('an agent that is configured but missing is said in the log; the key login goes on', T, async () => {
      const d = target.makeRemoteDir('agent');
      logs.length = 0;
      await connect(base(d, { agent: join(scratch, 'no-agent.sock') }));
      assert.ok(logs.some((l) => l.includes('no-agent.sock') && /cannot be reached/.test(l)), logs.join('\n'));
    });

    await t.test('algorithms: an impossible kex list fails naming the setting', T, async () => {
      const d = target.makeRemoteDir('algo');
      const e = await rejectsWith(connect(base(d, { algorithms: { kex: ['diffie-hellman-group1-sha1'] } })), 'connect', 'No key exchange algorithm in common');
      assert.match(e.hint ?? '', /"algorithms": \{ "kex"/);
      await connect(base(d, { algorithms: { cipher: ['aes256-ctr'], hmac: ['hmac-sha2-256'], kex: ['^curve25519-sha256'] } }));
    });
  } finally {
    for (const tg of open) await tg.close().catch(() => undefined);
    await target.stop();
    await jumpHost.stop();
    await noForward.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
});

test('ssh-rsa (SHA-1) host-key signatures: off by default, back with "algorithms"', async (t) => {
  const s = await start(t, { hostKeyType: 'rsa', extraConfig: ['HostKeyAlgorithms ssh-rsa'] });
  if (!s) return;
  try {
    const d = s.makeRemoteDir('rsa');
    const spec: RemoteSpec = { protocol: 'sftp', host: s.host, port: s.port, user: s.user, path: d, identity: s.keyFile, knownHosts: s.knownHostsFile, agent: false };
    const e = await rejectsWith(new SftpTarget(spec).open(), 'connect', 'No host key algorithm in common', 'ssh-rsa');
    assert.match(e.hint ?? '', /"serverHostKey": \["\+ssh-rsa"\]/);
    const tg = new SftpTarget({ ...spec, algorithms: { serverHostKey: ['+ssh-rsa'] } });
    await tg.open();
    assert.equal((await tg.list()).size, 0);
    await tg.close();
  } finally { await s.stop(); }
});

test('keyboard-interactive with PAM on OpenSSH: the stored password answers PAM\'s password prompt', async (t) => {
  const s = await start(t, { extraConfig: ['UsePAM yes', 'KbdInteractiveAuthentication yes', 'PasswordAuthentication no'] });
  if (!s) return;
  try {
    const d = s.makeRemoteDir('pam');
    const spec: RemoteSpec = { protocol: 'sftp', host: s.host, port: s.port, user: s.user, path: d, identity: join(s.dir, 'none'), knownHosts: s.knownHostsFile, agent: false };
    let asked = 0;
    const prompts: PromptRequest[] = [];
    const tg = new SftpTarget(spec, { credentials: { password: async () => { asked++; return s.password; }, answerPrompts: async (r) => { prompts.push(r); return undefined; } } });
    await tg.open();
    assert.equal((await tg.list()).size, 0);
    await tg.close();
    assert.equal(asked, 1);
    assert.deepEqual(prompts, [], 'nothing but the password was asked');
    assert.match(s.log(), /Accepted keyboard-interactive\/pam for/);
    await rejectsWith(new SftpTarget(spec, { credentials: { password: async () => 'wrong' } }).open(), 'auth', 'keyboard-interactive');
  } finally { await s.stop(); }
});

test('--retries: how often a dropped connection is retried (0: never)', async (t) => {
  const s = await start(t);
  if (!s) return;
  try {
    const d = s.makeRemoteDir('retries');
    const spec: RemoteSpec = { protocol: 'sftp', host: s.host, port: s.port, user: s.user, path: d, identity: s.keyFile, knownHosts: s.knownHostsFile, agent: false };
    const logs: string[] = [];
    const log: Logger = { error() {}, warn: (m) => logs.push(m), info() {}, debug() {} };
    const none = new SftpTarget({ ...spec, retries: 0 }, { log });
    await none.open();
    s.killConnections();
    await rejectsWith(none.list(), 'connect');
    assert.ok(!logs.some((l) => /reconnecting/.test(l)), logs.join('\n'));
    await none.close();
    const dflt = new SftpTarget(spec, { log });
    await dflt.open();
    s.killConnections();
    assert.equal((await dflt.list()).size, 0);
    assert.ok(logs.some((l) => /reconnecting \(retry 1 of 3\)/.test(l)), logs.join('\n'));
    await dflt.close();
  } finally { await s.stop(); }
});

/** an ssh2 server asking `rounds` of keyboard-interactive prompts; accepts when the answers match */
async function kbdServer(rounds: { prompts: { prompt: string; echo: boolean }[]; instructions: string; expect: string[] }[]) {
  const { private: privateKey } = utils.generateKeyPairSync('ed25519');
  const hostKey = utils.parseKey(privateKey);
  if (hostKey instanceof Error) throw hostKey;
  const got: string[][] = [];
  const server = new Server({ hostKeys: [privateKey] }, (client) => {
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'keyboard-interactive') return ctx.reject(['keyboard-interactive']);
      let i = 0;
      const next = () => {
        const r = rounds[i];
        ctx.prompt(r.prompts, 'Login', r.instructions, (answers) => {
          got.push(answers);
          if (JSON.stringify(answers) !== JSON.stringify(r.expect)) return ctx.reject(['keyboard-interactive']);
          if (++i < rounds.length) return next();
          ctx.accept();
        });
      };
      next();
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('sftp', (acceptSftp) => { acceptSftp(); });
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const pub = Buffer.from((hostKey as { getPublicSSH(): Buffer }).getPublicSSH()).toString('base64');
  return { server, port, got, knownHostsLine: `[127.0.0.1]:${port} ssh-ed25519 ${pub}\n` };
}

test('keyboard-interactive: the password answers only the password prompt; a person answers the others', async () => {
  const srv = await kbdServer([
    { prompts: [{ prompt: 'Password: ', echo: false }], instructions: '', expect: ['s3cret'] },
    { prompts: [{ prompt: 'Verification code: ', echo: true }], instructions: 'Open your authenticator app', expect: ['123456'] },
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'rs-kbd-'));
  const kh = join(dir, 'known_hosts');
  writeFileSync(kh, srv.knownHostsLine);
  writeFileSync(join(dir, 'cfg'), '');
  const spec: RemoteSpec = { protocol: 'sftp', host: '127.0.0.1', port: srv.port, user: 'me', path: '/', knownHosts: kh, agent: false, identity: join(dir, 'none'), sshConfig: join(dir, 'cfg') };
  try {
    const requests: PromptRequest[] = [];
    let passwordAsked = 0;
    const tg = new SftpTarget(spec, {
      credentials: {
        password: async () => { passwordAsked++; return 's3cret'; },
        answerPrompts: async (r) => { requests.push(r); return ['123456']; },
      },
    });
    await tg.open();
    await tg.close();
    assert.equal(passwordAsked, 1);
    assert.deepEqual(requests, [{ who: `me@127.0.0.1:${srv.port}`, name: 'Login', instructions: 'Open your authenticator app', prompts: [{ prompt: 'Verification code: ', echo: true }] }]);
    assert.deepEqual(srv.got.slice(-2), [['s3cret'], ['123456']], 'the code was never answered with the password');

    // nobody to answer the code (no terminal): refused, and the error says which prompt
    srv.got.length = 0;
    await rejectsWith(new SftpTarget(spec, { credentials: { password: async () => 's3cret' } }).open(), 'auth', 'Verification code:', 'nobody could answer');
    assert.deepEqual(srv.got[0], ['s3cret']);
    assert.ok(!srv.got.slice(1).flat().includes('s3cret'), 'the password is never given to the code prompt');
  } finally {
    srv.server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
