// (c) the no-change two-way sync of the tree over SFTP: remote-sync `sync` (engine API and CLI)
// against Unison with its server agent (issue 12: ≤ Unison), interleaved; and (scenario sftp-rclone)
// rclone bisync and rclone sync (one way) for reference.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmtSec, type CmdResult } from './util.js';
import type { RunResult } from './worker.js';
import { cliFile, data, opts, sftpKeep, sshd, work } from './context.js';
import { errorRow, log, medianOf, notes, raw, repeat, rows, runsCell, skipRow } from './results.js';
import { cliRun, engineRun, expectTree, rclone, rm, sftpBatch, sftpSpec, tools, withoutState } from './tools.js';
import { missingGoal, timeGoal } from './goals.js';
import { UNISON_BIN, unison, unisonNothingToDo, unisonPair } from './unison.js';
import { type Contender, SYNC_CONTENDERS, anchorMemCell, phaseTable, series, treeLabel } from './scenario-kit.js';

const checked = (sec: number) => `${Math.round(data.spec.files / sec).toLocaleString('en')} files/s checked`;

export async function resync(): Promise<void> {
  const scenario = `No-change two-way sync, ${treeLabel()}, SFTP`;
  const goalRow = (who: string) => `no-change two-way sync, ${treeLabel()}, SFTP — ${who}`;
  // the pair: the folder the engine's first upload left (state recorded), else a fresh one
  let R = sftpKeep;
  if (!R) {
    R = sshd!.makeRemoteDir('bench-rs-sync');
    log('resync: no folder from the upload scenario; uploading first (untimed)');
    await engineRun(sftpSpec(R), data.tree, 'upload');
  }
  const spec = sftpSpec(R);
  const U = sshd!.makeRemoteDir('bench-unison');
  try {
    // untimed: a completed sync of each pair (remote-sync engine, its CLI; Unison builds its archives)
    const warm = await engineRun(spec, data.tree, 'sync');
    log(`resync warm-up sync: ${warm.seconds.toFixed(3)} s, ${warm.stats.uploaded} up / ${warm.stats.downloaded} down`);
    if (cliFile) await cliRun('sync', data.tree, spec);
    const contenders: Contender[] = [];
    if (!opts.anchors) skipRow(scenario, 'Unison', '--no-anchors');
    else if (!existsSync(UNISON_BIN)) skipRow(scenario, 'Unison', `${UNISON_BIN} is not installed (apt-get install unison)`);
    else {
      // its own server copy of the tree (mtimes kept), owned by the test user
      execFileSync('cp', ['-a', `${data.tree}/.`, U]);
      rm(join(U, '.remote-sync'));
      sshd!.chownToUser(U);
      const pair = unisonPair(data.tree, U);
      const first = await unison(pair);
      log(`unison first run (builds both archives, untimed): ${first.seconds.toFixed(2)} s`);
      contenders.push({ key: 'anchor', label: 'resync / unison', fn: async () => {
        const r = await unison(pair);
        if (!unisonNothingToDo(r)) throw new Error(`unison found changes in a no-change run: ${r.output.slice(-300)}`);
        return { seconds: r.seconds, memPeak: r.maxRss };
      } });
    }
    const results: RunResult[] = [];
    contenders.push({ key: 'engine', label: 'resync / remote-sync engine', fn: async () => {
      const res = await engineRun(spec, data.tree, 'sync');
      const moved = res.stats.uploaded + res.stats.downloaded + res.stats.deletedLocal + res.stats.deletedRemote;
      if (moved) throw new Error(`a no-change sync transferred or deleted ${moved} files`);
      results.push(res);
      return { seconds: res.seconds, mem: res.rssGrowth, memPeak: res.rssPeak };
    } });
    if (cliFile) {
      contenders.push({ key: 'cli', label: 'resync / remote-sync CLI', fn: async () => {
        const r = await cliRun('sync', data.tree, spec);
        return { seconds: r.seconds, memPeak: r.maxRss };
      } });
    }
    const res = await series(contenders);
    const anchor = res.get('anchor');
    const anchorSec = anchor?.samples.length ? medianOf(anchor.samples, 'seconds') : undefined;
    const anchorName = 'Unison (ssh, server agent)';
    if (anchorSec !== undefined) rows.push({ scenario, tool: `${anchorName}, -batch, archives kept`, runs: runsCell(anchor!.samples), time: `${fmtSec(anchorSec)} s`, rate: checked(anchorSec), memory: anchorMemCell(anchor!.samples), goal: '', result: '' });
    if (anchor?.error) errorRow(scenario, anchorName, anchor.error);
    const goal = `≤ Unison${anchorSec ? ` (≤ ${fmtSec(anchorSec)} s)` : ''}`;
    for (const [key, name, memCell, who] of SYNC_CONTENDERS) {
      const r = res.get(key);
      if (!r) continue;
      if (r.samples.length) {
        const sec = medianOf(r.samples, 'seconds');
        const result = timeGoal({ row: goalRow(who), sec, anchorSec, anchorName: 'Unison', max: 1, runs: r.samples.length, anchorRuns: anchor?.samples.length });
        rows.push({ scenario, tool: name, runs: runsCell(r.samples), time: `${fmtSec(sec)} s`, rate: checked(sec), memory: memCell(r.samples), goal, result });
      } else missingGoal(goalRow(who), '≤ Unison', r.error ?? 'no run');
      if (r.error) errorRow(scenario, name, r.error, goal);
    }
    if (results.length) {
      phaseTable(scenario, results);
      raw['resync-engine'] = results;
    }
  } finally {
    rm(R);
    rm(U);
  }
}

