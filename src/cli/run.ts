// One `remote-sync` invocation: parse, set up the two targets and a SyncSession, run, print.
// Everything the process touches comes in through CliIo, so tests can run it in-process.

import { setMaxListeners } from 'node:events';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { SyncError, errorMessage } from '../core/errors.js';
import type { Action, ProgressEvent, SyncMode, SyncResult } from '../core/types.js';
import { SyncSession } from '../core/session.js';
import { createTarget, remoteId } from '../core/targets/index.js';
import { redactUrl, resolveUserPath } from '../core/config/index.js';
import { redactSecrets } from '../core/redact.js';
import { userKnownCertificatesFile } from '../core/paths.js';
import { parseArgs, wantsJson, UsageError, type CliArgs } from './args.js';
import { commandHelp, generalHelp, usageHint } from './help.js';
import { completionScript, SHELLS, type Shell } from './completion.js';
import { EXIT, exitCodeForError, exitCodeForResult } from './exit-codes.js';
import { Output, LEVEL } from './output.js';
import { actionLine, buildReport, countsOf, errorLine, failureSummary, isChange, notSyncedLine, summaryLine } from './report.js';
import { buildSetup, loadProjectConfig, type RunSetup } from './specs.js';
import { groupMembers } from '../core/groups/index.js';
import { runGroup } from './group-run.js';
import { fillUserFromNetrc, makeCredentials } from './credentials.js';
import { makeConflictAsker } from './interactive.js';
import type { PromptIo } from './prompt.js';
import { runImport } from './import.js';
import { TransferMeter } from '../core/progress/meter.js';
import { hashMethodsLine, progressSuffix, timeUpLines, transferJson } from './transfer-report.js';

export interface CliIo {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdin: PromptIo['input'];
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  version: string;
  /** register a Ctrl-C handler; returns the function that removes it */
  onInterrupt?: (handler: () => void) => () => void;
}

const display = (spec: RunSetup['remote']): string => {
  if (spec.protocol === 'local') return spec.path;
  const host = spec.host?.includes(':') ? `[${spec.host}]` : spec.host;
  return redactUrl(`${spec.protocol}://${spec.user ? `${encodeURIComponent(spec.user)}@` : ''}${host}${spec.port ? `:${spec.port}` : ''}${spec.path}`);
};

