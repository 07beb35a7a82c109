// Review of the upload direction of resumable transfers (transfer/resume.ts) and of kept temps
// (transfer/kept-temps.ts), on real servers (OpenSSH, and the crafted FTP server for a server
// without atomic rename-over). Each test injects the change another actor could make in the window
// between a check and the write it guards (a wrapped target does it at the exact moment).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, readFileSync, rmSync, truncateSync, writeFileSync, mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Entry, Logger, Target } from '../../src/core/types.js';
import { createTarget, remoteId } from '../../src/core/targets/index.js';
import { PartialStore } from '../../src/core/transfer/partials.js';
import { copyVerified } from '../../src/core/transfer/copy.js';
import { KeptTemps, finishKeptRenames } from '../../src/core/transfer/kept-temps.js';
import { makeEnv, type FaultEnv } from './env.js';
import { startCraftedFtp, type CraftedFtp } from './crafted-ftp.js';
import { wrap } from '../harness/wrap-target.js';

const KiB = 1024;
const servers: CraftedFtp[] = [];
after(async () => { for (const s of servers) await s.stop(); });

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as unknown as Logger;
const warnings = (): { log: Logger; seen: string[] } => {
  const seen: string[] = [];
  return { seen, log: { ...quiet, warn: (m: string) => { seen.push(m); } } as Logger };
};

async function sftpEnv(t: { skip(m: string): void }, label: string): Promise<FaultEnv | undefined> {
  const env = await makeEnv('sftp', label);
  if ('skip' in env) { t.skip(env.skip); return undefined; }
  return env;
}

// ---------------------------------------------------------------------------------------------
// SFTP writePartial opens the partial without truncation ('r+') and writes at `offset`, the size
// the partial had when its tail was checked. A partial cut shorter since (by anyone: the file is on
// a shared server) left a hole of zeros between its real end and `offset`: the file then had the
// right size, passed the size check and was renamed onto the real name with zeros in it.
test('sftp: a partial cut shorter after its tail check is not written past its end (no hole of zeros under the real name)', async (t) => {
  const env = await sftpEnv(t, 'rv-hole');
  if (!env) return;
  try {
    const content = randomBytes(512 * KiB);
    writeFileSync(join(env.local, 'big.bin'), content);
    const local = createTarget({ protocol: 'local', path: env.local });
    const remote = createTarget(env.directSpec, { log: quiet });
    const store = new PartialStore(env.local, remoteId(env.directSpec));
    const src = (await local.stat('big.bin'))!;
    // an earlier run left 300 KiB of the file on the server, with its record
    const partial = store.partialName('upload', 'big.bin');
    const onServer = join(env.remoteFs, partial);
    writeFileSync(onServer, content.subarray(0, 300 * KiB), { mode: 0o600 });
    chownSync(onServer, env.owner.uid, env.owner.gid);
    store.put({ v: 1, remoteId: store.remoteId, direction: 'upload', path: 'big.bin', size: src.size, mtime: src.mtime, partial, created: Date.now() });
    let cut = false;
    const dst = wrap(remote, {
      // between the tail check and the write: the partial loses its last 100 KiB
      writePartial: async (tmp: string, source: Readable, offset: number, o: object) => {
        if (!cut) { cut = true; truncateSync(onServer, 200 * KiB); }
        return (remote as unknown as { writePartial: (...a: unknown[]) => Promise<number> }).writePartial(tmp, source, offset, o);
      },
    } as Partial<Record<keyof Target, unknown>>);
    try {
      await copyVerified('big.bin', local, dst, src, {
        direction: 'upload', resume: { store, above: 64 * KiB, log: quiet }, retry: { retries: 1, sleepMs: 10 },
      }).catch(() => undefined); // failing is fine; a wrong file under the real name is not
    } finally {
      await remote.close();
    }
    assert.ok(cut, 'the partial was resumed');
    const final = join(env.remoteFs, 'big.bin');
    if (existsSync(final)) assert.ok(readFileSync(final).equals(content), 'the file on the server holds the source\'s bytes (no zeros where the partial was cut)');
    assert.ok(existsSync(final), 'the retry finished the upload');
  } finally {
    await env.cleanup();
  }
});

