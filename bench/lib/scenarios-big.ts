// The big-file scenarios: (d) uploading and downloading the one big file, over SFTP and FTP.
import { chownSync, copyFileSync, mkdtempSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fmtMem, fmtSec, MB } from './util.js';
import type { RunResult } from './worker.js';
import { cliFile, cliIdleRss, data, opts, work } from './context.js';
import { errorRow, maxOf, medianOf, raw, rows, runsCell, skipRow } from './results.js';
import { cliRun, engineRun, expectBig, lftp, rm, sftpBatch, tools, withoutState } from './tools.js';
import { limitGoal, missingGoal, timeGoal } from './goals.js';
import { type Contender, type Series, anchorMemCell, cliMemCell, engineMemCell, phaseTable, remoteDir, series } from './scenario-kit.js';
import { warmPages } from './warm-pages.js';

/** every timed big-file run starts on memory the guest holds (see warm-pages.ts) */
const warmth = () => ({ dir: work, bytes: Math.ceil(data.spec.bigBytes * 1.25) });
const warm = () => { const w = warmth(); warmPages(w.dir, w.bytes); };

/** (d) the big file */
export async function bigFile(proto: 'sftp' | 'ftp'): Promise<void> {
  const mib = data.spec.bigBytes / 1024 / 1024;
  const scenario = `${mib} MiB file upload, ${proto.toUpperCase()}`;
  const anchorTool = proto === 'sftp' ? 'sftp' : 'lftp';
  const anchorName = proto === 'sftp' ? 'OpenSSH sftp -b (put)' : 'lftp put';
  const engineName = 'remote-sync (engine API)';
  const cliName = 'remote-sync CLI (`upload`, wall time incl. node start)';
  const mbps = (sec: number) => data.spec.bigBytes / MB / sec;
  const contenders: Contender[] = [];
  if (!opts.anchors) skipRow(scenario, anchorName, '--no-anchors');
  else if (!tools[anchorTool]) skipRow(scenario, anchorName, `${anchorTool} is not installed`);
  else {
    contenders.push({ key: 'anchor', label: `big ${proto} / ${anchorName}`, fn: async () => {
      const R = remoteDir(proto, 'bench-anchor-big');
      try {
        warm();
        const r = proto === 'sftp'
          ? await sftpBatch([`put "${data.bigFile}" "${R.remotePath}/big.bin"`])
          : await lftp(`put "${data.bigFile}" -o "${R.remotePath}/big.bin"`);
        expectBig(join(R.absolute, 'big.bin'));
        return { seconds: r.seconds, memPeak: r.maxRss };
      } finally { rm(R.absolute); }
    } });
  }
  const results: RunResult[] = [];
  contenders.push({ key: 'engine', label: `big ${proto} / remote-sync engine`, fn: () => withoutState(data.bigDir, async () => {
    const R = remoteDir(proto, 'bench-rs-big');
    try {
      const res = await engineRun(R.spec, data.bigDir, 'upload', warmth());
      expectBig(join(R.absolute, 'big.bin'));
      results.push(res);
      return { seconds: res.seconds, mem: res.rssGrowth, memPeak: res.rssPeak };
    } finally {
      rm(R.absolute);
      rm(join(data.bigDir, '.remote-sync'));
    }
  }) });
  if (cliFile) {
    contenders.push({ key: 'cli', label: `big ${proto} / remote-sync CLI`, fn: () => withoutState(data.bigDir, async () => {
      const R = remoteDir(proto, 'bench-cli-big');
      try {
        warm();
        const r = await cliRun('upload', data.bigDir, R.spec);
        expectBig(join(R.absolute, 'big.bin'));
        return { seconds: r.seconds, memPeak: r.maxRss };
      } finally {
        rm(R.absolute);
        rm(join(data.bigDir, '.remote-sync'));
      }
    }) });
  }
  const res = await series(contenders);

  const anchor = res.get('anchor');
  const anchorRate = anchor?.samples.length ? mbps(medianOf(anchor.samples, 'seconds')) : undefined;
  if (anchor?.samples.length) {
    rows.push({ scenario, tool: anchorName, runs: runsCell(anchor.samples), time: `${fmtSec(medianOf(anchor.samples, 'seconds'))} s`, rate: `${anchorRate!.toFixed(0)} MB/s`, memory: anchorMemCell(anchor.samples), goal: '', result: '' });
  }
  if (anchor?.error) errorRow(scenario, anchorName, anchor.error);
  const goal = `≥ 90% of ${anchorTool}${anchorRate ? ` (≥ ${(anchorRate * 0.9).toFixed(0)} MB/s)` : ''}; memory growth < 100 MB`;
  const verdict = (sec: number, growth: number | undefined) => {
    const fails: string[] = [];
    const pct = anchorRate ? `${((mbps(sec) / anchorRate) * 100).toFixed(0)}% of ${anchorTool}` : 'no anchor';
    if (anchorRate === undefined || mbps(sec) < 0.9 * anchorRate) fails.push(pct);
    if (growth === undefined || growth >= 100 * MB) fails.push(`memory +${fmtMem(growth)}`);
    return fails.length ? `MISS (${fails.join(', ')})` : `PASS (${pct})`;
  };
  const e = res.get('engine')!;
  if (e.samples.length) {
    const sec = medianOf(e.samples, 'seconds');
    rows.push({ scenario, tool: engineName, runs: runsCell(e.samples), time: `${fmtSec(sec)} s`, rate: `${mbps(sec).toFixed(0)} MB/s`, memory: engineMemCell(e.samples), goal, result: verdict(sec, maxOf(e.samples, 'mem')) });
    phaseTable(scenario, results);
    raw[`big-${proto}-engine`] = results;
  }
  if (e.error) errorRow(scenario, engineName, e.error, goal);
  const c = res.get('cli');
  if (c?.samples.length) {
    const sec = medianOf(c.samples, 'seconds');
    const growth = cliIdleRss ? maxOf(c.samples, 'memPeak') - cliIdleRss : undefined;
    rows.push({ scenario, tool: cliName, runs: runsCell(c.samples), time: `${fmtSec(sec)} s`, rate: `${mbps(sec).toFixed(0)} MB/s`, memory: cliMemCell(c.samples), goal, result: verdict(sec, growth) });
  }
  if (c?.error) errorRow(scenario, cliName, c.error, goal);
  cliMemoryGoal(`${mib} MiB upload, ${proto.toUpperCase()}`, c, anchor, anchorName);
}

