// An FTP upload's replace exchanges ride with the next command on their connection
// (src/core/targets/ftp-context.ts ride(), ftp-replace.ts): the checks (MLST+MFMT+MLST), then the
// rename (RNFR+RNTO+MLST) go out with another file's commands, the connection back in the pool
// meanwhile; the executor keeps twice as many copies going as connections
// (TargetCapabilities.transferOverlap). Against the real daemons, pure-ftpd and ProFTPD: many small
// files, every one byte-exact under its name, no temps, mtimes kept (a second run has nothing to do);
// and the control connection dropped right after riding checks or a riding RNTO reached the server:
// the replace is retried one command at a time (a first try when the rename was not sent yet; else it
// sees the rename done), and the run completes without an error.
// Run: node --import tsx --test test/faults/ftp-rename-riding.test.ts
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFtpd, type FtpDaemon } from '../harness/ftpd.js';
import { runOnce, skipOrFail, type SyncEnv } from '../harness/env.js';
import { FaultProxy } from './proxy.js';

/** relative path → content of every file below `dir` (folders walked) */
function tree(dir: string, rel = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) { for (const [k, v] of tree(dir, p)) out.set(k, v); } else out.set(p, readFileSync(path.join(dir, p)));
  }
  return out;
}

function files(n: number): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (let i = 0; i < n; i++) out.set(`d${i % 4}/f${i}.bin`, randomBytes(200 + i * 37));
  out.set('empty.txt', Buffer.alloc(0));
  return out;
}

function sameTree(actual: Map<string, Buffer>, want: Map<string, Buffer>, what: string): void {
  assert.deepEqual([...actual.keys()].sort(), [...want.keys()].sort(), `${what}: exactly the files, no temps`);
  for (const [p, b] of want) assert.ok(actual.get(p)!.equals(b), `${what}: ${p} byte-exact`);
}

for (const daemon of ['pure-ftpd', 'proftpd'] as FtpDaemon[]) {
  test(`FTP uploads with the rename riding along, ${daemon}`, async (t) => {
    const server = await startFtpd({ tls: 'none', daemon });
    if ('skip' in server) { skipOrFail(server.skip); t.skip(server.skip); return; }
    const base = mkdtempSync(path.join(tmpdir(), 'rs-riding-'));
    const closers: Array<() => Promise<void>> = [];
    t.after(async () => {
      for (const c of closers) await c();
      await server.stop();
      rmSync(base, { recursive: true, force: true });
    });
    let n = 0;
    const env = (want: Map<string, Buffer>, proxy?: FaultProxy): SyncEnv => {
      const dir = server.makeRemoteDir(`r${++n}`);
      const local = path.join(base, `l${n}`);
      for (const [p, b] of want) {
        mkdirSync(path.dirname(path.join(local, p)), { recursive: true });
        writeFileSync(path.join(local, p), b);
      }
      return {
        name: daemon, local, remoteFs: dir.absolute,
        spec: { protocol: 'ftp', host: server.host, port: proxy?.port ?? server.port, user: server.user, password: server.password, path: dir.ftpPath, timeoutSeconds: 10 },
        cleanup: () => undefined,
      };
    };

    await step(t, '60 small files: every one under its name, byte-exact, mtimes kept (nothing to do next run), no temps', async () => {
      const want = files(60);
      const e = env(want);
      const r = await runOnce(e, { mode: 'upload' });
      assert.deepEqual(r.errors, []);
      assert.equal(r.stats.uploaded, want.size);
      sameTree(tree(e.remoteFs), want, 'server');
      const mtime = (p: string) => Math.floor(statSync(path.join(e.local, p)).mtimeMs / 1000);
      for (const p of want.keys()) assert.equal(Math.floor(statSync(path.join(e.remoteFs, p)).mtimeMs / 1000), mtime(p), `${p}: mtime set`);
      const again = await runOnce(e, { mode: 'sync' });
      assert.deepEqual(again.plan.actions.filter((a) => a.kind !== 'skip').map((a) => `${a.kind} ${a.path}`), []);
    });

    const riding = [
      // the checks (MLST temp + MFMT temp + MLST name) with another command after them: nothing renamed yet, the retry is a first try
      { what: 'riding checks (MFMT …, MLST …)', match: /^MFMT [^\r]*\r\nMLST [^\r]*\r\n./m },
      // the rename with another command after it: done on the server, the client never heard
      { what: 'a riding RNTO', match: /^RNTO [^\r]*\r\nMLST [^\r]*\r\n./m },
    ];
    for (const { what, match } of riding) for (const action of ['reset', 'close'] as const) {
      await step(t, `the control connection drops (${action}) right after ${what} reached the server: retried one at a time, no error`, async () => {
        const want = files(40);
        const proxy = await FaultProxy.start({
          target: { host: server.host, port: server.port }, ftp: true,
          fault: (c) => (c.kind === 'control' ? { direction: 'up', match, action, once: true } : undefined),
        });
        closers.push(() => proxy.stop());
        const e = env(want, proxy);
        const r = await runOnce(e, { mode: 'upload' });
        assert.equal(proxy.fired.length, 1, `a connection dropped after ${what}`);
        assert.deepEqual(r.errors, []);
        assert.equal(r.stats.uploaded, want.size);
        sameTree(tree(e.remoteFs), want, 'server');
      });
    }
  });
}

async function step(t: TestContext, name: string, fn: () => Promise<void>): Promise<void> {
  await t.test(name, fn);
}
