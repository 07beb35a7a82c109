// (e) save-to-server latency: one file saved through the engine, over SFTP and FTP.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { median, percentile, syncDisks } from './util.js';
import type { SaveResult } from './worker.js';
import { ftpd, opts, sshd, work } from './context.js';
import { errorRow, log, notes, raw, rows } from './results.js';
import { ftpSpec, rm, sftpSpec, workerRun } from './tools.js';
/** (e) save-to-server latency */
export async function saveLatency(proto: 'sftp' | 'ftp'): Promise<void> {
  const saves = opts.quick ? 50 : 200;
  const scenario = `Save latency, 4 KB file × ${saves}, ${proto.toUpperCase()} (warm connection)`;
  const local = mkdtempSync(join(work, `save-${proto}-`));
  const R = proto === 'sftp' ? { absolute: sshd!.makeRemoteDir('bench-save'), ftpPath: '' } : ftpd!.makeRemoteDir(`save-${Date.now()}`);
  const spec = proto === 'sftp' ? sftpSpec(R.absolute) : ftpSpec(R.ftpPath);
  try {
    syncDisks();
    const res = await workerRun({ kind: 'save', spec, local, file: 'page.html', size: 4096, saves, warmup: 5, pauseMs: 15, concurrency: opts.concurrency, out: join(work, `save-${proto}.json`) }) as SaveResult;
    raw[`save-${proto}`] = res;
    const bad = Object.entries(res.statuses).filter(([k]) => k !== 'uploaded');
    if (bad.length) notes.push(`${scenario}: not every save uploaded: ${JSON.stringify(res.statuses)} — a changed file the handler did not upload.`);
    const med = median(res.save), p99 = percentile(res.save, 99);
    const bMed = median(res.bare), bP99 = percentile(res.bare, 99);
    const inHandler = res.save.map((s, i) => s - res.saveRemote[i]);
    const goal = proto === 'sftp' ? 'median ≤ 20 ms, p99 ≤ 50 ms' : '(no goal; reported)';
    const ok = med <= 20 && p99 <= 50;
    rows.push({ scenario, tool: `remote-sync \`saveFiles([path])\`${bad.length ? ` (${JSON.stringify(res.statuses)})` : ''}`, runs: String(res.save.length), time: `median ${med.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`, rate: `${(1000 / med).toFixed(0)} saves/s`, memory: '', goal, result: proto === 'sftp' ? (ok ? 'PASS' : 'MISS') : '' });
    rows.push({ scenario, tool: 'bare `remote.stat` + `remote.write` (same target, atomic write)', runs: String(res.bare.length), time: `median ${bMed.toFixed(1)} ms, p99 ${bP99.toFixed(1)} ms`, rate: '', memory: '', goal: '', result: '' });
    rows.push({ scenario, tool: 'handler overhead', runs: String(res.save.length), time: `${(med - bMed).toFixed(1)} ms (median save − median bare); ${median(inHandler).toFixed(1)} ms median outside remote calls`, rate: '', memory: '', goal: '', result: '' });
    log(`save ${proto}: median ${med.toFixed(1)} ms p99 ${p99.toFixed(1)} ms; bare median ${bMed.toFixed(1)} ms; outside remote calls ${median(inHandler).toFixed(2)} ms`);
  } catch (e) {
    errorRow(scenario, 'remote-sync `saveFiles([path])`', (e as Error).message, proto === 'sftp' ? 'median ≤ 20 ms, p99 ≤ 50 ms' : '');
  } finally {
    rm(R.absolute);
    rm(local);
  }
}