export async function runCli(io: CliIo): Promise<number> {
  const started = Date.now();
  const json = wantsJson(io.argv);
  if (io.argv[0] === 'completion') {
    const shell = io.argv[1];
    if (io.argv.length !== 2 || !(SHELLS as readonly string[]).includes(shell)) {
      io.stderr.write(`remote-sync: 'completion' needs one shell: ${SHELLS.join('|')}${shell && io.argv.length === 2 ? ` (got '${shell}')` : ''}\nUsage: remote-sync completion bash|zsh|fish\n`);
      return EXIT.USAGE;
    }
    io.stdout.write(completionScript(shell as Shell));
    return EXIT.OK;
  }
  let args: CliArgs;
  try {
    args = parseArgs(io.argv);
  } catch (e) {
    if (!(e instanceof SyncError)) throw e;
    io.stderr.write(redactSecrets(`remote-sync: ${e.message}\n${usageHint(e instanceof UsageError ? e.command : undefined)}\n`));
    if (json) {
      const summary = 'Usage error: nothing was done';
      io.stdout.write(JSON.stringify(buildReport({
        mode: 'sync', local: '', remote: '', dryRun: false, error: e, exitCode: EXIT.USAGE, summary, elapsedMs: Date.now() - started,
      }), null, 2) + '\n');
    }
    return EXIT.USAGE;
  }
  if (args.help) {
    io.stdout.write((args.command ? commandHelp(args.command) : generalHelp()) + '\n');
    return EXIT.OK;
  }
  if (args.version) {
    io.stdout.write(`remote-sync ${io.version}\n`);
    return EXIT.OK;
  }
  if (args.command === 'import-sftp-json') return runImport(args, io);

  let logFd: number | undefined;
  if (args.logFile !== undefined) {
    const path = resolveUserPath(args.logFile, io.cwd);
    try {
      logFd = openSync(path, 'a', 0o600);
    } catch (e) {
      io.stderr.write(`remote-sync: cannot open the log file ${path}: ${(e as Error).message}\n${usageHint(args.command)}\n`);
      return EXIT.USAGE;
    }
  }
  const fd = logFd;
  const logFile = fd === undefined ? undefined : (line: string) => { try { writeSync(fd, line); } catch { /* a full disk does not stop the run */ } };
  try {
    return await runParsed(io, args, started, logFile);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

async function runParsed(io: CliIo, args: CliArgs, started: number, logFile: ((line: string) => void) | undefined): Promise<number> {
  if (args.command === 'run') {
    // a server group: each member as if named alone, in parallel (group-run.ts)
    let members: string[] | undefined;
    let group = '';
    try {
      const config = loadProjectConfig(io.cwd, io.env);
      group = args.target ?? config.defaultTarget;
      members = groupMembers(config, group);
    } catch { /* reported by buildSetup below */ }
    if (members) return runGroup(io, args, group, members, (memberIo, memberArgs) => runParsed(memberIo, memberArgs, Date.now(), logFile));
  }
  const out = new Output({ verbosity: args.verbosity, json: args.json, progress: args.progress, stdout: io.stdout, stderr: io.stderr, logFile });
  out.note(`remote-sync ${io.version}: ${io.argv.map((a) => redactUrl(a)).join(' ')}`, LEVEL.debug);
  const log = out.logger();
  const interactive = io.stderr.isTTY === true && io.stdin.isTTY === true; // (stdin only looked at when stderr is a terminal)
  const controller = new AbortController();
  setMaxListeners(0, controller.signal); // every transfer in flight listens for the cancel
  const promptIo: PromptIo = { get input() { return io.stdin; }, output: io.stderr, onInterrupt: () => controller.abort(), around: out.aroundPrompt };
  let mode: SyncMode = args.command === 'run' ? args.mode ?? 'sync' : (args.command as SyncMode);
  let localShown = args.local ? redactSecrets(args.local) : '';
  let remoteShown = args.remote ? redactSecrets(redactUrl(args.remote)) : '';

  const finish = (code: number, summary: string, result?: SyncResult, error?: unknown): number => {
    out.clearProgress();
    out.line(summary, LEVEL.summary);
    if (args.json) {
      out.json({ ...buildReport({ mode, local: localShown, remote: remoteShown, dryRun: args.dryRun, result, error, exitCode: code, summary, elapsedMs: Date.now() - started }), ...transferJson(result) });
    }
    return code;
  };
  const fail = (e: unknown, result?: SyncResult): number => {
    const code = exitCodeForError(e);
    out.clearProgress();
    out.error(`remote-sync: ${errorMessage(e)}`);
    if (code === EXIT.USAGE) out.error(usageHint(args.command));
    if (out.shows(LEVEL.debug) && e instanceof Error && e.stack) out.error(e.stack);
    return finish(code, failureSummary(e, Date.now() - started), result, e);
  };

  let setup: RunSetup;
  try {
    setup = buildSetup(args, { cwd: io.cwd, env: io.env, interactive });
    // the first line at default verbosity: which config decided what is copied where
    if (setup.configFile) out.line(`config ${setup.configFile}, target ${setup.targetName}`, LEVEL.changes);
    fillUserFromNetrc(setup.remote, io.env, setup.storedSecrets);
  } catch (e) {
    return fail(e);
  }
  mode = setup.mode;
  if (args.resolve === 'ask' && !interactive) out.warn('--resolve ask needs a terminal to ask on; conflicts are skipped');
  localShown = setup.localRoot;
  remoteShown = display(setup.remote);
  if (setup.configFile) out.note(`config ${setup.configFile}, target ${setup.targetName}`);
  for (const w of setup.warnings ?? []) out.warn(w);
  out.note(`${mode}${args.dryRun ? ' (dry run)' : ''}: ${localShown} ⇄ ${remoteShown}`);

  if (!args.dryRun) {
    try {
      for (const dir of setup.createFolders) mkdirSync(dir, { recursive: true });
    } catch (e) {
      return fail(new SyncError('io', 'Could not create the folder', { detail: (e as Error).message, cause: e }));
    }
  }

  const credentials = makeCredentials({
    env: io.env, interactive, io: promptIo, warn: (m) => out.warn(m), debug: (m) => out.note(m, LEVEL.debug), storedSecrets: setup.storedSecrets,
  });
  const concurrency = setup.concurrency;
  let session: SyncSession;
  try {
    const local = createTarget(setup.local, { log, concurrency });
    const remote = createTarget(setup.remote, { credentials, log, concurrency, knownCertificatesFile: userKnownCertificatesFile(io.env) });
    session = new SyncSession({
      local, remote, localRoot: setup.localRoot, remoteId: remoteId(setup.remote), filter: setup.filter, log,
      lock: {
        wait: !args.noWait,
        owner: `remote-sync ${args.command}`,
        onWait: (_h, who) => out.warn(`another sync of these folders is running (${who}); waiting for it to finish (--no-wait: fail instead)`),
      },
      mergeBase: setup.mergeBase,
    });
  } catch (e) {
    return fail(e);
  }

  let interrupts = 0;
  const removeInterrupt = io.onInterrupt?.(() => {
    interrupts++;
    if (interrupts === 1) {
      controller.abort();
      out.clearProgress();
      io.stderr.write('Stopping after the transfers in progress… (Ctrl-C again to quit at once)\n');
    } else {
      io.stderr.write('Quit.\n');
      process.exit(EXIT.ABORTED);
    }
  });

  const meter = new TransferMeter();
  const onProgress = (ev: ProgressEvent) => {
    if (args.progress) meter.feed(ev);
    switch (ev.type) {
      case 'action-done':
        if (!args.dryRun) out.line(actionLine(ev.action), isChange(ev.action) ? LEVEL.changes : LEVEL.details);
        break;
      case 'action-error':
        out.error(errorLine({ path: ev.action.path, kind: ev.action.kind, message: ev.error }));
        break;
      case 'stats':
      case 'bytes': {
        // the bytes of big files in flight move the line too (throttled by Output)
        const p = meter.snapshot();
        out.progress(p.filesDone, p.filesTotal, p.bytesDone, p.bytesTotal, ev.type === 'stats' && ev.filesDone === ev.filesTotal, p, ev.type === 'stats' ? progressSuffix(ev) : '');
        break;
      }
      default:
        break;
    }
  };

  let result: SyncResult;
  try {
    // (run() connects: the local tree is walked while the server connection opens)
    // a dry run asks nothing: conflicts it would ask about are shown as such
    const ask = setup.resolve === 'ask' ? (args.dryRun ? async () => 'skip' as const : makeConflictAsker(promptIo)) : undefined;
    result = await session.run({
      mode: setup.mode,
      delete: setup.delete,
      deleteUnmatched: setup.deleteUnmatched,
      force: setup.force,
      maxDelete: setup.maxDelete,
      signal: controller.signal,
      dryRun: args.dryRun,
      resolve: setup.resolve,
      ask,
      concurrency,
      onProgress,
      checksum: setup.checksum,
      transfer: setup.transfer,
    });
  } catch (e) {
    await closeQuietly(session, out);
    removeInterrupt?.();
    return fail(controller.signal.aborted && !(e instanceof SyncError && e.code === 'safety') ? new SyncError('aborted', 'Cancelled', { cause: e }) : e);
  }
  await closeQuietly(session, out);
  removeInterrupt?.();

  printAfterRun(result, args.dryRun, out);
  const code = exitCodeForResult(result);
  return finish(code, summaryLine(countsOf(result, args.dryRun, Date.now() - started)), result);
}

async function closeQuietly(session: SyncSession, out: Output): Promise<void> {
  try {
    await session.close();
  } catch (e) {
    out.warn(`closing: ${errorMessage(e)}`);
  }
}

/** The plan of a dry run, details (-v), and the conflicts left. */
function printAfterRun(result: SyncResult, dryRun: boolean, out: Output): void {
  out.clearProgress();
  for (const a of result.plan.actions) {
    if (a.kind === 'conflict') continue;
    if (dryRun) out.line(actionLine(a), isChange(a) ? LEVEL.changes : LEVEL.details);
    else if (!isChange(a)) out.line(actionLine(a), LEVEL.details);
  }
  for (const a of result.plan.stateOnly) out.line(actionLine(a), LEVEL.details);
  // the plan's conflicts, and merges that could not be done
  for (const a of result.conflicts) out.line(actionLine(a), LEVEL.changes);
  // entries left out because of their name or because they could not be read (no action reported them)
  for (const n of result.plan.notSynced ?? []) out.error(notSyncedLine(n));
  const hashed = hashMethodsLine(result);
  if (hashed) out.line(hashed, LEVEL.changes);
  const timeUp = timeUpLines(result);
  if (timeUp) {
    for (const p of timeUp.paths) out.line(p, LEVEL.details);
    out.line(timeUp.summary, LEVEL.summary);
  }
}
