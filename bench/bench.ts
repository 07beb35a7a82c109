// The Remote Sync benchmark: remote-sync against OpenSSH sftp, lftp and rclone, on loopback, in one
// run, against real daemons (OpenSSH sshd, pure-ftpd) started by the test harness.
//
//   npm run bench                      full size: 10,000 files of 0.5–8 KB in 200 folders + one 512 MiB file
//   npm run bench -- --quick           small tree (500 files, 32 MiB file): a smoke run
//   npm run bench -- --only sftp,save  only the scenarios tagged sftp or save (tags: sftp ftp upload resync big download save)
//   npm run bench -- --no-anchors      only remote-sync
//   npm run bench -- --no-cli          only the engine API, not the bundled CLI
//   npm run bench -- --runs 5          repeats of the fast measurements (default 3; median reported)
//   npm run bench -- --budget 600      seconds; past it, every remaining measurement runs once
//   npm run bench -- --concurrency N   passed to the remote-sync target and run (default: the engine's)
//   npm run bench -- --cpu-prof        write .cpuprofile files of every engine run to bench/results/profiles
//   npm run bench -- --data-dir DIR    where the input is generated (default: $TMPDIR/rs-bench-data-<size>)
//   npm run bench -- --cli FILE        use this bundled CLI instead of bundling src/cli/main.ts
//
// See bench/README.md for what is measured and how to read the table.
import { spawnSync } from 'node:child_process';
import { chownSync, copyFileSync, utimesSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, statfsSync, writeFileSync, lstatSync } from 'node:fs';
import { cpus, tmpdir, release, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { startSshd, type SshdServer } from '../test/harness/sshd.js';
import { startFtpd, type FtpdServer } from '../test/harness/ftpd.js';
import { ensureData, type DataSet, type DataSpec } from './lib/data.js';
import { fmtMem, fmtSec, markdownTable, MB, median, percentile, runCmd, syncDisks, which, type CmdResult } from './lib/util.js';
import type { Job, RunResult, SaveResult } from './lib/worker.js';
import type { RemoteSpec, SyncMode } from '../src/core/types.js';

const REPO = resolve(__dirname, '..');
const RESULTS = join(REPO, 'bench', 'results');
const WORKER = join(REPO, 'bench', 'lib', 'worker.ts');

// ---------------------------------------------------------------------------------------------
// options

interface Options {
  quick: boolean;
  only: string[];
  anchors: boolean;
  cli: boolean;
  cliFile?: string;
  runs: number;
  budget: number;
  concurrency?: number;
  cpuProf: boolean;
  dataDir?: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, only: [], anchors: true, cli: true, runs: 3, budget: 600, cpuProf: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { const v = argv[++i]; if (v === undefined) throw new Error(`${a} needs a value`); return v; };
    switch (a) {
      case '--quick': o.quick = true; break;
      case '--only': o.only.push(...val().split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)); break;
      case '--no-anchors': o.anchors = false; break;
      case '--no-cli': o.cli = false; break;
      case '--cli': o.cliFile = resolve(val()); break;
      case '--runs': o.runs = Math.max(1, Number(val())); break;
      case '--budget': o.budget = Number(val()); break;
      case '--concurrency': o.concurrency = Number(val()); break;
      case '--cpu-prof': o.cpuProf = true; break;
      case '--data-dir': o.dataDir = resolve(val()); break;
      case '-h': case '--help':
        process.stdout.write(readFileSync(__filename, 'utf8').split('\n').filter((l) => l.startsWith('//')).slice(0, 16).map((l) => l.slice(3)).join('\n') + '\n');
        process.exit(0);
        break;
      default: throw new Error(`unknown option ${a} (see --help)`);
    }
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// results

interface Row {
  scenario: string;
  tool: string;
  runs: string;
  time: string;
  rate: string;
  memory: string;
  goal: string;
  result: string;
}

const rows: Row[] = [];
const notes: string[] = [];
const phaseTables: string[] = [];
const raw: Record<string, unknown> = {};
const t0 = Date.now();
let opts: Options;

function log(s: string): void {
  const el = ((Date.now() - t0) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[bench ${el}s] ${s}\n`);
}

function overBudget(): boolean {
  return (Date.now() - t0) / 1000 > opts.budget;
}

interface Sample { seconds: number; mem?: number; memPeak?: number; extra?: unknown }

/**
 * Repeat `fn` up to opts.runs times — only while one run is "fast" (< 20 s) and the time budget
 * holds; a failure ends the series. Returns the samples and the first error.
 */
async function repeat(label: string, fn: (i: number) => Promise<Sample>, maxRuns = opts.runs): Promise<{ samples: Sample[]; error?: string }> {
  const samples: Sample[] = [];
  for (let i = 0; i < maxRuns; i++) {
    try {
      syncDisks();
      const s = await fn(i);
      samples.push(s);
      log(`${label} #${i + 1}: ${s.seconds.toFixed(3)} s${s.mem !== undefined ? `, mem ${fmtMem(s.mem)}` : ''}`);
      if (s.seconds > 20 || overBudget()) break;
    } catch (e) {
      const msg = (e as Error).message;
      log(`${label} #${i + 1} FAILED: ${msg.slice(0, 500)}`);
      return { samples, error: msg };
    }
  }
  return { samples };
}

