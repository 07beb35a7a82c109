// Issue 14 item 4: FTPS with certificate verification off (`--insecure-tls`, allowSelfSignedCertificate)
// trusts a certificate on first use and refuses a different one later, before the password is sent;
// `tlsFingerprint` pins one. And item 12: a PASV reply naming another host is ignored (the data
// connection goes to the control connection's host, as curl does).
// Against a scripted server (test/harness/fake-ftp.ts) whose certificate changes like a man in the
// middle's, and against the real pure-ftpd.
//   node --import tsx --test test/integration/security/ftps-certificate.test.ts
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import net from 'node:net';
import { Readable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SyncError } from '../../../src/core/errors.js';
import { FtpTarget } from '../../../src/core/targets/ftp.js';
import type { CertificateInfo, Logger, RemoteSpec } from '../../../src/core/types.js';
import { selfSignedOrSkip, startFakeFtp, type FakeFtpServer } from '../../harness/fake-ftp.js';
import { pemFingerprint, startFtpd } from '../../harness/ftpd.js';
import { skipOrFail } from '../../harness/env.js';
import * as fake from '../../unit/extension-fake-vscode.js';
import { serveFakeVscode } from '../../unit/fake-vscode-hook.js';

serveFakeVscode();
const { Secrets } = require('../../../src/extension/secrets.js') as typeof import('../../../src/extension/secrets.js');

const scratch = mkdtempSync(join(tmpdir(), 'rs-ftps-pin-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const passwordsSent = (s: FakeFtpServer) => s.sessions.flat().filter((l) => /^PASS /i.test(l)).length;

function target(server: { host: string; port: number }, extra: Partial<RemoteSpec>, opts: { file?: string; confirm?: (i: CertificateInfo) => Promise<boolean>; log?: Logger; concurrency?: number } = {}) {
  return new FtpTarget({
    protocol: 'ftps', host: server.host, port: server.port, user: 'me', password: 'secret-password', path: '/', allowUnauthorizedTls: true, ...extra,
  }, { knownCertificatesFile: opts.file, credentials: { confirmCertificate: opts.confirm }, log: opts.log, concurrency: opts.concurrency ?? 2 });
}

async function refused(p: Promise<unknown>, ...texts: RegExp[]): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof SyncError, String(e));
    assert.equal(e.code, 'hostkey', String(e));
    for (const t of texts) assert.match(`${e.message} ${e.hint ?? ''}`, t);
    return true;
  });
}

