// Hashes: what FEAT offers, the replies of HASH and XSHA256, sha256sum output, and a comparison of
// two local folders (read on both sides).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareHashes, ftpHashCommand, parseFtpHashReply, parseSumOutput, shellQuote } from '../../../src/core/transfer/hash.js';
import { LocalTarget } from '../../../src/core/targets/local.js';

test('FEAT: HASH with its algorithms first, else the X commands; nothing when neither', () => {
  const f = new Map([['HASH', 'SHA-1*;MD5'], ['XSHA256', ''], ['MLST', 'size*;modify*;']]);
  assert.deepEqual(ftpHashCommand(f, 'sha256'), { command: 'XSHA256' });
  assert.deepEqual(ftpHashCommand(f, 'sha1'), { command: 'HASH', name: 'SHA-1' });
  assert.deepEqual(ftpHashCommand(f, 'md5'), { command: 'HASH', name: 'MD5' });
  assert.equal(ftpHashCommand(new Map([['MLST', '']]), 'sha256'), undefined);
});

test('replies: HASH, XSHA256 (with or without the name), sha256sum', () => {
  const hex = createHash('sha256').update('x').digest('hex');
  assert.equal(parseFtpHashReply(`213 SHA-256 0-1 ${hex} /a b.txt`, 'sha256'), hex);
  assert.equal(parseFtpHashReply(`250 ${hex.toUpperCase()}`, 'sha256'), hex);
  assert.equal(parseFtpHashReply(`250 ${hex} /a.txt`, 'sha256'), hex);
  assert.equal(parseFtpHashReply('250 d41d8cd98f00b204e9800998ecf8427e', 'sha256'), undefined, 'an md5 is not a sha256');
  assert.equal(parseSumOutput(`${hex}  /srv/a b.txt\n`, 'sha256'), hex);
  assert.equal(parseSumOutput(`\\${hex}  /srv/a\\nb\n`, 'sha256'), hex);
  assert.equal(parseSumOutput('sha256sum: /x: No such file', 'sha256'), undefined);
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
});

test('two folders: equal content compares equal, an edit of the same size does not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-hash-'));
  try {
    mkdirSync(join(dir, 'a')); mkdirSync(join(dir, 'b'));
    writeFileSync(join(dir, 'a/f'), 'hello');
    writeFileSync(join(dir, 'b/f'), 'hello');
    const [a, b] = [new LocalTarget(join(dir, 'a')), new LocalTarget(join(dir, 'b'))];
    assert.deepEqual(await compareHashes(a, b, 'f'), { same: true, algo: 'sha256', methods: ['read', 'read'] });
    writeFileSync(join(dir, 'b/f'), 'hellO');
    assert.equal((await compareHashes(a, b, 'f')).same, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
