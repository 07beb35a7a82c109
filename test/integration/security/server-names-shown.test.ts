// A hostile server names a file with terminal escape sequences (set the window title, clear the
// screen, write the clipboard) and a carriage return that overwrites the line. The CLI shows such
// names with the controls escaped (\x1b), never as raw bytes; the file itself is synced as named.
//   node --import tsx --test test/integration/security/server-names-shown.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshd } from '../../harness/sshd.js';
import { sourceCliArgs as cliArgs } from '../../harness/cli.js';
import { skipOrFail } from '../../harness/env.js';
import { Output } from '../../../src/cli/output.js';
import { visible } from '../../../src/cli/visible.js';

const NAME = 'x\x1b]0;PWNED\x07\x1b[2J\x1b]52;c;ZWNobyBwd25lZA==\x07\u009b31m\rfake line';

test('visible: C0/C1 controls and DEL escaped; line breaks, tabs and other text kept', () => {
  assert.equal(visible('a\x1b[2Jb\rc\x7f\u009bd\te\nf é'), 'a\\x1b[2Jb\\x0dc\\x7f\\u009bd\te\nf é');
  let out = '';
  const sink = { write: (s: string) => { out += s; return true; } } as unknown as NodeJS.WritableStream;
  const o = new Output({ verbosity: 0, json: false, progress: false, stdout: sink, stderr: sink });
  o.line(`↓ download ${NAME}`);
  o.warn(NAME);
  o.error(NAME);
  assert.doesNotMatch(out, /[\x00-\x09\x0b-\x1f\x7f-\x9f]/, JSON.stringify(out));
});

test('a file name with terminal escapes from an SFTP server is printed escaped', { timeout: 90_000 }, async (t) => {
  const started = await startSshd();
  if ('skip' in started) { t.skip(skipOrFail(started.skip).skip); return; }
  const s = started;
  const scratch = mkdtempSync(join(tmpdir(), 'rs-esc-'));
  try {
    const home = join(scratch, 'home');
    mkdirSync(join(home, '.ssh'), { recursive: true });
    const local = join(scratch, 'local');
    mkdirSync(local);
    const remote = s.makeRemoteDir('esc');
    writeFileSync(join(remote, NAME), 'evil');
    s.chownToUser(remote);
    const r = spawnSync(process.execPath, [...cliArgs, 'download', local, `sftp://${s.user}@127.0.0.1:${s.port}${remote}`, '--known-hosts', s.knownHostsFile], {
      encoding: 'utf8', env: { ...process.env, HOME: home, REMOTE_SYNC_PASSWORD: s.password, SSH_AUTH_SOCK: '', REMOTE_SYNC_NO_CODE_CACHE: '1' },
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.ok(existsSync(join(local, NAME)), 'downloaded under its name');
    assert.doesNotMatch(r.stdout + r.stderr, /[\x00-\x09\x0b-\x1f\x7f-\x9f]/, JSON.stringify(r.stdout + r.stderr));
    assert.match(r.stdout, /↓ download x\\x1b\]0;PWNED\\x07\\x1b\[2J/);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await s.stop();
  }
});