test('FTPS without verification: trust on first use, a changed certificate is refused before PASS', { timeout: 60_000 }, async (t) => {
  const certs = selfSignedOrSkip(t, scratch, 'real-server', 'mitm');
  if (!certs) return;
  const [a, b] = certs;
  const fpA = pemFingerprint(a.certFile);
  const fpB = pemFingerprint(b.certFile);
  const server = await startFakeFtp({ tls: a, listing: ['type=file;size=3;modify=20200101000000; a.txt'] });
  t.after(() => server.close());
  const file = join(scratch, 'state', 'known_certificates');

  await t.test('first connection: the fingerprint is shown once (several pool connections), recorded 0600', async () => {
    const asked: CertificateInfo[] = [];
    const tg = target(server, {}, { file, concurrency: 4, confirm: async (i) => { asked.push(i); return true; } });
    try {
      await Promise.all([tg.open(), tg.stat('x'), tg.stat('y'), tg.list()]);
    } finally { await tg.close(); }
    assert.equal(asked.length, 1);
    assert.equal(asked[0].fingerprint, fpA);
    assert.equal(asked[0].subject, 'real-server');
    assert.equal(readFileSync(file, 'utf8'), `127.0.0.1:${server.port} ${fpA}\n`);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(scratch, 'state')).mode & 0o777, 0o700);
  });

  await t.test('the same certificate later: no question', async () => {
    const tg = target(server, {}, { file, confirm: async () => assert.fail('not asked again') });
    try { await tg.open(); } finally { await tg.close(); }
  });

  await t.test('another certificate (a man in the middle): refused, the password is never sent, nothing recorded', async () => {
    server.setTls(b);
    const before = passwordsSent(server);
    const sessions = server.sessions.length;
    const tg = target(server, {}, { file, confirm: async () => assert.fail('a changed certificate is never offered for trust') });
    try {
      await refused(tg.open(), /certificate of 127\.0\.0\.1:\d+ has CHANGED/, new RegExp(fpB), /password was not sent/, /remove line 1/);
    } finally { await tg.close(); }
    assert.equal(passwordsSent(server), before, 'no PASS after the change');
    assert.ok(server.sessions.slice(sessions).flat().every((l) => !/^(USER|PASS) /i.test(l)), 'not even USER');
    assert.equal(readFileSync(file, 'utf8'), `127.0.0.1:${server.port} ${fpA}\n`);
  });

  await t.test('pinned with tlsFingerprint: that certificate only, without asking or recording', async () => {
    const pinned = target(server, { tlsFingerprint: fpB }, { confirm: async () => assert.fail('not asked') });
    try { await pinned.open(); } finally { await pinned.close(); }
    const before = passwordsSent(server);
    const wrong = target(server, { tlsFingerprint: fpA, allowUnauthorizedTls: false }, { file });
    try {
      await refused(wrong.open(), /not the pinned one/, new RegExp(fpB));
    } finally { await wrong.close(); }
    assert.equal(passwordsSent(server), before);
  });

  await t.test('no prompt possible and nothing known (a script): refused, naming the fingerprint and --tls-fingerprint', async () => {
    const before = passwordsSent(server);
    const tg = target(server, {}, { file: join(scratch, 'other', 'known_certificates') });
    try {
      await refused(tg.open(), new RegExp(`fingerprint is ${fpB}`), new RegExp(`--tls-fingerprint ${fpB}`));
    } finally { await tg.close(); }
    assert.equal(passwordsSent(server), before);
    assert.equal(existsSync(join(scratch, 'other', 'known_certificates')), false);
  });

  await t.test('a known_certificates file writable by others is not trusted', async () => {
    const planted = join(scratch, 'planted');
    writeFileSync(planted, `127.0.0.1:${server.port} ${fpB}\n`);
    chmodSync(planted, 0o666);
    const tg = target(server, {}, { file: planted });
    try { await refused(tg.open(), /writable by other users/); } finally { await tg.close(); }
  });
});

test('a data connection with another certificate than the control connection\'s: stopped before a byte is sent', { timeout: 60_000 }, async (t) => {
  const certs = selfSignedOrSkip(t, scratch, 'control', 'data-mitm');
  if (!certs) return;
  const [a, b] = certs;
  const server = await startFakeFtp({ tls: a, dataTls: b, listing: ['type=file;size=3;modify=20200101000000; a.txt'] });
  t.after(() => server.close());
  const tg = target(server, { tlsFingerprint: pemFingerprint(a.certFile) }, { concurrency: 1 });
  try {
    await refused(tg.write('secret.txt', Readable.from([Buffer.from('the secret content')])), /data connection .* presented another TLS certificate/, new RegExp(pemFingerprint(b.certFile)));
    await refused(tg.list(), /data connection .* presented another TLS certificate/);
  } finally { await tg.close(); }
  assert.ok(server.sessions.flat().some((l) => l.startsWith('STOR ')), 'the upload was tried');
  assert.equal([...server.stored.values()].reduce((x, y) => x + y, 0), 0, 'no byte of the file reached the other certificate');

  // the same server with one certificate on both: the upload goes through (the check can pass)
  const fair = await startFakeFtp({ tls: a });
  t.after(() => fair.close());
  const ok = target(fair, { tlsFingerprint: pemFingerprint(a.certFile) }, { concurrency: 1 });
  try {
    await ok.write('secret.txt', Readable.from([Buffer.from('the secret content')])).catch(() => undefined); // the fake lists nothing afterwards
  } finally { await ok.close(); }
  assert.equal(fair.stored.get([...fair.stored.keys()][0]), 18);
});

