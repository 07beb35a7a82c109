// The cost of one server check (issue 8 item 3: "watchServer", "Sync: Check Server for Changes") on
// the benchmark's 10,000-file tree, over SFTP and FTP, next to the no-change sync it must stay under.
// A check is what the extension's server watch runs (SyncSession.checkServer): the server listed on the
// warm connection and compared with the last-sync state; only changed paths are looked up locally.
//
//   node --import tsx bench/server-check.ts            10,000 files in 200 folders (the benchmark's tree)
//   node --import tsx bench/server-check.ts --quick    500 files
//
// Prints one line per protocol: the median of 3 checks and of 3 no-change syncs (one warm session each).
import { mkdtempSync, rmSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshd } from '../test/harness/sshd.js';
import { startFtpd } from '../test/harness/ftpd.js';
import { ensureData } from './lib/data.js';
import { SyncSession } from '../src/core/session.js';
import { createTarget, remoteId } from '../src/core/targets/index.js';
import { serverChanges } from '../src/core/status/server-watch.js';
import type { RemoteSpec } from '../src/core/types.js';

const quick = process.argv.includes('--quick');
const spec = { seed: 20240102, files: quick ? 500 : 10_000, folders: quick ? 10 : 200, minSize: 512, maxSize: 8192, bigBytes: 1024 };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(label: string, remote: RemoteSpec, tree: string): Promise<void> {
  const local = mkdtempSync(join(tmpdir(), 'rs-check-local-'));
  cpSync(tree, local, { recursive: true, preserveTimestamps: true });
  const s = new SyncSession({
    local: createTarget({ protocol: 'local', path: local }), remote: createTarget(remote), localRoot: local, remoteId: remoteId(remote),
  });
  try {
    const first = await s.run({ mode: 'upload' });
    if (first.stats.errors) throw new Error(`${label}: the first upload failed: ${JSON.stringify(first.errors.slice(0, 3))}`);
    const checks: number[] = [];
    const syncs: number[] = [];
    for (let i = 0; i < 3; i++) {
      let t = performance.now();
      const checked = await s.checkServer();
      checks.push(performance.now() - t);
      const found = serverChanges(checked.actions).count;
      if (found) throw new Error(`${label}: a check of an unchanged server found ${found} changes`);
      t = performance.now();
      const r = await s.run({ mode: 'sync' });
      syncs.push(performance.now() - t);
      if (r.stats.uploaded + r.stats.downloaded) throw new Error(`${label}: a no-change sync transferred files`);
    }
    console.log(`${label}: ${spec.files.toLocaleString('en')} files: one server check ${(median(checks) / 1000).toFixed(2)} s ` +
      `(runs ${checks.map((x) => (x / 1000).toFixed(2)).join(', ')}), no-change sync ${(median(syncs) / 1000).toFixed(2)} s ` +
      `(runs ${syncs.map((x) => (x / 1000).toFixed(2)).join(', ')})`);
  } finally {
    await s.close();
    rmSync(local, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const data = ensureData(join(tmpdir(), `rs-server-check-data-${quick ? 'quick' : 'full'}`), spec, (m) => console.error(m));
  const sshd = await startSshd();
  if ('skip' in sshd) throw new Error(`sshd: ${sshd.skip}`);
  const ftpd = await startFtpd({ tls: 'none' });
  try {
    const dir = sshd.makeRemoteDir('server-check');
    await measure('SFTP', { protocol: 'sftp', host: sshd.host, port: sshd.port, user: sshd.user, identity: sshd.keyFile, knownHosts: sshd.knownHostsFile, agent: false, path: dir }, data.tree);
    if ('skip' in ftpd) console.log(`FTP: not measured (${ftpd.skip})`);
    else {
      const d = ftpd.makeRemoteDir('server-check');
      await measure('FTP', { protocol: 'ftp', host: ftpd.host, port: ftpd.port, user: ftpd.user, password: ftpd.password, path: d.ftpPath }, data.tree);
    }
  } finally {
    await sshd.stop();
    if (!('skip' in ftpd)) await ftpd.stop();
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
