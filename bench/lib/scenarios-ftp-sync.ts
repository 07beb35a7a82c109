// The FTP re-sync scenarios of issue 12: a no-change sync and a sync with one changed file of the
// tree, remote-sync (engine API and CLI) against `lftp mirror -R --only-newer --parallel=8`.
import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fmtSec } from './util.js';
import type { RunResult } from './worker.js';
import { cliFile, data, opts } from './context.js';
import { errorRow, log, medianOf, raw, rows, runsCell, skipRow } from './results.js';
import { cliRun, engineRun, expectTree, lftp, rm, tools, withoutState } from './tools.js';
import { missingGoal, timeGoal } from './goals.js';
import { type Contender, SYNC_CONTENDERS, anchorMemCell, phaseTable, remoteDir, series, treeLabel } from './scenario-kit.js';

const ANCHOR = 'lftp mirror -R --only-newer --parallel=8';

/**
 * Each tool works on its own server copy (seeded untimed: remote-sync by its upload + a sync,
 * lftp by its mirror). The changed file gets new content before every timed run (of any contender)
 * and is put back afterwards; after each one-changed run the server's copy must equal it.
 */
export async function ftpResync(): Promise<void> {
  const R = remoteDir('ftp', 'bench-rs-ftp-sync');
  const A = remoteDir('ftp', 'bench-lftp-sync');
  const rel = readdirSync(data.tree).filter((n) => n !== '.remote-sync').sort()[0];
  const dir = join(data.tree, rel);
  const changed = statSync(dir).isDirectory() ? join(dir, readdirSync(dir).sort()[0]) : dir;
  const changedRel = relative(data.tree, changed);
  const original = readFileSync(changed);
  const originalMtime = statSync(changed).mtime;
  let edits = 0;
  const edit = () => writeFileSync(changed, Buffer.concat([original, Buffer.from(`#${++edits}`)]));
  const onServer = (root: string) => {
    const want = readFileSync(changed);
    const got = readFileSync(join(root, changedRel));
    if (!want.equals(got)) throw new Error(`the changed file ${changedRel} was not uploaded (server: ${got.length} bytes, local: ${want.length})`);
  };
  const mirror = () => withoutState(data.tree, () => lftp(`mirror -R --only-newer --parallel=8 "${data.tree}" "${A.remotePath}"`));
  try {
    log('ftp-resync: first upload of the pair (untimed)');
    await engineRun(R.spec, data.tree, 'upload');
    await engineRun(R.spec, data.tree, 'sync');
    if (opts.anchors && tools.lftp) { await mirror(); expectTree(A.absolute); }
    for (const oneChanged of [false, true]) {
      const scenario = oneChanged ? `One changed file in ${treeLabel()}, FTP` : `No-change sync, ${treeLabel()}, FTP`;
      const goalRow = oneChanged ? `one changed file in ${treeLabel()}, FTP` : `no-change sync, ${treeLabel()}, FTP`;
      const tag = oneChanged ? 'one-changed' : 'no-change';
      const contenders: Contender[] = [];
      if (!opts.anchors) skipRow(scenario, ANCHOR, '--no-anchors');
      else if (!tools.lftp) skipRow(scenario, ANCHOR, 'lftp is not installed');
      else contenders.push({ key: 'anchor', label: `${tag} ftp / lftp`, fn: async () => {
        if (oneChanged) edit();
        const r = await mirror();
        if (oneChanged) onServer(A.absolute);
        return { seconds: r.seconds, memPeak: r.maxRss };
      } });
      const results: RunResult[] = [];
      contenders.push({ key: 'engine', label: `${tag} ftp / remote-sync engine`, fn: async () => {
        if (oneChanged) edit();
        const res = await engineRun(R.spec, data.tree, 'sync');
        const moved = res.stats.uploaded + res.stats.downloaded + res.stats.deletedLocal + res.stats.deletedRemote;
        if (moved !== (oneChanged ? 1 : 0)) throw new Error(`expected ${oneChanged ? 1 : 0} transfers, the sync made ${moved}`);
        if (oneChanged) onServer(R.absolute);
        results.push(res);
        return { seconds: res.seconds, mem: res.rssGrowth, memPeak: res.rssPeak };
      } });
      if (cliFile) {
        contenders.push({ key: 'cli', label: `${tag} ftp / remote-sync CLI`, fn: async () => {
          if (oneChanged) edit();
          const r = await cliRun('sync', data.tree, R.spec);
          if (oneChanged) onServer(R.absolute);
          return { seconds: r.seconds, memPeak: r.maxRss };
        } });
      }
      const res = await series(contenders);
      const anchor = res.get('anchor');
      const anchorSec = anchor?.samples.length ? medianOf(anchor.samples, 'seconds') : undefined;
      if (anchorSec !== undefined) rows.push({ scenario, tool: ANCHOR, runs: runsCell(anchor!.samples), time: `${fmtSec(anchorSec)} s`, rate: '', memory: anchorMemCell(anchor!.samples), goal: '', result: '' });
      if (anchor?.error) errorRow(scenario, ANCHOR, anchor.error);
      const goal = `≤ 1.0× lftp${anchorSec ? ` (≤ ${fmtSec(anchorSec)} s)` : ''}`;
      for (const [key, name, memCell, who] of SYNC_CONTENDERS) {
        const r = res.get(key);
        if (!r) continue;
        if (r.samples.length) {
          const sec = medianOf(r.samples, 'seconds');
          const result = timeGoal({ row: `${goalRow} — ${who}`, sec, anchorSec, anchorName: 'lftp', anchorDesc: 'lftp mirror -R --only-newer', max: 1, runs: r.samples.length, anchorRuns: anchor?.samples.length });
          rows.push({ scenario, tool: name, runs: runsCell(r.samples), time: `${fmtSec(sec)} s`, rate: '', memory: memCell(r.samples), goal, result });
        }
        if (r.error) {
          errorRow(scenario, name, r.error, goal);
          if (!r.samples.length) missingGoal(`${goalRow} — ${who}`, '≤ lftp', r.error);
        }
      }
      if (results.length) {
        phaseTable(scenario, results);
        raw[`ftp-resync-${oneChanged ? 'one' : 'none'}-engine`] = results;
      }
    }
  } finally {
    writeFileSync(changed, original);
    utimesSync(changed, originalMtime, originalMtime);
    rm(R.absolute);
    rm(A.absolute);
  }
}