/**
 * Issue 12's memory row: the remote-sync CLI process' peak RSS (/usr/bin/time %M, the whole
 * process: Node's own floor included, see `remote-sync --version` in the notes) during the big
 * transfer, ≤ 80 MB; the anchor's peak RSS beside it.
 */
function cliMemoryGoal(what: string, c: Series | undefined, anchor: Series | undefined, anchorName: string): void {
  const row = `memory: CLI peak RSS, ${what}`;
  if (!c) { missingGoal(row, '≤ 80 MB', 'CLI not measured'); return; }
  if (!c.samples.length) { missingGoal(row, '≤ 80 MB', c.error ?? 'no run'); return; }
  const peak = maxOf(c.samples, 'memPeak');
  const aPeak = anchor?.samples.length ? maxOf(anchor.samples, 'memPeak') : undefined;
  limitGoal({ row, value: peak, limit: 80 * MB, fmt: fmtMem, anchor: aPeak !== undefined && Number.isFinite(aPeak) ? `${fmtMem(aPeak)} (${anchorName})` : '—', anchorValue: aPeak,
    goal: `≤ 80 MB${cliIdleRss ? ` (idle CLI: ${fmtMem(cliIdleRss)})` : ''}` });
}

/**
 * (d') the big file downloaded: `download` of a server folder holding only the file into an empty
 * local folder, against `sftp get` / `lftp get`. Goal (issue 12): ≤ 1.1× the anchor's time, memory
 * growth ≤ 80 MB.
 */
