// The Remote Sync benchmark: remote-sync against OpenSSH sftp, lftp, rclone and Unison, on loopback, in one
// run, against real daemons (OpenSSH sshd, pure-ftpd) started by the test harness; every row of issue 12
// with its anchor interleaved, the ratio and PASS/MISS, and a closing "Goals of issue 12" table.
//
//   npm run bench                      full size: 10,000 files of 0.5–8 KB in 200 folders, one 512 MiB file, a 100,000-file tree
//   npm run bench -- --quick           small sizes (500 files, 32 MiB file, 5,000-file "huge" tree): a smoke run
//   npm run bench -- --only sftp,save  only the scenarios tagged sftp or save (tags: sftp ftp upload text resync unison rclone huge big download save)
//   npm run bench -- --no-anchors      only remote-sync
//   npm run bench -- --no-cli          only the engine API, not the bundled CLI
//   npm run bench -- --runs 5          repeats of the fast measurements (default 3; median reported)
//   npm run bench -- --budget 1500     seconds (default); past it, every remaining measurement runs once
//   npm run bench -- --concurrency N   passed to the remote-sync target and run (default: the engine's)
//   npm run bench -- --cpu-prof        write .cpuprofile files of every engine run to bench/results/profiles
//   npm run bench -- --data-dir DIR    where the input is generated (default: $TMPDIR/rs-bench-data-<size>)
//   npm run bench -- --cli FILE        use this bundled CLI instead of building one (scripts/build.mjs --cli-only)
//   npm run bench -- --keep-node-env   run the CLI with this shell's NODE_EXTRA_CA_CERTS (default: without it)
//
// See bench/README.md for what is measured and how to read the table.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statfsSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, release, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { startSshd } from '../test/harness/sshd.js';
import { startFtpd } from '../test/harness/ftpd.js';
import { ensureData, type DataSpec } from './lib/data.js';
import { fmtMem, markdownTable, MB, median, runCmd, which } from './lib/util.js';
import { type Options, NODE_START_VARS, REPO, RESULTS, WORKER, cliEnv, cliFile, cliIdleRss, data, ftpd, opts, set, sftpKeep, sshd, work, workerBundle } from './lib/context.js';
import { errorRow, log, notes, overBudget, phaseTables, raw, rows, skipRow, t0 } from './lib/results.js';
import { lftp, rclone, rm, tools } from './lib/tools.js';
import { type Scenario, selected } from './lib/scenario-kit.js';
import { firstUpload } from './lib/scenarios-tree.js';
import { firstUploadText } from './lib/scenarios-text.js';
import { rcloneRows, resync } from './lib/scenarios-resync.js';
import { ftpResync } from './lib/scenarios-ftp-sync.js';
import { hugeResync } from './lib/scenarios-huge.js';
import { goalsTable } from './lib/goals.js';
import { bigDownload, bigFile } from './lib/scenarios-big.js';
import { saveLatency } from './lib/scenarios-save.js';

// ---------------------------------------------------------------------------------------------
// options

const TAGS = 'sftp ftp upload text resync unison rclone huge big download save';

function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, only: [], anchors: true, cli: true, runs: 3, budget: 1500, cpuProf: false, keepNodeEnv: false };
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
      case '--keep-node-env': o.keepNodeEnv = true; break;
      case '-h': case '--help':
        process.stdout.write(readFileSync(__filename, 'utf8').split('\n').filter((l) => l.startsWith('//')).slice(0, 18).map((l) => l.slice(3)).join('\n') + '\n');
        process.exit(0);
        break;
      default: throw new Error(`unknown option ${a} (see --help)`);
    }
  }
  return o;
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
    set({ workerBundle: out });
  } catch (e) {
    notes.push(`The engine worker runs through tsx (bundling it failed: ${(e as Error).message.split('\n')[0]}); tsx turns on source maps, which slows code that builds Error stacks.`);
  }
}

