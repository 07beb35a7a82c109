// The costs of issue 11's large-file features, engine API, on loopback against the test harness's
// OpenSSH sshd and pure-ftpd (root needed, as for `npm run bench`):
//   node --import tsx bench/large-files.ts [--mib 64] [--runs 3]
// For one file of N MiB, per protocol: a plain upload (resuming off), a resumable upload (the
// partial record and the commit), "verify": "hash" (SFTP sha256sum over SSH, pure-ftpd read back),
// and the rerun that continues an upload cancelled at half (with its 64 KiB tail check).
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RemoteSpec } from '../src/core/types.js';
import type { TransferSettings } from '../src/core/transfer/policy.js';
import { SyncSession } from '../src/core/session.js';
import { createTarget, remoteId } from '../src/core/targets/index.js';
import { startSshd } from '../test/harness/sshd.js';
import { startFtpd } from '../test/harness/ftpd.js';
import { median, MiB } from './lib/util.js';

const arg = (name: string, dflt: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const SIZE = arg('mib', 64) * MiB;
const RUNS = arg('runs', 3);

interface Remote { spec: RemoteSpec; absolute: string }

async function upload(local: string, r: Remote, transfer: TransferSettings, abortAt?: number): Promise<number> {
  const s = new SyncSession({ local: createTarget({ protocol: 'local', path: local }), remote: createTarget(r.spec), localRoot: local, remoteId: remoteId(r.spec) });
  const c = new AbortController();
  const t = process.hrtime.bigint();
  try {
    await s.run({
      mode: 'upload', transfer, signal: c.signal,
      onProgress: (e) => { if (abortAt !== undefined && e.type === 'bytes' && e.bytes >= abortAt) c.abort(); },
    });
  } finally {
    await s.close();
  }
  return Number(process.hrtime.bigint() - t) / 1e9;
}

async function measure(proto: string, fresh: () => Remote): Promise<void> {
  const local = mkdtempSync(join(tmpdir(), 'rs-bench-large-'));
  writeFileSync(join(local, 'big.bin'), randomBytes(SIZE));
  const cases: [string, (r: Remote) => Promise<number>][] = [
    ['plain upload (resumeAbove off)', (r) => upload(local, r, { resumeAbove: null })],
    ['resumable upload (default)', (r) => upload(local, r, {})],
    ['verify "hash"', (r) => upload(local, r, { verify: 'hash' })],
    ['rerun after a cancel at half', async (r) => { await upload(local, r, {}, SIZE / 2); return upload(local, r, {}); }],
  ];
  // one untimed run first: JIT, key loading, the server's first session
  { const r = fresh(); try { await upload(local, r, {}); } finally { rmSync(r.absolute, { recursive: true, force: true }); rmSync(join(local, '.remote-sync'), { recursive: true, force: true }); } }
  for (const [name, fn] of cases) {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      rmSync(join(local, '.remote-sync'), { recursive: true, force: true });
      const r = fresh();
      try { times.push(await fn(r)); } finally { rmSync(r.absolute, { recursive: true, force: true }); }
    }
    const sec = median(times);
    console.log(`| ${proto} | ${name} | ${sec.toFixed(3)} s | ${(SIZE / MiB / sec).toFixed(0)} MiB/s |`);
  }
  rmSync(local, { recursive: true, force: true });
}

async function main(): Promise<void> {
  console.log(`| Protocol | ${SIZE / MiB} MiB file | Time (median of ${RUNS}) | Rate |\n|---|---|---|---|`);
  const sshd = await startSshd();
  if ('skip' in sshd) console.log(`| SFTP | skipped: ${sshd.skip} | | |`);
  else {
    let n = 0;
    try {
      await measure('SFTP', () => {
        const absolute = sshd.makeRemoteDir(`large-${n++}`);
        mkdirSync(absolute, { recursive: true });
        return { absolute, spec: { protocol: 'sftp', host: sshd.host, port: sshd.port, user: sshd.user, path: absolute, identity: sshd.keyFile, knownHosts: sshd.knownHostsFile, agent: false } };
      });
    } finally { await sshd.stop(); }
  }
  const ftpd = await startFtpd({ tls: 'none' });
  if ('skip' in ftpd) console.log(`| FTP | skipped: ${ftpd.skip} | | |`);
  else {
    let n = 0;
    try {
      await measure('FTP', () => {
        const d = ftpd.makeRemoteDir(`large-${Date.now()}-${n++}`);
        return { absolute: d.absolute, spec: { protocol: 'ftp', host: ftpd.host, port: ftpd.port, user: ftpd.user, password: ftpd.password, path: d.ftpPath } };
      });
    } finally { await ftpd.stop(); }
  }
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