export async function bigDownload(proto: 'sftp' | 'ftp'): Promise<void> {
  const mib = data.spec.bigBytes / 1024 / 1024;
  const scenario = `${mib} MiB file download, ${proto.toUpperCase()}`;
  const anchorTool = proto === 'sftp' ? 'sftp' : 'lftp';
  const anchorName = proto === 'sftp' ? 'OpenSSH sftp -b (get)' : 'lftp get';
  const engineName = 'remote-sync (engine API)';
  const cliName = 'remote-sync CLI (`download`, wall time incl. node start)';
  const mbps = (sec: number) => data.spec.bigBytes / MB / sec;
  // the server copy every contender reads (owned by the server's user)
  const R = remoteDir(proto, 'bench-big-down');
  const remoteFile = join(R.absolute, 'big.bin');
  copyFileSync(data.bigFile, remoteFile);
  const owner = statSync(R.absolute);
  chownSync(remoteFile, owner.uid, owner.gid);
  const fresh = () => mkdtempSync(join(work, `down-${proto}-`));
  const contenders: Contender[] = [];
  const results: RunResult[] = [];
  try {
    if (!opts.anchors) skipRow(scenario, anchorName, '--no-anchors');
    else if (!tools[anchorTool]) skipRow(scenario, anchorName, `${anchorTool} is not installed`);
    else {
      contenders.push({ key: 'anchor', label: `big-down ${proto} / ${anchorName}`, fn: async () => {
        const L = fresh();
        try {
          warm();
        const r = proto === 'sftp'
            ? await sftpBatch([`get "${R.remotePath}/big.bin" "${L}/big.bin"`])
            : await lftp(`get "${R.remotePath}/big.bin" -o "${L}/big.bin"`);
          expectBig(join(L, 'big.bin'));
          return { seconds: r.seconds, memPeak: r.maxRss };
        } finally { rm(L); }
      } });
    }
    contenders.push({ key: 'engine', label: `big-down ${proto} / remote-sync engine`, fn: async () => {
      const L = fresh();
      try {
        const res = await engineRun(R.spec, L, 'download', warmth());
        expectBig(join(L, 'big.bin'));
        results.push(res);
        return { seconds: res.seconds, mem: res.rssGrowth, memPeak: res.rssPeak };
      } finally { rm(L); }
    } });
    if (cliFile) {
      contenders.push({ key: 'cli', label: `big-down ${proto} / remote-sync CLI`, fn: async () => {
        const L = fresh();
        try {
          warm();
          const r = await cliRun('download', L, R.spec);
          expectBig(join(L, 'big.bin'));
          return { seconds: r.seconds, memPeak: r.maxRss };
        } finally { rm(L); }
      } });
    }
    const res = await series(contenders);
    const anchor = res.get('anchor');
    const anchorSec = anchor?.samples.length ? medianOf(anchor.samples, 'seconds') : undefined;
    if (anchorSec !== undefined) {
      rows.push({ scenario, tool: anchorName, runs: runsCell(anchor!.samples), time: `${fmtSec(anchorSec)} s`, rate: `${mbps(anchorSec).toFixed(0)} MB/s`, memory: anchorMemCell(anchor!.samples), goal: '', result: '' });
    }
    if (anchor?.error) errorRow(scenario, anchorName, anchor.error);
    const goal = `≤ 1.1× ${anchorTool}'s time${anchorSec ? ` (≤ ${fmtSec(anchorSec * 1.1)} s)` : ''}; memory growth ≤ 80 MB`;
    const goalCli = `≤ 1.1× ${anchorTool}'s time${anchorSec ? ` (≤ ${fmtSec(anchorSec * 1.1)} s)` : ''}; peak RSS ≤ 80 MB`;
    const verdict = (sec: number, growth: number | undefined) => {
      const ratio = anchorSec ? `${(sec / anchorSec).toFixed(2)}× ${anchorTool}` : 'no anchor';
      const fails: string[] = [];
      if (anchorSec === undefined || sec > 1.1 * anchorSec) fails.push(ratio);
      if (growth === undefined || growth > 80 * MB) fails.push(`memory ${fmtMem(growth)}`);
      return fails.length ? `MISS (${fails.join(', ')})` : `PASS (${ratio})`;
    };
    const goalRow = `${mib} MiB download, ${proto.toUpperCase()}`;
    const anchorLabel = proto === 'sftp' ? 'sftp get' : 'lftp get';
    const e = res.get('engine')!;
    if (e.samples.length) {
      const sec = medianOf(e.samples, 'seconds');
      timeGoal({ row: `${goalRow} — engine`, sec, anchorSec, anchorName: anchorLabel, max: 1.1, runs: e.samples.length, anchorRuns: anchor?.samples.length });
      rows.push({ scenario, tool: engineName, runs: runsCell(e.samples), time: `${fmtSec(sec)} s`, rate: `${mbps(sec).toFixed(0)} MB/s`, memory: engineMemCell(e.samples), goal, result: verdict(sec, maxOf(e.samples, 'mem')) });
      phaseTable(scenario, results);
      raw[`big-down-${proto}-engine`] = results;
    } else missingGoal(`${goalRow} — engine`, `≤ 1.1× ${anchorLabel}`, e.error ?? 'no run');
    if (e.error) errorRow(scenario, engineName, e.error, goal);
    const c = res.get('cli');
    if (c?.samples.length) {
      const sec = medianOf(c.samples, 'seconds');
      timeGoal({ row: `${goalRow} — CLI`, sec, anchorSec, anchorName: anchorLabel, max: 1.1, runs: c.samples.length, anchorRuns: anchor?.samples.length });
      const peak = maxOf(c.samples, 'memPeak');
      rows.push({ scenario, tool: cliName, runs: runsCell(c.samples), time: `${fmtSec(sec)} s`, rate: `${mbps(sec).toFixed(0)} MB/s`, memory: cliMemCell(c.samples), goal: goalCli, result: verdict(sec, peak) });
    } else if (c) missingGoal(`${goalRow} — CLI`, `≤ 1.1× ${anchorLabel}`, c.error ?? 'no run');
    if (c?.error) errorRow(scenario, cliName, c.error, goalCli);
    cliMemoryGoal(`${mib} MiB download, ${proto.toUpperCase()}`, c, anchor, anchorName);
  } finally {
    rm(R.absolute);
  }
}