// ---------------------------------------------------------------------------------------------
// Kept temps: the rename a later run finishes must never replace a file that appeared at the name.
// finishKeptRenames looks first, but its rename went through Target.rename, which replaces: on a
// server without atomic rename-over (where kept temps come from) by deleting the file first. A
// file put there between the look and the rename was lost.
const newContent = 'the new version, kept as a temp\n';
const theirs = 'someone else put this here meanwhile\n';

async function finishWithFileAppearing(remote: Target, put: (path: string, content: string) => void, localRoot: string, id: string) {
  const kept = new KeptTemps(localRoot, id);
  kept.put('a.txt', '.rs-tmp-kept0123', { path: 'a.txt', type: 'file', size: Buffer.byteLength(newContent), mtime: 1_700_000_000_000 } as Entry);
  let looked = false;
  const lying = wrap(remote, {
    // the look finds nothing; right after it, someone puts a file there
    stat: async (path: string, o?: object) => {
      if (path === 'a.txt' && !looked) { looked = true; const r = await remote.stat(path, o as never); put('a.txt', theirs); return r; }
      return remote.stat(path, o as never);
    },
  } as Partial<Record<keyof Target, unknown>>);
  const { log, seen } = warnings();
  const recorded: string[] = [];
  await finishKeptRenames(kept, { local: createTarget({ protocol: 'local', path: localRoot }), remote: lying, log, record: (p) => { recorded.push(p); } });
  assert.ok(looked);
  return { seen, recorded, left: kept.all() };
}

test('kept temp (sftp): a file that appears at the name before the rename is not replaced', async (t) => {
  const env = await sftpEnv(t, 'rv-kept');
  if (!env) return;
  const remote = createTarget(env.directSpec, { log: quiet });
  try {
    const put = (p: string, c: string) => { const f = join(env.remoteFs, p); writeFileSync(f, c); chownSync(f, env.owner.uid, env.owner.gid); };
    put('.rs-tmp-kept0123', newContent);
    const r = await finishWithFileAppearing(remote, put, env.local, remoteId(env.directSpec));
    assert.equal(readFileSync(join(env.remoteFs, 'a.txt'), 'utf8'), theirs, 'the file that appeared is kept');
    assert.equal(readFileSync(join(env.remoteFs, '.rs-tmp-kept0123'), 'utf8'), newContent, 'the temp stays');
    assert.deepEqual(r.recorded, []);
    assert.equal(r.left.length, 1, 'the record stays for a later run');
    assert.ok(r.seen.some((m) => /stays there/.test(m)), r.seen.join('\n'));
  } finally {
    await remote.close();
    await env.cleanup();
  }
});

test('kept temp (ftp, no atomic rename-over): a file that appears at the name before the rename is not deleted', async () => {
  const server = await startCraftedFtp({ noRenameOver: true });
  servers.push(server);
  server.mkdir('/site');
  server.put('/site/.rs-tmp-kept0123', newContent);
  const base = mkdtempSync(join(tmpdir(), 'rs-rv-kept-'));
  const localRoot = join(base, 'local');
  mkdirSync(localRoot);
  const spec = { protocol: 'ftp' as const, host: server.host, port: server.port, user: server.user, password: server.password, path: '/site' };
  const remote = createTarget(spec, { log: quiet });
  try {
    const r = await finishWithFileAppearing(remote, (p, c) => server.put(`/site/${p}`, c), localRoot, remoteId(spec));
    const files = server.files('/site');
    assert.equal(files.get('a.txt')?.toString(), theirs, 'the file that appeared is kept');
    assert.equal(files.get('.rs-tmp-kept0123')?.toString(), newContent, 'the temp stays');
    assert.deepEqual(r.recorded, []);
    assert.equal(r.left.length, 1, 'the record stays for a later run');
  } finally {
    await remote.close();
    rmSync(base, { recursive: true, force: true });
  }
});
