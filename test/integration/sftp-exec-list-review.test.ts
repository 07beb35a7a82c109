// Review of the `find` listing over SSH (sftp-exec-list.ts): cases where it must be the SFTP walk's
// listing or undefined, found in review. Against a real OpenSSH sshd, as sftp-exec-list.test.ts.
//   node --import tsx --test --test-concurrency=1 test/integration/sftp-exec-list-review.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { SftpTarget } from '../../src/core/targets/sftp.js';
import type { SftpConnection } from '../../src/core/targets/sftp-connect.js';
import { walkSftp, type SftpListing } from '../../src/core/targets/sftp-list.js';
import { execListSftp } from '../../src/core/targets/sftp-exec-list.js';
import { Filter } from '../../src/core/filter.js';
import type { ListOptions, Logger } from '../../src/core/types.js';
import type { RemoteSpec } from '../../src/core/remote-spec.js';
import { startSshd, type SshdServer } from '../harness/sshd.js';

const T = { timeout: 120_000 };

function norm(l: SftpListing) {
  return {
    entries: [...l.out.values()].map((e) => ({ path: e.path, type: e.type, size: e.size, mtime: e.mtime, mode: e.mode })).sort((a, b) => (a.path < b.path ? -1 : 1)),
    stale: [...l.stale].sort(),
    bad: l.bad.map((b) => `${b.path}|${b.name}|${b.message}`).sort(),
    unreadable: l.unreadable.map((u) => `${u.path}|${u.message}`).sort(),
  };
}

/** find's listing is undefined, or exactly the SFTP walk's */
function assertSameOrNone(fast: SftpListing | undefined, slow: SftpListing, what: string): void {
  if (!fast) return;
  const a = norm(fast), b = norm(slow);
  assert.ok(isDeepStrictEqual(a, b), `${what}: find listed ${JSON.stringify(a)}\nthe SFTP walk ${JSON.stringify(b)}`);
}

const writeAt = (p: string, body = 'x') => { mkdirSync(dirname(p), { recursive: true }); writeFileSync(p, body); };

