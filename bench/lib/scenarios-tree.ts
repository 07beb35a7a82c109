// The tree scenarios (a)/(b): the first upload of the tree, SFTP against `sftp put -r`, FTP against
// `lftp mirror -R --parallel=8` (issue 12: ≤ 1.0× lftp). The re-syncs are in scenarios-resync.ts
// (SFTP) and scenarios-ftp-sync.ts (FTP).
import { join } from 'node:path';
import { fmtSec } from './util.js';
import type { RunResult } from './worker.js';
import { cliFile, data, opts, set } from './context.js';
import { errorRow, medianOf, raw, rows, runsCell, skipRow } from './results.js';
import { cliRun, engineRun, expectTree, lftp, rm, sftpBatch, tools, withoutState } from './tools.js';
import { missingGoal, timeGoal } from './goals.js';
import { type Contender, anchorMemCell, cliMemCell, engineMemCell, filesPerSec, phaseTable, remoteDir, series, treeLabel } from './scenario-kit.js';
/** (a) and (b): first upload of the tree */
export async function firstUpload(proto: 'sftp' | 'ftp'): Promise<void> {
  const scenario = `First upload, ${treeLabel()}, ${proto.toUpperCase()}`;
  const anchorTool = proto === 'sftp' ? 'sftp' : 'lftp';
  const anchorName = proto === 'sftp' ? 'OpenSSH sftp -b (put -r)' : 'lftp mirror -R --parallel=8';
  const engineName = `remote-sync (engine API${opts.concurrency ? `, concurrency ${opts.concurrency}` : ''})`;
  const cliName = 'remote-sync CLI (`upload`, wall time incl. node start)';
  const contenders: Contender[] = [];
  if (!opts.anchors) skipRow(scenario, anchorName, '--no-anchors');
  else if (!tools[anchorTool]) skipRow(scenario, anchorName, `${anchorTool} is not installed`);
  else {
    contenders.push({ key: 'anchor', label: `${proto} upload / ${anchorName}`, fn: () => withoutState(data.tree, async () => {
      const R = remoteDir(proto, 'bench-anchor-up');
      try {
        const r = proto === 'sftp'
          ? await sftpBatch([`put -r "${data.tree}" "${R.remotePath}/tree"`])
          : await lftp(`mirror -R --parallel=8 "${data.tree}" "${R.remotePath}"`);
        expectTree(proto === 'sftp' ? join(R.absolute, 'tree') : R.absolute);
        return { seconds: r.seconds, memPeak: r.maxRss };
      } finally { rm(R.absolute); }
    }) });
  }
  const results: RunResult[] = [];
  let keep: string | undefined;
  contenders.push({ key: 'engine', label: `${proto} upload / remote-sync engine`, fn: async () => {
    const R = remoteDir(proto, 'bench-rs-up');
    try {
      const res = await engineRun(R.spec, data.tree, 'upload');
      expectTree(R.absolute);
      results.push(res);
      if (keep) rm(keep);
      keep = R.absolute; // the SFTP pair (with its state) is the re-sync scenario's input
      return { seconds: res.seconds, mem: res.rssGrowth, memPeak: res.rssPeak };
    } catch (e) { rm(R.absolute); throw e; }
  } });
  if (cliFile) {
    contenders.push({ key: 'cli', label: `${proto} upload / remote-sync CLI`, fn: async () => {
      const R = remoteDir(proto, 'bench-cli-up');
      try {
        const r = await cliRun('upload', data.tree, R.spec);
        expectTree(R.absolute);
        return { seconds: r.seconds, memPeak: r.maxRss };
      } finally { rm(R.absolute); }
    } });
  }
  const res = await series(contenders);
  if (proto === 'sftp') set({ sftpKeep: keep }); else if (keep) rm(keep);

  const anchor = res.get('anchor');
  const anchorSec = anchor?.samples.length ? medianOf(anchor.samples, 'seconds') : undefined;
  if (anchor?.samples.length) rows.push({ scenario, tool: anchorName, runs: runsCell(anchor.samples), time: `${fmtSec(anchorSec)} s`, rate: filesPerSec(anchorSec!), memory: anchorMemCell(anchor.samples), goal: '', result: '' });
  if (anchor?.error) errorRow(scenario, anchorName, anchor.error);
  // SFTP: faster than sftp put -r (0.1.0 is already there); FTP: issue 12's ≤ 1.0× lftp, with the ratio
  const goalText = proto === 'sftp'
    ? `faster than sftp put -r${anchorSec ? ` (< ${fmtSec(anchorSec)} s)` : ' (anchor not measured)'}`
    : `≤ 1.0× lftp${anchorSec ? ` (≤ ${fmtSec(anchorSec)} s)` : ' (anchor not measured)'}`;
  const verdict = (sec: number, who: string, runs: number) => proto === 'ftp'
    ? timeGoal({ row: `first upload, ${treeLabel()}, FTP — ${who}`, sec, anchorSec, anchorName: 'lftp', anchorDesc: 'lftp mirror -R --parallel=8', max: 1, runs, anchorRuns: anchor?.samples.length })
    : (anchorSec ? `${sec < anchorSec ? 'PASS' : 'MISS'} (${(sec / anchorSec).toFixed(2)}× sftp)` : '?');
  for (const [key, name, memCell, who] of [['engine', engineName, engineMemCell, 'engine'], ['cli', cliName, cliMemCell, 'CLI']] as const) {
    const r = res.get(key);
    if (!r) continue;
    if (r.samples.length) {
      const sec = medianOf(r.samples, 'seconds');
      rows.push({ scenario, tool: name, runs: runsCell(r.samples), time: `${fmtSec(sec)} s`, rate: filesPerSec(sec), memory: memCell(r.samples), goal: goalText, result: verdict(sec, who, r.samples.length) });
    }
    if (r.error) {
      errorRow(scenario, name, r.error, goalText);
      if (proto === 'ftp' && !r.samples.length) missingGoal(`first upload, ${treeLabel()}, FTP — ${who}`, '≤ lftp', r.error);
    }
  }
  if (results.length) {
    phaseTable(scenario, results);
    raw[`${proto}-upload-engine`] = results;
  }
}
