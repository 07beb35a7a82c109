// `npm start`: try Remote Sync on a demo workspace (.cache/demo/), no server needed. Builds (incrementally),
// then opens the demo in a desktop VS Code, or serves it with code-server on 127.0.0.1:8080 until Ctrl-C;
// `--cli` runs a terminal demo of the CLI instead; `--sftp` adds a target on a real sshd. Help: --help.
import { readFileSync, rmSync } from 'node:fs';
import { parseStartArgs, START_HELP, StartUsageError, type StartArgs } from './args';
import { buildDist, buildVsix, secs } from './build';
import { cliDemo } from './cli-demo';
import { addSftpTarget, demoPaths, ensureDemo, firstSync, removeSftpTarget, SFTP_TARGET, type DemoPaths } from './demo';
import { desktopCode, openInDesktopCode, startDemoCodeServer, type DemoCodeServer } from './editor';
import { startSshd, type SshdServer } from '../../test/harness/sshd';

const log = (s: string) => console.log(s);
const say = (s: string) => console.log(`[npm start] ${s}`);

/** What is running and must be stopped: everything this process started. */
const running: { codeServer?: DemoCodeServer; sshd?: SshdServer; sftpDir?: string; paths?: DemoPaths } = {};
let stopping: Promise<void> | undefined;

function stopAll(): Promise<void> {
  stopping ??= (async () => {
    const { codeServer, sshd, paths } = running;
    if (codeServer) { say('stopping code-server …'); await codeServer.stop(); }
    if (sshd) {
      say('stopping sshd …');
      await sshd.stop();
      if (paths) removeSftpTarget(paths);
    }
  })();
  return stopping;
}

async function startSftp(p: DemoPaths): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('--sftp needs root: it starts OpenSSH\'s sshd and logs in as a test user it creates (rstest); run it as root, or leave out --sftp');
  const t0 = Date.now();
  const started = await startSshd();
  if ('skip' in started) throw new Error(`--sftp cannot start the demo's sshd: ${started.skip}`);
  running.sshd = started;
  const path = started.makeRemoteDir('demo');
  running.sftpDir = path;
  addSftpTarget(p, {
    path,
    url: `sftp://${started.user}@127.0.0.1:${started.port}${path}`,
    privateKey: started.keyFile,
    knownHosts: started.knownHostsFile,
  });
  firstSync(p, SFTP_TARGET);
  say(`sshd on 127.0.0.1:${started.port} (user ${started.user}), target "${SFTP_TARGET}" → ${path} (${secs(t0)})`);
}

async function main(args: StartArgs): Promise<number> {
  const t0 = Date.now();
  say(buildDist());
  const p = demoPaths();
  running.paths = p;
  if (args.reset) say(`resetting the demo workspace ${p.root}`);
  // a target left by an earlier --sftp run that was killed: its server is gone
  if (removeSftpTarget(p)) say(`removed the stale "${SFTP_TARGET}" target of an earlier --sftp run`);
  if (ensureDemo(p, { reset: args.reset })) {
    firstSync(p);
    say(`created the demo workspace ${p.root} (site/ synced to server/)`);
  }
  if (args.cli) return cliDemo(p, log);

  const code = args.codeServer ? undefined : desktopCode();
  const vsix = buildVsix();
  say(`extension package: ${vsix.note}`);
  if (args.sftp) await startSftp(p);

  if (code) {
    openInDesktopCode(code, vsix.path, p.workspaceFile);
    say(`installed the extension into ${code} and opened ${p.workspaceFile}; the README there walks you through (${secs(t0)})`);
    if (!running.sshd) return 0;
    say('the sshd for "sftp-demo" runs until Ctrl-C');
    await new Promise<never>(() => undefined);
  }

  const cs = await startDemoCodeServer({ workspaceFile: p.workspaceFile, vsix: vsix.path, host: args.host, port: args.port, log: say, trustedConfig: p.config });
  running.codeServer = cs;
  log('');
  log(`  Remote Sync demo ready (${secs(t0)}): open ${cs.url}`);
  if (cs.password) log(`  password: ${cs.password}   (listening on ${args.host}:${args.port})`);
  log('  The README there walks you through save → upload, a conflict, Keep Local.');
  log('  Ctrl-C stops code-server' + (running.sshd ? ' and sshd.' : '.'));
  log('');
  const why = await cs.exited;
  if (stopping) return new Promise<never>(() => undefined); // Ctrl-C: the signal handler exits
  running.codeServer = undefined;
  say(`code-server ended by itself (${why}):\n${cs.logTail()}`);
  await stopAll();
  return 1;
}

/** The parent of `pid` and its command name, from /proc (Linux); undefined elsewhere. */
function parentOf(pid: number): { ppid: number; comm: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    return { ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]), comm };
  } catch { return undefined; }
}

/**
 * When npm (or a shell between it and this process) goes away without passing a signal on — killed,
 * or its terminal closed — stop as on Ctrl-C. (package.json's `exec node …` lets npm pass SIGINT/SIGTERM.)
 */
function stopWithParents(): void {
  const watched = [process.ppid];
  const parent = parentOf(process.ppid);
  if (parent && /^(sh|dash|bash)$/.test(parent.comm) && parent.ppid > 1) watched.push(parent.ppid);
  const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; } };
  setInterval(() => {
    if (!stopping && watched.some((pid) => !alive(pid))) onSignal('SIGHUP', 'npm ended');
  }, 1000).unref();
}

let firstSignalAt = 0;

function onSignal(sig: NodeJS.Signals, why: string = sig): void {
  if (stopping) {
    // Ctrl-C reaches this process twice: from the terminal and passed on by npm
    if (Date.now() - firstSignalAt < 2000) return;
    say(`${why} again: quitting at once`);
    const { codeServer, sshd, sftpDir, paths } = running;
    codeServer?.killNow();
    if (sshd) { // sshd itself is ended by its harness's exit hook
      if (paths) removeSftpTarget(paths);
      if (sftpDir) rmSync(sftpDir, { recursive: true, force: true });
    }
    process.exit(130);
  }
  firstSignalAt = Date.now();
  say(`${why}: stopping everything npm start started`);
  stopAll().then(() => { say('stopped; nothing left running'); process.exit(0); }, (e: Error) => { console.error(e.message); process.exit(1); });
}

let parsed: StartArgs;
try {
  parsed = parseStartArgs(process.argv.slice(2));
} catch (e) {
  if (!(e instanceof StartUsageError)) throw e;
  console.error(`npm start: ${e.message}`);
  process.exit(2);
}
if (parsed.help) {
  process.stdout.write(START_HELP);
  process.exit(0);
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => onSignal(sig));
stopWithParents();
main(parsed).then(
  (code) => stopAll().then(() => process.exit(code)),
  (e: Error) => {
    console.error(`npm start: ${e.message}`);
    stopAll().then(() => process.exit(1), () => process.exit(1));
  },
);