const medianOf = (s: Sample[], k: 'seconds' | 'mem' | 'memPeak') => median(s.map((x) => x[k]).filter((v): v is number => v !== undefined));
const maxOf = (s: Sample[], k: 'mem' | 'memPeak') => Math.max(...s.map((x) => x[k] ?? -Infinity));
const runsCell = (s: Sample[]) => String(s.length);

function skipRow(scenario: string, tool: string, why: string): void {
  rows.push({ scenario, tool, runs: '0', time: `skipped: ${why}`, rate: '', memory: '', goal: '', result: '' });
  log(`${scenario} / ${tool}: skipped: ${why}`);
}

function errorRow(scenario: string, tool: string, err: string, goal = ''): void {
  rows.push({ scenario, tool, runs: '—', time: `error: ${err.replace(/\s+/g, ' ').slice(0, 160)}`, rate: '', memory: '', goal, result: goal ? 'MISS' : '' });
}

// ---------------------------------------------------------------------------------------------
// tools

let work: string;
let data: DataSet;
let sshd: SshdServer | undefined;
let ftpd: FtpdServer | undefined;
let cliFile: string | undefined;
let cliIdleRss: number | undefined;
/** the engine worker bundled like the CLI (plain node, no tsx/source maps); undefined: run it through tsx */
let workerBundle: string | undefined;
const tools: Record<string, string | undefined> = {};

let errorLogs = 0;
function cmdError(r: CmdResult, what: string): Error {
  // the whole output goes to a log file; the table gets its first meaningful lines
  const file = join(RESULTS, `error-${++errorLogs}.log`);
  writeFileSync(file, `${what} exited with ${r.code}\n\n${r.output}`);
  const lines = r.output.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('at '));
  return new Error(`${what} exited with ${r.code}: ${lines.slice(0, 4).join(' / ')} (full output: bench/results/${file.split('/').pop()})`);
}

async function workerRun(job: Job): Promise<RunResult | SaveResult> {
  const jobFile = join(work, `job-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(jobFile, JSON.stringify(job));
  const nodeArgs = workerBundle ? [] : ['--import', 'tsx'];
  if (opts.cpuProf) {
    mkdirSync(join(RESULTS, 'profiles'), { recursive: true });
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', join(RESULTS, 'profiles'));
  }
  const r = await runCmd(process.execPath, [...nodeArgs, workerBundle ?? WORKER, jobFile], { cwd: REPO, tmpDir: work, timeoutMs: 900_000 });
  if (!r.ok) throw cmdError(r, 'the engine worker');
  const res = JSON.parse(readFileSync(job.out, 'utf8')) as RunResult | SaveResult;
  rmSync(jobFile, { force: true });
  rmSync(job.out, { force: true });
  return res;
}

async function engineRun(spec: RemoteSpec, local: string, mode: SyncMode): Promise<RunResult> {
  const res = await workerRun({ kind: 'run', spec, local, mode, concurrency: opts.concurrency, out: join(work, `out-${Date.now()}.json`) }) as RunResult;
  if (res.errors.length || res.conflicts) throw new Error(`remote-sync reported ${res.stats.errors} errors, ${res.conflicts} conflicts: ${res.errors.join('; ')}`);
  return res;
}

function sftpSpec(path: string): RemoteSpec {
  const s = sshd!;
  return { protocol: 'sftp', host: s.host, port: s.port, user: s.user, identity: s.keyFile, knownHosts: s.knownHostsFile, agent: false, path };
}

function ftpSpec(ftpPath: string): RemoteSpec {
  const f = ftpd!;
  return { protocol: 'ftp', host: f.host, port: f.port, user: f.user, password: f.password, path: ftpPath };
}

async function cliRun(mode: SyncMode, local: string, spec: RemoteSpec): Promise<CmdResult> {
  const url = `${spec.protocol}://${spec.user}@${spec.host}:${spec.port}${spec.path}`;
  const args = [cliFile!, mode, local, url, '--resolve', 'skip', '-q'];
  if (spec.protocol === 'sftp') args.push('--identity', spec.identity!, '--known-hosts', spec.knownHosts!);
  if (opts.concurrency) args.push('--concurrency', String(opts.concurrency));
  const env: NodeJS.ProcessEnv = { ...process.env, REMOTE_SYNC_PASSWORD: spec.password ?? '' };
  delete env.SSH_AUTH_SOCK;
  const r = await runCmd(process.execPath, args, { env, tmpDir: work, timeoutMs: 900_000 });
  if (!r.ok) throw cmdError(r, 'remote-sync CLI');
  return r;
}

function sftpArgs(batch: string): string[] {
  const s = sshd!;
  return ['-q', '-b', batch, '-P', String(s.port), '-i', s.keyFile,
    '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none', '-o', `UserKnownHostsFile=${s.knownHostsFile}`, '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'PasswordAuthentication=no', `${s.user}@${s.host}`];
}

async function sftpBatch(lines: string[]): Promise<CmdResult> {
  const batch = join(work, 'sftp-batch.txt');
  writeFileSync(batch, lines.join('\n') + '\n');
  const r = await runCmd(tools.sftp!, sftpArgs(batch), { tmpDir: work, timeoutMs: 900_000 });
  if (!r.ok) throw cmdError(r, 'sftp');
  return r;
}

async function lftp(script: string): Promise<CmdResult> {
  const f = ftpd!;
  const r = await runCmd(tools.lftp!, ['-c', `set ftp:ssl-allow no; set net:max-retries 2; set cmd:fail-exit yes; open -u ${f.user},${f.password} -p ${f.port} ${f.host}; ${script}`],
    { tmpDir: work, timeoutMs: 900_000 });
  if (!r.ok) throw cmdError(r, 'lftp');
  return r;
}

let rcloneConf: string;
async function rclone(args: string[], timeoutMs = 300_000): Promise<CmdResult> {
  // rclone's own timeouts turn a stalled connection into an error instead of a hang
  const r = await runCmd(tools.rclone!, [...args, '--config', rcloneConf, '--contimeout', '15s', '--timeout', '60s'], { tmpDir: work, timeoutMs });
  if (!r.ok) throw cmdError(r, `rclone ${args[0]}`);
  return r;
}

/** files and bytes below a folder on this machine (the daemons' side), temp names and state left out */
function census(dir: string): { files: number; bytes: number } {
  let files = 0, bytes = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === '.remote-sync' || e.name.startsWith('.rs-tmp')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) { files++; bytes += lstatSync(p).size; }
    }
  };
  walk(dir);
  return { files, bytes };
}

