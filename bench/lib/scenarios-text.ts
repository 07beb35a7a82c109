// Reference row (no goal of issue 12): the first upload of a tree of text files over FTP against
// `lftp mirror -R --parallel=8`. The main tree is random bytes, which are not text, so its rows never
// pay for the common versions remote-sync keeps of every text file it moves (core/merge/bases.ts:
// hash, brotli, one blob file each); a web project is text. Each remote-sync run starts without the
// tree's .remote-sync folder (a real first upload: no blob kept by the run before).
import { fmtSec } from './util.js';
import type { RunResult } from './worker.js';
import { cliFile, data, opts } from './context.js';
import { errorRow, log, medianOf, raw, rows, runsCell, skipRow } from './results.js';
import { census, cliRun, engineRun, lftp, rm, tools, withoutState } from './tools.js';
import { type Contender, anchorMemCell, cliMemCell, engineMemCell, phaseTable, remoteDir, series } from './scenario-kit.js';
import { ensureTextTree, type TextTree } from './text-tree.js';
import { join } from 'node:path';

const ANCHOR = 'lftp mirror -R --parallel=8';

export async function firstUploadText(): Promise<void> {
  const text = ensureTextTree(data.dir, data.spec, log);
  const scenario = `First upload, ${text.files.toLocaleString('en')} text files (code-like, 0.5–8 KB; common versions kept), FTP — reference, no goal`;
  const expect = (dir: string) => {
    const c = census(dir);
    if (c.files !== text.files || c.bytes !== text.treeBytes) throw new Error(`the remote copy is incomplete: ${c.files} files / ${c.bytes} bytes, expected ${text.files} / ${text.treeBytes}`);
  };
  const fresh = (t: TextTree) => rm(join(t.tree, '.remote-sync'));
  const contenders: Contender[] = [];
  if (!opts.anchors) skipRow(scenario, ANCHOR, '--no-anchors');
  else if (!tools.lftp) skipRow(scenario, ANCHOR, 'lftp is not installed');
  else contenders.push({ key: 'anchor', label: `ftp text upload / ${ANCHOR}`, fn: () => withoutState(text.tree, async () => {
    const R = remoteDir('ftp', 'bench-anchor-text');
    try {
      const r = await lftp(`mirror -R --parallel=8 "${text.tree}" "${R.remotePath}"`);
      expect(R.absolute);
      return { seconds: r.seconds, memPeak: r.maxRss };
    } finally { rm(R.absolute); }
  }) });
  const results: RunResult[] = [];
  contenders.push({ key: 'engine', label: 'ftp text upload / remote-sync engine', fn: async () => {
    const R = remoteDir('ftp', 'bench-rs-text');
    fresh(text);
    try {
      const res = await engineRun(R.spec, text.tree, 'upload');
      expect(R.absolute);
      results.push(res);
      return { seconds: res.seconds, mem: res.rssGrowth, memPeak: res.rssPeak };
    } finally { rm(R.absolute); }
  } });
  if (cliFile) {
    contenders.push({ key: 'cli', label: 'ftp text upload / remote-sync CLI', fn: async () => {
      const R = remoteDir('ftp', 'bench-cli-text');
      fresh(text);
      try {
        const r = await cliRun('upload', text.tree, R.spec);
        expect(R.absolute);
        return { seconds: r.seconds, memPeak: r.maxRss };
      } finally { rm(R.absolute); }
    } });
  }
  const res = await series(contenders);
  fresh(text);
  const anchor = res.get('anchor');
  const anchorSec = anchor?.samples.length ? medianOf(anchor.samples, 'seconds') : undefined;
  if (anchor?.samples.length) rows.push({ scenario, tool: ANCHOR, runs: runsCell(anchor.samples), time: `${fmtSec(anchorSec)} s`, rate: '', memory: anchorMemCell(anchor.samples), goal: '', result: '' });
  if (anchor?.error) errorRow(scenario, ANCHOR, anchor.error);
  for (const [key, name, memCell] of [['engine', 'remote-sync (engine API)', engineMemCell], ['cli', 'remote-sync CLI (`upload`, wall time incl. node start)', cliMemCell]] as const) {
    const r = res.get(key);
    if (!r) continue;
    if (r.samples.length) {
      const sec = medianOf(r.samples, 'seconds');
      rows.push({ scenario, tool: name, runs: runsCell(r.samples), time: `${fmtSec(sec)} s`, rate: '', memory: memCell(r.samples), goal: '',
        result: anchorSec ? `${(sec / anchorSec).toFixed(2)}× lftp` : '' });
    }
    if (r.error) errorRow(scenario, name, r.error);
  }
  if (results.length) {
    phaseTable(scenario, results);
    raw['ftp-upload-text-engine'] = results;
  }
}
