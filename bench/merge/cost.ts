// The cost of keeping common versions for three-way merges ("mergeBase", issue 9): disk use of
// `.remote-sync/base` and the extra time of a first upload and of a save, with mergeBase on
// (default, 1 MB) against mergeBase: false, over SFTP to the harness's sshd on loopback.
//
//   node --import tsx bench/merge/cost.ts [--files 10000] [--runs 3] [--saves 200]
//
// Trees: the benchmark's shape (files of 512–8,192 bytes, uniform, in folders of 50). "binary": the
// benchmark's own kind of content (random bytes: not text, so no blob is kept, only the check);
// "text": the same random bytes as base64 lines (text, barely compressible: a worst case for disk).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startSshd } from '../../test/harness/sshd.js';
import { SyncSession } from '../../src/core/session.js';
import { createTarget, remoteId } from '../../src/core/targets/index.js';
import type { RemoteSpec } from '../../src/core/types.js';

const arg = (name: string, def: number) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : def; };
const FILES = arg('--files', 10_000);
const RUNS = arg('--runs', 3);
const SAVES = arg('--saves', 200);

let seed = 7;
const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };

function makeTree(dir: string, kind: 'binary' | 'text'): number {
  let bytes = 0;
  seed = 7;
  for (let i = 0; i < FILES; i++) {
    const folder = join(dir, `d${String(Math.floor(i / 50)).padStart(3, '0')}`);
    if (i % 50 === 0) mkdirSync(folder, { recursive: true });
    const size = 512 + Math.floor(rnd() * (8192 - 512 + 1));
    let content: Buffer;
    if (kind === 'binary') content = randomBytes(size);
    else content = Buffer.from((randomBytes(size).toString('base64').match(/.{1,76}/g) ?? []).join('\n').slice(0, size - 1) + '\n');
    writeFileSync(join(folder, `f${i}.dat`), content);
    bytes += content.length;
  }
  return bytes;
}

const du = (dir: string) => Number(execFileSync('du', ['-sk', '--apparent-size', dir]).toString().split('\t')[0]) * 1024;
const duDisk = (dir: string) => Number(execFileSync('du', ['-sk', dir]).toString().split('\t')[0]) * 1024;
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

function session(local: string, spec: RemoteSpec, on: boolean): SyncSession {
  return new SyncSession({
    local: createTarget({ protocol: 'local', path: local }), remote: createTarget(spec),
    localRoot: local, remoteId: remoteId(spec), mergeBase: on ? { maxFileSize: 1024 * 1024 } : false,
  });
}

async function main(): Promise<void> {
  const sshd = await startSshd();
  if ('skip' in sshd) throw new Error(sshd.skip);
  const work = mkdtempSync(join(tmpdir(), 'rs-merge-cost-'));
  const out: string[] = [];
  try {
    for (const kind of ['binary', 'text'] as const) {
      const local = join(work, kind);
      const bytes = makeTree(local, kind);
      const times: Record<'on' | 'off', number[]> = { on: [], off: [] };
      let disk = { apparent: 0, blocks: 0, blobs: 0 };
      for (let run = 0; run < RUNS; run++) {
        for (const mode of (run % 2 ? ['on', 'off'] : ['off', 'on']) as ('on' | 'off')[]) {
          rmSync(join(local, '.remote-sync'), { recursive: true, force: true });
          const remote = sshd.makeRemoteDir(`cost-${kind}-${mode}-${run}`);
          const spec: RemoteSpec = { protocol: 'sftp', host: sshd.host, port: sshd.port, user: sshd.user, path: remote, identity: sshd.keyFile, knownHosts: sshd.knownHostsFile, agent: false };
          execFileSync('sync');
          const s = session(local, spec, mode === 'on');
          const t = performance.now();
          const r = await s.run({ mode: 'upload' });
          await s.close();
          times[mode].push((performance.now() - t) / 1000);
          if (r.stats.uploaded !== FILES || r.errors.length) throw new Error(`${kind} ${mode}: uploaded ${r.stats.uploaded}, errors ${JSON.stringify(r.errors.slice(0, 2))}`);
          if (mode === 'on') {
            const base = join(local, '.remote-sync', 'base');
            let blobs = 0;
            try { blobs = readdirSync(base).length; } catch { /* none */ }
            disk = blobs ? { apparent: du(base), blocks: duDisk(base), blobs } : { apparent: 0, blocks: 0, blobs: 0 };
          }
          rmSync(remote, { recursive: true, force: true });
        }
      }
      const stateSize = statSync(readdirSync(join(local, '.remote-sync')).filter((n) => n.endsWith('.json')).map((n) => join(local, '.remote-sync', n))[0]).size;
      const on = median(times.on), off = median(times.off);
      out.push(`| First upload, ${FILES.toLocaleString('en')} files (${(bytes / 1048576).toFixed(1)} MiB, ${kind}), SFTP | ${off.toFixed(2)} s | ${on.toFixed(2)} s | ${(on - off >= 0 ? '+' : '')}${(on - off).toFixed(2)} s (${(((on - off) / off) * 100).toFixed(0)}%) | ${disk.blobs} blobs, ${(disk.apparent / 1048576).toFixed(1)} MiB (${(disk.blocks / 1048576).toFixed(1)} MiB on disk); state file ${(stateSize / 1024).toFixed(0)} KiB |`);
      console.log(out[out.length - 1], JSON.stringify(times));
      rmSync(local, { recursive: true, force: true });
    }

    // a save: 4 KB of new text content, saveFiles on a warm session, mergeBase on vs off
    for (const mode of ['off', 'on'] as const) {
      const local = join(work, `save-${mode}`);
      mkdirSync(local);
      const remote = sshd.makeRemoteDir(`cost-save-${mode}`);
      const spec: RemoteSpec = { protocol: 'sftp', host: sshd.host, port: sshd.port, user: sshd.user, path: remote, identity: sshd.keyFile, knownHosts: sshd.knownHostsFile, agent: false };
      const s = session(local, spec, mode === 'on');
      const times: number[] = [];
      for (let i = 0; i < SAVES + 5; i++) {
        writeFileSync(join(local, 'page.html'), (randomBytes(3072).toString('base64').match(/.{1,76}/g) ?? []).join('\n') + '\n');
        await new Promise((r) => setTimeout(r, 15));
        const t = performance.now();
        const res = await s.saveFiles(['page.html']);
        if (res.get('page.html')?.status !== 'uploaded') throw new Error(`save ${i}: ${JSON.stringify(res.get('page.html'))}`);
        if (i >= 5) times.push(performance.now() - t);
      }
      await s.close();
      const sorted = [...times].sort((a, b) => a - b);
      out.push(`| Save, 4 KB text × ${SAVES}, SFTP, mergeBase ${mode} | median ${median(times).toFixed(2)} ms, p99 ${sorted[Math.floor(sorted.length * 0.99)].toFixed(2)} ms |`);
      console.log(out[out.length - 1]);
      rmSync(remote, { recursive: true, force: true });
    }
  } finally {
    await sshd.stop();
    rmSync(work, { recursive: true, force: true });
  }
  console.log('\n' + out.join('\n'));
}

main().catch((e) => { console.error(e); process.exit(1); });
