// Attack surface (issue "Security", items 7 and 9): a password typed into a mistyped URL must never
// show in stderr, stack traces (-vv) or --json; a ~/.netrc that others can read is refused.
// Runs the real command; the only server address used is a closed loopback port.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliProcess, type CliRun } from '../../harness/cli.js';

const SECRET = 'Hunter2pw';
let root: string;
let site: string;
let closedPort: number;
before(async () => {
  root = mkdtempSync(join(tmpdir(), 'rs-secrets-'));
  site = join(root, 'site');
  mkdirSync(site);
  writeFileSync(join(site, 'index.html'), 'x');
  // a loopback port nobody listens on: connections are refused at once
  closedPort = await new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
});
after(() => { rmSync(root, { recursive: true, force: true }); });

function noSecret(r: CliRun, what: string): void {
  assert.ok(r.stdout.length + r.stderr.length > 0, `${what}: printed nothing`);
  assert.ok(!r.stdout.includes(SECRET) && !r.stderr.includes(SECRET), `${what} shows the password:\n${r.stdout}\n${r.stderr}`);
}

test('mistyped URLs, scp syntax, LOCAL and REMOTE swapped: no password in any output, at any verbosity', () => {
  const h = `127.0.0.1:${closedPort}`;
  const lines: Array<[string, string[], number, RegExp]> = [
    ['one slash', ['upload', site, `ftp:/joe:${SECRET}@${h}/x`], 2, /"ftp:\/joe:\*\*\*@127\.0\.0\.1:\d+\/x" is not a valid URL/],
    ['scp syntax', ['upload', site, `joe:${SECRET}@127.0.0.1:/srv/x`], 2, /"joe:\*\*\*@127\.0\.0\.1:\/srv\/x" looks like scp syntax: write it as sftp:\/\/joe:\*\*\*@127\.0\.0\.1\/srv\/x/],
    ['swapped', ['upload', `ftp://joe:${SECRET}@${h}/x`, site], 2, /LOCAL must be a folder on this machine/],
    ['bad port', ['upload', site, `ftp://joe:${SECRET}@127.0.0.1:99999/x`], 2, /bad port/],
    ['refused connection', ['upload', site, `ftp://joe:${SECRET}@${h}/x`], 1, /ECONNREFUSED|refused|connect/i],
  ];
  for (const [what, args, code, re] of lines) {
    for (const extra of [[], ['--json'], ['-vv'], ['--json', '-vvv']]) {
      const r = runCliProcess([...args, ...extra], { cwd: root });
      assert.equal(r.code, code, `${what} ${extra.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, re, what);
      noSecret(r, `${what} ${extra.join(' ')}`);
      if (extra[0] === '--json') {
        const doc = JSON.parse(r.stdout);
        assert.equal(doc.exitCode, code);
        if (what === 'swapped') assert.equal(doc.local, `ftp://joe:***@${h}/x`);
      }
    }
  }
});

test('a ~/.netrc others can read is refused with a message (as BSD ftp does); chmod 600 makes it work', () => {
  const netrc = join(root, 'netrc');
  writeFileSync(netrc, `machine 127.0.0.1 login joe password ${SECRET}\n`);
  chmodSync(netrc, 0o644);
  const r = runCliProcess(['upload', site, `ftp://127.0.0.1:${closedPort}/x`], { cwd: root, env: { NETRC: netrc } });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, new RegExp(`${netrc} can be read by other users \\(mode 0644\\), so it is not used.*chmod 600 ${netrc}`));
  noSecret(r, 'netrc 0644');
  chmodSync(netrc, 0o600);
  const ok = runCliProcess(['upload', site, `ftp://127.0.0.1:${closedPort}/x`, '-vv'], { cwd: root, env: { NETRC: netrc } });
  assert.equal(ok.code, 1, 'the closed port fails the connection');
  assert.doesNotMatch(ok.stderr, /can be read by other users/);
  assert.match(ok.stderr, /joe@127\.0\.0\.1/, 'the login came from the netrc');
  noSecret(ok, 'netrc 0600');
});