async function prepareCli(): Promise<void> {
  if (!opts.cli) { notes.push('CLI not measured (--no-cli).'); return; }
  if (opts.cliFile) { set({ cliFile: opts.cliFile }); }
  else if (!existsSync(join(REPO, 'src', 'cli', 'main.ts'))) { notes.push('CLI not measured: src/cli/main.ts does not exist yet.'); return; }
  else {
    // build the CLI as it ships (scripts/build.mjs --production: the entry with its code cache, the CLI
    // bundle, the SSH bundle) into the bench's temp folder (dist/ is left alone)
    const outdir = join(work, 'cli');
    const b = spawnSync(process.execPath, ['scripts/build.mjs', '--production', '--cli-only', '--outdir', outdir], { cwd: REPO, encoding: 'utf8' });
    if (b.status !== 0) {
      notes.push(`CLI not measured: building it failed: ${`${b.stderr ?? ''}${b.error?.message ?? ''}`.trim().split('\n')[0]}`);
      return;
    }
    set({ cliFile: join(outdir, 'cli.js') });
  }
  await nodeStartNote();
  const v = await runCmd(process.execPath, [cliFile!, '--version'], { env: cliEnv({ XDG_CACHE_HOME: join(work, 'xdg-cache') }), tmpDir: work });
  if (!v.ok) { notes.push(`CLI not measured: \`remote-sync --version\` failed: ${v.output.trim().slice(0, 200)}`); set({ cliFile: undefined }); return; }
  set({ cliIdleRss: v.maxRss });
  notes.push(`CLI memory is the whole process' peak RSS (/usr/bin/time %M); Node's own floor, \`remote-sync --version\`: ${fmtMem(v.maxRss)}.`);
  log(`CLI: ${cliFile} (${v.output.trim()}), idle peak RSS ${fmtMem(cliIdleRss!)}`);
}

/**
 * What this shell's NODE_START_VARS cost every Node start (median of 5 `node -e 0` each way), and
 * whether the CLI runs with them: said in the notes, since it moves every CLI row by that much.
 */
async function nodeStartNote(): Promise<void> {
  const present = NODE_START_VARS.filter((v) => process.env[v] !== undefined);
  if (!present.length) return;
  const start = async (env: NodeJS.ProcessEnv) => {
    const s: number[] = [];
    for (let i = 0; i < 5; i++) s.push((await runCmd(process.execPath, ['-e', '0'], { env, tmpDir: work })).seconds);
    return median(s);
  };
  const stripped: NodeJS.ProcessEnv = { ...process.env };
  for (const v of present) delete stripped[v];
  const withVars = await start(process.env);
  const without = await start(stripped);
  const what = present.map((v) => `${v}=${process.env[v]}`).join(', ');
  const ms = (s: number) => `${Math.round(s * 1000)} ms`;
  notes.push(`This shell sets ${what}: a bare Node start (\`node -e 0\`, median of 5) takes ${ms(withVars)} with it, ${ms(without)} without. `
    + (opts.keepNodeEnv
      ? 'The CLI ran with it (--keep-node-env): every CLI row includes that difference.'
      : 'The CLI ran without it, as in a shell that does not set it (no run of the bench uses TLS); --keep-node-env keeps it.'));
  log(`node start: ${ms(withVars)} with ${present.join(', ')}, ${ms(without)} without; the CLI runs ${opts.keepNodeEnv ? 'with' : 'without'} it`);
}

function toolVersion(cmd: string, args: string[]): string {
  // some print their version on stderr, some exit non-zero after printing it (sshd -V)
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const text = `${r.stdout?.toString() ?? ''}\n${r.stderr?.toString() ?? ''}`.split('\n').map((l) => l.trim()).find((l) => l && !/^(usage|unknown option|option requires)/i.test(l));
  return text ?? '?';
}

let ftpDaemon = 'no FTP daemon';

