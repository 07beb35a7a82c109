// `npm start` as a newcomer runs it (issue 13), in a clean clone of this commit (git clone; node_modules
// linked, CODE_SERVER_DIR pointing at the installed code-server so nothing is downloaded):
//   - `npm start -- --cli`: the terminal demo (a conflict, then --resolve local); a second run builds nothing;
//   - `npm start -- --port P [--sftp]`: the printed URL opens the demo workspace in Playwright; a save in
//     the site appears in the server folder; the README's walk-through (a conflict, Keep Local) works; SIGINT to its process group (Ctrl-C) stops it and every
//     process it started (code-server, sshd, their children) is gone, the port free, the sftp target removed.
// Without code-server or Chromium (and sshd for --sftp): fails with the reason under CI, skips otherwise.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { CODE_SERVER_DIR, freePort, REPO_ROOT } from './harness/code-server';
import { browserUnavailable, skipOrFail } from './harness/flows';
import { launchBrowser, waitUntil, Workbench } from './harness/workbench';
import { SSHD_BIN } from '../harness/sshd';

const unavailable = browserUnavailable();
if (unavailable && process.env.CI) test('e2e prerequisites: code-server and Chromium', () => assert.fail(unavailable));
const sftpMissing = !existsSync(SSHD_BIN) ? `${SSHD_BIN} is not installed` : process.getuid?.() !== 0 ? 'the demo sshd needs root' : undefined;

/** The environment of a newcomer's shell: none of this test runner's or a surrounding editor's variables. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(NODE_TEST|NODE_OPTIONS$|TSX_|VSCODE_|npm_)/.test(k)) continue;
    env[k] = v;
  }
  env.CODE_SERVER_DIR = realpathSync(CODE_SERVER_DIR);
  return env;
}

interface Proc { pid: number; start: string; cmd: string }

/** pid → (start time, command line) of `root` and every process below it, from /proc. */
function processTree(root: number): Proc[] {
  const children = new Map<number, number[]>();
  const info = new Map<number, { start: string; cmd: string }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(rest[1]);
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'latin1').replace(/\0/g, ' ').trim();
      info.set(Number(name), { start: rest[19], cmd });
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch { /* gone */ }
  }
  const out: Proc[] = [];
  const walk = (pid: number) => {
    const i = info.get(pid);
    if (i) out.push({ pid, ...i });
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return out;
}