test('execListSftp review cases against OpenSSH sshd', async (t) => {
  const started = await startSshd();
  if ('skip' in started) { t.skip(started.skip); return; }
  const s: SshdServer = started;
  const logs: string[] = [];
  const log: Logger = { error: (m) => logs.push(m), warn: (m) => logs.push(m), info: (m) => logs.push(m), debug: (m) => logs.push(m) };
  const specOf = (path: string): RemoteSpec => ({
    protocol: 'sftp', host: s.host, port: s.port, user: s.user, path, identity: s.keyFile, knownHosts: s.knownHostsFile, agent: false,
  });
  const both = async (path: string, options: ListOptions = {}) => {
    const spec = specOf(path);
    const tg = new SftpTarget(spec, { credentials: {}, log });
    try {
      const c = await ((tg as any).connection() as Promise<SftpConnection>);
      const fast = await execListSftp(c, options, { spec, log });
      const slow = await walkSftp(c, options, { spec, log });
      return { fast, slow };
    } finally { await tg.close(); }
  };
  /** the options a sync gives the remote listing with these excludes (session/listings.ts) */
  const filtered = (exclude: string[]): ListOptions => {
    const f = new Filter({ exclude });
    return { include: (p, type) => !f.isExcluded(p, type), prune: f.pruneNames() };
  };

  try {
    await t.test('a link to a folder above the root, whose path has a pruned name: find does not meet the loop', T, async () => {
      // walkSftp: up -> a folder above the root is a loop (left alone, reported); find -L prunes "build"
      // on the way down from it, never reaches the root again, and lists the rest of that folder
      const top = s.makeRemoteDir('above');
      const root = join(top, 'build', 'site');
      writeAt(join(root, 'page.html'));
      writeAt(join(top, 'other', 'private.txt'), 'outside the synced folder');
      symlinkSync(top, join(root, 'up'));
      s.chownToUser(top);
      const r = await both(root, filtered(['build/']));
      assert.deepEqual(r.slow.unreadable.map((u) => u.path), ['up'], 'the SFTP walk reports the loop');
      assertSameOrNone(r.fast, r.slow, 'link above the root');
      // the way down passes a folder excluded (by a wildcard: read by find, not pruned), then the pruned one
      const top2 = s.makeRemoteDir('above2');
      const root3 = join(top2, 'excl', 'build', 'site');
      writeAt(join(root3, 'page.html'));
      writeAt(join(top2, 'other', 'private.txt'), 'outside the synced folder');
      symlinkSync(top2, join(root3, 'up'));
      s.chownToUser(top2);
      const r3 = await both(root3, filtered(['ex*', 'build/']));
      assert.deepEqual(r3.slow.unreadable.map((u) => u.path), ['up'], 'the SFTP walk reports the loop');
      assertSameOrNone(r3.fast, r3.slow, 'link above the root, past an excluded folder');
      // without a pruned name on the way, find meets the root again and fails: the same either way
      const r2 = await both(root, filtered([]));
      assert.deepEqual(r2.slow.unreadable.map((u) => u.path), ['up']);
      assert.equal(r2.fast, undefined);
    });

    await t.test('a link, inside a followed link, to a folder above that link\'s target, past a pruned name', T, async () => {
      const root = s.makeRemoteDir('nested-root'), ext = s.makeRemoteDir('nested-ext');
      writeAt(join(root, 'f'));
      writeAt(join(ext, 'node_modules', 'pkg', 'index.js'));
      writeAt(join(ext, 'sibling', 'g'));
      symlinkSync(join(ext, 'node_modules', 'pkg'), join(root, 'pkg'));
      symlinkSync(ext, join(ext, 'node_modules', 'pkg', 'up'));
      s.chownToUser(root); s.chownToUser(ext);
      const r = await both(root, filtered(['node_modules']));
      assert.deepEqual(r.slow.unreadable.map((u) => u.path), ['pkg/up'], 'the SFTP walk reports the loop');
      assertSameOrNone(r.fast, r.slow, 'nested link');
      assert.equal(r.fast, undefined);
      // the same pruned folder below the link, without the loop: listed by find, alike
      execFileSync('rm', [join(ext, 'node_modules', 'pkg', 'up')]);
      const r2 = await both(root, filtered(['node_modules']));
      assert.ok(r2.fast, 'listed by find');
      assertSameOrNone(r2.fast, r2.slow, 'nested link without the loop');
    });

    await t.test('a login shell that leaves a process holding the output open: no hang', T, async () => {
      const rc = join('/home', s.user, '.bashrc');
      const had = existsSync(rc) ? readFileSync(rc) : undefined;
      const root = s.makeRemoteDir('bg');
      writeAt(join(root, 'f'));
      s.chownToUser(root);
      writeFileSync(rc, Buffer.concat([Buffer.from('sleep 60 &\n'), had ?? Buffer.alloc(0)]));
      try {
        const began = Date.now();
        const r = await both(root);
        assert.ok(Date.now() - began < 20_000, `took ${Date.now() - began} ms`);
        assert.ok(r.fast, 'listed by find (its output was whole, the shell exited 0)');
        assertSameOrNone(r.fast, r.slow, 'background process');
        // the same for sha256sum (transfer/hash.ts): its digest taken without waiting for the close
        const tg = new SftpTarget(specOf(root), { credentials: {}, log });
        try {
          const began2 = Date.now();
          const h = await tg.serverHash('f', ['sha256']);
          assert.equal(h?.hex, createHash('sha256').update('x').digest('hex'));
          assert.ok(Date.now() - began2 < 20_000, `the hash took ${Date.now() - began2} ms`);
        } finally { await tg.close(); }
      } finally {
        if (had) { writeFileSync(rc, had); s.chownToUser(rc); } else rmSync(rc, { force: true });
      }
    });
  } finally {
    await s.stop();
  }
});
