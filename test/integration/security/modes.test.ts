// Issue 14 item 5 and issue 10 item 6: file modes, checked with stat on both sides, against the real
// sshd and pure-ftpd. A replaced file keeps its mode, a new one gets the source's masked by the umask
// (or the configured `permissions`), temp files are 0600 while written, `preserveMode` carries the
// executable bit; over FTP through MLST UNIX.mode + SITE CHMOD, and a server refusing SITE CHMOD is
// said once.
//   node --import tsx --test test/integration/security/modes.test.ts
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { Logger, RemoteSpec, Target } from '../../../src/core/types.js';
import { LocalTarget } from '../../../src/core/targets/local.js';
import { createTarget, remoteId } from '../../../src/core/targets/index.js';
import { SyncSession } from '../../../src/core/session.js';
import { currentUmask } from '../../../src/core/targets/modes.js';
import { skipOrFail } from '../../harness/env.js';
import { startSshd, type SshdServer } from '../../harness/sshd.js';
import { startFtpd, type FtpdServer } from '../../harness/ftpd.js';

const T = { timeout: 120_000 };
const modeOf = (p: string) => statSync(p).mode & 0o777;
const src = (s: string) => Readable.from([Buffer.from(s)]);
const umask = currentUmask();

interface Remote {
  /** folder on this machine that the target's root is */
  fs: string;
  spec: RemoteSpec;
  owner: { uid: number; gid: number };
}

/** a file on the server side, owned by the test user, with `mode` */
function serverFile(r: Remote, name: string, body: string, mode: number): void {
  const p = join(r.fs, name);
  writeFileSync(p, body);
  chmodSync(p, mode);
  chownSync(p, r.owner.uid, r.owner.gid);
}

function recorder(): { log: Logger; warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, log: { error: (m) => warnings.push(m), warn: (m) => warnings.push(m), info() {}, debug() {} } };
}

