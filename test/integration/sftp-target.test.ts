// SftpTarget against a real OpenSSH sshd on loopback (test/harness/sshd.ts).
//   node --import tsx --test test/integration/sftp-target.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { SyncError } from '../../src/core/errors.js';
import { SftpTarget } from '../../src/core/targets/sftp.js';
import type { Credentials, HostKeyInfo, Logger, RemoteSpec } from '../../src/core/types.js';
import { hostFieldMatches, hostToken } from '../../src/core/targets/hostkeys.js';
import { startSshd, type SshdServer } from '../harness/sshd.js';
import { currentUmask } from '../../src/core/targets/modes.js';

test('known_hosts host patterns', () => {
  assert.equal(hostToken('Example.COM', 22), 'example.com');
  assert.equal(hostToken('h', 2222), '[h]:2222');
  assert.ok(hostFieldMatches('a.example.com,*.example.org', 'x.example.org'));
  assert.ok(!hostFieldMatches('*.example.org,!bad.example.org', 'bad.example.org'));
  assert.ok(hostFieldMatches('[h]:2222', '[h]:2222'));
  assert.ok(!hostFieldMatches('h', '[h]:2222'), 'a plain entry is for port 22 only');
  assert.ok(hostFieldMatches('h?st', 'host'));
  // |1|salt|HMAC-SHA1(salt, name), as `ssh-keygen -H` writes it
  assert.ok(hostFieldMatches('|1|JfKTdBh7rNbXkVAQCRp4OQoPfmI=|jDr9E6lPAxe7gNTFJhdyUSK0DPM=', 'host1'));
  assert.ok(!hostFieldMatches('|1|JfKTdBh7rNbXkVAQCRp4OQoPfmI=|jDr9E6lPAxe7gNTFJhdyUSK0DPM=', 'host2'));
});

const T = { timeout: 60_000 };

async function rejectsWith(p: Promise<unknown>, code: string, ...texts: string[]): Promise<SyncError> {
  try { await p; } catch (e) {
    assert.ok(e instanceof SyncError, `expected a SyncError, got ${String(e)}`);
    assert.equal(e.code, code, String(e));
    for (const t of texts) assert.ok(String(e).includes(t), `"${String(e)}" should mention "${t}"`);
    return e;
  }
  assert.fail(`expected a rejection with code ${code}`);
}

