// Save → on server, warm, with a full state (issue 12): one 4 KB file saved through the engine over
// SFTP and FTP, in a session whose state holds the whole tree (10k entries at full size), against
// the floor — the raw library's stat + temp write + rename of the same content on the same server
// (ssh2 / basic-ftp, floors.ts), interleaved save by save. Goals: p50 ≤ floor p50 + 1 ms,
// p99 ≤ 15 ms, max ≤ 50 ms.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { median, percentile, syncDisks } from './util.js';
import type { SaveResult } from './worker.js';
import { data, ftpd, opts, sshd, work } from './context.js';
import { errorRow, log, notes, raw, rows } from './results.js';
import { ftpSpec, rm, sftpSpec, workerRun } from './tools.js';
import { fmtMs, limitGoal, missingGoal } from './goals.js';

const stats = (xs: number[]) => ({ p50: median(xs), p99: percentile(xs, 99), max: Math.max(...xs) });
const cell = (s: { p50: number; p99: number; max: number }) => `p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms`;

export async function saveLatency(proto: 'sftp' | 'ftp'): Promise<void> {
  // more saves than the engine's journal compaction threshold (500), so the max sees a compaction
  const saves = opts.quick ? 50 : 600;
  const P = proto.toUpperCase();
  const scenario = `Save → on server, 4 KB × ${saves}, ${P}, warm, ${data.spec.files.toLocaleString('en')}-entry state`;
  const goalRow = (what: string) => `save → on server, ${P}, ${data.spec.files.toLocaleString('en')}-entry state: ${what}`;
  const local = mkdtempSync(join(work, `save-${proto}-`));
  const R = proto === 'sftp' ? { absolute: sshd!.makeRemoteDir('bench-save'), ftpPath: '' } : ftpd!.makeRemoteDir(`save-${Date.now()}`);
  const spec = proto === 'sftp' ? sftpSpec(R.absolute) : ftpSpec(R.ftpPath);
  try {
    // the tree, so that the session's state has an entry per file (its .remote-sync left behind)
    execFileSync('cp', ['-a', `${data.tree}/.`, local]);
    rm(join(local, '.remote-sync'));
    syncDisks();
    log(`save ${proto}: uploading the ${data.spec.files}-file tree first (untimed), then ${saves} saves`);
    const res = await workerRun({ kind: 'save', spec, local, file: 'page.html', size: 4096, saves, warmup: 5, pauseMs: 15, concurrency: opts.concurrency,
      hostKey: sshd?.hostKeyLine.split(' ')[1], out: join(work, `save-${proto}.json`) }) as SaveResult;
    raw[`save-${proto}`] = res;
    const bad = Object.entries(res.statuses).filter(([k]) => k !== 'uploaded');
    if (bad.length) notes.push(`${scenario}: not every save uploaded: ${JSON.stringify(res.statuses)} — a changed file the handler did not upload.`);
    const s = stats(res.save), f = stats(res.floor), b = stats(res.bare);
    const floorName = proto === 'sftp' ? 'ssh2 stat + write temp + rename' : 'basic-ftp STOR temp + RNFR/RNTO';
    const r50 = limitGoal({ row: goalRow('p50'), value: s.p50, limit: f.p50 + 1, fmt: fmtMs, anchor: `${fmtMs(f.p50)} (${floorName})`, anchorValue: f.p50, goal: `≤ floor p50 + 1 ms (${fmtMs(f.p50 + 1)})` });
    const r99 = limitGoal({ row: goalRow('p99'), value: s.p99, limit: 15, fmt: fmtMs, anchor: `${fmtMs(f.p99)} (floor)`, anchorValue: f.p99 });
    const rMax = limitGoal({ row: goalRow('max'), value: s.max, limit: 50, fmt: fmtMs, anchor: `${fmtMs(f.max)} (floor)`, anchorValue: f.max });
    // the absolute limits assume a machine that can meet them: say so when the floor itself could not
    const floorOver = [f.p99 > 15 ? `p99 ${fmtMs(f.p99)}` : '', f.max > 50 ? `max ${fmtMs(f.max)}` : ''].filter(Boolean);
    if (floorOver.length) notes.push(`${scenario}: the floor itself (${floorName}) missed the absolute limits (${floorOver.join(', ')}): the machine was too busy to judge p99/max; compare with the floor's row.`);
    const goal = 'p50 ≤ floor p50 + 1 ms, p99 ≤ 15 ms, max ≤ 50 ms';
    const verdicts = [['p50', r50], ['p99', r99], ['max', rMax]] as const;
    const missed = verdicts.filter(([, v]) => v !== 'PASS').map(([k]) => k);
    const inHandler = res.save.map((x, i) => x - res.saveRemote[i]);
    rows.push({ scenario, tool: `remote-sync \`saveFiles([path])\`${bad.length ? ` (${JSON.stringify(res.statuses)})` : ''}`, runs: String(res.save.length), time: cell(s), rate: `${(1000 / s.p50).toFixed(0)} saves/s`, memory: `state: ${res.stateEntries.toLocaleString('en')} entries`, goal, result: missed.length ? `MISS (${missed.join(', ')})` : 'PASS' });
    rows.push({ scenario, tool: `floor: ${floorName} (same server, interleaved)`, runs: String(res.floor.length), time: cell(f), rate: '', memory: '', goal: '', result: '' });
    rows.push({ scenario, tool: 'engine: bare `remote.stat` + `remote.write` (atomic write, no handler)', runs: String(res.bare.length), time: cell(b), rate: '', memory: '', goal: '', result: '' });
    rows.push({ scenario, tool: 'handler overhead', runs: String(res.save.length), time: `${(s.p50 - f.p50).toFixed(1)} ms over the floor (p50); ${median(inHandler).toFixed(1)} ms median outside remote calls`, rate: '', memory: '', goal: '', result: '' });
    log(`save ${proto}: ${cell(s)}; floor ${cell(f)}; bare ${cell(b)}`);
  } catch (e) {
    errorRow(scenario, 'remote-sync `saveFiles([path])`', (e as Error).message, 'p50 ≤ floor + 1 ms, p99 ≤ 15 ms, max ≤ 50 ms');
    for (const k of ['p50', 'p99', 'max']) missingGoal(goalRow(k), k === 'p50' ? '≤ floor p50 + 1 ms' : k === 'p99' ? '≤ 15 ms' : '≤ 50 ms', (e as Error).message);
  } finally {
    rm(R.absolute);
    rm(local);
  }
}