function expectTree(dir: string): void {
  const c = census(dir);
  if (c.files !== data.spec.files || c.bytes !== data.treeBytes) {
    throw new Error(`the remote copy is incomplete: ${c.files} files / ${c.bytes} bytes, expected ${data.spec.files} / ${data.treeBytes}`);
  }
}

function expectBig(file: string): void {
  const size = existsSync(file) ? statSync(file).size : -1;
  if (size !== data.spec.bigBytes) throw new Error(`the remote big file has ${size} bytes, expected ${data.spec.bigBytes}`);
}

/** run `fn` with remote-sync's state folder moved out of `dir`, so an anchor copies exactly the data */
async function withoutState<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const st = join(dir, '.remote-sync');
  const stash = join(work, `stash-${Date.now()}`);
  const had = existsSync(st);
  if (had) renameSync(st, stash);
  try {
    return await fn();
  } finally {
    if (had) renameSync(stash, st);
  }
}

const rm = (p: string) => rmSync(p, { recursive: true, force: true });

// ---------------------------------------------------------------------------------------------
// scenarios

interface Scenario { name: string; tags: string[]; run: () => Promise<void> }

function selected(s: Scenario): boolean {
  if (!opts.only.length) return true;
  return opts.only.some((t) => t === s.name || s.tags.includes(t));
}

const treeLabel = () => `${data.spec.files.toLocaleString('en')} files`;
const filesPerSec = (sec: number) => `${Math.round(data.spec.files / sec).toLocaleString('en')} files/s (${(data.treeBytes / MB / sec).toFixed(1)} MB/s)`;

function engineMemCell(s: Sample[]): string {
  return `+${fmtMem(maxOf(s, 'mem'))} (peak ${fmtMem(maxOf(s, 'memPeak'))})`;
}
function cliMemCell(s: Sample[]): string {
  const peak = maxOf(s, 'memPeak');
  return `peak ${fmtMem(peak)}${cliIdleRss ? ` (+${fmtMem(peak - cliIdleRss)} over idle CLI)` : ''}`;
}
function anchorMemCell(s: Sample[]): string {
  const peak = maxOf(s, 'memPeak');
  return Number.isFinite(peak) ? `peak ${fmtMem(peak)}` : '';
}

function phaseTable(title: string, results: RunResult[]): void {
  if (!results.length) return;
  const first = ['connect + state load (open)', 'plan (list both, classify)', 'execute', 'close', 'total'];
  const keys = [...first, ...Object.keys(results[0].phases).filter((k) => !first.includes(k))].filter((k) => k in results[0].phases);
  const body = keys.map((k) => [k, `${median(results.map((r) => r.phases[k] ?? 0)).toFixed(0)} ms`]);
  phaseTables.push(`**${title}** (engine, median of ${results.length}; the rows below \`total\` overlap the phases they run in)\n\n${markdownTable(['phase', 'time'], body)}`);
}

interface Contender { key: string; label: string; fn: (i: number) => Promise<Sample> }
interface Series { samples: Sample[]; error?: string }

/**
 * Run the contenders round-robin (anchor, engine, CLI, anchor, engine, CLI, …) so that a change in
 * machine load hits them alike; each up to opts.runs times while its runs are "fast" (< 20 s) and the
 * time budget holds. A failure ends that contender's series.
 */
async function series(contenders: Contender[]): Promise<Map<string, Series>> {
  const out = new Map<string, Series>(contenders.map((c) => [c.key, { samples: [] }]));
  const done = new Set<string>();
  for (let i = 0; i < opts.runs; i++) {
    for (const c of contenders) {
      if (done.has(c.key)) continue;
      const s = out.get(c.key)!;
      try {
        syncDisks();
        const x = await c.fn(i);
        s.samples.push(x);
        log(`${c.label} #${i + 1}: ${x.seconds.toFixed(3)} s${x.mem !== undefined ? `, +${fmtMem(x.mem)}` : ''}${x.memPeak !== undefined ? `, peak ${fmtMem(x.memPeak)}` : ''}`);
        if (x.seconds > 20 || overBudget()) done.add(c.key);
      } catch (e) {
        s.error = (e as Error).message;
        log(`${c.label} #${i + 1} FAILED: ${s.error.slice(0, 500)}`);
        done.add(c.key);
      }
    }
    if (done.size === contenders.length) break;
  }
  return out;
}