/** rclone bisync (after --resync) and rclone sync (one way) on the tree, for reference (no goal; scenario sftp-rclone) */
export async function rcloneRows(): Promise<void> {
  const scenario = `No-change two-way sync, ${treeLabel()}, SFTP`;
  if (!opts.anchors) { skipRow(scenario, 'rclone', '--no-anchors'); return; }
  if (!tools.rclone) { skipRow(scenario, 'rclone bisync / rclone sync', 'rclone is not installed'); return; }
  const filters = join(work, 'rclone-filters.txt');
  writeFileSync(filters, '- /.remote-sync/**\n');
  const bisyncWork = join(work, 'bisync');
  const RR = sshd!.makeRemoteDir('bench-rclone');
  try {
    // seed the remote with OpenSSH (mtimes kept: put -rp), so that --resync only compares; rclone's
    // own initial copy of 10,000 small files takes minutes
    if (tools.sftp) {
      await withoutState(data.tree, () => sftpBatch([`put -rp "${data.tree}/." "${RR}"`]));
      expectTree(RR);
    }
    // rclone's defaults first. With them rclone hashes every remote file by running `md5sum` over
    // SSH (one exec channel per file), which is slow and on this machine has been seen to stall for
    // good; if that happens, both bisync runs are redone with --sftp-disable-hashcheck (and labelled).
    let flags: string[] = [];
    let first: CmdResult;
    const resync = (f: string[]) => rclone(['bisync', data.tree, `bench:${RR}`, '--resync', '--workdir', bisyncWork, '--filters-file', filters, ...f], 240_000);
    try {
      first = await resync(flags);
    } catch (e) {
      log(`rclone bisync --resync with default flags failed: ${(e as Error).message.slice(0, 300)}; retrying with --sftp-disable-hashcheck`);
      notes.push(`rclone bisync with default flags failed or stalled (${(e as Error).message.replace(/\s+/g, ' ').slice(0, 200)}); its rows were measured with --sftp-disable-hashcheck.`);
      flags = ['--sftp-disable-hashcheck'];
      rm(bisyncWork);
      first = await resync(flags);
    }
    expectTree(RR);
    const fl = flags.length ? ` ${flags.join(' ')}` : '';
    log(`rclone bisync --resync${fl}: ${first.seconds.toFixed(2)} s`);
    rows.push({ scenario, tool: `rclone bisync --resync${fl} (first run${tools.sftp ? ', remote pre-seeded by sftp put -rp' : ', copies everything'})`, runs: '1', time: `${fmtSec(first.seconds)} s`, rate: '', memory: anchorMemCell([{ seconds: 0, memPeak: first.maxRss }]), goal: '', result: '' });
    const b = await repeat('resync / rclone bisync', async () => {
      const r = await rclone(['bisync', data.tree, `bench:${RR}`, '--workdir', bisyncWork, '--filters-file', filters, ...flags], 240_000);
      return { seconds: r.seconds, memPeak: r.maxRss };
    });
    if (b.samples.length) {
      const sec = medianOf(b.samples, 'seconds');
      rows.push({ scenario, tool: `rclone bisync${fl} (the run after --resync)`, runs: runsCell(b.samples), time: `${fmtSec(sec)} s`, rate: checked(sec), memory: anchorMemCell(b.samples), goal: '', result: '' });
    }
    if (b.error) errorRow(scenario, 'rclone bisync', b.error);
    const o = await repeat('resync / rclone sync', async () => {
      const r = await rclone(['sync', data.tree, `bench:${RR}`, '--exclude', '/.remote-sync/**']);
      return { seconds: r.seconds, memPeak: r.maxRss };
    });
    if (o.samples.length) {
      const sec = medianOf(o.samples, 'seconds');
      rows.push({ scenario, tool: 'rclone sync (one-way, no change)', runs: runsCell(o.samples), time: `${fmtSec(sec)} s`, rate: checked(sec), memory: anchorMemCell(o.samples), goal: '', result: '' });
    }
    if (o.error) errorRow(scenario, 'rclone sync', o.error);
  } catch (e) {
    errorRow(scenario, 'rclone', (e as Error).message);
  } finally {
    rm(RR);
  }
}