async function main(): Promise<void> {
  set({ opts: parseArgs(process.argv.slice(2)) });
  const spec: DataSpec = opts.quick
    ? { seed: 20240102, files: 500, folders: 10, minSize: 512, maxSize: 8192, bigBytes: 32 * 1024 * 1024 }
    : { seed: 20240102, files: 10_000, folders: 200, minSize: 512, maxSize: 8192, bigBytes: 512 * 1024 * 1024 };
  const dataDir = opts.dataDir ?? join(tmpdir(), `rs-bench-data-${opts.quick ? 'quick' : 'full'}`);
  mkdirSync(dataDir, { recursive: true });
  // room for the input, plus one remote copy of the tree and of the big file at a time, plus slack
  const need = spec.bigBytes * 3 + spec.files * 8192 * 3 + (opts.quick ? 5_000 : 100_000) * 4096 * 2 + 256 * MB; // + the huge tree and its server copy (4 KB blocks)
  for (const d of [dataDir, '/home']) {
    const fs = statfsSync(d);
    const free = fs.bavail * fs.bsize;
    if (free < need) throw new Error(`${d}: ${fmtMem(free)} free, the benchmark needs about ${fmtMem(need)} (use --data-dir or --quick)`);
  }
  set({ work: mkdtempSync(join(tmpdir(), 'rs-bench-work-')) });
  log(`input: ${dataDir}; results will be written to ${RESULTS}/latest.md and latest.json`);
  mkdirSync(RESULTS, { recursive: true });
  for (const f of readdirSync(RESULTS)) if (/^error-\d+\.log$/.test(f)) rm(join(RESULTS, f));
  const loadStart = loadavg();
  set({ data: ensureData(dataDir, spec, log) });

  for (const t of ['sftp', 'lftp', 'rclone']) tools[t] = which(t);
  for (const [t, pkg] of [['sftp', 'openssh-client'], ['lftp', 'lftp'], ['rclone', 'rclone']]) {
    if (opts.anchors && !tools[t]) notes.push(`${t} not found: its anchor rows are skipped (apt-get install ${pkg}).`);
  }

  const scenarios: Scenario[] = [
    { name: 'sftp-upload', tags: ['sftp', 'upload'], run: () => firstUpload('sftp') },
    { name: 'sftp-resync', tags: ['sftp', 'resync', 'unison'], run: () => resync() },
    { name: 'sftp-rclone', tags: ['sftp', 'resync', 'rclone'], run: () => rcloneRows() },
    { name: 'sftp-huge', tags: ['sftp', 'resync', 'huge'], run: () => hugeResync() },
    { name: 'ftp-upload', tags: ['ftp', 'upload'], run: () => firstUpload('ftp') },
    { name: 'ftp-upload-text', tags: ['ftp', 'upload', 'text'], run: () => firstUploadText() },
    { name: 'ftp-resync', tags: ['ftp', 'resync'], run: () => ftpResync() },
    { name: 'sftp-big', tags: ['sftp', 'big'], run: () => bigFile('sftp') },
    { name: 'ftp-big', tags: ['ftp', 'big'], run: () => bigFile('ftp') },
    { name: 'sftp-big-down', tags: ['sftp', 'big', 'download'], run: () => bigDownload('sftp') },
    { name: 'ftp-big-down', tags: ['ftp', 'big', 'download'], run: () => bigDownload('ftp') },
    { name: 'sftp-save', tags: ['sftp', 'save'], run: () => saveLatency('sftp') },
    { name: 'ftp-save', tags: ['ftp', 'save'], run: () => saveLatency('ftp') },
  ].filter(selected);
  if (!scenarios.length) throw new Error(`--only ${opts.only.join(',')} selects nothing (tags: ${TAGS})`);

  const needSftp = scenarios.some((s) => s.tags.includes('sftp'));
  const needFtp = scenarios.some((s) => s.tags.includes('ftp'));
  let sshdSkip: string | undefined, ftpdSkip: string | undefined;
  try {
    if (needSftp) {
      const s = await startSshd();
      if ('skip' in s) sshdSkip = s.skip; else set({ sshd: s });
    }
    if (needFtp) {
      const f = await startFtpd({ tls: 'none', pasvPorts: 5000 }); // 8 connections × 10k files: ports wait in TIME_WAIT
      if ('skip' in f) ftpdSkip = f.skip; else set({ ftpd: f });
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
    `- ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Linux ${release()}, Node ${process.version}; load average (1 min) ${loadStart[0].toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end${loadStart[0] > cpus().length / 2 ? ' — **other work was running: times are noisy**' : ' (the end includes the bench\'s own load)'}`,
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
    goalsTable(),
    '',
    ...(notes.length ? ['Notes:', '', ...notes.map((n) => `- ${n}`), ''] : []),
    '## Where remote-sync\'s time goes',
    '',
    ...phaseTables.flatMap((t) => [t, '']),
  ].join('\n');
  writeFileSync(join(RESULTS, 'latest.md'), md);
  writeFileSync(join(RESULTS, 'latest.json'), JSON.stringify({ rows, notes, raw }, null, 1));
  process.stdout.write(md + '\n');
  log(`results: ${join(RESULTS, 'latest.md')} (this table), ${join(RESULTS, 'latest.json')} (raw numbers)${existsSync(join(RESULTS, 'error-1.log')) ? `, ${RESULTS}/error-N.log (failed commands)` : ''}`);
  rm(work);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
}).finally(() => {
  // the harness' daemons are stopped above; do not hang on a stray handle
  setTimeout(() => process.exit(process.exitCode ?? 0), 500).unref();
});