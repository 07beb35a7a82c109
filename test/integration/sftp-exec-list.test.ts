// The SFTP target's listing with `find` over an exec channel (sftp-exec-list.ts) against a real OpenSSH
// sshd: it must give exactly what the SFTP walk gives, or undefined (then the target walks over SFTP).
//   node --import tsx --test --test-concurrency=1 test/integration/sftp-exec-list.test.ts
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { SyncError } from '../../src/core/errors.js';
import { SftpTarget } from '../../src/core/targets/sftp.js';
import type { SftpConnection } from '../../src/core/targets/sftp-connect.js';
import { walkSftp, type SftpListing } from '../../src/core/targets/sftp-list.js';
import { execListSftp } from '../../src/core/targets/sftp-exec-list.js';
import type { PathIndex } from '../../src/core/listing/listing.js';
import type { EntryType, ListOptions, Logger } from '../../src/core/types.js';
import type { RemoteSpec } from '../../src/core/remote-spec.js';
import { startSshd, type SshdServer } from '../harness/sshd.js';

const T = { timeout: 120_000 };
const byKey = <X>(k: (x: X) => string) => (a: X, b: X) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0);

/** a listing as plain sorted data */
function norm(l: SftpListing) {
  return {
    entries: [...l.out.values()].map((e) => ({ path: e.path, type: e.type, size: e.size, mtime: e.mtime, mode: e.mode })).sort(byKey((e) => e.path)),
    stale: [...l.stale].sort(),
    bad: l.bad.map((b) => ({ path: b.path, name: b.name, message: b.message })).sort(byKey((b) => `${b.path}\0${b.name}`)),
    unreadable: l.unreadable.map((u) => ({ path: u.path, message: u.message })).sort(byKey((u) => u.path)),
  };
}

/** find's listing is exactly the SFTP walk's (the entries' differences spelled out first) */
function assertSame(fast: SftpListing | undefined, slow: SftpListing, what: string): void {
  assert.ok(fast, `${what}: execListSftp returned undefined`);
  const a = norm(fast), b = norm(slow);
  const other = new Map(b.entries.map((e) => [e.path, e]));
  const diffs: string[] = [];
  for (const e of a.entries) {
    const o = other.get(e.path);
    if (!o) diffs.push(`only find: ${JSON.stringify(e)}`);
    else if (!isDeepStrictEqual(o, e)) diffs.push(`find ${JSON.stringify(e)} / sftp ${JSON.stringify(o)}`);
    other.delete(e.path);
  }
  for (const o of other.values()) diffs.push(`only sftp: ${JSON.stringify(o)}`);
  assert.deepEqual(diffs, [], `${what}: entries differ`);
  assert.deepEqual(a, b, what);
}

const writeAt = (p: string | Buffer, body = 'x') => { mkdirSync(dirname(p.toString()), { recursive: true }); writeFileSync(p, body); };
const rawName = (dir: string, bytes: number[]) => Buffer.concat([Buffer.from(dir + '/'), Buffer.from(bytes)]);

