// The mode rules (src/core/targets/modes.ts) and the config fields that feed them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMode, modeForFile, parseOctalMode } from '../../src/core/targets/modes.js';
import { parseConfigText, targetSpec } from '../../src/core/config/index.js';
import { parseFacts } from '../../src/core/targets/ftp-util.js';
import { modeOfPermissions } from '../../src/core/targets/ftp-modes.js';

const umask = 0o022;

test('a replaced file keeps its mode; a new one gets the source masked by the umask', () => {
  assert.equal(modeForFile(0o600, 0o644, { umask }), 0o600);
  assert.equal(modeForFile(0o640, 0o777, { umask }), 0o640);
  assert.equal(modeForFile(undefined, 0o600, { umask }), 0o600);
  assert.equal(modeForFile(undefined, 0o777, { umask }), 0o755);
  assert.equal(modeForFile(undefined, 0o777, { umask: 0o077 }), 0o700);
  assert.equal(modeForFile(undefined, undefined, { umask }), 0o644, 'no source mode: 0666 & ~umask');
  assert.equal(modeForFile(0o4755, 0o4755, { umask }), 0o755, 'setuid is never carried');
  assert.equal(modeForFile(undefined, 0o6755, { umask }), 0o755);
});

test('configured permissions for new files only; preserveMode makes the x bits follow the source', () => {
  assert.equal(modeForFile(undefined, 0o600, { file: 0o644, umask }), 0o644);
  assert.equal(modeForFile(0o600, 0o644, { file: 0o644, umask }), 0o600, 'a replaced file is not re-moded');
  assert.equal(modeForFile(0o644, 0o755, { preserveMode: true, umask }), 0o755);
  assert.equal(modeForFile(0o755, 0o644, { preserveMode: true, umask }), 0o644);
  assert.equal(modeForFile(0o600, 0o755, { preserveMode: true, umask }), 0o700, 'x only where readable');
  assert.equal(modeForFile(undefined, 0o755, { file: 0o640, preserveMode: true, umask }), 0o750);
  assert.equal(modeForFile(undefined, undefined, { file: 0o640, preserveMode: true, umask }), 0o640);
});

test('octal modes in and out; MLST UNIX.mode; LIST/MLSD permissions', () => {
  assert.equal(parseOctalMode('644'), 0o644);
  assert.equal(parseOctalMode('0755'), 0o755);
  for (const bad of ['', '64', '888', 'rw-r--r--', '17777', '1755']) assert.equal(parseOctalMode(bad), undefined, bad);
  assert.equal(formatMode(0o40), '040');
  assert.equal(parseFacts('type=file;size=3;modify=20200101000000;UNIX.mode=0600;').mode, 0o600);
  assert.equal(parseFacts('type=file;size=3;UNIX.mode=bad;').mode, undefined);
  assert.equal(parseFacts('type=file;size=3;').mode, undefined);
  assert.equal(modeOfPermissions({ user: 6, group: 4, world: 0 }), 0o640);
  assert.equal(modeOfPermissions(undefined), undefined);
  assert.equal(modeOfPermissions({ user: NaN, group: 4, world: 0 }), undefined);
});

const FILE = '/ws/.vscode/remote-sync.json';
const config = (target: Record<string, unknown>) => parseConfigText(JSON.stringify({ targets: { t: target } }), FILE);

test('config: permissions, preserveMode and tlsFingerprint reach the RemoteSpec', () => {
  const c = config({ url: 'sftp://me@h/var/www', permissions: { file: '640', dir: '0750' }, preserveMode: true });
  assert.deepEqual(targetSpec(c).permissions, { file: 0o640, dir: 0o750 });
  assert.equal(targetSpec(c).preserveMode, true);
  const hex = 'ab'.repeat(32);
  const f = config({ url: 'ftps://me@h/x', allowSelfSignedCertificate: true, tlsFingerprint: `sha256:${hex}` });
  assert.equal(targetSpec(f).tlsFingerprint, `SHA256:${'AB:'.repeat(31)}AB`);
});

test('config: bad permissions and fingerprints are refused with the field and an example', () => {
  assert.throws(() => config({ url: 'sftp://h/x', permissions: { file: 644 } }), /targets\.t\.permissions\.file.*octal mode in double quotes, e\.g\. "644"/);
  assert.throws(() => config({ url: 'sftp://h/x', permissions: { file: 'rw-r--r--' } }), /permissions\.file.*three octal digits/);
  assert.throws(() => config({ url: 'sftp://h/x', permissions: { files: '644' } }), /permissions\.files.*not a known setting/);
  assert.throws(() => config({ url: 'sftp://h/x', tlsFingerprint: 'SHA256:' + 'ab'.repeat(32) }), /only for FTP\/FTPS targets/);
  assert.throws(() => config({ url: 'ftps://h/x', tlsFingerprint: 'SHA256:abc' }), /tlsFingerprint.*SHA-256 fingerprint/);
});