const scratch = mkdtempSync(join(tmpdir(), 'rs-modes-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
function localDir(): string {
  const d = join(scratch, `l${++n}`);
  mkdirSync(d);
  return d;
}

/** the checks every remote kind passes */
async function commonChecks(t: import('node:test').TestContext, make: (extra?: Partial<RemoteSpec>) => Remote, ftp: boolean): Promise<void> {
  await t.test('sync both ways: 0600 stays 0600 (upload and download), 0755 carries its x bit', async () => {
    const r = make();
    const local = localDir();
    writeFileSync(join(local, 'up.env'), 'UP=1\n'); chmodSync(join(local, 'up.env'), 0o600);
    writeFileSync(join(local, 'run.sh'), '#!/bin/sh\n'); chmodSync(join(local, 'run.sh'), 0o755);
    serverFile(r, 'down.env', 'DOWN=1\n', 0o600);
    const s = new SyncSession({
      local: new LocalTarget(local), remote: createTarget(r.spec), localRoot: local, remoteId: remoteId(r.spec),
    });
    try {
      const res = await s.run({ mode: 'sync' });
      assert.deepEqual(res.errors, []);
      assert.equal(res.stats.uploaded, 2);
      assert.equal(res.stats.downloaded, 1);
    } finally { await s.close(); }
    assert.equal(modeOf(join(r.fs, 'up.env')), 0o600, 'uploaded 0600 file is 0600 on the server');
    assert.equal(modeOf(join(r.fs, 'run.sh')), 0o755 & ~umask, 'uploaded 0755 file keeps its x bits');
    assert.equal(modeOf(join(local, 'down.env')), 0o600, 'downloaded 0600 file is 0600 locally');

    // changed on both sides' terms: the server file is 0640 now, the local one 0644 with new content
    chmodSync(join(r.fs, 'up.env'), 0o640);
    writeFileSync(join(local, 'up.env'), 'UP=2\n'); chmodSync(join(local, 'up.env'), 0o644);
    const later = new Date(Date.now() + 5000);
    utimesSync(join(local, 'up.env'), later, later);
    writeFileSync(join(r.fs, 'down.env'), 'DOWN=2\n'); utimesSync(join(r.fs, 'down.env'), later, later);
    chmodSync(join(local, 'down.env'), 0o640);
    const again = new SyncSession({
      local: new LocalTarget(local), remote: createTarget(r.spec), localRoot: local, remoteId: remoteId(r.spec),
    });
    try {
      const res = await again.run({ mode: 'sync' });
      assert.deepEqual(res.errors, []);
      assert.deepEqual([res.stats.uploaded, res.stats.downloaded], [1, 1]);
    } finally { await again.close(); }
    assert.equal(modeOf(join(r.fs, 'up.env')), 0o640, 'a replaced server file keeps its mode (known from the listing)');
    assert.equal(modeOf(join(local, 'down.env')), 0o640, 'a replaced local file keeps its mode');
  });

  await t.test('a replaced file keeps its mode: server 0600 re-uploaded from a 0644 source, local 0600 re-downloaded', async () => {
    const r = make();
    serverFile(r, 'wp-config.php', 'old', 0o600);
    const tg = createTarget(r.spec);
    try {
      await tg.write('wp-config.php', src('new server content'), { mode: 0o644 });
    } finally { await tg.close(); }
    assert.equal(modeOf(join(r.fs, 'wp-config.php')), 0o600);
    const local = localDir();
    writeFileSync(join(local, '.env'), 'old'); chmodSync(join(local, '.env'), 0o600);
    await new LocalTarget(local).write('.env', src('new local content'), { mode: 0o644 });
    assert.equal(modeOf(join(local, '.env')), 0o600);
  });

  await t.test('permissions: new files and folders get the configured modes; replaced files keep theirs', async () => {
    const r = make({ permissions: { file: 0o640, dir: 0o750 } });
    serverFile(r, 'old.txt', 'old', 0o604);
    const tg = createTarget(r.spec);
    try {
      await tg.mkdir('sub/deeper');
      await tg.write('sub/new.txt', src('new'), { mode: 0o600 });
      await tg.write('old.txt', src('replaced'), { mode: 0o600 });
    } finally { await tg.close(); }
    assert.equal(modeOf(join(r.fs, 'sub')), 0o750);
    assert.equal(modeOf(join(r.fs, 'sub/deeper')), 0o750);
    assert.equal(modeOf(join(r.fs, 'sub/new.txt')), 0o640);
    assert.equal(modeOf(join(r.fs, 'old.txt')), 0o604);
  });

  await t.test('preserveMode: the local executable bit is carried over a replaced file; without it the mode stays', async () => {
    const plain = make();
    serverFile(plain, 'deploy.sh', 'old', 0o644);
    const a = createTarget(plain.spec);
    try { await a.write('deploy.sh', src('#!/bin/sh\n'), { mode: 0o755 }); } finally { await a.close(); }
    assert.equal(modeOf(join(plain.fs, 'deploy.sh')), 0o644);

    const kept = make({ preserveMode: true, permissions: { file: 0o640 } });
    serverFile(kept, 'deploy.sh', 'old', 0o644);
    serverFile(kept, 'was-x.sh', 'old', 0o755);
    const b = createTarget(kept.spec);
    try {
      await b.write('deploy.sh', src('#!/bin/sh\n'), { mode: 0o755 });
      await b.write('was-x.sh', src('no longer a script'), { mode: 0o644 });
      await b.write('new.sh', src('#!/bin/sh\n'), { mode: 0o700 });
    } finally { await b.close(); }
    assert.equal(modeOf(join(kept.fs, 'deploy.sh')), 0o755);
    assert.equal(modeOf(join(kept.fs, 'was-x.sh')), 0o644);
    assert.equal(modeOf(join(kept.fs, 'new.sh')), 0o740, 'configured 0640 plus the source\'s x bits (0700: the owner\'s only)');
  });

  await t.test(`the temporary file is 0600 while it is written (remote${ftp ? ': created empty, SITE CHMOD, then APPE' : ''}, and local)`, async () => {
    const r = make();
    const tg: Target = createTarget(r.spec);
    const local = localDir();
    const lt = new LocalTarget(local);
    try {
      for (const [target, dir] of [[tg, r.fs], [lt, local]] as const) {
        const body = new PassThrough();
        const writing = target.write('secret.key', body, { mode: 0o600 });
        body.write(Buffer.alloc(1000, 1));
        // the temp once it holds content (over FTP it is created empty first, then given its mode)
        let temp: string | undefined;
        for (let i = 0; i < 500 && !temp; i++) {
          temp = readdirSync(dir).find((x) => x.startsWith('.rs-tmp-') && (target.kind !== 'ftp' || statSync(join(dir, x)).size > 0));
          if (!temp) await new Promise((res) => setTimeout(res, 10));
        }
        assert.ok(temp, `a temp file appears in ${dir}`);
        assert.equal(modeOf(join(dir, temp)), 0o600, `${target.kind} temp file mode`);
        body.end();
        await writing;
        assert.equal(modeOf(join(dir, 'secret.key')), 0o600);
      }
    } finally { await tg.close(); }
  });
}

test('modes over SFTP', T, async (t) => {
  const started = await startSshd();
  if ('skip' in started) { t.skip(skipOrFail(started.skip).skip); return; }
  const s: SshdServer = started;
  try {
    const make = (extra: Partial<RemoteSpec> = {}): Remote => {
      const fs = s.makeRemoteDir('modes');
      return {
        fs, owner: { uid: s.uid, gid: s.gid },
        spec: { protocol: 'sftp', host: s.host, port: s.port, user: s.user, path: fs, identity: s.keyFile, knownHosts: s.knownHostsFile, agent: false, ...extra },
      };
    };
    await commonChecks(t, make, false);
  } finally {
    await s.stop();
  }
});

for (const tls of ['none', 'explicit'] as const) test(`modes over ${tls === 'none' ? 'FTP' : 'FTPS'} (MLST UNIX.mode + SITE CHMOD)`, T, async (t) => {
  const started = await startFtpd({ tls });
  if ('skip' in started) { t.skip(skipOrFail(started.skip).skip); return; }
  const f: FtpdServer = started;
  const owner = statSync(f.makeRemoteDir('probe').absolute);
  const make = (extra: Partial<RemoteSpec> = {}, server: FtpdServer = f): Remote => {
    const dir = server.makeRemoteDir(`modes${++n}`);
    return {
      fs: dir.absolute, owner: { uid: owner.uid, gid: owner.gid },
      spec: {
        protocol: tls === 'none' ? 'ftp' : 'ftps', host: server.host, port: server.port, user: server.user, password: server.password, path: dir.ftpPath,
        allowUnauthorizedTls: tls !== 'none', tlsFingerprint: server.certFingerprint, ...extra,
      },
    };
  };
  try {
    await commonChecks(t, make, true);

    await t.test('a server that refuses SITE CHMOD: one warning, every upload still done', async () => {
      const strict = await startFtpd({ tls, noChmod: true });
      assert.ok(!('skip' in strict));
      try {
        const r = make({ permissions: { file: 0o640 } }, strict);
        const { log, warnings } = recorder();
        const tg = createTarget(r.spec, { log });
        try {
          for (let i = 0; i < 3; i++) await tg.write(`f${i}.txt`, src(`body ${i}`), { mode: 0o600 });
        } finally { await tg.close(); }
        for (let i = 0; i < 3; i++) assert.equal(statSync(join(r.fs, `f${i}.txt`)).size, 6);
        const chmodWarnings = warnings.filter((w) => /SITE CHMOD/.test(w));
        assert.equal(chmodWarnings.length, 1, warnings.join('\n'));
        assert.match(chmodWarnings[0], /refused SITE CHMOD 640/);
        // a file that must stay private is not uploaded with the server's default mode instead
        const p = make({}, strict);
        const priv = createTarget(p.spec, { log: recorder().log });
        try {
          await assert.rejects(priv.write('secret.env', src('KEY=1'), { mode: 0o600, size: 5 }), /refused SITE CHMOD.*must stay 600/);
          await assert.rejects(priv.write('other.env', src('KEY=2'), { mode: 0o600, size: 5 }), /refused SITE CHMOD/, 'and the next one (the refusal is remembered)');
        } finally { await priv.close(); }
        assert.deepEqual(readdirSync(p.fs).filter((n) => /secret|other|rs-tmp/.test(n)), [], 'nothing under the real names, no temp left');
      } finally { await strict.stop(); }
    });
  } finally {
    await f.stop();
  }
});