/** every case of the differential test, written as root (chown'ed afterwards) */
function buildTree(d: string, ext: string): void {
  writeAt(join(d, 'a/b/c/deep.txt'), 'deep');
  writeAt(join(d, 'a/b/mid.txt'), 'mid');
  mkdirSync(join(d, 'a/empty'), { recursive: true });
  mkdirSync(join(d, 'empty'));
  for (const [name, mode] of [['m600', 0o600], ['m755', 0o755], ['m644', 0o644], ['m444', 0o444], ['setuid', 0o4755], ['m000', 0o000]] as const) {
    writeAt(join(d, 'modes', name), name);
    chmodSync(join(d, 'modes', name), mode);
  }
  writeAt(join(d, 'private/secret'), 's');
  chmodSync(join(d, 'private'), 0o700);
  mkdirSync(join(d, 'sticky'));
  chmodSync(join(d, 'sticky'), 0o1777);
  for (const name of ['with space.txt', ' lead', 'trail ', 'line\nbreak.txt', '-leading-dash', '--', '-', 'é.txt', 'ctl\x01name', 'tab\tname',
    'pct%s%P%%.txt', "quote's", 'dq"x', '$(echo hi)', '`id`', '*star?', '[x]', '!bang', 'rs-end', 'rs-list-1', '.hidden', '.git/config']) {
    writeAt(join(d, name), name);
  }
  writeAt(join(d, '日本/語.txt'), 'ja');
  writeAt(join(d, 'rs-end-dir/rs-end'), 'e');
  // names checkRemoteName refuses: reported, their content not listed
  writeAt(join(d, 'back\\slash.txt'));
  writeAt(join(d, 'bad\\dir/inner.txt'));
  writeAt(join(d, 'a/b/bad\\deep/x/y.txt'));
  // temp names: stale, never listed (a temp folder's content neither)
  writeAt(join(d, '.rs-tmp-0123456789ab'));
  writeAt(join(d, 'a/.rs-tmp-aaaaaaaaaaaa'));
  writeAt(join(d, '.rs-tmp-folder000000/inside.txt'));
  writeAt(join(d, '.rs-tmp-folder000000/sub/more.txt'));
  // the state folder, at the root and deeper (and a file of that name)
  writeAt(join(d, '.remote-sync/state.json'), '{}');
  writeAt(join(d, 'a/b/.remote-sync/x/state.json'), '{}');
  writeAt(join(d, 'empty2/.remote-sync'), 'file');
  // links: followed (listed as what they point to), broken ones and pipes left out
  writeAt(join(ext, 'target.txt'), 'target body');
  writeAt(join(ext, 'dir/one.txt'), '1');
  writeAt(join(ext, 'dir/sub/two.txt'), '22');
  utimesSync(join(ext, 'target.txt'), 1600000000.5, 1600000000.5);
  symlinkSync(join(ext, 'target.txt'), join(d, 'to-file'));
  symlinkSync(join(ext, 'dir'), join(d, 'to-dir'));
  symlinkSync(join(ext, 'dir'), join(d, 'a/to-dir-again'));
  symlinkSync('a/b', join(d, 'to-sibling'));
  symlinkSync('../modes/m644', join(d, 'modes/rel-link'));
  symlinkSync(join(ext, 'nowhere'), join(d, 'broken'));
  symlinkSync(join(ext, 'nowhere'), join(d, '.rs-tmp-brokenlink00'));
  symlinkSync(join(ext, 'nowhere'), join(d, 'broken\\bad'));
  execFileSync('mkfifo', [join(d, 'fifo')]);
  symlinkSync('fifo', join(d, 'to-fifo'));
  writeAt(join(d, 'big.bin'), '');
  truncateSync(join(d, 'big.bin'), 5 * 2 ** 30); // sparse, over 2^32
  for (let i = 0; i < 1500; i++) writeAt(join(d, 'many', `file-with-a-rather-long-name-to-fill-the-channel-${String(i).padStart(5, '0')}.txt`), String(i));
  // times last (writing into a folder changes its time)
  const times: [string, number][] = [['frac.txt', 1700000000.75], ['frac2.txt', 1700000000.999], ['old.txt', 315532800.25], ['future.txt', 2114380800.5],
    ['y2100.txt', 4102444800.5], ['exact.txt', 1700000001]];
  for (const [name, t] of times) { writeAt(join(d, 'times', name), name); utimesSync(join(d, 'times', name), t, t); }
  utimesSync(join(d, 'times'), 2114380800.9, 2114380800.9);
  utimesSync(join(d, 'a/empty'), 315532800.1, 315532800.1);
}