/** a fresh remote folder: its path on this machine and the path the protocol sees */
function remoteDir(proto: 'sftp' | 'ftp', name: string): { absolute: string; spec: RemoteSpec; remotePath: string } {
  if (proto === 'sftp') {
    const absolute = sshd!.makeRemoteDir(name);
    return { absolute, spec: sftpSpec(absolute), remotePath: absolute };
  }
  const d = ftpd!.makeRemoteDir(`${name}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`);
  return { absolute: d.absolute, spec: ftpSpec(d.ftpPath), remotePath: d.ftpPath };
}

/** (a) and (b): first upload of the tree */
async function firstUpload(proto: 'sftp' | 'ftp'): Promise<void> {
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
  if (proto === 'sftp') sftpKeep = keep; else if (keep) rm(keep);

  const anchor = res.get('anchor');
  const anchorSec = anchor?.samples.length ? medianOf(anchor.samples, 'seconds') : undefined;
  if (anchor?.samples.length) rows.push({ scenario, tool: anchorName, runs: runsCell(anchor.samples), time: `${fmtSec(anchorSec)} s`, rate: filesPerSec(anchorSec!), memory: anchorMemCell(anchor.samples), goal: '', result: '' });
  if (anchor?.error) errorRow(scenario, anchorName, anchor.error);
  const goalText = `faster than ${proto === 'sftp' ? 'sftp put -r' : 'lftp'}${anchorSec ? ` (< ${fmtSec(anchorSec)} s)` : ' (anchor not measured)'}`;
  const verdict = (sec: number) => (anchorSec ? (sec < anchorSec ? 'PASS' : 'MISS') : '?');
  for (const [key, name, memCell] of [['engine', engineName, engineMemCell], ['cli', cliName, cliMemCell]] as const) {
    const r = res.get(key);
    if (!r) continue;
    if (r.samples.length) {
      const sec = medianOf(r.samples, 'seconds');
      rows.push({ scenario, tool: name, runs: runsCell(r.samples), time: `${fmtSec(sec)} s`, rate: filesPerSec(sec), memory: memCell(r.samples), goal: goalText, result: verdict(sec) });
    }
    if (r.error) errorRow(scenario, name, r.error, goalText);
  }
  if (results.length) {
    phaseTable(scenario, results);
    raw[`${proto}-upload-engine`] = results;
  }
}

let sftpKeep: string | undefined;
let ftpDaemon = 'no FTP daemon';