async function drain(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

const until = async (cond: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

const temps = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('.rs-tmp-'));

test('SftpTarget against OpenSSH sshd', async (t) => {
  const started = await startSshd();
  if ('skip' in started) { t.skip(started.skip); return; }
  const s: SshdServer = started;
  const scratch = mkdtempSync(join(tmpdir(), 'rs-sftp-test-'));
  const open: SftpTarget[] = [];
  const logs: string[] = [];
  const log: Logger = { error: (m) => logs.push(m), warn: (m) => logs.push(m), info: (m) => logs.push(m), debug() {} };
  const spec = (path: string, extra: Partial<RemoteSpec> = {}): RemoteSpec => ({
    protocol: 'sftp', host: s.host, port: s.port, user: s.user, path,
    identity: s.keyFile, knownHosts: s.knownHostsFile, agent: false, ...extra,
  });
  const target = (sp: RemoteSpec, credentials: Credentials = {}) => {
    const tg = new SftpTarget(sp, { credentials, log });
    open.push(tg);
    return tg;
  };

  try {
    await t.test('key login; display', T, async () => {
      const d = s.makeRemoteDir('key');
      const tg = target(spec(d));
      await tg.open();
      assert.equal(tg.display, `sftp://${s.user}@127.0.0.1:${s.port}${d}`);
      assert.deepEqual(tg.capabilities, { setMtime: true, mtimeResolutionMs: 1000, maxConcurrency: 32, recheckOnWrite: true, checksNewOnly: true });
      assert.equal((await tg.list()).size, 0);
      await tg.close();
    });

    await t.test('password login asks the credentials callback once, only when needed', T, async () => {
      const d = s.makeRemoteDir('pw');
      let asked = 0;
      const tg = target(spec(d, { identity: undefined }), { password: async () => { asked++; return s.password; } });
      await tg.open();
      assert.equal(asked, 1);
      s.killConnections(); // a reconnect reuses the password
      await tg.list();
      assert.equal(asked, 1);
      let asked2 = 0;
      await target(spec(d), { password: async () => { asked2++; return 'x'; } }).open();
      assert.equal(asked2, 0, 'a key login must not ask for a password');
      await rejectsWith(target(spec(d, { identity: undefined }), { password: async () => 'wrong' }).open(), 'auth', 'refused');
    });

    await t.test('encrypted key: passphrase from the callback; a wrong one fails', T, async () => {
      const d = s.makeRemoteDir('enc');
      const asked: string[] = [];
      await target(spec(d, { identity: s.encryptedKeyFile }), { passphrase: async (f) => { asked.push(f); return s.passphrase; } }).open();
      assert.deepEqual(asked, [s.encryptedKeyFile]);
      await rejectsWith(target(spec(d, { identity: s.encryptedKeyFile }), { passphrase: async () => 'nope' }).open(), 'auth', 'wrong passphrase');
    });

    await t.test('default keys (~/.ssh/id_ed25519) and ssh-agent', T, async () => {
      const d = s.makeRemoteDir('defkeys');
      const home = join(scratch, 'home');
      mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
      copyFileSync(s.keyFile, join(home, '.ssh', 'id_ed25519'));
      chmodSync(join(home, '.ssh', 'id_ed25519'), 0o600);
      const oldHome = process.env.HOME;
      process.env.HOME = home;
      try {
        await target(spec(d, { identity: undefined })).open();
      } finally { process.env.HOME = oldHome; }

      const sock = join(scratch, 'agent.sock');
      const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
      try {
        await until(() => existsSync(sock));
        execFileSync('ssh-add', [s.keyFile], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'pipe' });
        await target(spec(d, { identity: join(scratch, 'no-such-key'), agent: sock })).open();
      } finally { agent.kill(); }
    });

    await t.test('unknown host key fails with its fingerprint; --accept-new-host-key records it', T, async () => {
      const d = s.makeRemoteDir('hk');
      assert.ok(execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', s.knownHostsFile]).toString().includes(s.hostKeyFingerprint));
      const kh = join(scratch, 'new', 'sub', 'known_hosts');
      await rejectsWith(target(spec(d, { knownHosts: kh })).open(), 'hostkey', s.hostKeyFingerprint, s.hostKeyType, '--accept-new-host-key');
      assert.equal(existsSync(kh), false);
      await target(spec(d, { knownHosts: kh, acceptNewHostKey: true })).open();
      assert.match(readFileSync(kh, 'utf8'), new RegExp(`^\\[127\\.0\\.0\\.1\\]:${s.port} ${s.hostKeyLine.replace(/[+/]/g, '\\$&')}\\n$`));
      assert.equal(statSync(kh).mode & 0o777, 0o600);
      assert.equal(statSync(join(scratch, 'new', 'sub')).mode & 0o777, 0o700);
      await target(spec(d, { knownHosts: kh })).open(); // now known

      const kh2 = join(scratch, 'kh2');
      const seen: HostKeyInfo[] = [];
      await target(spec(d, { knownHosts: kh2 }), { confirmHostKey: async (i) => { seen.push(i); return true; } }).open();
      assert.equal(seen.length, 1);
      assert.equal(seen[0].fingerprint, s.hostKeyFingerprint);
      assert.equal(seen[0].keyType, s.hostKeyType);
      assert.ok(readFileSync(kh2, 'utf8').includes(s.hostKeyLine));
    });

    await t.test('hashed known_hosts entries match; a changed key always fails', T, async () => {
      const d = s.makeRemoteDir('hk2');
      const hashed = join(scratch, 'hashed');
      copyFileSync(s.knownHostsFile, hashed);
      execFileSync('ssh-keygen', ['-q', '-H', '-f', hashed], { stdio: 'pipe' });
      assert.ok(readFileSync(hashed, 'utf8').startsWith('|1|'));
      await target(spec(d, { knownHosts: hashed })).open();

      const other = join(scratch, 'otherkey');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
      const changed = join(scratch, 'changed');
      const otherKey = readFileSync(other + '.pub', 'utf8').split(' ').slice(0, 2).join(' ');
      writeFileSync(changed, `# comment\n[127.0.0.1]:${s.port} ${otherKey}\n`);
      for (const extra of [{}, { acceptNewHostKey: true }]) {
        await rejectsWith(target(spec(d, { knownHosts: changed, ...extra }), { confirmHostKey: async () => true }).open(),
          'hostkey', 'CHANGED', changed, 'line 2', s.hostKeyFingerprint);
      }
      assert.equal(readFileSync(changed, 'utf8').split('\n').length, 3, 'nothing appended');
    });

    await t.test('connection refused is a connect error with a hint', T, async () => {
      const port = await new Promise<number>((r) => { const srv = createServer().listen(0, '127.0.0.1', () => { const p = (srv.address() as { port: number }).port; srv.close(() => r(p)); }); });
      await rejectsWith(target(spec('/tmp', { port })).open(), 'connect', `Could not connect to 127.0.0.1:${port}`, 'Is the server running');
    });

    await t.test('list: nested folders, odd names, empty files, symlinks, temp names, bad names, include', T, async () => {
      const d = s.makeRemoteDir('list');
      const long = 'L'.repeat(196) + '.txt';
      const uni = 'Ünïcødé – 日本語 file.txt';
      mkdirSync(join(d, 'a/b/c'), { recursive: true });
      mkdirSync(join(d, 'with space'));
      mkdirSync(join(d, 'skipme/deep'), { recursive: true });
      writeFileSync(join(d, 'a/b/c/deep.txt'), 'deep');
      writeFileSync(join(d, 'with space', uni), 'unicode');
      writeFileSync(join(d, long), 'long');
      writeFileSync(join(d, 'empty'), '');
      writeFileSync(join(d, 'skipme/deep/x'), 'x');
      writeFileSync(join(d, 'a/.rs-tmp-0123456789ab'), 'stale');
      writeFileSync(join(d, 'back\\slash'), 'bad');
      symlinkSync('a/b/c/deep.txt', join(d, 'link-file'));
      symlinkSync('a/b', join(d, 'link-dir'));
      symlinkSync('nowhere', join(d, 'broken'));
      symlinkSync('..', join(d, 'a/b/loop'));
      utimesSync(join(d, 'empty'), 1_600_000_000, 1_600_000_000);
      s.chownToUser(d);

      const tg = target(spec(d));
      const m = await tg.list({ include: (p, type) => !(p === 'skipme' && type === 'dir') });
      const keys = [...m.keys()].sort();
      assert.deepEqual(keys, ['a', 'a/b', 'a/b/c', 'a/b/c/deep.txt', 'empty', 'link-dir', 'link-dir/c', 'link-dir/c/deep.txt',
        'link-file', long, 'with space', `with space/${uni}`].sort());
      assert.deepEqual(m.get('empty'), { path: 'empty', type: 'file', size: 0, mtime: 1_600_000_000_000, mode: statSync(join(d, 'empty')).mode & 0o777 });
      assert.equal(m.get('link-file')?.type, 'file');
      assert.equal(m.get('link-file')?.size, 4);
      assert.equal(m.get('link-dir')?.type, 'dir');
      assert.equal(m.get('a/b/c')?.size, 0);
      assert.deepEqual(tg.staleTemps, ['a/.rs-tmp-0123456789ab']);
      assert.equal(tg.badNames.length, 1);
      assert.equal(tg.badNames[0].name, 'back\\slash');
      assert.equal(tg.badNames[0].path, '');
      assert.ok(logs.some((l) => l.includes('loop')), 'the symlink loop is reported');

      await rejectsWith(target(spec(join(d, 'missing'))).list(), 'not-found');
    });

    await t.test('lists 10,000 files in 200 folders quickly', T, async () => {
      const d = s.makeRemoteDir('many');
      for (let i = 0; i < 200; i++) {
        mkdirSync(join(d, `dir${i}`));
        for (let j = 0; j < 50; j++) writeFileSync(join(d, `dir${i}`, `file${j}.txt`), 'x'.repeat(j));
      }
      s.chownToUser(d);
      const tg = target(spec(d));
      await tg.open();
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        assert.equal((await tg.list()).size, 10_200);
        times.push(performance.now() - t0);
      }
      t.diagnostic(`list of 10,200 entries: ${times.map((x) => x.toFixed(0)).join(', ')} ms`);
      assert.ok(Math.min(...times) < 3000, 'listing is pipelined');
    });

    await t.test('folders read several READDIRs at a time: every name once, whatever the folder\'s size', T, async () => {
      // OpenSSH answers 100 names a READDIR (".." and "." among them): 0, 98, 298 and 640 files end
      // in the first reply, on a round's last read, or rounds later
      const d = s.makeRemoteDir('readdir-rounds');
      const sizes = [0, 1, 98, 99, 298, 299, 640];
      for (const n of sizes) {
        mkdirSync(join(d, `f${n}`));
        for (let j = 0; j < n; j++) writeFileSync(join(d, `f${n}`, `n${j}`), String(j));
      }
      s.chownToUser(d);
      const tg = target(spec(d));
      const list = await tg.list();
      for (const n of sizes) {
        const names = [...list.keys()].filter((p) => p.startsWith(`f${n}/`));
        assert.equal(names.length, n, `f${n}`);
        assert.equal(new Set(names).size, n, `f${n}: no name twice`);
        assert.equal(list.get(`f${n}/n${n - 1}`)?.size ?? 0, n ? String(n - 1).length : 0);
      }
      assert.equal((await tg.list()).size, sizes.length + sizes.reduce((a, b) => a + b, 0), 'listed again on the same connection');
      // the handles are closed without waiting for the replies: none is left open on the server
      const openBelow = () => {
        let n = 0;
        for (const pid of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
          let fds: string[];
          try { fds = readdirSync(`/proc/${pid}/fd`); } catch { continue; }
          for (const fd of fds) { try { if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(d)) n++; } catch { /* gone */ } }
        }
        return n;
      };
      await until(() => openBelow() === 0, 5000);
    });

    await t.test('stat, mkdir -p, removeFile, removeDir, rename over an existing file', T, async () => {
      const d = s.makeRemoteDir('ops');
      const tg = target(spec(d));
      await tg.mkdir('x/y/z');
      await tg.mkdir('x/y/z'); // exists: fine
      await tg.mkdir('x/y');
      assert.ok(statSync(join(d, 'x/y/z')).isDirectory());
      assert.equal((await tg.stat('x/y'))?.type, 'dir');
      assert.equal(await tg.stat('nope'), undefined);
      writeFileSync(join(d, 'x/y/z/f'), 'f');
      writeFileSync(join(d, 'x/g'), 'g');
      writeFileSync(join(d, 'old'), 'old');
      writeFileSync(join(d, 'new'), 'new!');
      s.chownToUser(d);
      writeFileSync(join(d, 'a-file'), '');
      await rejectsWith(tg.mkdir('a-file'), 'io', 'a file');
      const gst = statSync(join(d, 'x/g'));
      assert.deepEqual(await tg.stat('x/g'), { path: 'x/g', type: 'file', size: 1, mtime: Math.floor(gst.mtimeMs / 1000) * 1000, mode: gst.mode & 0o777 });
      await tg.removeFile('x/g');
      await tg.removeFile('x/g'); // already gone: fine
      assert.equal(existsSync(join(d, 'x/g')), false);
      await tg.removeDir('x');
      await tg.removeDir('x');
      assert.equal(existsSync(join(d, 'x')), false);
      await tg.rename('new', 'old');
      assert.equal(readFileSync(join(d, 'old'), 'utf8'), 'new!');
      assert.equal(existsSync(join(d, 'new')), false);
      await rejectsWith(tg.rename('nope', 'other'), 'not-found');
    });

    await t.test('write is atomic, sets the mtime, reports progress; abort and errors leave no temp', T, async () => {
      const d = s.makeRemoteDir('write');
      writeFileSync(join(d, 'f.txt'), 'OLD');
      s.chownToUser(d);
      const tg = target(spec(d));
      const src = new PassThrough();
      const progress: number[] = [];
      const mtime = Date.UTC(2021, 5, 1, 12, 0, 0, 700);
      const p = tg.write('f.txt', src, { mtime, onProgress: (b) => progress.push(b) });
      src.write(Buffer.alloc(300_000, 1));
      await until(() => temps(d).length === 1 && statSync(join(d, temps(d)[0])).size > 0);
      assert.equal(readFileSync(join(d, 'f.txt'), 'utf8'), 'OLD', 'the target keeps its old content while writing');
      src.end(Buffer.from('tail'));
      const e = await p;
      // a new file whose source says no mode: 0666 masked by the umask (modes.ts)
      assert.deepEqual(e, { path: 'f.txt', type: 'file', size: 300_004, mtime: Date.UTC(2021, 5, 1, 12, 0, 0), mode: 0o666 & ~currentUmask() });
      assert.equal(statSync(join(d, 'f.txt')).mtimeMs, Date.UTC(2021, 5, 1, 12, 0, 0));
      assert.equal(statSync(join(d, 'f.txt')).size, 300_004);
      assert.deepEqual(temps(d), []);
      assert.equal(progress.at(-1), 300_004);

      // abort mid-write
      const ac = new AbortController();
      const src2 = new PassThrough();
      const p2 = tg.write('f.txt', src2, { signal: ac.signal });
      src2.write(Buffer.alloc(100_000, 2));
      await until(() => temps(d).length === 1);
      ac.abort();
      await rejectsWith(p2, 'aborted');
      assert.deepEqual(temps(d), []);
      assert.equal(statSync(join(d, 'f.txt')).size, 300_004, 'old content intact');

      // source fails
      const src3 = new PassThrough();
      const p3 = tg.write('f.txt', src3);
      src3.write('partial');
      // (and the bytes taken: the write reads the source — the temp is seen before the reply to its OPEN
      // comes, and a source failing before that has no listener yet)
      await until(() => temps(d).length === 1 && src3.readableLength === 0);
      src3.destroy(new Error('disk on fire'));
      await rejectsWith(p3, 'io', 'disk on fire');
      assert.deepEqual(temps(d), []);

      // replacing a file keeps its permissions
      chmodSync(join(d, 'f.txt'), 0o750);
      await tg.write('f.txt', Readable.from([Buffer.from('#!/bin/sh\n')]));
      assert.equal(statSync(join(d, 'f.txt')).mode & 0o777, 0o750);

      // missing parent folder
      await rejectsWith(tg.write('no/such/dir/f', Readable.from([Buffer.from('x')])), 'not-found');
      // empty file
      assert.equal((await tg.write('empty', Readable.from([]))).size, 0);
    });

    await t.test('read streams a 20 MiB file with the right bytes', T, async () => {
      const d = s.makeRemoteDir('read');
      const data = randomBytes(20 * 1024 * 1024 + 123);
      writeFileSync(join(d, 'big.bin'), data);
      s.chownToUser(d);
      const tg = target(spec(d));
      const t0 = performance.now();
      const got = await drain(await tg.read('big.bin'));
      t.diagnostic(`read 20 MiB in ${(performance.now() - t0).toFixed(0)} ms`);
      assert.equal(got.length, data.length);
      assert.equal(createHash('sha256').update(got).digest('hex'), createHash('sha256').update(data).digest('hex'));
      assert.equal((await drain(await tg.write('copy.bin', Readable.from([data])).then(() => tg.read('copy.bin')))).equals(data), true);
      await rejectsWith(tg.read('missing'), 'not-found');
      // cancel mid-stream
      const ac = new AbortController();
      const r = await tg.read('big.bin', ac.signal);
      await new Promise((res) => r.once('data', res));
      ac.abort();
      await rejectsWith(drain(r), 'aborted');
    });

    await t.test('reconnects after the server drops the connection', T, async () => {
      const d = s.makeRemoteDir('reconnect');
      writeFileSync(join(d, 'f'), 'f');
      s.chownToUser(d);
      const tg = target(spec(d));
      assert.equal((await tg.list()).size, 1);
      assert.ok(s.killConnections() > 0);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal((await tg.list()).size, 1);
      s.killConnections();
      assert.equal((await tg.stat('f'))?.size, 1, 'stat right after the kill retries and succeeds');
      s.killConnections();
      await tg.write('g', Readable.from([Buffer.from('gg')]));
      assert.equal(readFileSync(join(d, 'g'), 'utf8'), 'gg');
      assert.ok(logs.some((l) => /Reconnecting/.test(l)));

      // dropped in the middle of a write: fails (the source cannot be replayed), no temp left behind
      const src = new PassThrough();
      const p = tg.write('h', src);
      src.write(Buffer.alloc(200_000, 7));
      await until(() => temps(d).length === 1 && statSync(join(d, temps(d)[0])).size > 0);
      s.killConnections();
      setTimeout(() => src.end(Buffer.alloc(200_000, 8)), 100);
      await rejectsWith(p, 'connect', 'lost');
      assert.deepEqual(temps(d), []);
      assert.equal(existsSync(join(d, 'h')), false);
      assert.equal((await tg.list()).size, 2);
    });
  } finally {
    for (const tg of open) await tg.close().catch(() => undefined);
    await s.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
});