/** Still running: the same pid with the same start time (not a reused pid). */
function alive(p: Proc): boolean {
  try {
    const stat = readFileSync(`/proc/${p.pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] === p.start && !/^Z/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch { return false; }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(false));
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

describe('npm start in a clean clone', () => {
  let root = '';
  let clone = '';
  const env = cleanEnv();

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'rs-e2e-start-'));
    clone = join(root, 'remote-sync');
    const r = spawnSync('git', ['clone', '-q', REPO_ROOT, clone], { encoding: 'utf8' });
    assert.equal(r.status, 0, `git clone failed: ${r.stderr}`);
    symlinkSync(realpathSync(join(REPO_ROOT, 'node_modules')), join(clone, 'node_modules'));
  });

  after(() => {
    if (root && process.env.E2E_KEEP_SERVER !== '1') rmSync(root, { recursive: true, force: true });
  });

  test('npm start -- --cli: a sync with a conflict, then --resolve local; a second run builds nothing', () => {
    const run = () => spawnSync('npm', ['start', '--', '--cli'], { cwd: clone, env, encoding: 'utf8', timeout: 300_000 });
    const first = run();
    const out = first.stdout + first.stderr;
    assert.equal(first.status, 0, out);
    assert.match(out, /built dist\/ in/);
    assert.match(out, /created the demo workspace/);
    assert.match(out, /\$ remote-sync run --resolve skip[\s\S]*↑ upload {2}css\/style\.css[\s\S]*↓ download js\/main\.js[\s\S]*! conflict about\.html[\s\S]*→ exit 4/);
    assert.match(out, /\$ remote-sync run --resolve local[\s\S]*↑ upload {2}about\.html \(.*local version kept[\s\S]*→ exit 0/);
    assert.match(out, /\$ remote-sync run\s[\s\S]*Nothing to do: 4 files in sync/);
    const demo = join(clone, '.cache/demo');
    const local = readFileSync(join(demo, 'site/about.html'), 'utf8');
    assert.match(local, /changed locally by the CLI demo/);
    assert.equal(readFileSync(join(demo, 'server/about.html'), 'utf8'), local, 'the server has the local version');
    assert.match(readFileSync(join(demo, 'site/js/main.js'), 'utf8'), /changed on the server/, 'the server-side change came down');

    const t0 = Date.now();
    const second = run();
    const secondMs = Date.now() - t0;
    assert.equal(second.status, 0, second.stdout + second.stderr);
    assert.match(second.stdout, /dist\/ is up to date/);
    assert.doesNotMatch(second.stdout, /created the demo workspace/);
    console.log(`npm start -- --cli: first run ${out.match(/built dist\/ in [\d.]+ s/)?.[0]}; second run ${secondMs} ms in all`);
    assert.ok(secondMs < 60_000, `a run with nothing to build took ${secondMs} ms`);
  });

  /** `npm start ARGS` in the clone, in its own process group (a terminal's foreground job), and every process below it. */
  class NpmStart {
    readonly child: ChildProcess;
    output = '';
    readonly seen = new Map<number, Proc>();
    private tracker: NodeJS.Timeout | undefined;
    private readonly closed: Promise<void>;

    constructor(args: string[]) {
      // a desktop `code` on the PATH would be used instead of code-server
      if (spawnSync('sh', ['-c', 'command -v code'], { env }).status === 0) args = [...args, '--code-server'];
      this.child = spawn('npm', ['start', '--', ...args], { cwd: clone, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      this.child.stdout!.on('data', (d: Buffer) => { this.output += d.toString(); });
      this.child.stderr!.on('data', (d: Buffer) => { this.output += d.toString(); });
      this.closed = new Promise((res) => this.child.once('close', () => res()));
      this.tracker = setInterval(() => this.track(), 200);
    }

    track(): Proc[] {
      if (this.child.pid) for (const p of processTree(this.child.pid)) if (!this.seen.has(p.pid)) this.seen.set(p.pid, p);
      return [...this.seen.values()];
    }

    async waitUrl(): Promise<string> {
      const url = await waitUntil(() => /open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(this.output)?.[1] ?? (this.child.exitCode !== null ? 'exited' : ''),
        'npm start to print the URL', 300_000, 250);
      assert.notEqual(url, 'exited', `npm start ended:\n${this.output}`);
      return url;
    }

    /** Sends SIGINT (to the group, as Ctrl-C does, or to npm alone); returns what is still running 15 s later. */
    async interrupt(to: 'group' | 'npm'): Promise<Proc[]> {
      const started = this.track();
      process.kill(to === 'group' ? -this.child.pid! : this.child.pid!, 'SIGINT');
      // the pipes close when npm and the script below it (which first stops what it started) have ended
      const ended = await Promise.race([this.closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 30_000))]);
      assert.ok(ended, `npm start did not end within 30 s of SIGINT:\n${this.output.slice(-2000)}`);
      this.dispose();
      // the sshd harness's watchdog takes a second or two to notice; nothing else may linger
      await waitUntil(() => !started.some(alive), 'every process npm start started to end', 15_000, 200).catch(() => undefined);
      return started.filter(alive);
    }

    /** Ends the tracking, and whatever is still running (after a failure). */
    dispose(): void {
      if (this.tracker) clearInterval(this.tracker);
      this.tracker = undefined;
      if (this.child.exitCode === null && this.child.signalCode === null) { try { process.kill(-this.child.pid!, 'SIGKILL'); } catch { /* gone */ } }
    }

    kill(): void {
      this.dispose();
      for (const p of this.seen.values()) if (alive(p)) { try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ } }
    }
  }

  /** Types `<p>text</p>` at the end of the active editor and checks it arrived (typing into a workbench still loading can lose the focus: once more then). */
  async function typeLine(wb: Workbench, text: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await wb.typeInEditor(`<p>${text}`);
      const ok = await waitUntil(async () => (await wb.editorText()).includes(text), `"${text}" in the editor`, 5000).then(() => true, () => false);
      if (ok) return;
      if (attempt === 2) throw new Error(`typed "${text}", the editor shows: ${await wb.editorText()}`);
    }
  }

  const show = (procs: Proc[]) => procs.map((p) => `${p.pid} ${p.cmd.slice(0, 120)}`).join('\n');
  const demoConfig = () => readFileSync(join(clone, '.cache/demo/site/.vscode/remote-sync.json'), 'utf8');

  describe('npm start: code-server with the demo workspace', { skip: unavailable }, () => {
    let run: NpmStart | undefined;
    let browser: Browser | undefined;
    let wb: Workbench | undefined;
    let port = 0;
    const sftp = !sftpMissing;
    const facts: { sftpDir?: string; sftpTargetWhileRunning?: boolean; sftpTargetAfter?: boolean } = {};

    before(async () => {
      port = await freePort();
      run = new NpmStart(['--port', String(port), ...(sftp ? ['--sftp'] : [])]);
    });

    after(async () => {
      await wb?.close().catch(() => undefined);
      await browser?.close().catch(() => undefined);
      run?.kill(); // whatever happened above: nothing of it stays running
    });

    /** On failure: a screenshot and the notifications, in the error. */
    const shot = (fn: () => Promise<void>) => async (t: { name: string }) => {
      try { await fn(); } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        err.message += `\nscreenshot: ${await wb?.screenshot(`FAILED-${t.name.slice(0, 40)}`).catch(() => 'none')}` +
          `\nnotifications: ${JSON.stringify(await wb?.notifications().catch(() => []))}`;
        throw err;
      }
    };

    test('the printed URL opens the demo workspace; a save in the site appears in the server folder', shot(async () => {
      const url = await run!.waitUrl();
      assert.equal(url, `http://127.0.0.1:${port}/`);
      assert.match(run!.output, /Ctrl-C stops code-server/);
      console.log(`npm start: ${run!.output.split('\n').filter((l) => /extension package|sshd on|demo ready/.test(l)).map((l) => l.trim()).join('; ')}`);
      if (sftp) {
        const config = demoConfig();
        facts.sftpTargetWhileRunning = config.includes('"sftp-demo"');
        facts.sftpDir = /"url": "sftp:\/\/[^/]+(\/[^"]+)"/.exec(config)?.[1];
      }
      assert.ok(run!.track().some((p) => p.cmd.includes('code-server/out/node/entry.js')), 'code-server runs below npm start');

      browser = await launchBrowser();
      wb = await Workbench.open(browser, url, { name: 'start', viewport: { width: 1400, height: 900 } });
      const explorer = wb.page.locator('.explorer-folders-view');
      await waitUntil(async () => /site[\s\S]*server/.test(await explorer.innerText()), 'the site and server folders in the Explorer');
      await wb.waitForStatusBar('demo-server', 60_000); // the extension is active on the demo config
      await waitUntil(async () => (await wb!.tabTitles()).some((t) => t.includes('README.md')), 'the walk-through README to open', 30_000);
      // on a loaded machine the README preview and the language extensions load late and can take the focus
      await waitUntil(async () => !(await wb!.statusBarText()).some((x) => /Activating Extensions/.test(x)), 'extensions to finish activating', 60_000).catch(() => undefined);
      await wb.screenshot('ready');

      // site/index.html (the first index.html in the Explorer: "site" is the first folder)
      const row = explorer.locator('.monaco-list-row').filter({ has: wb.page.locator('.label-name', { hasText: /^index\.html$/ }) }).first();
      await row.click();
      await wb.activeTab(/index\.html/).waitFor({ state: 'visible' });
      const marker = `saved in the demo ${Date.now()}`;
      await typeLine(wb, marker);
      await wb.save();
      const site = join(clone, '.cache/demo/site/index.html');
      const server = join(clone, '.cache/demo/server/index.html');
      await waitUntil(() => readFileSync(site, 'utf8').includes(marker), 'the save to write site/index.html', 15_000);
      await waitUntil(() => readFileSync(server, 'utf8').includes(marker), 'the saved text in server/index.html', 30_000);
      assert.match(await wb.waitForStatusBar('↑ index.html'), /demo-server · ↑ index\.html/);
      await wb.screenshot('saved-and-uploaded');
      if (sftp) assert.ok(existsSync(join(facts.sftpDir!, 'index.html')), `the first sync to sftp-demo put the site into ${facts.sftpDir}`);
    }));

    test("the README's walk-through: a change on both sides → Sync: Bidirectional → the conflict diff → Keep Local", shot(async () => {
      const demo = join(clone, '.cache/demo');
      const read = (rel: string) => readFileSync(join(demo, rel), 'utf8');
      const explorer = wb!.page.locator('.explorer-folders-view');
      // 2.1 someone changes the file on the server; 2.2 a local edit of the same file is saved: not uploaded
      writeFileSync(join(demo, 'server/about.html'), read('server/about.html').replace('<h1>About</h1>', '<h1>About (server)</h1>'));
      const serverVersion = read('server/about.html');
      await explorer.locator('.monaco-list-row').filter({ has: wb!.page.locator('.label-name', { hasText: /^about\.html$/ }) }).first().click();
      await wb!.activeTab(/about\.html/).waitFor({ state: 'visible' });
      await typeLine(wb!, 'my local edit');
      await wb!.save();
      assert.match(await wb!.waitForNotification(/"about\.html" changed on the server/), /so it was not uploaded/);
      assert.equal(read('server/about.html'), serverVersion, 'the save did not overwrite the server copy');
      // 2.3 a one-sided change each way; 2.4 Sync: Bidirectional
      writeFileSync(join(demo, 'site/css/style.css'), read('site/css/style.css') + 'p { color: #555; }\n');
      writeFileSync(join(demo, 'server/js/main.js'), read('server/js/main.js') + '// changed on the server\n');
      await wb!.clearNotifications();
      await wb!.runCommand('Sync: Bidirectional');
      assert.equal(await wb!.waitForDiffEditor('about.html (remote ↔ local)'), 'about.html (remote ↔ local)');
      await waitUntil(() => read('server/css/style.css') === read('site/css/style.css'), 'style.css uploaded');
      await waitUntil(() => read('site/js/main.js') === read('server/js/main.js'), 'main.js downloaded');
      assert.equal(read('server/about.html'), serverVersion, 'the conflict is left to the user');
      await wb!.screenshot('conflict-diff');
      // 3. Keep Local, and the next Bidirectional has nothing to do
      await wb!.clickEditorTitleAction('Keep Local');
      await waitUntil(() => read('server/about.html').includes('my local edit'), 'the local about.html on the server');
      assert.equal(read('server/about.html'), read('site/about.html'));
      await wb!.clearNotifications();
      await wb!.runCommand('Sync: Bidirectional');
      assert.match(await wb!.waitForNotification(/Bidirectional: Nothing to do/), /Nothing to do/);
      await wb!.screenshot('nothing-to-do');
    }));

    test('SIGINT (Ctrl-C) stops npm start and everything it started', async () => {
      await wb?.close().catch(() => undefined);
      await browser?.close().catch(() => undefined);
      wb = undefined;
      browser = undefined;
      const started = run!.track();
      assert.ok(started.some((p) => /entry\.js/.test(p.cmd)), 'code-server was seen');
      if (sftp) assert.ok(started.some((p) => p.cmd.includes('sshd')), 'sshd was seen');
      const left = await run!.interrupt('group');
      assert.equal(show(left), '', 'still running after npm start ended');
      assert.match(run!.output, /stopped; nothing left running/);
      assert.ok(await portIsFree(port), `port ${port} is still taken`);
      const config = started.map((p) => /entry\.js .*--config (\S+)/.exec(p.cmd)?.[1]).find(Boolean);
      assert.ok(config && !existsSync(config), `code-server's temporary folder is removed (${config})`);
      if (sftp) facts.sftpTargetAfter = demoConfig().includes('"sftp-demo"');
    });

    test('--sftp: the sftp-demo target pointed at the demo sshd while it ran, and is removed after', (t) => {
      if (!sftp) return skipOrFail(t, `--sftp not tested: ${sftpMissing}`);
      assert.equal(facts.sftpTargetWhileRunning, true, 'sftp-demo in the config while running');
      assert.ok(facts.sftpDir?.startsWith('/home/'), `the server folder of sftp-demo: ${facts.sftpDir}`);
      assert.equal(facts.sftpTargetAfter, false, 'sftp-demo removed from the config after Ctrl-C');
      assert.ok(!existsSync(facts.sftpDir!), 'the sshd server folder is removed');
    });

    test('SIGINT to npm alone (a process manager, not a terminal): it reaches the script, which stops everything', async () => {
      const p2 = await freePort();
      const lone = new NpmStart(['--port', String(p2), ...(sftp ? ['--sftp'] : [])]);
      try {
        await lone.waitUrl();
        const started = lone.track();
        assert.ok(started.some((p) => p.cmd.includes('scripts/start/main.ts')) && started.some((p) => /entry\.js/.test(p.cmd)));
        const left = await lone.interrupt('npm');
        assert.equal(show(left), '', 'still running after npm quit');
        assert.match(lone.output, /stopped; nothing left running/);
        assert.ok(await portIsFree(p2), `port ${p2} is still taken`);
        if (sftp) assert.doesNotMatch(demoConfig(), /"sftp-demo"/);
      } finally {
        lone.kill();
      }
    });
  });
});
