// verify "hash" compares the temp file's hash before the rename: a copy whose content differs from the
// source's (here: the local file rewritten in place, same size and mtime, while it is uploaded) never
// replaces the good file on the server. The copy is an error (retries 0), the server keeps the last
// synced version, nothing is recorded, and the temp is gone. Plain and resumable uploads, SFTP
// (sha256sum over SSH) and pure-ftpd (read back).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, statSync, utimesSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { makeEnv, sessionFor, writeTree } from '../env.js';

const SIZE = 2 * 1024 * 1024;

for (const kind of ['sftp', 'ftp'] as const) {
  for (const resumable of [false, true]) {
    test(`${kind}: verify "hash" checks the temp before the rename: a bad copy never replaces the file${resumable ? ' (resumable upload)' : ''}`, async (t) => {
      const env = await makeEnv(kind, `hash-temp-${kind}-${resumable ? 'r' : 'p'}`);
      if ('skip' in env) { t.skip(env.skip); return; }
      const transfer = { verify: 'hash' as const, retries: 0, resumeAbove: resumable ? 1024 : null };
      try {
        const v1 = randomBytes(SIZE);
        writeTree(env.local, { 'a.bin': v1 });
        const s = sessionFor(env);
        try {
          assert.deepEqual((await s.run({ mode: 'upload', transfer })).errors, []);
          const synced = s.lastSync('a.bin');
          const file = join(env.local, 'a.bin');
          writeTree(env.local, { 'a.bin': randomBytes(SIZE) });
          const later = new Date(Date.now() + 10_000);
          utimesSync(file, later, later);
          let rewritten = false;
          const r = await s.run({
            mode: 'upload', transfer,
            onProgress: (e) => {
              if (e.type !== 'bytes' || e.bytes === 0 || rewritten) return;
              rewritten = true; // same size, same mtime, other bytes: only a hash can tell
              const fd = openSync(file, 'r+');
              try { writeSync(fd, randomBytes(SIZE), 0, SIZE, 0); } finally { closeSync(fd); }
              utimesSync(file, later, later);
            },
          });
          assert.ok(rewritten);
          assert.equal(statSync(file).size, SIZE);
          assert.deepEqual(r.errors.map((e) => e.path), ['a.bin']);
          assert.match(r.errors[0].message, /failed the sha256 check/);
          assert.ok(readFileSync(join(env.remoteFs, 'a.bin')).equals(v1), 'the server keeps the good file');
          assert.deepEqual(s.lastSync('a.bin'), synced, 'nothing recorded');
          assert.deepEqual(readdirSync(env.remoteFs).filter((n) => n.startsWith('.rs-tmp')), [], 'the bad temp is removed');
        } finally {
          await s.close();
        }
      } finally {
        await env.cleanup();
      }
    });
  }
}