test('the extension: an unverified certificate is shown in a modal with its fingerprint, once; trusted, it is recorded', { timeout: 60_000 }, async (t) => {
  const certs = selfSignedOrSkip(t, scratch, 'ext-server');
  if (!certs) return;
  const [a] = certs;
  const server = await startFakeFtp({ tls: a });
  t.after(() => server.close());
  const file = join(scratch, 'ext-state', 'known_certificates');
  const secrets = new Secrets(new Map() as unknown as import('vscode').SecretStorage, { error() {}, warn() {}, info() {}, debug() {} });
  fake.host.reset();
  fake.host.answer = () => undefined; // dismissed: not trusted
  const make = () => new FtpTarget({ protocol: 'ftps', host: server.host, port: server.port, user: 'me', password: 'pw', path: '/', allowUnauthorizedTls: true },
    { knownCertificatesFile: file, credentials: secrets.forLogin('ws').credentials, concurrency: 3 });
  const first = make();
  try { await refused(Promise.all([first.open(), first.stat('a'), first.stat('b')])); } finally { await first.close(); }
  assert.equal(fake.host.messages.length, 1, 'one modal for several connections');
  const m = fake.host.messages[0];
  assert.equal(m.modal, true);
  assert.match(m.text, /Unverified certificate of 127\.0\.0\.1:\d+/);
  assert.equal(passwordsSent(server), 0);
  fake.host.answer = (msg) => msg.items[0];
  const second = make();
  try { await second.open(); } finally { await second.close(); }
  assert.equal(readFileSync(file, 'utf8'), `127.0.0.1:${server.port} ${pemFingerprint(a.certFile)}\n`);
});

test('FTPS against pure-ftpd: the first connection records its certificate, transfers work', { timeout: 60_000 }, async (t) => {
  const started = await startFtpd({ tls: 'explicit' });
  if ('skip' in started) { t.skip(skipOrFail(started.skip).skip); return; }
  t.after(() => started.stop());
  const file = join(scratch, 'real', 'known_certificates');
  const dir = started.makeRemoteDir('pin');
  const asked: string[] = [];
  const tg = new FtpTarget({
    protocol: 'ftps', host: started.host, port: started.port, user: started.user, password: started.password, path: dir.ftpPath, allowUnauthorizedTls: true,
  }, { knownCertificatesFile: file, credentials: { confirmCertificate: async (i) => { asked.push(i.fingerprint); return true; } } });
  try {
    assert.equal((await tg.list()).size, 0);
  } finally { await tg.close(); }
  assert.deepEqual(asked, [started.certFingerprint]);
  assert.equal(readFileSync(file, 'utf8'), `127.0.0.1:${started.port} ${started.certFingerprint}\n`);
});

test('a PASV reply naming another host is ignored: the data connection goes to the control host', { timeout: 30_000 }, async (t) => {
  // a listener on the host the reply names: it must never be contacted
  const bait = net.createServer((c) => { baited++; c.destroy(); });
  let baited = 0;
  try {
    await new Promise<void>((resolve, reject) => { bait.once('error', reject); bait.listen(0, '127.0.0.2', resolve); });
  } catch (e) {
    t.skip(skipOrFail(`cannot listen on 127.0.0.2: ${(e as Error).message}`).skip);
    return;
  }
  t.after(() => new Promise<void>((r) => bait.close(() => r())));
  const server = await startFakeFtp({ pasvHost: '127.0.0.2', listing: ['type=file;size=3;modify=20200101000000; a.txt'] });
  t.after(() => server.close());
  const warnings: string[] = [];
  const log: Logger = { error() {}, warn: (m) => warnings.push(m), info() {}, debug() {} };
  const tg = new FtpTarget({ protocol: 'ftp', host: server.host, port: server.port, user: 'me', password: 'x', path: '/' }, { log, concurrency: 3 });
  try {
    // several connections at once, each uses PASV: one warning for the target
    const [first, second] = await Promise.all([tg.list(), tg.list(), tg.stat('a.txt')]);
    assert.deepEqual([...first.keys()], ['a.txt']);
    assert.deepEqual([...second.keys()], ['a.txt']);
  } finally { await tg.close(); }
  assert.equal(baited, 0, 'nothing connected to the host the PASV reply named');
  assert.ok(server.sessions.filter((s) => s.includes('PASV')).length >= 2, 'several connections used PASV');
  assert.equal(warnings.filter((w) => /PASV reply named another host \(127\.0\.0\.2\)/.test(w)).length, 1, warnings.join('\n'));
});