/** (c) no-change bidirectional re-sync over SFTP */
async function resync(): Promise<void> {
  const scenario = `No-change re-sync, ${treeLabel()}, SFTP`;
  const goal = 'under 1 s';
  // the pair: the folder the engine's first upload left (state recorded), else a fresh one
  let R = sftpKeep;
  if (!R) {
    R = sshd!.makeRemoteDir('bench-rs-sync');
    log('resync: no folder from the upload scenario; uploading first (untimed)');
    await engineRun(sftpSpec(R), data.tree, 'upload');
  }
  const spec = sftpSpec(R);
  try {
    // a completed sync first (untimed), then the timed no-change runs
    const warm = await engineRun(spec, data.tree, 'sync');
    log(`resync warm-up sync: ${warm.seconds.toFixed(3)} s, ${warm.stats.uploaded} up / ${warm.stats.downloaded} down`);
    const results: RunResult[] = [];
    const { samples, error } = await repeat('resync / remote-sync engine', async () => {
      const res = await engineRun(spec, data.tree, 'sync');
      const moved = res.stats.uploaded + res.stats.downloaded + res.stats.deletedLocal + res.stats.deletedRemote;
      if (moved) throw new Error(`a no-change sync transferred or deleted ${moved} files`);
      results.push(res);
      return { seconds: res.seconds, mem: res.rssGrowth, memPeak: res.rssPeak };
    });
    if (samples.length) {
      const sec = medianOf(samples, 'seconds');
      rows.push({ scenario, tool: 'remote-sync `sync` (engine API)', runs: runsCell(samples), time: `${fmtSec(sec)} s`, rate: `${Math.round(data.spec.files / sec).toLocaleString('en')} files/s checked`, memory: engineMemCell(samples), goal, result: sec < 1 ? 'PASS' : 'MISS' });
      phaseTable(scenario, results);
      raw['resync-engine'] = results;
    }
    if (error) errorRow(scenario, 'remote-sync `sync` (engine API)', error, goal);

    if (cliFile) {
      const c = await repeat('resync / remote-sync CLI', async () => {
        const r = await cliRun('sync', data.tree, spec);
        return { seconds: r.seconds, memPeak: r.maxRss };
      }, opts.runs + 1);
      // the first CLI run is the warm-up (it may record state the engine run did not need)
      const timed = c.samples.length > 1 ? c.samples.slice(1) : c.samples;
      if (timed.length) {
        const sec = medianOf(timed, 'seconds');
        rows.push({ scenario, tool: 'remote-sync CLI `sync` (wall time incl. node start)', runs: runsCell(timed), time: `${fmtSec(sec)} s`, rate: `${Math.round(data.spec.files / sec).toLocaleString('en')} files/s checked`, memory: cliMemCell(timed), goal, result: sec < 1 ? 'PASS' : 'MISS' });
      }
      if (c.error) errorRow(scenario, 'remote-sync CLI `sync`', c.error, goal);
    }
  } finally {
    rm(R);
  }

  // anchors: rclone bisync (after --resync) and rclone sync (one way)
  if (!opts.anchors) { skipRow(scenario, 'rclone', '--no-anchors'); return; }
  if (!tools.rclone) { skipRow(scenario, 'rclone bisync / rclone sync', 'rclone is not installed'); return; }
  const s = sshd!;
  rcloneConf = join(work, 'rclone.conf');
  writeFileSync(rcloneConf, ['[bench]', 'type = sftp', `host = ${s.host}`, `port = ${s.port}`, `user = ${s.user}`,
    `key_file = ${s.keyFile}`, `known_hosts_file = ${s.knownHostsFile}`, ''].join('\n'));
  const filters = join(work, 'rclone-filters.txt');
  writeFileSync(filters, '- /.remote-sync/**\n');
  const bisyncWork = join(work, 'bisync');
  const RR = s.makeRemoteDir('bench-rclone');
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
      rows.push({ scenario, tool: `rclone bisync${fl} (the run after --resync)`, runs: runsCell(b.samples), time: `${fmtSec(sec)} s`, rate: `${Math.round(data.spec.files / sec).toLocaleString('en')} files/s checked`, memory: anchorMemCell(b.samples), goal: '', result: '' });
    }
    if (b.error) errorRow(scenario, 'rclone bisync', b.error);
    const o = await repeat('resync / rclone sync', async () => {
      const r = await rclone(['sync', data.tree, `bench:${RR}`, '--exclude', '/.remote-sync/**']);
      return { seconds: r.seconds, memPeak: r.maxRss };
    });
    if (o.samples.length) {
      const sec = medianOf(o.samples, 'seconds');
      rows.push({ scenario, tool: 'rclone sync (one-way, no change)', runs: runsCell(o.samples), time: `${fmtSec(sec)} s`, rate: `${Math.round(data.spec.files / sec).toLocaleString('en')} files/s checked`, memory: anchorMemCell(o.samples), goal: '', result: '' });
    }
    if (o.error) errorRow(scenario, 'rclone sync', o.error);
  } catch (e) {
    errorRow(scenario, 'rclone', (e as Error).message);
  } finally {
    rm(RR);
  }
}

/** (d) the big file */
async function bigFile(proto: 'sftp' | 'ftp'): Promise<void> {
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
      const res = await engineRun(R.spec, data.bigDir, 'upload');
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
}

/**
 * (d') the big file downloaded: `download` of a server folder holding only the file into an empty
 * local folder, against `sftp get` / `lftp get`. Goal (issue 12): ≤ 1.1× the anchor's time, memory
 * growth ≤ 80 MB.
 */
