// `remote-sync run all` against two real servers: a group of an SFTP target (OpenSSH sshd) and an
// FTP target (pure-ftpd), both on loopback. Both receive; with the FTP daemon stopped, the SFTP
// member is still done, the exit code is 1 and the report is per member.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/run.js';
import { startSshd } from '../harness/sshd.js';
import { startFtpd } from '../harness/ftpd.js';
import { skipOrFail } from '../harness/env.js';

async function run(cwd: string, argv: string[], password: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => { out += String(c); });
  stderr.on('data', (c) => { err += String(c); });
  const code = await runCli({
    argv, cwd, stdin: new PassThrough() as never, stdout, stderr, version: 'test',
    env: { HOME: cwd, PATH: process.env.PATH, REMOTE_SYNC_PASSWORD: password, NETRC: '/nonexistent' },
  });
  return { code, stdout: out, stderr: err };
}

test('run all: an SFTP and an FTP member, in parallel; one failing does not stop the other', { timeout: 120_000 }, async (t) => {
  const sshd = await startSshd();
  if ('skip' in sshd) { t.skip(skipOrFail(sshd.skip).skip); return; }
  const ftpd = await startFtpd({ tls: 'none' });
  if ('skip' in ftpd) { await sshd.stop(); t.skip(skipOrFail(ftpd.skip).skip); return; }
  const scratch = mkdtempSync(join(tmpdir(), 'rs-group-servers-'));
  try {
    const sftpDir = sshd.makeRemoteDir('group-web1');
    const ftpDir = ftpd.makeRemoteDir('group-web2');
    const ws = join(scratch, 'ws');
    mkdirSync(join(ws, '.vscode'), { recursive: true });
    writeFileSync(join(ws, '.vscode/remote-sync.json'), JSON.stringify({
      targets: {
        web1: { url: `sftp://${sshd.user}@127.0.0.1:${sshd.port}${sftpDir}`, privateKey: sshd.keyFile, knownHosts: sshd.knownHostsFile, agent: false },
        web2: { url: `ftp://${ftpd.user}@${ftpd.host}:${ftpd.port}${ftpDir.ftpPath}` },
        all: { group: ['web1', 'web2'] },
      },
      defaultTarget: 'web1',
      ignore: ['.vscode/'],
    }));
    writeFileSync(join(ws, 'index.html'), '<h1>both</h1>');

    const r = await run(ws, ['run', 'all'], ftpd.password);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(readFileSync(join(sftpDir, 'index.html'), 'utf8'), '<h1>both</h1>');
    assert.equal(readFileSync(join(ftpDir.absolute, 'index.html'), 'utf8'), '<h1>both</h1>');
    assert.match(r.stdout, /^web1 \| ↑ upload {2}index\.html/m);
    assert.match(r.stdout, /^web2 \| ↑ upload {2}index\.html/m);
    assert.match(r.stdout, /^all: 2\/2 servers$/m);

    await ftpd.stop();
    writeFileSync(join(ws, 'about.html'), 'about');
    const j = await run(ws, ['run', 'all', '--json'], ftpd.password);
    assert.equal(j.code, 1, j.stdout + j.stderr);
    assert.equal(readFileSync(join(sftpDir, 'about.html'), 'utf8'), 'about', 'the SFTP member is still done');
    const report = JSON.parse(j.stdout);
    assert.deepEqual(report.members.map((m: { target: string; exitCode: number }) => [m.target, m.exitCode]), [['web1', 0], ['web2', 1]]);
    assert.equal(report.members[0].report.stats.uploaded, 1);
    assert.ok(report.members[1].report.errors.length > 0);
    assert.match(report.summary, /^all: 1\/2 servers \(web2 failed: /);
  } finally {
    await ftpd.stop().catch(() => undefined);
    await sshd.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
});
