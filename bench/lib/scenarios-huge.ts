// The 100,000-file no-change sync over SFTP (issue 12: ≤ 0.8× `rclone sync`, peak RSS ≤ 150 MB).
// Its own input: 1,000 folders × 100 files of 512 B–2 KB (~130 MB), generated once beside the main
// data (<data-dir>/huge, complete.json marks it; --quick: 5,000 files). The server copy is made by
// an untimed remote-sync upload (the pair's state recorded); rclone then runs one-way against the
// same server folder (its no-change run compares size and mtime, which the upload set), so every
// contender looks at exactly the same two trees. Interleaved: rclone, engine, CLI, rclone, …
import { join } from 'node:path';
import { fmtMem, fmtSec, MB } from './util.js';
import type { RunResult } from './worker.js';
import { cliFile, data, opts, sshd } from './context.js';
import { errorRow, log, maxOf, medianOf, raw, rows, runsCell, skipRow } from './results.js';
import { census, cliRun, engineRun, rclone, rm, sftpSpec, tools } from './tools.js';
import { ensureData, type DataSet } from './data.js';
import { limitGoal, missingGoal, timeGoal } from './goals.js';
import { type Contender, SYNC_CONTENDERS, anchorMemCell, phaseTable, series } from './scenario-kit.js';

export function hugeData(): DataSet {
  const files = opts.quick ? 5_000 : 100_000;
  return ensureData(join(data.dir, 'huge'), { seed: 20240103, files, folders: files / 100, minSize: 512, maxSize: 2048, bigBytes: 0 }, log);
}

export async function hugeResync(): Promise<void> {
  const H = hugeData();
  const label = `${H.spec.files.toLocaleString('en')} files`;
  const scenario = `No-change sync, ${label} (${(H.treeBytes / MB).toFixed(0)} MB), SFTP`;
  const goalRow = (what: string) => `no-change sync, ${label}, SFTP — ${what}`;
  const R = sshd!.makeRemoteDir('bench-huge');
  const spec = sftpSpec(R);
  const expectCopy = () => {
    const c = census(R);
    if (c.files !== H.spec.files || c.bytes !== H.treeBytes) throw new Error(`the server copy is incomplete: ${c.files} files / ${c.bytes} bytes, expected ${H.spec.files} / ${H.treeBytes}`);
  };
  const noChange = (res: RunResult) => {
    const moved = res.stats.uploaded + res.stats.downloaded + res.stats.deletedLocal + res.stats.deletedRemote;
    if (moved) throw new Error(`a no-change sync transferred or deleted ${moved} files`);
  };
  try {
    log(`huge: uploading ${label} (untimed; minutes at full size)`);
    const up = await engineRun(spec, H.tree, 'upload');
    expectCopy();
    log(`huge: upload ${up.seconds.toFixed(1)} s; a first no-change sync of engine and CLI (untimed)`);
    noChange(await engineRun(spec, H.tree, 'sync'));
    if (cliFile) await cliRun('sync', H.tree, spec);

    const contenders: Contender[] = [];
    const anchorName = 'rclone sync (one-way)';
    if (!opts.anchors) skipRow(scenario, anchorName, '--no-anchors');
    else if (!tools.rclone) skipRow(scenario, anchorName, 'rclone is not installed');
    else contenders.push({ key: 'anchor', label: `huge / ${anchorName}`, fn: async () => {
      const r = await rclone(['sync', H.tree, `bench:${R}`, '--exclude', '/.remote-sync/**']);
      return { seconds: r.seconds, memPeak: r.maxRss };
    } });
    const results: RunResult[] = [];
    contenders.push({ key: 'engine', label: 'huge / remote-sync engine', fn: async () => {
      const res = await engineRun(spec, H.tree, 'sync');
      noChange(res);
      results.push(res);
      return { seconds: res.seconds, mem: res.rssGrowth, memPeak: res.rssPeak };
    } });
    if (cliFile) contenders.push({ key: 'cli', label: 'huge / remote-sync CLI', fn: async () => {
      const r = await cliRun('sync', H.tree, spec);
      return { seconds: r.seconds, memPeak: r.maxRss };
    } });
    const res = await series(contenders);
    expectCopy();

    const anchor = res.get('anchor');
    const anchorSec = anchor?.samples.length ? medianOf(anchor.samples, 'seconds') : undefined;
    const anchorPeak = anchor?.samples.length ? maxOf(anchor.samples, 'memPeak') : undefined;
    if (anchorSec !== undefined) rows.push({ scenario, tool: `${anchorName}, same server folder`, runs: runsCell(anchor!.samples), time: `${fmtSec(anchorSec)} s`, rate: '', memory: anchorMemCell(anchor!.samples), goal: '', result: '' });
    if (anchor?.error) errorRow(scenario, anchorName, anchor.error);
    const goal = `≤ 0.8× rclone${anchorSec ? ` (≤ ${fmtSec(anchorSec * 0.8)} s)` : ''}; peak RSS ≤ 150 MB`;
    for (const [key, name, memCell, who] of SYNC_CONTENDERS) {
      const r = res.get(key);
      if (!r) continue;
      if (r.samples.length) {
        const sec = medianOf(r.samples, 'seconds');
        const peak = maxOf(r.samples, 'memPeak');
        const t = timeGoal({ row: goalRow(who), sec, anchorSec, anchorName: 'rclone', max: 0.8, runs: r.samples.length, anchorRuns: anchor?.samples.length });
        const m = limitGoal({ row: goalRow(`${who} peak RSS`), value: peak, limit: 150 * MB, fmt: fmtMem,
          anchor: anchorPeak !== undefined && Number.isFinite(anchorPeak) ? `${fmtMem(anchorPeak)} (rclone)` : '—', anchorValue: anchorPeak });
        rows.push({ scenario, tool: name, runs: runsCell(r.samples), time: `${fmtSec(sec)} s`, rate: `${Math.round(H.spec.files / sec).toLocaleString('en')} files/s checked`,
          memory: memCell(r.samples), goal, result: `time ${t}; memory ${m} (peak ${fmtMem(peak)})` });
      } else {
        missingGoal(goalRow(who), '≤ 0.8× rclone', r.error ?? 'no run');
        missingGoal(goalRow(`${who} peak RSS`), '≤ 150 MB', r.error ?? 'no run');
      }
      if (r.error) errorRow(scenario, name, r.error, goal);
    }
    if (results.length) {
      phaseTable(scenario, results);
      raw['huge-resync-engine'] = results;
    }
  } finally {
    rm(R);
    rm(join(H.tree, '.remote-sync'));
  }
}