async function bigDownload(proto: 'sftp' | 'ftp'): Promise<void> {
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
        const res = await engineRun(R.spec, L, 'download');
        expectBig(join(L, 'big.bin'));
        results.push(res);
        return { seconds: res.seconds, mem: res.rssGrowth, memPeak: res.rssPeak };
      } finally { rm(L); }
    } });
    if (cliFile) {
      contenders.push({ key: 'cli', label: `big-down ${proto} / remote-sync CLI`, fn: async () => {
        const L = fresh();
        try {
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
    const verdict = (sec: number, growth: number | undefined) => {
      const ratio = anchorSec ? `${(sec / anchorSec).toFixed(2)}× ${anchorTool}` : 'no anchor';
      const fails: string[] = [];
      if (anchorSec === undefined || sec > 1.1 * anchorSec) fails.push(ratio);
      if (growth === undefined || growth > 80 * MB) fails.push(`memory +${fmtMem(growth)}`);
      return fails.length ? `MISS (${fails.join(', ')})` : `PASS (${ratio})`;
    };
    const e = res.get('engine')!;
    if (e.samples.length) {
      const sec = medianOf(e.samples, 'seconds');
      rows.push({ scenario, tool: engineName, runs: runsCell(e.samples), time: `${fmtSec(sec)} s`, rate: `${mbps(sec).toFixed(0)} MB/s`, memory: engineMemCell(e.samples), goal, result: verdict(sec, maxOf(e.samples, 'mem')) });
      phaseTable(scenario, results);
      raw[`big-down-${proto}-engine`] = results;
    }
    if (e.error) errorRow(scenario, engineName, e.error, goal);
    const c = res.get('cli');
    if (c?.samples.length) {
      const sec = medianOf(c.samples, 'seconds');
      const growth = cliIdleRss ? maxOf(c.samples, 'memPeak') - cliIdleRss : undefined;
      rows.push({ scenario, tool: cliName, runs: runsCell(c.samples), time: `${fmtSec(sec)} s`, rate: `${mbps(sec).toFixed(0)} MB/s`, memory: cliMemCell(c.samples), goal, result: verdict(sec, growth) });
    }
    if (c?.error) errorRow(scenario, cliName, c.error, goal);
  } finally {
    rm(R.absolute);
  }
}

/**
 * (c') FTP: a no-change sync and a sync with one changed file, against `lftp mirror -R --only-newer
 * --parallel=8` on its own copy (seeded by lftp, untimed). Goal (issue 12): ≤ 1.0× lftp's time.
 * The changed file gets new content before every timed run (of either tool) and is put back after.
 */
async function ftpResync(): Promise<void> {
  const R = remoteDir('ftp', 'bench-rs-ftp-sync');
  const A = remoteDir('ftp', 'bench-lftp-sync');
  const rel = readdirSync(data.tree).filter((n) => n !== '.remote-sync').sort()[0];
  const dir = join(data.tree, rel);
  const changed = statSync(dir).isDirectory() ? join(dir, readdirSync(dir).sort()[0]) : dir;
  const original = readFileSync(changed);
  const originalMtime = statSync(changed).mtime;
  let edits = 0;
  const edit = () => writeFileSync(changed, Buffer.concat([original, Buffer.from(`#${++edits}`)]));
  const useLftp = opts.anchors && !!tools.lftp;
  const mirror = () => withoutState(data.tree, () => lftp(`mirror -R --only-newer --parallel=8 "${data.tree}" "${A.remotePath}"`));
  try {
    log('ftp-resync: first upload of the pair (untimed)');
    await engineRun(R.spec, data.tree, 'upload');
    await engineRun(R.spec, data.tree, 'sync');
    if (useLftp) { await mirror(); expectTree(A.absolute); }
    for (const oneChanged of [false, true]) {
      const scenario = oneChanged ? `One changed file in ${treeLabel()}, FTP` : `No-change sync, ${treeLabel()}, FTP`;
      const anchorName = 'lftp mirror -R --only-newer --parallel=8';
      const contenders: Contender[] = [];
      if (!opts.anchors) skipRow(scenario, anchorName, '--no-anchors');
      else if (!tools.lftp) skipRow(scenario, anchorName, 'lftp is not installed');
      else contenders.push({ key: 'anchor', label: `${oneChanged ? 'one-changed' : 'no-change'} ftp / lftp`, fn: async () => {
        if (oneChanged) edit();
        const r = await mirror();
        return { seconds: r.seconds, memPeak: r.maxRss };
      } });
      const results: RunResult[] = [];
      contenders.push({ key: 'engine', label: `${oneChanged ? 'one-changed' : 'no-change'} ftp / remote-sync engine`, fn: async () => {
        if (oneChanged) edit();
        const res = await engineRun(R.spec, data.tree, 'sync');
        const moved = res.stats.uploaded + res.stats.downloaded + res.stats.deletedLocal + res.stats.deletedRemote;
        if (moved !== (oneChanged ? 1 : 0)) throw new Error(`expected ${oneChanged ? 1 : 0} transfers, the sync made ${moved}`);
        results.push(res);
        return { seconds: res.seconds, mem: res.rssGrowth, memPeak: res.rssPeak };
      } });
      const res = await series(contenders);
      const anchor = res.get('anchor');
      const anchorSec = anchor?.samples.length ? medianOf(anchor.samples, 'seconds') : undefined;
      if (anchorSec !== undefined) rows.push({ scenario, tool: anchorName, runs: runsCell(anchor!.samples), time: `${fmtSec(anchorSec)} s`, rate: '', memory: anchorMemCell(anchor!.samples), goal: '', result: '' });
      if (anchor?.error) errorRow(scenario, anchorName, anchor.error);
      const goal = `≤ 1.0× lftp${anchorSec ? ` (≤ ${fmtSec(anchorSec)} s)` : ''}`;
      const e = res.get('engine')!;
      if (e.samples.length) {
        const sec = medianOf(e.samples, 'seconds');
        const ratio = anchorSec ? `${(sec / anchorSec).toFixed(2)}× lftp` : 'no anchor';
        rows.push({ scenario, tool: 'remote-sync `sync` (engine API)', runs: runsCell(e.samples), time: `${fmtSec(sec)} s`, rate: '', memory: engineMemCell(e.samples), goal, result: anchorSec !== undefined && sec <= anchorSec ? `PASS (${ratio})` : `MISS (${ratio})` });
        phaseTable(scenario, results);
        raw[`ftp-resync-${oneChanged ? 'one' : 'none'}-engine`] = results;
      }
      if (e.error) errorRow(scenario, 'remote-sync `sync` (engine API)', e.error, goal);
    }
  } finally {
    writeFileSync(changed, original);
    utimesSync(changed, originalMtime, originalMtime);
    rm(R.absolute);
    rm(A.absolute);
  }
}

/** (e) save-to-server latency */
async function saveLatency(proto: 'sftp' | 'ftp'): Promise<void> {
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

// ---------------------------------------------------------------------------------------------
// setup

/** esbuild options of scripts/build.mjs; mainFields: jsonc-parser's UMD main has requires esbuild cannot follow */
const BUNDLE = {
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', mainFields: ['module', 'main'],
  external: ['vscode', 'cpu-features', '*.node'], logLevel: 'silent', legalComments: 'none',
} as const;

/** Bundle the engine worker as the CLI is bundled, so engine rows run production-like code under plain node. */
async function prepareWorker(): Promise<void> {
  const out = join(work, 'worker.js');
  try {
    const esbuild = await import('esbuild');
    await esbuild.build({ ...BUNDLE, mainFields: [...BUNDLE.mainFields], external: [...BUNDLE.external], entryPoints: [WORKER], outfile: out });
    workerBundle = out;
  } catch (e) {
    notes.push(`The engine worker runs through tsx (bundling it failed: ${(e as Error).message.split('\n')[0]}); tsx turns on source maps, which slows code that builds Error stacks.`);
  }
}

async function prepareCli(): Promise<void> {
  if (!opts.cli) { notes.push('CLI not measured (--no-cli).'); return; }
  if (opts.cliFile) { cliFile = opts.cliFile; }
  else if (!existsSync(join(REPO, 'src', 'cli', 'main.ts'))) { notes.push('CLI not measured: src/cli/main.ts does not exist yet.'); return; }
  else {
    // bundle the current sources the way scripts/build.mjs does, into the bench's temp folder (dist/ is left alone)
    const out = join(work, 'cli.js');
    try {
      const esbuild = await import('esbuild');
      await esbuild.build({ ...BUNDLE, mainFields: [...BUNDLE.mainFields], external: [...BUNDLE.external], entryPoints: [join(REPO, 'src', 'cli', 'main.ts')], outfile: out,
        banner: { js: '#!/usr/bin/env node' } });
      cliFile = out;
    } catch (e) {
      notes.push(`CLI not measured: bundling src/cli/main.ts failed: ${(e as Error).message.split('\n')[0]}`);
      return;
    }
  }
  const v = await runCmd(process.execPath, [cliFile, '--version'], { tmpDir: work });
  if (!v.ok) { notes.push(`CLI not measured: \`remote-sync --version\` failed: ${v.output.trim().slice(0, 200)}`); cliFile = undefined; return; }
  cliIdleRss = v.maxRss;
  log(`CLI: ${cliFile} (${v.output.trim()}), idle peak RSS ${fmtMem(cliIdleRss)}`);
}

function toolVersion(cmd: string, args: string[]): string {
  // some print their version on stderr, some exit non-zero after printing it (sshd -V)
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const text = `${r.stdout?.toString() ?? ''}\n${r.stderr?.toString() ?? ''}`.split('\n').map((l) => l.trim()).find((l) => l && !/^(usage|unknown option|option requires)/i.test(l));
  return text ?? '?';
}

async function main(): Promise<void> {
  opts = parseArgs(process.argv.slice(2));
  const spec: DataSpec = opts.quick
    ? { seed: 20240102, files: 500, folders: 10, minSize: 512, maxSize: 8192, bigBytes: 32 * 1024 * 1024 }
    : { seed: 20240102, files: 10_000, folders: 200, minSize: 512, maxSize: 8192, bigBytes: 512 * 1024 * 1024 };
  const dataDir = opts.dataDir ?? join(tmpdir(), `rs-bench-data-${opts.quick ? 'quick' : 'full'}`);
  mkdirSync(dataDir, { recursive: true });
  // room for the input, plus one remote copy of the tree and of the big file at a time, plus slack
  const need = spec.bigBytes * 3 + spec.files * 8192 * 3 + 256 * MB;
  for (const d of [dataDir, '/home']) {
    const fs = statfsSync(d);
    const free = fs.bavail * fs.bsize;
    if (free < need) throw new Error(`${d}: ${fmtMem(free)} free, the benchmark needs about ${fmtMem(need)} (use --data-dir or --quick)`);
  }
  work = mkdtempSync(join(tmpdir(), 'rs-bench-work-'));
  mkdirSync(RESULTS, { recursive: true });
  for (const f of readdirSync(RESULTS)) if (/^error-\d+\.log$/.test(f)) rm(join(RESULTS, f));
  const loadStart = loadavg();
  data = ensureData(dataDir, spec, log);

  for (const t of ['sftp', 'lftp', 'rclone']) tools[t] = which(t);
  for (const [t, pkg] of [['sftp', 'openssh-client'], ['lftp', 'lftp'], ['rclone', 'rclone']]) {
    if (opts.anchors && !tools[t]) notes.push(`${t} not found: its anchor rows are skipped (apt-get install ${pkg}).`);
  }

  const scenarios: Scenario[] = [
    { name: 'sftp-upload', tags: ['sftp', 'upload'], run: () => firstUpload('sftp') },
    { name: 'sftp-resync', tags: ['sftp', 'resync'], run: () => resync() },
    { name: 'ftp-upload', tags: ['ftp', 'upload'], run: () => firstUpload('ftp') },
    { name: 'ftp-resync', tags: ['ftp', 'resync'], run: () => ftpResync() },
    { name: 'sftp-big', tags: ['sftp', 'big'], run: () => bigFile('sftp') },
    { name: 'ftp-big', tags: ['ftp', 'big'], run: () => bigFile('ftp') },
    { name: 'sftp-big-down', tags: ['sftp', 'big', 'download'], run: () => bigDownload('sftp') },
    { name: 'ftp-big-down', tags: ['ftp', 'big', 'download'], run: () => bigDownload('ftp') },
    { name: 'sftp-save', tags: ['sftp', 'save'], run: () => saveLatency('sftp') },
    { name: 'ftp-save', tags: ['ftp', 'save'], run: () => saveLatency('ftp') },
  ].filter(selected);
  if (!scenarios.length) throw new Error(`--only ${opts.only.join(',')} selects nothing (tags: sftp ftp upload resync big download save)`);

  const needSftp = scenarios.some((s) => s.tags.includes('sftp'));
  const needFtp = scenarios.some((s) => s.tags.includes('ftp'));
  let sshdSkip: string | undefined, ftpdSkip: string | undefined;
  try {
    if (needSftp) {
      const s = await startSshd();
      if ('skip' in s) sshdSkip = s.skip; else sshd = s;
    }
    if (needFtp) {
      const f = await startFtpd({ tls: 'none', pasvPorts: 5000 }); // 8 connections × 10k files: ports wait in TIME_WAIT
      if ('skip' in f) ftpdSkip = f.skip; else ftpd = f;
    }
    await prepareWorker();
    await prepareCli();
    log(`servers: ${sshd ? `sshd :${sshd.port}` : `no sshd (${sshdSkip ?? 'not needed'})`}, ${ftpd ? `pure-ftpd :${ftpd.port}` : `no ftpd (${ftpdSkip ?? 'not needed'})`}`);

    for (const s of scenarios) {
      const proto = s.tags.includes('sftp') ? 'sftp' : 'ftp';
      if (proto === 'sftp' && !sshd) { skipRow(s.name, 'all', `no sshd: ${sshdSkip}`); continue; }
      if (proto === 'ftp' && !ftpd) { skipRow(s.name, 'all', `no ftpd: ${ftpdSkip}`); continue; }
      log(`== ${s.name}`);
      try {
        await s.run();
      } catch (e) {
        errorRow(s.name, '—', (e as Error).message);
        log(`${s.name} failed: ${(e as Error).stack}`);
      }
    }
  } finally {
    ftpDaemon = ftpd ? `${(ftpd as { daemon?: string }).daemon ?? 'ftpd'} (plain FTP)` : 'no FTP daemon';
    if (sftpKeep) rm(sftpKeep);
    await sshd?.stop();
    await ftpd?.stop();
  }
  if (overBudget()) notes.push(`The time budget (${opts.budget} s) ran out: later measurements ran once.`);

  const elapsed = (Date.now() - t0) / 1000;
  const env = [
    `- ${new Date().toISOString()}, ${elapsed.toFixed(0)} s total; ${opts.quick ? '**--quick** (small tree)' : 'full size'}: ${data.spec.files.toLocaleString('en')} files (${(data.treeBytes / MB).toFixed(1)} MB, ${data.spec.minSize}–${data.spec.maxSize} B) in ${data.spec.folders} folders; one ${(data.spec.bigBytes / 1024 / 1024).toFixed(0)} MiB file`,
    `- ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Linux ${release()}, Node ${process.version}; load average (1 min) ${loadStart[0].toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end${loadStart[0] > cpus().length / 2 || loadavg()[0] > cpus().length / 2 ? ' — **other work was running: times are noisy**' : ''}`,
    `- servers on 127.0.0.1: ${toolVersion('/usr/sbin/sshd', ['-V'])} (internal-sftp), ${ftpDaemon}; clients: ${tools.sftp ? toolVersion('ssh', ['-V']) : 'no sftp'}, ${tools.lftp ? toolVersion('lftp', ['--version']).replace(/\s*\|\s*Copyright.*/, '') : 'no lftp'}, ${tools.rclone ? toolVersion('rclone', ['version']) : 'no rclone'}`,
    `- remote-sync concurrency: ${opts.concurrency ?? 'engine default (SFTP 32 pipelined transfers on one channel, FTP 8 connections)'}; repeats: up to ${opts.runs} per measurement (median shown), fewer for runs over 20 s`,
  ].join('\n');
  const table = markdownTable(['Scenario', 'Tool', 'Runs', 'Time (median)', 'Rate', 'Memory', 'Goal', 'Result'],
    rows.map((r) => [r.scenario, r.tool, r.runs, r.time, r.rate, r.memory, r.goal, r.result]));
  const md = [
    '# Remote Sync benchmark',
    '',
    env,
    '',
    table,
    '',
    ...(notes.length ? ['Notes:', '', ...notes.map((n) => `- ${n}`), ''] : []),
    '## Where remote-sync\'s time goes',
    '',
    ...phaseTables.flatMap((t) => [t, '']),
  ].join('\n');
  writeFileSync(join(RESULTS, 'latest.md'), md);
  writeFileSync(join(RESULTS, 'latest.json'), JSON.stringify({ rows, notes, raw }, null, 1));
  process.stdout.write(md + '\n');
  log(`wrote ${join(RESULTS, 'latest.md')}`);
  rm(work);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
}).finally(() => {
  // the harness' daemons are stopped above; do not hang on a stray handle
  setTimeout(() => process.exit(process.exitCode ?? 0), 500).unref();
});