test('execListSftp against OpenSSH sshd', async (t) => {
  const started = await startSshd();
  if ('skip' in started) { t.skip(started.skip); return; }
  const s: SshdServer = started;
  const open: SftpTarget[] = [];
  const logs: string[] = [];
  const log: Logger = { error: (m) => logs.push(m), warn: (m) => logs.push(m), info: (m) => logs.push(m), debug: (m) => logs.push(m) };
  const specOf = (path: string, extra: Partial<RemoteSpec> = {}, srv: SshdServer = s): RemoteSpec => ({
    protocol: 'sftp', host: srv.host, port: srv.port, user: srv.user, path,
    identity: srv.keyFile, knownHosts: srv.knownHostsFile, agent: false, ...extra,
  });
  const target = (sp: RemoteSpec) => { const tg = new SftpTarget(sp, { credentials: {}, log }); open.push(tg); return tg; };
  const connOf = (tg: SftpTarget) => (tg as any).connection() as Promise<SftpConnection>;
  /** both listings of `path` on one fresh connection: find's first, then the SFTP walk's */
  const both = async (path: string, options: ListOptions = {}, srv: SshdServer = s) => {
    const spec = specOf(path, {}, srv);
    const tg = target(spec);
    const c = await connOf(tg);
    const ctx = { spec, log };
    const fast = await execListSftp(c, options, ctx);
    const slow = await walkSftp(c, options, ctx);
    await tg.close();
    return { fast, slow };
  };
  /** the target's own list() falls back: the SFTP walk's listing, listMethod 'sftp' */
  const listsOverSftp = async (path: string, slow: SftpListing, srv: SshdServer = s) => {
    const tg = target(specOf(path, {}, srv));
    const l = await tg.list();
    assert.equal(tg.listMethod, 'sftp');
    assertSame({ out: l, stale: tg.staleTemps, bad: tg.badNames, unreadable: tg.unreadable }, slow, 'list() after the fallback');
    await tg.close();
  };
  const shellOf = () => execFileSync('getent', ['passwd', s.user]).toString().trim().split(':')[6];
  const withShell = async (shell: string, fn: () => Promise<void>) => {
    const before = shellOf();
    execFileSync('usermod', ['-s', shell, s.user]);
    try { await fn(); } finally { execFileSync('usermod', ['-s', before, s.user]); }
    assert.equal(shellOf(), before);
  };

  const d = s.makeRemoteDir('tree');
  const ext = s.makeRemoteDir('ext');
  buildTree(d, ext);
  s.chownToUser(d);
  s.chownToUser(ext);

  try {
    await t.test('the same listing as the SFTP walk: odd names, times, modes, links, temps, bad names', T, async () => {
      const { fast, slow } = await both(d);
      // the tree is what it should be (a comparison of two empty listings would prove nothing)
      const paths = new Set([...slow.out.keys()]);
      for (const p of ['a/b/c/deep.txt', 'a/empty', 'to-file', 'to-dir/sub/two.txt', 'a/to-dir-again/one.txt', 'to-sibling/c/deep.txt', 'line\nbreak.txt',
        '日本/語.txt', 'big.bin', 'modes/rel-link', 'many/file-with-a-rather-long-name-to-fill-the-channel-01499.txt']) {
        assert.ok(paths.has(p), `the SFTP walk lists ${JSON.stringify(p)}`);
      }
      for (const p of ['broken', 'fifo', 'to-fifo', '.remote-sync', 'a/b/.remote-sync', 'empty2/.remote-sync', '.rs-tmp-folder000000/inside.txt']) {
        assert.ok(!paths.has(p), `the SFTP walk leaves out ${JSON.stringify(p)}`);
      }
      assert.equal(slow.out.get('big.bin')?.size, 5 * 2 ** 30);
      assert.equal(slow.out.get('times/frac.txt')?.mtime, 1700000000_000);
      assert.equal(slow.out.get('modes/setuid')?.mode, 0o755);
      assert.deepEqual([...slow.stale].sort(), ['.rs-tmp-0123456789ab', '.rs-tmp-brokenlink00', '.rs-tmp-folder000000', 'a/.rs-tmp-aaaaaaaaaaaa']);
      assert.deepEqual(slow.bad.map((b) => `${b.path}|${b.name}`).sort(), ['|back\\slash.txt', '|bad\\dir', '|broken\\bad', 'a/b|bad\\deep', 'to-sibling|bad\\deep'].sort());
      assertSame(fast, slow, 'whole tree');
    });

    await t.test('the same with include (a folder, a file pattern), prune and an index', T, async () => {
      const include = (p: string, type: EntryType) => !(type === 'dir' && (p === 'a/b' || p.endsWith('many') || p === 'to-dir')) && !(type === 'file' && p.endsWith('.txt'));
      const r1 = await both(d, { include, prune: [{ name: 'many', dirOnly: true }] });
      assert.ok(!r1.slow.out.has('a/b') && !r1.slow.out.has('a/b/c') && !r1.slow.out.has('to-dir') && r1.slow.out.has('a/to-dir-again'));
      assert.ok(![...r1.slow.out.keys()].some((p) => p.endsWith('.txt')) && r1.slow.out.has('frac.txt') === false && r1.slow.out.has('rs-end'));
      assertSame(r1.fast, r1.slow, 'include + prune');
      // a pruned folder is not read at all: an unreadable one does not stop find
      const pr = s.makeRemoteDir('prune');
      writeAt(join(pr, 'x/skipme/f'));
      writeAt(join(pr, 'x/keep'));
      s.chownToUser(pr);
      chmodSync(join(pr, 'x/skipme'), 0o000);
      const r3 = await both(pr, { include: (p, type) => !(type === 'dir' && p.endsWith('skipme')), prune: [{ name: 'skipme', dirOnly: true }] });
      assertSame(r3.fast, r3.slow, 'an unreadable pruned folder');
      const keys = ['a', 'a/b/c/deep.txt', 'times/frac.txt', 'gone.txt'];
      const index: PathIndex = { lookup: (p) => keys.indexOf(p), keyAt: (i) => keys[i], generation: 0, size: keys.length };
      const r2 = await both(d, { index });
      assertSame(r2.fast, r2.slow, 'with an index');
    });

    await t.test('root paths: quoted alike in every shell, or refused', T, async () => {
      const odd = join(d, 'root with space $HOME `id` ; "dq" é%s*');
      writeAt(join(odd, 'inner/file.txt'), 'f');
      s.chownToUser(d);
      const ok = await both(odd);
      assertSame(ok.fast, ok.slow, 'odd root');
      for (const name of ["it's", 'back\\slash', 'bang!']) {
        const root = join(d, name);
        writeAt(join(root, 'file.txt'), 'f');
        s.chownToUser(root);
        const r = await both(root);
        assert.equal(r.fast, undefined, `a root with ${name}`);
        await listsOverSftp(root, r.slow);
      }
      const linked = join(ext, 'root-link');
      symlinkSync(join(d, 'a'), linked);
      const viaLink = await both(linked);
      assertSame(viaLink.fast, viaLink.slow, 'a root reached through a symbolic link');
    });

    await t.test('falls back when find cannot list it all: a link loop, an unreadable folder or link target', T, async () => {
      const cases: [string, (root: string) => void][] = [
        ['loop', (r) => { writeAt(join(r, 'sub/f')); symlinkSync('..', join(r, 'sub/up')); }],
        ['unreadable', (r) => { writeAt(join(r, 'locked/f')); chmodSync(join(r, 'locked'), 0o000); }],
        // (read over SFTP by its name decoded as UTF-8, which is another name: ENOENT)
        ['a folder named in bytes that are not UTF-8', (r) => { mkdirSync(rawName(r, [0x62, 0xfe])); writeFileSync(Buffer.concat([rawName(r, [0x62, 0xfe]), Buffer.from('/in')]), 'x'); }],
        ['link into a locked folder', (r) => { writeAt(join(r, 'f')); writeAt(join(ext, 'locked/t')); chmodSync(join(ext, 'locked'), 0o000); symlinkSync(join(ext, 'locked/t'), join(r, 'l')); }],
      ];
      for (const [name, make] of cases) {
        const root = s.makeRemoteDir(name);
        make(root);
        s.chownToUser(root);
        const r = await both(root);
        assert.ok(r.slow.unreadable.length > 0, `${name}: the SFTP walk reports it (${JSON.stringify(r.slow.unreadable)})`);
        assert.ok(!r.fast, `${name}: find listed ${JSON.stringify(r.fast && norm(r.fast))}, the SFTP walk ${JSON.stringify(norm(r.slow))}`);
        await listsOverSftp(root, r.slow);
      }
    });

    await t.test('undefined or the same: a link cycle, names decoded alike in the root, times before 1970', T, async () => {
      const cases: [string, (root: string) => void][] = [
        ['link cycle', (r) => { writeAt(join(r, 'f')); symlinkSync('b', join(r, 'a')); symlinkSync('a', join(r, 'b')); }],
        // (stat over SFTP by the decoded name: ENOENT, taken for a broken link and left out)
        ['a link named in bytes that are not UTF-8', (r) => { writeAt(join(r, 'f')); symlinkSync('f', rawName(r, [0x6c, 0xff])); }],
        ['after 2106', (r) => { writeAt(join(r, 'sub/late')); execFileSync('touch', ['-m', '-d', '2200-01-01 UTC', join(r, 'sub/late')]); }],
        ['names decoded alike', (r) => { writeFileSync(rawName(r, [0x62, 0xfe]), 'x'); writeFileSync(rawName(r, [0x62, 0xfd]), 'yy'); }],
        ['a file named in bytes that are not UTF-8', (r) => { writeAt(join(r, 'f')); writeFileSync(rawName(r, [0x66, 0xff, 0x6f]), 'x'); }],
        ['names decoded alike in a folder', (r) => { mkdirSync(join(r, 'dup')); writeFileSync(rawName(join(r, 'dup'), [0x66, 0xfe, 0x6f]), 'short'); writeFileSync(rawName(join(r, 'dup'), [0x66, 0xfd, 0x6f]), 'longer body'); }],
        ['a name with U+FFFD itself (valid UTF-8)', (r) => { writeAt(join(r, 'sub/x\ufffdy')); }],
        ['1960', (r) => { writeAt(join(r, 'sub/old')); execFileSync('touch', ['-m', '-d', '1960-01-01 00:00:00.5 UTC', join(r, 'sub/old')]); }],
      ];
      for (const [name, make] of cases) {
        const root = s.makeRemoteDir(name);
        make(root);
        s.chownToUser(root);
        const r = await both(root);
        t.diagnostic(`${name}: ${r.fast ? 'listed by find' : 'undefined'}`);
        if (r.fast) assertSame(r.fast, r.slow, name);
        else await listsOverSftp(root, r.slow);
      }
    });

    await t.test('login shells: bash (default), sh, zsh, fish list alike; /bin/false falls back', T, async (tt: TestContext) => {
      const root = join(d, 'root with space $HOME `id` ; "dq" é%s*');
      const base = await both(root);
      assertSame(base.fast, base.slow, 'bash');
      // (fish makes ~/.config/fish and ~/.local/share/fish: removed afterwards when they were not there)
      const home = join('/home', s.user);
      const made = ['.config', '.local'].filter((n) => !existsSync(join(home, n)));
      tt.after(() => { for (const n of made) rmSync(join(home, n), { recursive: true, force: true }); });
      for (const shell of ['/bin/sh', '/usr/bin/zsh', '/usr/bin/fish']) {
        if (!existsSync(shell)) { tt.diagnostic(`${shell} is not installed: skipped`); continue; }
        await withShell(shell, async () => {
          const r = await both(root);
          assertSame(r.fast, r.slow, shell);
          const small = await both(join(d, 'a'));
          assertSame(small.fast, small.slow, `${shell}, a plain root`);
        });
      }
      await withShell('/bin/false', async () => {
        const r = await both(join(d, 'a'));
        assert.equal(r.fast, undefined, '/bin/false');
        await listsOverSftp(join(d, 'a'), r.slow);
      });
    });

    await t.test('a shell that prints a banner: a right listing or undefined', T, async () => {
      const rc = join('/home', s.user, '.bashrc');
      const had = existsSync(rc) ? readFileSync(rc) : undefined;
      try {
        for (const banner of ['echo hello', 'printf "rs-list-1\\0"', 'echo hello >&2']) {
          writeFileSync(rc, Buffer.concat([Buffer.from(`${banner}\n`), had ?? Buffer.alloc(0)]));
          const r = await both(join(d, 'a'));
          t.diagnostic(`banner ${JSON.stringify(banner)}: ${r.fast ? 'listed by find' : 'undefined'}`);
          if (r.fast) assertSame(r.fast, r.slow, banner);
          else await listsOverSftp(join(d, 'a'), r.slow);
        }
      } finally {
        if (had) writeFileSync(rc, had); else writeFileSync(rc, '');
        s.chownToUser(rc);
      }
      assert.deepEqual(existsSync(rc) ? readFileSync(rc) : undefined, had);
    });

    await t.test('a ForceCommand internal-sftp server: undefined, without waiting for a timeout', T, async () => {
      const forced = await startSshd({ extraConfig: ['ForceCommand internal-sftp'] });
      if ('skip' in forced) { t.skip(forced.skip); return; }
      try {
        const spec = specOf(join(d, 'a'), {}, forced);
        const tg = target(spec);
        const c = await connOf(tg);
        const began = Date.now();
        const fast = await execListSftp(c, {}, { spec, log });
        const took = Date.now() - began;
        assert.equal(fast, undefined);
        assert.ok(took < 8000, `took ${took} ms (the 10 s header wait?)`);
        const slow = await walkSftp(c, {}, { spec, log });
        await tg.close();
        await listsOverSftp(join(d, 'a'), slow, forced);
      } finally {
        await forced.stop();
      }
    });

    await t.test('a shell that sees another folder than the SFTP server: undefined', T, async (tt: TestContext) => {
      const root = s.makeRemoteDir('seen'), other = s.makeRemoteDir('other'), bin = s.makeRemoteDir('bin');
      writeAt(join(root, 'f'), 'short');
      writeAt(join(other, 'f'), 'longer');
      const wrapper = join(bin, 'sftp-ns');
      // the SFTP server in a mount namespace of its own, where `other` is mounted over `root`
      writeFileSync(wrapper, `#!/bin/sh\nexec unshare -rm sh -c 'mount --bind ${other} ${root} && exec /usr/lib/openssh/sftp-server'\n`, { mode: 0o755 });
      s.chownToUser(bin); s.chownToUser(root); s.chownToUser(other);
      try { execFileSync('su', [s.user, '-s', '/bin/sh', '-c', `unshare -rm mount --bind ${other} ${root}`], { stdio: 'pipe' }); } catch (e) {
        tt.skip(`no unprivileged mount namespaces here: ${String(e)}`); return;
      }
      const ns = await startSshd({ sftpSubsystem: wrapper });
      if ('skip' in ns) { tt.skip(ns.skip); return; }
      try {
        const r = await both(root, {}, ns);
        assert.equal(r.slow.out.get('f')?.size, 6, 'the SFTP server sees the other folder');
        assert.ok(!r.fast, `find listed ${JSON.stringify(r.fast && norm(r.fast))}`);
        await listsOverSftp(root, r.slow, ns);
      } finally { await ns.stop(); }
    });

    await t.test('sshCommands: false lists over SFTP, alike', T, async () => {
      const on = target(specOf(d));
      const off = target(specOf(d, { sshCommands: false }));
      const a = await on.list();
      assert.equal(on.listMethod, 'find');
      const b = await off.list();
      assert.equal(off.listMethod, 'sftp');
      assertSame({ out: a, stale: on.staleTemps, bad: on.badNames, unreadable: on.unreadable },
        { out: b, stale: off.staleTemps, bad: off.badNames, unreadable: off.unreadable }, 'find vs sftp through list()');
      await on.close();
      await off.close();
    });

    await t.test('cancelled: before it starts, and from within the listing', T, async () => {
      const spec = specOf(d);
      const tg = target(spec);
      const c = await connOf(tg);
      const aborted = (e: unknown) => e instanceof SyncError && e.code === 'aborted';
      const ac = new AbortController();
      ac.abort();
      await assert.rejects(execListSftp(c, { signal: ac.signal }, { spec, log }), aborted);
      await assert.rejects(tg.list({ signal: ac.signal }), aborted);
      const mid = new AbortController();
      await assert.rejects(execListSftp(c, { signal: mid.signal, include: () => { mid.abort(); return true; } }, { spec, log }), aborted);
      // the connection is still good afterwards
      assertSame(await execListSftp(c, {}, { spec, log }), await walkSftp(c, {}, { spec, log }), 'after a cancel');
      await tg.close();
    });
  } finally {
    for (const tg of open) await tg.close().catch(() => undefined);
    await s.stop();
  }
});
